/*
 * schedule.c - the resource's answer to REQUEST and CANCEL.
 *
 * Everything a decision writes happens inside one BEGIN IMMEDIATE
 * transaction held only for the length of this call.  This file decides;
 * SQL stays in store*.c, interval logic in freebusy.c, MIME in reply.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "addr.h"
#include "freebusy.h"
#include "log.h"
#include "mime.h"
#include "publish.h"
#include "reply.h"
#include "schedule_int.h"

void
imip_outcome_fini(struct imip_outcome *out)
{
	if (out == NULL)
		return;
	free(out->calendar);
	free(out->uid);
	free(out->reason);
	free(out->reply);
	free(out->reply_to);
	free(out->conflicts);
	free(out->proposal);
	memset(out, 0, sizeof(*out));
}

/* Record the decision and its reason in the outcome. */
int
sched_decide(struct job *j, const char *decision, int major, int minor,
    const char *fmt, ...)
{
	va_list ap;
	char *reason = NULL;

	j->out->decision = decision;
	if (strcmp(decision, "REFUSED") == 0)
		j->out->refused = true;
	if (major > 0)
		snprintf(j->out->status, sizeof(j->out->status), "%d.%d",
		    major, minor);
	va_start(ap, fmt);
	if (vasprintf(&reason, fmt, ap) < 0)
		reason = NULL;
	va_end(ap);
	free(j->out->reason);
	j->out->reason = reason;
	return reason != NULL ? IMIP_OK :
	    imip_err_set(j->err, IMIP_ENOMEM, "reason");
}

/* >0: it is newer than ev; 0: same version; <0: older (RFC 5546 2.1.5). */
int
sched_version_cmp(const struct imip_itip *it, const struct imip_event_rec *ev)
{
	if (it->sequence != ev->sequence)
		return it->sequence > ev->sequence ? 1 : -1;
	if (it->dtstamp != ev->dtstamp)
		return it->dtstamp > ev->dtstamp ? 1 : -1;
	return 0;
}

/* Is addr the envelope sender or the From address? */
static bool
sched_claims(const struct imip_sched_ctx *ctx, const char *addr)
{
	return imip_addr_equal(ctx->sender, addr) ||
	    imip_addr_equal(ctx->from, addr);
}

/*
 * Did addr send this message?  It must be the envelope sender or the From
 * address, and the evidence must vouch for it (trust.h): a login allowed
 * to use it, an internal client, or for an external address no failure
 * reported by a trusted verifier.
 */
bool
sched_sent_by(const struct imip_sched_ctx *ctx, const char *addr)
{
	return sched_claims(ctx, addr) &&
	    imip_trust_vouches(ctx->trust, ctx->conf, addr);
}

/*
 * May this message speak for its ORGANIZER?  Relays sending for external
 * organizers are normal, unless the message claims to come from the
 * organizer itself and the evidence contradicts that; a local organizer
 * must send it itself or through its SENT-BY (BEHAVIOUR.md, Trust).
 */
bool
sched_organizer_vouched(const struct job *j)
{
	const char *org = j->it->organizer, *by = j->it->organizer_sent_by;

	if (j->ctx->conf == NULL || !imip_conf_is_local(j->ctx->conf, org))
		return !sched_claims(j->ctx, org) ||
		    imip_trust_vouches(j->ctx->trust, j->ctx->conf, org);
	return sched_sent_by(j->ctx, org) ||
	    (by != NULL && sched_sent_by(j->ctx, by));
}

/* sched_note - add text to the decision's reason for the journal */
int
sched_note(struct job *j, const char *fmt, ...)
{
	va_list ap;
	char *more = NULL, *reason = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&more, fmt, ap);
	va_end(ap);
	if (n < 0 || asprintf(&reason, "%s%s", j->out->reason != NULL ?
	    j->out->reason : "", more) < 0) {
		free(more);
		return imip_err_set(j->err, IMIP_ENOMEM, "reason");
	}
	free(more);
	free(j->out->reason);
	j->out->reason = reason;
	return IMIP_OK;
}

/*
 * sched_refuse_stranger - a change to a stored event must come from its
 * ORGANIZER, sent by that address or its SENT-BY; if not, decide REFUSED
 * (the result in *rc) and return true.
 */
bool
sched_refuse_stranger(struct job *j, const struct imip_event_rec *old,
    int *rc)
{
	if (imip_addr_equal(old->organizer, j->it->organizer) &&
	    sched_sent_by(j->ctx, old->organizer))
		return false;
	*rc = sched_decide(j, "REFUSED", 3, 8, "%s not sent by the "
	    "organizer %s", imip_method_name(j->it->method),
	    old->organizer != NULL ? old->organizer : "(none)");
	return true;
}

/* "2027-03-01 10:00" in the calendar's zone (UTC if it is unknown). */
void
sched_local_time(char *buf, size_t size, int64_t t, const char *tz)
{
	icaltimezone *zone = icaltimezone_get_builtin_timezone(tz);
	struct icaltimetype tt;

	if (zone == NULL)
		zone = icaltimezone_get_utc_timezone();
	tt = icaltime_from_timet_with_zone((time_t)t, 0, zone);
	snprintf(buf, size, "%04d-%02d-%02d %02d:%02d", tt.year, tt.month,
	    tt.day, tt.hour, tt.minute);
}

char *
sched_human_text(const struct job *j, const char *partstat,
    const struct imip_period *conflict)
{
	const char *who = j->cal->name != NULL ? j->cal->name :
	    j->cal->address;
	const char *what = j->it->summary != NULL ? j->it->summary :
	    "(no title)";
	char s[32], e[32], cs[32], ce[32];
	char *text = NULL;
	int n;

	sched_local_time(s, sizeof(s), j->it->start, j->cal->tz);
	sched_local_time(e, sizeof(e), j->it->end, j->cal->tz);
	if (conflict != NULL) {
		sched_local_time(cs, sizeof(cs), conflict->start, j->cal->tz);
		sched_local_time(ce, sizeof(ce), conflict->end, j->cal->tz);
		n = asprintf(&text, "%s has declined \"%s\" (%s to %s, %s):\n"
		    "it is already booked from %s to %s.\n", who, what, s, e,
		    j->cal->tz, cs, ce);
	} else if (strcmp(partstat, "TENTATIVE") == 0) {
		n = asprintf(&text, "%s has tentatively accepted \"%s\" (%s to "
		    "%s, %s):\nthe booking waits for a delegate's approval.\n",
		    who, what, s, e, j->cal->tz);
	} else {
		n = asprintf(&text, "%s has %s \"%s\" (%s to %s, %s).\n", who,
		    strcmp(partstat, "ACCEPTED") == 0 ? "accepted" :
		    strcmp(partstat, "DECLINED") == 0 ? "declined" :
		    "answered", what, s, e, j->cal->tz);
	}
	return n < 0 ? NULL : text;
}

static int
first_busy_cb(const struct imip_busy_rec *b, void *arg)
{
	struct imip_period *p = arg;

	p->start = b->start;
	p->end = b->end;
	return 1;			/* the first one is enough */
}

/* Every busy period overlapping the asked one, for capacity > 1. */
struct overlaps {
	struct imip_period	*p;
	size_t			 n, cap;
};

static int
collect_cb(const struct imip_busy_rec *b, void *arg)
{
	struct overlaps *o = arg;
	struct imip_period *p;

	if (o->n == o->cap) {
		o->cap = o->cap > 0 ? 2 * o->cap : 16;
		if ((p = realloc(o->p, o->cap * sizeof(*p))) == NULL)
			return 1;	/* stops the scan: out of memory */
		o->p = p;
	}
	o->p[o->n++] = (struct imip_period){ b->start, b->end };
	return 0;
}

/* With room for capacity bookings at once: is one place left all along? */
static int
find_crowded(struct job *j, struct imip_period want, bool *found,
    struct imip_period *conflict)
{
	struct overlaps o = { 0 };
	int rc;

	rc = imip_store_busy_overlapping(j->st, j->cal->id, want.start,
	    want.end, j->it->uid, collect_cb, &o, j->err);
	if (rc > 0)
		rc = imip_err_set(j->err, IMIP_ENOMEM, "busy periods");
	if (rc == IMIP_OK)
		*found = imip_period_crowded(o.p, o.n, want,
		    j->cal->policy.capacity, conflict);
	free(o.p);
	return rc;
}

/* Is want free?  *conflict gets the first clash. */
int
sched_find_conflict(struct job *j, struct imip_period want, bool *found,
    struct imip_period *conflict)
{
	int rc;

	*found = false;
	if (j->cal->policy.capacity > 1)
		return find_crowded(j, want, found, conflict);
	conflict->start = conflict->end = 0;
	rc = imip_store_busy_overlapping(j->st, j->cal->id, want.start,
	    want.end, j->it->uid, first_busy_cb, conflict, j->err);
	if (rc < 0)
		return rc;
	*found = imip_period_overlaps(&want, conflict);
	return IMIP_OK;
}

/*
 * sched_rate_limited - may the calendar send to "to" again?  A flood of
 * requests must not become a flood of answers: past reply_rate_limit in
 * the last hour, the journal says so and *limited is true.
 */
int
sched_rate_limited(struct job *j, const char *to, bool *limited)
{
	int64_t recent;
	int rc, limit = j->ctx->conf != NULL ?
	    j->ctx->conf->reply_rate_limit : 0;

	*limited = false;
	if (limit <= 0)
		return IMIP_OK;
	if ((rc = imip_store_outbox_recent(j->st, to, j->ctx->now - 3600,
	    &recent, j->err)) < 0)
		return rc;
	if (recent < limit)
		return IMIP_OK;
	*limited = true;
	return sched_note(j, "; no answer: %lld to %s in the last hour "
	    "(reply_rate_limit)", (long long)recent, to);
}

/* Header callback: keep the Message-ID field's value, trimmed. */
static int
keep_message_id(const char *name, const char *value, void *arg)
{
	char **out = arg;

	if (strcasecmp(name, "Message-ID") != 0)
		return 0;
	*out = imip_mime_trimmed(value);
	return 1;
}

/*
 * sched_outbox - put message (the outcome takes it) into the outbox,
 * with its own Message-ID and the request's, so that it goes out once
 * (store_seen.c) and the same request is never answered twice.
 */
int
sched_outbox(struct job *j, const char *to, char *message)
{
	struct imip_outbox_rec o = { 0 };
	char *id = NULL;
	size_t body;
	int rc;

	j->out->reply = message;
	if ((j->out->reply_to = strdup(to)) == NULL)
		return imip_err_set(j->err, IMIP_ENOMEM, "reply address");
	if ((rc = imip_mime_split(message, strlen(message), keep_message_id,
	    &id, &body, j->err)) < 0)
		return rc;
	o.created = o.next_attempt = j->ctx->now;
	o.env_from = j->cal->address;
	o.env_to = j->out->reply_to;
	o.message = j->out->reply;
	o.message_id = id;
	o.in_reply_to = j->ctx->message_id;
	rc = imip_store_outbox_add(j->st, &o, &j->out->outbox_id, j->err);
	free(id);
	return rc;
}

/* The body of sched_queue, past the rate limit. */
static int
queue_limited(struct job *j, struct imip_reply_spec *spec)
{
	char *message = NULL;
	bool limited;
	int rc;

	if ((rc = sched_rate_limited(j, j->it->organizer, &limited)) < 0 ||
	    limited)
		return rc;
	spec->attendee = j->cal->address;
	spec->attendee_name = j->cal->name;
	spec->in_reply_to = j->ctx->message_id;
	spec->hostname = j->ctx->hostname;
	spec->now = j->ctx->now;
	if ((rc = imip_reply_build(&message, spec, j->err)) < 0)
		return rc;
	return sched_outbox(j, j->it->organizer, message);
}

/*
 * sched_queue - build the message spec describes, with human as its text
 * part, and put it into the outbox for the organizer; the outcome owns the
 * message.  human is freed here; NULL means it could not be made.
 */
int
sched_queue(struct job *j, struct imip_reply_spec *spec, char *human)
{
	int rc;

	if (human == NULL)
		return imip_err_set(j->err, IMIP_ENOMEM, "message text");
	spec->human = human;
	rc = queue_limited(j, spec);
	free(human);
	return rc;
}

/* Build the REPLY and put it into the outbox, unless loops forbid it. */
int
sched_queue_reply_instances(struct job *j, const char *partstat,
    const char *status_text, const struct imip_period *conflict,
    const struct imip_reply_instance *declined, size_t ndeclined)
{
	struct imip_reply_spec spec = {
		.request = j->it, .partstat = partstat,
		.status_text = status_text,
		.declined = declined, .ndeclined = ndeclined,
		/* Overrides only: the answer is for that instance. */
		.rid = !j->it->has_master && j->it->ninst > 0 ?
		    j->it->inst[0].rid : 0,
	};
	char data[64];

	if (!j->ctx->may_reply || j->it->organizer == NULL)
		return IMIP_OK;
	/* Held for approval: the organizer hears "tentative" for now. */
	if (j->pending && strcmp(partstat, "ACCEPTED") == 0)
		spec.partstat = partstat = "TENTATIVE";
	sscanf(j->out->status, "%d.%d", &spec.status_major,
	    &spec.status_minor);
	if (conflict != NULL && imip_period_ical(data, sizeof(data),
	    conflict))
		spec.status_data = data;
	return sched_queue(j, &spec, sched_human_text(j, partstat, conflict));
}

int
sched_queue_reply(struct job *j, const char *partstat, const char *status_text,
    const struct imip_period *conflict)
{
	return sched_queue_reply_instances(j, partstat, status_text, conflict,
	    NULL, 0);
}

/* Store the event as this calendar now sees it. */
int
sched_put_event(struct job *j, int64_t *id, const char *partstat,
    const char *status)
{
	struct imip_event_rec ev = {
		.calendar_id = j->cal->id, .uid = j->it->uid,
		.organizer = j->it->organizer, .summary = j->it->summary,
		.sequence = j->it->sequence, .dtstamp = j->it->dtstamp,
		.partstat = (char *)partstat, .status = (char *)status,
		.ical = j->it->vevent,
	};
	int rc;

	*id = 0;
	if (j->pending && strcmp(partstat, "ACCEPTED") == 0)
		ev.partstat = "TENTATIVE";
	if ((rc = imip_store_event_put(j->st, &ev, j->ctx->now, j->err)) < 0 ||
	    (rc = imip_store_instances_forget(j->st, j->cal->id, j->it->uid,
	    j->err)) < 0)
		return rc;
	*id = ev.id;
	if (j->pending && strcmp(partstat, "ACCEPTED") == 0)
		j->asked = ev.id;
	return imip_store_busy_clear(j->st, ev.id, j->err);
}

/* A new or newer REQUEST: book it if the slot is free, else decline. */
static int
book(struct job *j)
{
	struct imip_period conflict;
	const struct imip_attendee *me;
	char when[64];
	bool busy, stop;
	int64_t id;
	int rc;

	if ((rc = sched_policy_gate(j, &stop)) < 0 || stop)
		return rc;
	/*
	 * A whole new version waits for approval; moving single instances
	 * of a series (override-only REQUESTs) and ADD do not ask again.
	 */
	j->pending = j->cal->policy.approval;
	me = imip_itip_attendee(j->it, j->cal->address);
	if (j->it->recurring)
		return sched_book_series(j, me);
	if ((rc = sched_find_conflict(j, (struct imip_period){ j->it->start,
	    j->it->end }, &busy, &conflict)) < 0)
		return rc;
	if (busy) {
		if (!imip_period_ical(when, sizeof(when), &conflict))
			when[0] = '\0';
		if ((rc = sched_decide(j, "DECLINED", 4, 0, "busy %s",
		    when)) < 0 ||
		    (rc = sched_put_event(j, &id, "DECLINED", "CONFIRMED")) < 0)
			return rc;
		return sched_queue_reply(j, "DECLINED", "Busy", &conflict);
	}
	if ((rc = sched_decide(j, "ACCEPTED", 2, 0, "booked")) < 0 ||
	    (rc = sched_put_event(j, &id, "ACCEPTED", "CONFIRMED")) < 0 ||
	    (rc = imip_store_busy_set(j->st, j->cal->id, id, 0, j->it->start,
	    j->it->end, sched_fbtype(j), j->err)) < 0)
		return rc;
	/* RSVP=FALSE means the organizer asked for no answer. */
	if (me != NULL && !me->rsvp)
		return IMIP_OK;
	return sched_queue_reply(j, "ACCEPTED", "Success", NULL);
}

/* A local organizer's message not sent, as far as we can tell, by it. */
static int
refuse_unvouched(struct job *j)
{
	char trust[256];

	return sched_decide(j, "REFUSED", 3, 8, "local organizer %s not "
	    "vouched for as the sender <%s> (trust: %s)", j->it->organizer,
	    j->ctx->sender, imip_trust_describe(j->ctx->trust, trust,
	    sizeof(trust)));
}

int
sched_request(struct job *j)
{
	struct imip_event_rec *old = NULL;
	const struct imip_attendee *me;
	int rc, cmp;

	if ((me = imip_itip_attendee(j->it, j->cal->address)) == NULL)
		return sched_decide(j, "IGNORED", 0, 0, "not an attendee");
	rc = imip_store_event_find(j->st, j->cal->id, j->it->uid, &old,
	    j->err);
	if (rc == IMIP_ENOTFOUND) {
		imip_err_clear(j->err);
		rc = !sched_organizer_vouched(j) ? refuse_unvouched(j) :
		    j->person ? sched_person_record(j, NULL) : book(j);
		goto out;
	}
	if (rc < 0)
		goto out;
	if (!imip_addr_equal(old->organizer, j->it->organizer)) {
		rc = sched_decide(j, "REFUSED", 3, 8, "UID belongs to "
		    "organizer %s",
		    old->organizer != NULL ? old->organizer : "(none)");
		goto out;
	}
	cmp = sched_version_cmp(j->it, old);
	if (cmp < 0 || (cmp == 0 && strcmp(old->status, "CANCELLED") == 0))
		rc = sched_decide(j, "IGNORED", 0, 0, "stale: sequence %d, "
		    "have %d%s",
		    j->it->sequence, old->sequence,
		    strcmp(old->status, "CANCELLED") == 0 ? " (cancelled)" :
		    "");
	else if (cmp == 0 && j->person)		/* never answered for */
		rc = sched_decide(j, "IGNORED", 0, 0, "same version again");
	else if (cmp == 0 && strcmp(old->partstat, "ACCEPTED") == 0)
		rc = sched_decide(j, "ACCEPTED", 2, 0, "same version again");
	else if (cmp == 0 && strcmp(old->partstat, "TENTATIVE") == 0)
		rc = sched_decide(j, "TENTATIVE", 0, 0, "same version again, "
		    "awaiting approval");
	else if (cmp == 0)
		rc = sched_decide(j, "DECLINED", 4, 0, "same version again");
	else if (!sched_sent_by(j->ctx, old->organizer))
		rc = sched_decide(j, "REFUSED", 3, 8, "update not sent by the "
		    "organizer");
	else if (j->person)
		rc = sched_person_record(j, old);
	else if (!j->it->has_master && strcmp(old->status, "CANCELLED") != 0)
		rc = sched_update_instances(j, old);
	else
		rc = book(j);
	/* The same version again: repeat the current answer if asked to. */
	if (rc == IMIP_OK && cmp == 0 && me->rsvp && j->out->status[0] != '\0')
		rc = sched_repeat_answer(j);
out:
	imip_event_rec_free(old);
	return rc;
}

/* A CANCEL naming instances: free those (THISANDFUTURE: and later). */
static int
cancel_instances(struct job *j, const struct imip_event_rec *old)
{
	const struct imip_instance *in;
	bool later = false;
	int rc = IMIP_OK;

	for (size_t i = 0; i < j->it->ninst && rc == IMIP_OK; i++) {
		in = &j->it->inst[i];
		later = later || in->and_after;
		rc = imip_store_busy_clear_instance(j->st, old->id, in->rid,
		    in->and_after, j->err);
		/* Remembered, so imipctl expand never books it again. */
		if (rc == IMIP_OK)
			rc = imip_store_instance_cancel(j->st, j->cal->id,
			    j->it->uid, old->organizer, in->rid, in->and_after,
			    j->ctx->now, j->err);
	}
	/* Later, older REQUESTs must not bring the instances back. */
	if (rc == IMIP_OK && sched_version_cmp(j->it, old) > 0)
		rc = imip_store_event_version(j->st, old->id, j->it->sequence,
		    j->it->dtstamp, j->ctx->now, j->err);
	if (rc < 0)
		return rc;
	return sched_decide(j, "CANCELLED", 0, 0, "freed %zu instance%s%s",
	    j->it->ninst, j->it->ninst == 1 ? "" : "s",
	    later ? " and all later ones" : "");
}

int
sched_cancel(struct job *j)
{
	struct imip_event_rec *old = NULL;
	int64_t id;
	int rc;

	rc = imip_store_event_find(j->st, j->cal->id, j->it->uid, &old,
	    j->err);
	if (rc == IMIP_ENOTFOUND) {
		/* Keep a tombstone: a late, older REQUEST must not book. */
		imip_err_clear(j->err);
		if (!sched_organizer_vouched(j))	/* nor a forged one */
			rc = refuse_unvouched(j);
		else if ((rc = sched_decide(j, "CANCELLED", 0, 0, "unknown UID, "
		    "tombstone kept")) == IMIP_OK)
			rc = sched_put_event(j, &id, "NEEDS-ACTION",
			    "CANCELLED");
		goto out;
	}
	if (rc < 0)
		goto out;
	if (sched_refuse_stranger(j, old, &rc))
		goto out;
	if (j->it->sequence < old->sequence)
		rc = sched_decide(j, "IGNORED", 0, 0, "stale CANCEL: "
		    "sequence %d, have %d", j->it->sequence, old->sequence);
	else if (!j->it->has_master)
		rc = cancel_instances(j, old);
	else if ((rc = sched_decide(j, "CANCELLED", 0, 0, "freed")) == IMIP_OK)
		rc = sched_put_event(j, &id, old->partstat, "CANCELLED");
out:
	imip_event_rec_free(old);
	return rc;
}

static int
journal(struct job *j)
{
	char trust[256];
	struct imip_journal_rec rec = {
		.at = j->ctx->now, .queue_id = j->ctx->queue_id,
		.calendar = j->cal->address, .uid = j->it->uid,
		.method = imip_method_name(j->it->method),
		.sender = j->ctx->sender, .decision = j->out->decision,
		.reason = j->out->reason,
		.trust = imip_trust_describe(j->ctx->trust, trust,
		    sizeof(trust)),
	};

	return imip_store_journal_add(j->st, &rec, j->err);
}

/*
 * A DECLINECOUNTER refuses a counter-proposal.  A resource never makes
 * one (it books or declines), so there is never an offer to release; a
 * person's open proposal is closed.  The message is checked like any
 * change and journaled, never answered.
 */
int
sched_declinecounter(struct job *j)
{
	struct imip_event_rec *old = NULL;
	int rc;

	rc = imip_store_event_find(j->st, j->cal->id, j->it->uid, &old,
	    j->err);
	if (rc == IMIP_ENOTFOUND) {
		imip_err_clear(j->err);
		rc = sched_decide(j, "IGNORED", 0, 0, "DECLINECOUNTER for an "
		    "unknown UID");
	} else if (rc == IMIP_OK && !sched_refuse_stranger(j, old, &rc))
		rc = j->person ? sched_counter_declined(j, old) :
		    sched_decide(j, "IGNORED", 0, 0, "no counter-proposal "
		    "held: the booking stays %s", old->partstat);
	imip_event_rec_free(old);
	return rc;
}

/* A booking book() held TENTATIVE goes to the delegates. */
static int
booking(struct job *j, int (*fn)(struct job *))
{
	int rc;

	if ((rc = fn(j)) < 0 || j->asked == 0 ||
	    strcmp(j->out->decision, "ACCEPTED") != 0)
		return rc;
	return sched_ask_delegates(j, j->asked);
}

static int
dispatch(struct job *j)
{
	if (j->it->freebusy)
		return sched_freebusy(j);
	switch (j->it->method) {
	case IMIP_METHOD_REQUEST:
		return booking(j, sched_request);
	case IMIP_METHOD_CANCEL:
		return sched_cancel(j);
	case IMIP_METHOD_ADD:
		return booking(j, sched_add);
	case IMIP_METHOD_REPLY:
		return sched_approval_answer(j);
	case IMIP_METHOD_DECLINECOUNTER:
		return sched_declinecounter(j);
	default:
		return sched_decide(j, "IGNORED", 0, 0, "%s is not handled for "
		    "resources", imip_method_name(j->it->method));
	}
}

/*
 * The committed busy time changed: a published free/busy file is stale.
 * The decision stands whatever happens to the file.
 */
static void
publish(struct job *j)
{
	struct imip_err why = { 0 };

	if (imip_publish_freebusy(j->st, j->ctx->conf, j->cal, j->ctx->now,
	    &why) < 0)
		imip_log_warn("%s: %s: free/busy not published: %s",
		    j->ctx->queue_id != NULL ? j->ctx->queue_id : "-",
		    j->cal->address, why.msg);
}

/*
 * sched_transact - run fn for j in one BEGIN IMMEDIATE transaction with
 * its journal row; commit, or roll back on failure and in dry runs.
 */
int
sched_transact(struct job *j, int (*fn)(struct job *))
{
	struct imip_outcome *out = j->out;
	int rc;

	uint64_t busy = imip_store_busy_writes(j->st);

	memset(out, 0, sizeof(*out));
	out->method = j->it->method;
	if ((out->calendar = strdup(j->cal->address)) == NULL ||
	    (out->uid = strdup(j->it->uid)) == NULL)
		return imip_err_set(j->err, IMIP_ENOMEM, "outcome");
	if ((rc = imip_store_begin(j->st, j->err)) < 0)
		return rc;
	if ((rc = fn(j)) < 0 || (rc = journal(j)) < 0)
		goto fail;
	if (j->ctx->dry_run) {
		imip_store_rollback(j->st);
		out->outbox_id = 0;	/* the row is gone with the rollback */
	} else if ((rc = imip_store_commit(j->st, j->err)) < 0)
		goto fail;
	else if (imip_store_busy_writes(j->st) != busy)
		publish(j);
	return IMIP_OK;
fail:
	imip_store_rollback(j->st);
	out->outbox_id = 0;
	return rc;
}

int
imip_schedule_resource(struct imip_store *st,
    const struct imip_sched_ctx *ctx, const struct imip_calendar *cal,
    const struct imip_itip *it, struct imip_outcome *out,
    struct imip_err *err)
{
	struct job j = { .st = st, .ctx = ctx, .cal = cal, .it = it,
	    .out = out, .err = err };

	return sched_transact(&j, dispatch);
}

int
imip_schedule_journal(struct imip_store *st, const struct imip_sched_ctx *ctx,
    const char *calendar, const char *method, const char *uid,
    const char *decision, const char *reason, struct imip_err *err)
{
	char trust[256];
	struct imip_journal_rec rec = {
		.at = ctx->now, .queue_id = ctx->queue_id,
		.calendar = calendar, .uid = uid, .method = method,
		.sender = ctx->sender, .decision = decision, .reason = reason,
		.trust = imip_trust_describe(ctx->trust, trust, sizeof(trust)),
	};
	int rc;

	if (ctx->dry_run)
		return IMIP_OK;
	if ((rc = imip_store_begin(st, err)) < 0)
		return rc;
	if ((rc = imip_store_journal_add(st, &rec, err)) < 0 ||
	    (rc = imip_store_commit(st, err)) < 0)
		imip_store_rollback(st);
	return rc;
}
