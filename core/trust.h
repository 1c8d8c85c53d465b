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
 * imip_trust_set_login - the SASL login the MTA reports ({auth_authen});
 * NULL or "" means none.  Copied.
 */
int	imip_trust_set_login(struct imip_trust *t, const char *login,
	    struct imip_err *err);

/*
 * imip_trust_set_client - the client's IP address as text ("10.1.2.3",
 * "::1", "IPv6:::1", "[::1]"); the client is internal when it lies in
 * conf's internal_networks.  NULL, "" or anything inet_pton does not take
 * is an unknown, external client.
 */
void	imip_trust_set_client(struct imip_trust *t,
	    const struct imip_conf *conf, const char *addr);

/*
 * imip_trust_add_auth_results - one Authentication-Results header value
 * (RFC 8601).  Only headers whose authserv-id is in conf's
 * trusted_authserv_ids count; of those, dkim and dmarc results "pass" and
 * "fail" with their domain (header.d, header.i, header.from) are kept.
 * Anything malformed is ignored: IMIP_ENOMEM is the only failure.
 */
int	imip_trust_add_auth_results(struct imip_trust *t,
	    const struct imip_conf *conf, const char *value,
	    struct imip_err *err);

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

/*
 * imip_trust_nets_parse - internal_networks: blank- or comma-separated
 * "addr" or "addr/prefix" (IPv4 or IPv6, IPv6 optionally in brackets)
 * into a new array (*out, caller frees, *n entries).  A bad entry or one
 * with host bits set fails with IMIP_ECONFIG and why in err.
 */
int	imip_trust_nets_parse(struct imip_cidr **out, size_t *n,
	    const char *text, struct imip_err *err);

/*
 * imip_trust_map_parse - login_map text named name: lines "login addr
 * ..." where each addr is "user@domain" or "@domain"; '#' starts a
 * comment.  *out is NULL for a map without entries.  Bad lines fail with
 * IMIP_ECONFIG as "name:line: why".
 */
int	imip_trust_map_parse(struct imip_login_map **out, const char *buf,
	    const char *name, struct imip_err *err);
void	imip_trust_map_free(struct imip_login_map *map);

#endif
