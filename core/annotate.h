/*
 * annotate.h - add a short text/plain note in front of a delivered message.
 *
 * The original body becomes the second part of a new multipart/mixed, byte
 * for byte where gmime can keep it so; the caller replaces the top-level
 * Content-Type and the body.  Signed or encrypted messages are never
 * changed: their signature covers the body.
 */
#ifndef IMIP_ANNOTATE_H
#define IMIP_ANNOTATE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* What replaces the top of the message; content_type NULL: nothing. */
struct imip_body_change {
	char	*content_type;		/* new top-level Content-Type value */
	char	*body;			/* new body, CRLF line ends */
	size_t	 len;
	bool	 add_mime_version;	/* the message had no MIME-Version */
};

/*
 * imip_annotate - the message data[0..len) (headers and body) with note
 * (UTF-8 text) as a first text/plain part, in *out (release with
 * imip_body_change_fini).  IMIP_EUNSUPPORTED when any part is signed or
 * encrypted (multipart/signed, multipart/encrypted, PKCS #7), IMIP_EPARSE
 * when the message cannot be parsed.
 */
int	imip_annotate(struct imip_body_change *out, const char *data,
	    size_t len, const char *note, struct imip_err *err);

/* imip_body_change_fini - release what c owns; zeroes it */
void	imip_body_change_fini(struct imip_body_change *c);

#endif
