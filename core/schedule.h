/*
 * schedule.h - decide what one iTIP object means for one managed resource.
 *
 * One call is one BEGIN IMMEDIATE transaction: read the resource's busy
 * time, decide, write the event, its busy period, a journal row and the
 * reply into the outbox, commit.  Two requests for the same slot therefore
 * cannot both be accepted, across threads and processes.
 */
#ifndef IMIP_SCHEDULE_H
#define IMIP_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "err.h"
#include "itip.h"
#include "store.h"
#include "trust.h"

struct imip_sched_ctx {
	const struct imip_conf *conf;	/* local_domains; NULL: none local */
	const char	*queue_id;
	const char	*sender;	/* envelope sender, "" for <> */
	const char	*from;		/* From: address or NULL */
	const char	*message_id;	/* of the request, or NULL */
	const char	*hostname;	/* for generated Message-IDs */
	const struct imip_trust *trust;	/* evidence; NULL: believe addresses */
	int64_t		 now;
	bool		 may_reply;	/* false for auto-replies, own mail */
	bool		 sole_rcpt;	/* one envelope recipient: private */
	bool		 dry_run;	/* roll back instead of commit */
};

/* What happened, for the log, the header and offline mode. */
struct imip_outcome {
	char		*calendar;
	enum imip_method method;
	char		*uid;
	const char	*decision;	/* ACCEPTED, DECLINED, CANCELLED, ... */
	char		 status[24];	/* REQUEST-STATUS code, "" if none */
	char		*reason;	/* one line for the journal */
	char		*reply;		/* queued message text, or NULL */
	char		*reply_to;
	int64_t		 outbox_id;	/* 0 when nothing was queued */
	bool		 refused;	/* trust or policy refused the request */
	char		*conflicts;	/* people: what the time clashes with */
	char		*proposal;	/* people: a COUNTER's new time */
};

/*
 * imip_schedule_resource - apply it to resource cal and fill *out (caller
 * releases with imip_outcome_fini).  Failures roll back everything.
 */
int	imip_schedule_resource(struct imip_store *st,
	    const struct imip_sched_ctx *ctx, const struct imip_calendar *cal,
	    const struct imip_itip *it, struct imip_outcome *out,
	    struct imip_err *err);

/*
 * imip_schedule_person - record it in person cal's calendar: invitations
 * as NEEDS-ACTION (time BUSY-TENTATIVE if the person's block-pending
 * says so), CANCELs free it, free/busy requests are answered if shared.
 * Never answers an invitation for the person.
 */
int	imip_schedule_person(struct imip_store *st,
	    const struct imip_sched_ctx *ctx, const struct imip_calendar *cal,
	    const struct imip_itip *it, struct imip_outcome *out,
	    struct imip_err *err);

/*
 * imip_schedule_outgoing - what managed person cal sends, when the
 * evidence vouches for them: invitations they organize become their
 * events and busy time, their answers set their own busy time (ACCEPTED
 * busy, TENTATIVE tentative, DECLINED free), their CANCELs free it.
 */
int	imip_schedule_outgoing(struct imip_store *st,
	    const struct imip_sched_ctx *ctx, const struct imip_calendar *cal,
	    const struct imip_itip *it, struct imip_outcome *out,
	    struct imip_err *err);

/*
 * imip_schedule_extend - book the instances of a booked series that an
 * earlier expansion left out.  it is the stored object, parsed again and
 * expanded with imip_itip_expand_range from the event's expanded_until;
 * instances cancelled meanwhile are skipped, clashing ones declined to
 * the organizer.  Journaled as EXTENDED; nothing happens if the stored
 * object is no longer stored, the text it was parsed from.
 */
int	imip_schedule_extend(struct imip_store *st,
	    const struct imip_sched_ctx *ctx, const struct imip_calendar *cal,
	    struct imip_itip *it, const char *stored,
	    struct imip_outcome *out, struct imip_err *err);

/*
 * imip_schedule_journal - record a decision made without scheduling
 * (malformed or unsupported data) in its own small transaction.
 */
int	imip_schedule_journal(struct imip_store *st,
	    const struct imip_sched_ctx *ctx, const char *calendar,
	    const char *method, const char *uid, const char *decision,
	    const char *reason, struct imip_err *err);

/* imip_outcome_fini - release what an outcome owns; zeroes it */
void	imip_outcome_fini(struct imip_outcome *out);

#endif
