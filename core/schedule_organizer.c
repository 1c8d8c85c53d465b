/*
 * schedule_organizer.c - what attendees send a person who organizes a
 * meeting: REPLYs (merged per attendee and instance, newest wins),
 * COUNTERs (kept and shown in a header) and REFRESHes (answered with the
 * stored REQUEST only if the person's answer-refresh says so).
 *
 * Every one of them speaks for exactly one ATTENDEE, must be sent by that
 * attendee (the evidence vouching for it) and must name an event the
 * person organizes, one the attendee was invited to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "schedule_int.h"

/* Is addr an attendee of the stored object ev? */
static bool
stored_attendee(const struct job *j, const struct imip_event_rec *ev,
    const char *addr)
{
	struct imip_itip *stored = NULL;
	struct imip_err why = { 0 };
	bool yes;

	if (ev->ical == NULL || imip_itip_parse(&stored, ev->ical, NULL,
	    j->cal->tz, &why) < 0)
		return false;
	yes = imip_itip_attendee(stored, addr) != NULL;
	imip_itip_free(stored);
	return yes;
}

/*
 * The attendee j->it speaks for: its only ATTENDEE; or, for a REQUEST
 * that stands for a COUNTER (some clients send those), the one attendee
 * who sent it.  NULL after a REFUSED decision.
 */
static const struct imip_attendee *
speaker(struct job *j)
{
	const char *m = imip_method_name(j->it->method);
	const struct imip_attendee *who = NULL;

	if (j->it->method == IMIP_METHOD_REQUEST) {
		for (size_t i = 0; i < j->it->nattendees; i++)
			if (sched_sent_by(j->ctx, j->it->attendees[i].address))
				who = &j->it->attendees[i];
		if (who == NULL)
			sched_decide(j, "REFUSED", 3, 8, "proposal not sent by "
			    "an attendee");
		return who;
	}
	if (j->it->nattendees != 1) {
		sched_decide(j, "REFUSED", 3, 8, "a %s speaks for one "
		    "attendee, not %zu", m, j->it->nattendees);
		return NULL;
	}
	who = &j->it->attendees[0];
	if (!sched_sent_by(j->ctx, who->address)) {
		sched_decide(j, "REFUSED", 3, 8, "%s for %s not sent by that "
		    "attendee", m, who->address);
		return NULL;
	}
	return who;
}

/*
 * The event the attendee *who of j->it writes about, in *out; or a
 * decision (REFUSED, IGNORED) and *out NULL.  Outlook's REPLYs may lack
 * ORGANIZER: the UID and the attendee are enough.
 */
static int
organized_event(struct job *j, struct imip_event_rec **out,
    const struct imip_attendee **who)
{
	const char *m = imip_method_name(j->it->method);
	struct imip_event_rec *ev = NULL;
	int rc;

	*out = NULL;
	if ((*who = speaker(j)) == NULL)
		return j->out->decision != NULL ? IMIP_OK : imip_err_set(j->err,
		    IMIP_ENOMEM, "decision");
	rc = imip_store_event_find(j->st, j->cal->id, j->it->uid, &ev,
	    j->err);
	if (rc == IMIP_ENOTFOUND) {
		imip_err_clear(j->err);
		return sched_decide(j, "IGNORED", 0, 0, "%s for an event not "
		    "recorded", m);
	}
	if (rc < 0)
		return rc;
	if (!imip_addr_equal(ev->organizer, j->cal->address) ||
	    (j->it->organizer != NULL &&
	    !imip_addr_equal(j->it->organizer, j->cal->address)))
		rc = sched_decide(j, "IGNORED", 0, 0, "%s for an event %s "
		    "does not organize", m, j->cal->address);
	else if (!stored_attendee(j, ev, (*who)->address))
		rc = sched_decide(j, "IGNORED", 0, 0, "%s is not an attendee: "
		    "%s not applied", (*who)->address, m);
	else {
		*out = ev;
		ev = NULL;
	}
	imip_event_rec_free(ev);
	return rc;
}

/* The instance j->it names (overrides only), 0 for the whole event. */
static int64_t
named_instance(const struct job *j)
{
	return !j->it->has_master && j->it->ninst > 0 ? j->it->inst[0].rid :
	    0;
}

/* Keep the attendee's answer unless a newer one is kept already. */
static int
keep_reply(struct job *j, const struct imip_event_rec *ev,
    const struct imip_attendee *who)
{
	struct imip_reply_rec r = {
		.event_id = ev->id, .attendee = who->address,
		.rid = named_instance(j), .partstat = who->partstat,
		.sequence = j->it->sequence, .dtstamp = j->it->dtstamp,
	};
	bool kept;
	int rc;

	if ((rc = imip_store_reply_put(j->st, &r, j->ctx->now, &kept,
	    j->err)) < 0)
		return rc;
	if (!kept)
		return sched_decide(j, "IGNORED", 0, 0, "%s answered %s in an "
		    "older reply than the one kept", who->address,
		    who->partstat);
	return sched_decide(j, "MERGED", 0, 0, "%s answered %s%s",
	    who->address, who->partstat, r.rid != 0 ? " for one instance" :
	    "");
}

/* sched_merge_reply - an attendee answers a meeting the person organizes */
int
sched_merge_reply(struct job *j)
{
	const struct imip_attendee *who;
	struct imip_event_rec *ev = NULL;
	int rc;

	if ((rc = organized_event(j, &ev, &who)) == IMIP_OK && ev != NULL)
		rc = keep_reply(j, ev, who);
	imip_event_rec_free(ev);
	return rc;
}

/*
 * "bob@example.com proposes 2027-03-01 11:00 to 2027-03-01 12:00", in
 * the person's zone; the attendee's COMMENT only when the person is the
 * message's one recipient, as the header reaches every recipient.
 */
static int
show_proposal(struct job *j, const char *who, int64_t start, int64_t end)
{
	const char *why = j->ctx->sole_rcpt ? j->it->comment : NULL;
	char s[32], e[32];

	sched_local_time(s, sizeof(s), start, j->cal->tz);
	sched_local_time(e, sizeof(e), end, j->cal->tz);
	free(j->out->proposal);
	if (asprintf(&j->out->proposal, "%s proposes %s to %s%s%s%s", who, s,
	    e, why != NULL ? " (\"" : "", why != NULL ? why : "",
	    why != NULL ? "\")" : "") < 0) {
		j->out->proposal = NULL;
		return imip_err_set(j->err, IMIP_ENOMEM, "proposal");
	}
	return IMIP_OK;
}

/*
 * sched_keep_counter - keep the proposal j->it makes for event_id, as
 * attendee's, received or sent; *c says what was kept if *kept.
 */
int
sched_keep_counter(struct job *j, int64_t event_id, const char *attendee,
    const char *direction, struct imip_counter_rec *c, bool *kept)
{
	const struct imip_instance *in = !j->it->has_master &&
	    j->it->ninst > 0 ? &j->it->inst[0] : NULL;

	*c = (struct imip_counter_rec){
		.event_id = event_id, .attendee = attendee,
		.rid = named_instance(j), .direction = direction,
		.start = in != NULL ? in->start : j->it->start,
		.end = in != NULL ? in->end : j->it->end,
		.comment = j->it->comment, .sequence = j->it->sequence,
		.dtstamp = j->it->dtstamp, .ical = j->it->vevent,
	};
	return imip_store_counter_put(j->st, c, j->ctx->now, kept, j->err);
}

/* Keep the attendee's proposal and show it. */
static int
keep_counter(struct job *j, const struct imip_event_rec *ev, const char *who)
{
	struct imip_counter_rec c;
	bool kept;
	int rc;

	if ((rc = sched_keep_counter(j, ev->id, who, "received", &c,
	    &kept)) < 0)
		return rc;
	if (!kept)
		return sched_decide(j, "IGNORED", 0, 0, "%s proposed a time in "
		    "an older COUNTER than the one kept", c.attendee);
	if ((rc = show_proposal(j, c.attendee, c.start, c.end)) < 0)
		return rc;
	return sched_decide(j, "STORED", 0, 0, "%s", j->out->proposal);
}

/*
 * sched_counter - an attendee proposes another time for a meeting the
 * person organizes (a COUNTER, or a REQUEST an attendee sent in its
 * stead): kept for the person (the counters view) and named in an
 * X-iMIP-Counter header on the delivered copy.  The person's calendar
 * client answers it; the filter never does.
 */
int
sched_counter(struct job *j)
{
	const struct imip_attendee *who;
	struct imip_event_rec *ev = NULL;
	int rc;

	if ((rc = organized_event(j, &ev, &who)) == IMIP_OK && ev != NULL)
		rc = keep_counter(j, ev, who->address);
	imip_event_rec_free(ev);
	return rc;
}

/* The stored REQUEST again, to the attendee who asked for it. */
static int
resend(struct job *j, const struct imip_event_rec *ev, const char *to)
{
	struct imip_resend_spec spec = {
		.stored = ev->ical, .summary = ev->summary,
		.from = j->cal->address, .from_name = j->cal->name, .to = to,
		.in_reply_to = j->ctx->message_id,
		.hostname = j->ctx->hostname, .now = j->ctx->now,
	};
	char *message = NULL, *human = NULL;
	bool limited;
	int rc;

	if ((rc = sched_rate_limited(j, to, &limited)) < 0 || limited)
		return rc;
	if (asprintf(&human, "%s sends \"%s\" again, as %s asked (REFRESH).\n",
	    j->cal->name != NULL ? j->cal->name : j->cal->address,
	    ev->summary != NULL ? ev->summary : "(no title)", to) < 0)
		return imip_err_set(j->err, IMIP_ENOMEM, "message text");
	spec.human = human;
	rc = imip_resend_build(&message, &spec, j->err);
	free(human);
	if (rc == IMIP_EPARSE) {
		imip_err_clear(j->err);
		return sched_note(j, "; stored event unreadable, not sent");
	}
	return rc < 0 ? rc : sched_outbox(j, to, message);
}

/*
 * sched_refresh - an attendee asks for the current version of a meeting
 * the person organizes.  Answered with the stored REQUEST only when the
 * person's answer-refresh says so; journaled otherwise.
 */
int
sched_refresh(struct job *j)
{
	const struct imip_attendee *att;
	struct imip_event_rec *ev = NULL;
	const char *who;
	int rc;

	if ((rc = organized_event(j, &ev, &att)) < 0 || ev == NULL)
		goto out;
	who = att->address;
	if (!j->cal->policy.answer_refresh)
		rc = sched_decide(j, "IGNORED", 0, 0, "REFRESH from %s "
		    "journaled (answer-refresh no)", who);
	else if (!j->ctx->may_reply)
		rc = sched_decide(j, "IGNORED", 0, 0, "REFRESH from %s in an "
		    "automatic message: not answered", who);
	else if ((rc = sched_decide(j, "REFRESHED", 2, 0, "stored REQUEST "
	    "sent again to %s", who)) == IMIP_OK)
		rc = resend(j, ev, who);
out:
	imip_event_rec_free(ev);
	return rc;
}
