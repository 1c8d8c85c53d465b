/*
 * msg.h - one message passing the filter, fed callback by callback.
 *
 * The calls mirror the milter callbacks (envelope, headers, body, end) so
 * milter/ stays glue and every decision can be tested without an MTA.
 * imip_msg_finish returns a plain decision the milter applies.
 */
#ifndef IMIP_MSG_H
#define IMIP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "annotate.h"
#include "conf.h"
#include "err.h"
#include "schedule.h"
#include "store.h"

/* The header added per managed calendar, documented in imip-milter(8). */
#define IMIP_RESULT_HEADER	"X-iMIP-Schedule"
/* On an invitation to a person: what its time clashes with. */
#define IMIP_CONFLICT_HEADER	"X-iMIP-Conflicts"
/* On a counter-proposal to a person: the time the attendee asks for. */
#define IMIP_COUNTER_HEADER	"X-iMIP-Counter"

/*
 * The headers only this filter writes: forged copies arriving with a
 * message are removed (imip_decision.strip counts them, in this order).
 */
enum imip_own_header {
	IMIP_OWN_RESULT,
	IMIP_OWN_CONFLICT,
	IMIP_OWN_COUNTER,
	IMIP_OWN_NHEADERS
};
extern const char *const imip_own_headers[IMIP_OWN_NHEADERS];

struct imip_msg;

enum imip_action {
	IMIP_ACTION_ACCEPT,	/* deliver, with the headers below */
	IMIP_ACTION_TEMPFAIL,
	IMIP_ACTION_REJECT,
	IMIP_ACTION_QUARANTINE,	/* deliver into the MTA's quarantine */
	IMIP_ACTION_DISCARD	/* every recipient consumed: nobody gets it */
};

/* Which failure class chose the action (on_internal_error, on_...). */
enum imip_fail_class {
	IMIP_CLASS_NONE,
	IMIP_CLASS_INTERNAL,	/* database unavailable, out of memory */
	IMIP_CLASS_BAD_DATA,	/* calendar malformed, unsupported, too big */
	IMIP_CLASS_POLICY	/* an outcome was refused (trust, policy) */
};

struct imip_header {
	char	*name;
	char	*value;
};

struct imip_decision {
	enum imip_action	 action;
	enum imip_fail_class	 fail_class;	/* why, unless ACCEPT/DISCARD */
	const char		*smtp_text;	/* for TEMPFAIL/REJECT */
	char			*reason;	/* for QUARANTINE: one line */
	char			**delrcpts;	/* consumed, verbatim */
	size_t			 ndelrcpts;
	int			 strip[IMIP_OWN_NHEADERS]; /* forged copies */
	struct imip_header	*headers;	/* to add */
	size_t			 nheaders;
	struct imip_outcome	*outcomes;
	size_t			 noutcomes;
	size_t			 replies;	/* queued in the outbox */
	struct imip_body_change	 body;		/* summary_part: new body */
};

/* imip_msg_new - state for one message under conf (borrowed, must outlive) */
int	imip_msg_new(struct imip_msg **out, const struct imip_conf *conf,
	    struct imip_err *err);
void	imip_msg_free(struct imip_msg *m);

/* imip_msg_queue_id - set the MTA queue id used in log lines (copied) */
void	imip_msg_queue_id(struct imip_msg *m, const char *qid);
const char *imip_msg_get_queue_id(const struct imip_msg *m);

/* imip_msg_dry_run - decide but roll back (offline mode) */
void	imip_msg_dry_run(struct imip_msg *m, bool on);

/* imip_msg_envfrom - the envelope sender ("" or "<>" for the null sender) */
int	imip_msg_envfrom(struct imip_msg *m, const char *addr,
	    struct imip_err *err);

/*
 * imip_msg_sender_may_be_managed - after the headers: is the envelope
 * sender local and the Content-Type able to carry a calendar?  Only
 * then is imip_msg_sender_calendar worth a database look-up, so mail
 * without a calendar never opens the database for its sender.
 */
bool	imip_msg_sender_may_be_managed(const struct imip_msg *m);

/*
 * imip_msg_sender_calendar - before imip_msg_eoh: when the envelope
 * sender is a managed person, what they send is recorded in their own
 * calendar (outgoing invitations, answers, cancellations).
 */
int	imip_msg_sender_calendar(struct imip_msg *m, struct imip_store *st,
	    struct imip_err *err);

/*
 * imip_msg_rcpt_may_be_managed - false when addr is outside local_domains
 * (if any are configured): such a recipient needs no database look-up.
 */
bool	imip_msg_rcpt_may_be_managed(const struct imip_msg *m,
	    const char *addr);

/* imip_msg_rcpt - an envelope recipient; managed ones are remembered */
int	imip_msg_rcpt(struct imip_msg *m, struct imip_store *st,
	    const char *addr, struct imip_err *err);

/*
 * imip_msg_envrcpt - imip_msg_rcpt for every envelope recipient, in the
 * form the MTA gave it: all are counted and a managed one's text is kept,
 * so a calendar with delivery = consume can be deleted from the message
 * (delrcpts) and a message left without recipients discarded.  st may be
 * NULL when imip_msg_rcpt_may_be_managed says false.
 */
int	imip_msg_envrcpt(struct imip_msg *m, struct imip_store *st,
	    const char *addr, struct imip_err *err);

/*
 * imip_msg_client, imip_msg_login - the evidence for the originator
 * (trust.h): the client's IP address (NULL if unknown) and the SASL login
 * (NULL or "" for none).  Once either is called, originator addresses
 * count only as far as the evidence vouches for them; a message fed
 * neither (offline mode) believes its addresses.
 */
void	imip_msg_client(struct imip_msg *m, const char *addr);
int	imip_msg_login(struct imip_msg *m, const char *login,
	    struct imip_err *err);

/*
 * imip_msg_header - one header field as the MTA passes it.
 * Authentication-Results fields are weighed as trust evidence.
 */
int	imip_msg_header(struct imip_msg *m, const char *name,
	    const char *value, struct imip_err *err);

/*
 * imip_msg_header_raw - an imip_header_cb for imip_mime_split (arg is
 * the imip_msg): the raw field to imip_msg_header without its leading
 * blank and line end, as the milter callbacks get it.  For the offline
 * mode and the fuzz tests, which feed a message from a file.
 */
int	imip_msg_header_raw(const char *name, const char *value, void *arg);

/*
 * imip_msg_claim_generated - after the headers of a message this filter
 * generated (its marker header and a Message-ID): note which copy of it
 * passes.  *duplicate is true when another copy passed before: the outbox
 * handed it over again after a crash, and the caller discards this one.
 * The same copy passing again (postsuper -r) is no duplicate.  Other
 * messages are never duplicates and need no database.
 */
bool	imip_msg_is_generated(const struct imip_msg *m);
int	imip_msg_claim_generated(struct imip_msg *m, struct imip_store *st,
	    bool *duplicate, struct imip_err *err);

/*
 * imip_msg_eoh - end of headers: false means "nothing for us here",
 * accept without reading the body (the fast path).  It is also true when
 * only forged IMIP_RESULT_HEADERs must be removed; the body is then not kept.
 */
bool	imip_msg_eoh(struct imip_msg *m);

/*
 * imip_msg_body - a body chunk.  IMIP_ELIMIT once the message passes
 * max_message_size: the caller lets it pass untouched.
 */
int	imip_msg_body(struct imip_msg *m, const void *buf, size_t len,
	    struct imip_err *err);

/*
 * imip_msg_finish - run the pipeline at end of message and fill *d (caller
 * releases with imip_decision_fini).  Bad calendar data is not a failure:
 * it yields the on_bad_data action (default ACCEPT, unchanged), a refused
 * outcome the on_policy_refusal one (default ACCEPT, with the reason in
 * the header); the stronger wins (reject, tempfail, quarantine, accept).
 * Internal failures yield the on_internal_error action, with the error
 * in err.  A message whose recipients were all consumed is DISCARDed.
 */
int	imip_msg_finish(struct imip_msg *m, struct imip_store *st,
	    int64_t now, struct imip_decision *d, struct imip_err *err);

/* imip_decision_fini - release what a decision owns; zeroes it */
void	imip_decision_fini(struct imip_decision *d);

#endif
