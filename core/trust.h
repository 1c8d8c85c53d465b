/*
 * trust.h - how far the originator of a message can be believed.
 *
 * The addresses a message shows (envelope sender, From:) are only claims.
 * The evidence that backs them is gathered while the message passes: the
 * SASL login the MTA reports ({auth_authen}), whether the client is in
 * internal_networks ({client_addr}), and DKIM/DMARC passes reported in
 * Authentication-Results by a trusted authserv-id.  Scheduling asks one
 * question: does the evidence vouch for this address?
 */
#ifndef IMIP_TRUST_H
#define IMIP_TRUST_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "err.h"

struct imip_trust;

/* imip_trust_new - no evidence yet; caller frees with imip_trust_free */
int	imip_trust_new(struct imip_trust **out, struct imip_err *err);
void	imip_trust_free(struct imip_trust *t);

/*
 * imip_trust_vouches - does the evidence back the claim that addr (one
 * of the message's originator addresses, normalized) sent it?  A local
 * address needs a login allowed to use it or an internal client; an
 * external one is believed unless a trusted authserv-id reported a
 * failure for its domain.  NULL t vouches for everything (offline mode,
 * unit tests of scheduling).
 */
bool	imip_trust_vouches(const struct imip_trust *t,
	    const struct imip_conf *conf, const char *addr);

/*
 * imip_trust_describe - the evidence in a few words for the journal and
 * the log: "login=alice", "internal=10.0.0.7", "dkim=example.com",
 * "none"; several joined by blanks.  NULL t gives "unchecked".
 */
const char *imip_trust_describe(const struct imip_trust *t, char *buf,
	    size_t size);

#endif
