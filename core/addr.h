/*
 * addr.h - mail and calendar address normalization.
 *
 * iCalendar writes "mailto:Room-A@Example.ORG", SMTP writes
 * "<room-a@example.org>"; both normalize to "room-a@example.org".
 */
#ifndef IMIP_ADDR_H
#define IMIP_ADDR_H

#include <stdbool.h>

#include "err.h"

/*
 * imip_addr_norm - strip blanks, angle brackets and a "mailto:" prefix and
 * lower-case the rest into a new string (*out, caller frees).  Fails with
 * IMIP_EPARSE when nothing address-like remains ("" and "<>" included).
 */
int	imip_addr_norm(char **out, const char *in, struct imip_err *err);

/* imip_addr_equal - compare two addresses in any of the above forms */
bool	imip_addr_equal(const char *a, const char *b);

/* imip_addr_domain - the part after the last '@' (borrowed), or NULL */
const char *imip_addr_domain(const char *addr);

#endif
