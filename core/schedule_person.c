/*
 * schedule_person.c - what an invitation means for a person's calendar.
 *
 * A person decides for themselves: the filter records the invitation
 * (PARTSTAT NEEDS-ACTION) and, if the person's setting says so, holds its
 * time as BUSY-TENTATIVE, so free/busy answers and conflict notes see it.
 * It never answers on the person's behalf.  Versions, trust and CANCEL
 * follow the same rules as for resources (schedule.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "schedule_int.h"

/* Hold the instances of j->it (or its one period) as fbtype. */
static int
hold(struct job *j, int64_t id, const char *fbtype, size_t *n)
{
	const struct imip_instance *in;
	int rc = IMIP_OK;

	*n = 0;
	if (j->it->ninst == 0) {
		*n = 1;
		return imip_store_busy_set(j->st, j->cal->id, id, 0,
		    j->it->start, j->it->end, fbtype, j->err);
	}
	for (size_t i = 0; i < j->it->ninst && rc == IMIP_OK; i++) {
		in = &j->it->inst[i];
		if (in->cancelled)
			continue;
		rc = imip_store_busy_set(j->st, j->cal->id, id, in->rid,
		    in->start, in->end, fbtype, j->err);
		(*n)++;
	}
	return rc;
}

/* An update naming only some instances: move those, keep the rest. */
static int
record_instances(struct job *j, const struct imip_event_rec *old,
    const char *fbtype)
{
	const struct imip_instance *in;
	int rc = IMIP_OK;

	for (size_t i = 0; i < j->it->ninst && rc == IMIP_OK; i++) {
		in = &j->it->inst[i];
		rc = imip_store_busy_clear_instance(j->st, old->id, in->rid,
		    in->and_after, j->err);
		if (rc == IMIP_OK && !in->cancelled && fbtype != NULL)
			rc = imip_store_busy_set(j->st, j->cal->id, old->id,
			    in->rid, in->start, in->end, fbtype, j->err);
	}
	if (rc == IMIP_OK)
		rc = imip_store_event_version(j->st, old->id, j->it->sequence,
		    j->it->dtstamp, j->ctx->now, j->err);
	if (rc < 0)
		return rc;
	return sched_decide(j, "RECORDED", 0, 0, "%zu instance%s updated",
	    j->it->ninst, j->it->ninst == 1 ? "" : "s");
}

#define MAX_CONFLICTS	5	/* named in the header; more are counted */

struct clashes {
	const struct job	*j;
	char			*text;
	size_t			 n;
	bool			 failed;
};

/* One clash: "Summary" 2027-03-01 10:00 to 2027-03-01 11:00. */
static int
clash_cb(const struct imip_busy_rec *b, void *arg)
{
	struct clashes *c = arg;
	char s[32], e[32], *t = NULL;
	const char *what = c->j->ctx->sole_rcpt && b->summary != NULL ?
	    b->summary : NULL;

	if (c->n++ >= MAX_CONFLICTS)
		return 0;
	sched_local_time(s, sizeof(s), b->start, c->j->cal->tz);
	sched_local_time(e, sizeof(e), b->end, c->j->cal->tz);
	if (asprintf(&t, "%s%s%s%s%s%s to %s", c->text != NULL ? c->text : "",
	    c->text != NULL ? "; " : "", what != NULL ? "\"" : "",
	    what != NULL ? what : "", what != NULL ? "\" " : "", s, e) < 0) {
		c->failed = true;
		return 1;
	}
	free(c->text);
	c->text = t;
	return 0;
}

/*
 * The person's busy time the invitation clashes with, for the header on
 * the delivered copy.  Summaries are named only when the person is the
 * message's one recipient: the header goes to every recipient.
 */
static int
note_conflicts(struct job *j)
{
	struct clashes c = { .j = j };
	const struct imip_instance *in;
	size_t n = j->it->ninst > 0 ? j->it->ninst : 1;
	int rc = IMIP_OK;

	for (size_t i = 0; i < n && rc == IMIP_OK; i++) {
		in = j->it->ninst > 0 ? &j->it->inst[i] : NULL;
		if (in != NULL && in->cancelled)
			continue;
		rc = imip_store_busy_overlapping(j->st, j->cal->id,
		    in != NULL ? in->start : j->it->start,
		    in != NULL ? in->end : j->it->end, j->it->uid, clash_cb,
		    &c, j->err);
	}
	if (rc > 0 || c.failed)
		rc = imip_err_set(j->err, IMIP_ENOMEM, "conflicts");
	if (rc == IMIP_OK && c.n > MAX_CONFLICTS) {
		free(j->out->conflicts);
		if (asprintf(&j->out->conflicts, "%s; and %zu more", c.text,
		    c.n - MAX_CONFLICTS) < 0)
			j->out->conflicts = NULL;
	} else if (rc == IMIP_OK) {
		j->out->conflicts = c.text;
		c.text = NULL;
	}
	free(c.text);
	return rc;
}

/*
 * sched_person_record - record a new or newer invitation (old: what was
 * stored, or NULL) for the person to answer.
 */
int
sched_person_record(struct job *j, const struct imip_event_rec *old)
{
	int64_t id;
	size_t n = 0;
	int rc, closed;

	/* The organizer's new version answers the person's proposal. */
	if (old != NULL && (rc = imip_store_counter_close(j->st, old->id,
	    "sent", NULL, "superseded", j->ctx->now, &closed, j->err)) < 0)
		return rc;
	if (old != NULL && !j->it->has_master &&
	    strcmp(old->status, "CANCELLED") != 0)
		return record_instances(j, old, j->cal->policy.block_pending ?
		    "BUSY-TENTATIVE" : NULL);
	if ((rc = sched_put_event(j, &id, "NEEDS-ACTION", "CONFIRMED")) < 0)
		return rc;
	if ((rc = note_conflicts(j)) < 0 || (j->cal->policy.block_pending &&
	    (rc = hold(j, id, "BUSY-TENTATIVE", &n)) < 0))
		return rc;
	if (!j->cal->policy.block_pending)
		return sched_decide(j, "RECORDED", 0, 0, "invitation %s, not "
		    "blocking time (block-pending no)", old != NULL ?
		    "updated" : "recorded");
	return sched_decide(j, "RECORDED", 0, 0, "invitation %s, %zu "
	    "period%s tentatively busy", old != NULL ? "updated" : "recorded",
	    n, n == 1 ? "" : "s");
}

/*
 * A PUBLISHed event: recorded like an invitation when the person's
 * store-publish says so, under the same version and trust rules.
 */
static int
publish(struct job *j)
{
	struct imip_event_rec *old = NULL;
	int rc;

	if (!j->cal->policy.store_publish)
		return sched_decide(j, "IGNORED", 0, 0, "PUBLISH journaled "
		    "(store-publish no)");
	rc = imip_store_event_find(j->st, j->cal->id, j->it->uid, &old,
	    j->err);
	if (rc == IMIP_ENOTFOUND) {
		imip_err_clear(j->err);
		rc = sched_organizer_vouched(j) ? sched_person_record(j,
		    NULL) : sched_decide(j, "REFUSED", 3, 8, "PUBLISH not "
		    "sent by its organizer");
	} else if (rc < 0)
		;
	else if (!imip_addr_equal(old->organizer, j->it->organizer))
		rc = sched_decide(j, "REFUSED", 3, 8, "UID belongs to "
		    "organizer %s", old->organizer != NULL ? old->organizer :
		    "(none)");
	else if (sched_version_cmp(j->it, old) <= 0)
		rc = sched_decide(j, "IGNORED", 0, 0, "stale or same: "
		    "sequence %d, have %d", j->it->sequence, old->sequence);
	else if (!sched_sent_by(j->ctx, old->organizer))
		rc = sched_decide(j, "REFUSED", 3, 8, "update not sent by the "
		    "organizer");
	else
		rc = sched_person_record(j, old);
	imip_event_rec_free(old);
	return rc;
}

static int
person_dispatch(struct job *j)
{
	if (j->it->freebusy)
		return sched_freebusy(j);
	switch (j->it->method) {
	case IMIP_METHOD_REQUEST:
		/* Her own meeting, from someone else: a proposal. */
		if (imip_addr_equal(j->it->organizer, j->cal->address) &&
		    !sched_sent_by(j->ctx, j->cal->address))
			return sched_counter(j);
		/* Kolab's ACCEPT_IF_NO_CONFLICT: answered like a resource. */
		j->person = !j->cal->policy.accept_if_free;
		return sched_request(j);
	case IMIP_METHOD_CANCEL:
		return sched_cancel(j);
	case IMIP_METHOD_DECLINECOUNTER:
		return sched_declinecounter(j);
	case IMIP_METHOD_REPLY:
		return sched_merge_reply(j);
	case IMIP_METHOD_COUNTER:
		return sched_counter(j);
	case IMIP_METHOD_REFRESH:
		return sched_refresh(j);
	case IMIP_METHOD_PUBLISH:
		return publish(j);
	default:
		return sched_decide(j, "IGNORED", 0, 0, "%s for a person is "
		    "journaled only", imip_method_name(j->it->method));
	}
}

int
imip_schedule_person(struct imip_store *st, const struct imip_sched_ctx *ctx,
    const struct imip_calendar *cal, const struct imip_itip *it,
    struct imip_outcome *out, struct imip_err *err)
{
	struct job j = { .st = st, .ctx = ctx, .cal = cal, .it = it,
	    .out = out, .err = err, .person = true };

	return sched_transact(&j, person_dispatch);
}

/* The person organizes this meeting: it is theirs, and busy. */
static int
organize(struct job *j)
{
	struct imip_event_rec *old = NULL;
	int64_t id;
	size_t n = 0;
	int rc, closed;

	rc = imip_store_event_find(j->st, j->cal->id, j->it->uid, &old,
	    j->err);
	if (rc == IMIP_ENOTFOUND) {
		imip_err_clear(j->err);
		rc = IMIP_OK;
	} else if (rc < 0)
		goto out;
	if (old != NULL && !imip_addr_equal(old->organizer, j->it->organizer))
		rc = sched_decide(j, "REFUSED", 3, 8, "UID belongs to "
		    "organizer %s", old->organizer != NULL ? old->organizer :
		    "(none)");
	else if (old != NULL && sched_version_cmp(j->it, old) <= 0)
		rc = sched_decide(j, "IGNORED", 0, 0, "sequence %d, have %d",
		    j->it->sequence, old->sequence);
	/* A new version answers the attendees' proposals. */
	else if (old != NULL && (rc = imip_store_counter_close(j->st,
	    old->id, "received", NULL, "superseded", j->ctx->now, &closed,
	    j->err)) < 0)
		;
	else if (old != NULL && !j->it->has_master)
		rc = record_instances(j, old, "BUSY");
	else if ((rc = sched_put_event(j, &id, "ACCEPTED", "CONFIRMED")) ==
	    IMIP_OK && (rc = hold(j, id, "BUSY", &n)) == IMIP_OK)
		rc = sched_decide(j, "RECORDED", 0, 0, "organized by %s, "
		    "%zu period%s busy", j->cal->address, n, n == 1 ? "" : "s");
out:
	imip_event_rec_free(old);
	return rc;
}

/* Busy again as the stored object says, now answered with fbtype. */
static int
rehold(struct job *j, const struct imip_event_rec *ev, const char *fbtype)
{
	struct imip_itip *stored = NULL;
	struct job again = *j;
	size_t n;
	int rc;

	if ((rc = imip_store_busy_clear(j->st, ev->id, j->err)) < 0 ||
	    fbtype == NULL || ev->ical == NULL)
		return rc;
	if (imip_itip_parse(&stored, ev->ical, NULL, j->cal->tz, j->err) < 0 ||
	    imip_itip_expand(stored, j->ctx->now + (int64_t)
	    (j->ctx->conf != NULL ? j->ctx->conf->horizon_days : 365) * 86400,
	    (size_t)(j->ctx->conf != NULL ? j->ctx->conf->max_instances :
	    1000), j->cal->tz, j->err) < 0) {
		imip_itip_free(stored);
		imip_err_clear(j->err);
		return sched_note(j, "; stored invitation unreadable, busy "
		    "time not changed");
	}
	again.it = stored;
	rc = hold(&again, ev->id, fbtype, &n);
	imip_itip_free(stored);
	return rc;
}

/* The person's own answer: their time follows it. */
static int
answer(struct job *j, const struct imip_attendee *me)
{
	const char *ps = me->partstat, *fbtype;
	struct imip_event_rec *ev = NULL;
	int rc;

	fbtype = strcmp(ps, "ACCEPTED") == 0 ? "BUSY" :
	    strcmp(ps, "TENTATIVE") == 0 ? "BUSY-TENTATIVE" : NULL;
	rc = imip_store_event_find(j->st, j->cal->id, j->it->uid, &ev,
	    j->err);
	if (rc == IMIP_ENOTFOUND) {
		imip_err_clear(j->err);
		return sched_decide(j, "IGNORED", 0, 0, "answer to an "
		    "invitation not recorded");
	}
	if (rc < 0)
		return rc;
	if (j->it->sequence < ev->sequence)
		rc = sched_decide(j, "IGNORED", 0, 0, "answer to sequence %d, "
		    "have %d", j->it->sequence, ev->sequence);
	else if (!j->it->has_master)	/* one instance answered */
		rc = record_instances(j, ev, fbtype);
	else if ((rc = imip_store_event_partstat(j->st, ev->id, ps,
	    j->ctx->now, j->err)) == IMIP_OK &&
	    (rc = rehold(j, ev, fbtype)) == IMIP_OK)
		rc = sched_decide(j, "RECORDED", 0, 0, "answered %s", ps);
	imip_event_rec_free(ev);
	return rc;
}

/* sched_counter_declined - the organizer declined the person's proposal */
int
sched_counter_declined(struct job *j, const struct imip_event_rec *old)
{
	int n, rc;

	if ((rc = imip_store_counter_close(j->st, old->id, "sent",
	    j->cal->address, "declined", j->ctx->now, &n, j->err)) < 0)
		return rc;
	if (n == 0)
		return sched_decide(j, "IGNORED", 0, 0, "no counter-proposal "
		    "of %s open", j->cal->address);
	return sched_decide(j, "RECORDED", 0, 0, "counter-proposal declined "
	    "by %s", old->organizer != NULL ? old->organizer : "(none)");
}

/* The stored event j->it names, in *out; or IGNORED and *out NULL. */
static int
own_event(struct job *j, const char *what, struct imip_event_rec **out)
{
	int rc;

	rc = imip_store_event_find(j->st, j->cal->id, j->it->uid, out,
	    j->err);
	if (rc != IMIP_ENOTFOUND)
		return rc;
	imip_err_clear(j->err);
	return sched_decide(j, "IGNORED", 0, 0, "%s for an event not "
	    "recorded", what);
}

/* The person proposes another time to the organizer: kept as sent. */
static int
propose(struct job *j, const struct imip_attendee *me)
{
	struct imip_event_rec *ev = NULL;
	struct imip_counter_rec c;
	bool kept;
	int rc;

	if ((rc = own_event(j, "COUNTER", &ev)) < 0 || ev == NULL)
		goto out;
	if ((rc = sched_keep_counter(j, ev->id, me->address, "sent", &c,
	    &kept)) < 0)
		goto out;
	rc = !kept ? sched_decide(j, "IGNORED", 0, 0, "an older COUNTER "
	    "than the one kept") : sched_decide(j, "RECORDED", 0, 0,
	    "proposed another time to %s", ev->organizer != NULL ?
	    ev->organizer : "(none)");
out:
	imip_event_rec_free(ev);
	return rc;
}

/* The person, organizing, declines an attendee's proposal. */
static int
decline_counter(struct job *j)
{
	const char *who = j->it->nattendees == 1 ?
	    j->it->attendees[0].address : NULL;
	struct imip_event_rec *ev = NULL;
	int n = 0, rc;

	if ((rc = own_event(j, "DECLINECOUNTER", &ev)) < 0 || ev == NULL)
		goto out;
	if ((rc = imip_store_counter_close(j->st, ev->id, "received", who,
	    "declined", j->ctx->now, &n, j->err)) < 0)
		goto out;
	rc = n == 0 ? sched_decide(j, "IGNORED", 0, 0, "no counter-proposal "
	    "open") : sched_decide(j, "RECORDED", 0, 0, "%d counter-"
	    "proposal%s declined", n, n == 1 ? "" : "s");
out:
	imip_event_rec_free(ev);
	return rc;
}

static int
outgoing_dispatch(struct job *j)
{
	const struct imip_attendee *me;
	char trust[256];

	if (!sched_sent_by(j->ctx, j->cal->address))
		return sched_decide(j, "REFUSED", 3, 8, "mail from %s not "
		    "vouched for (trust: %s)", j->cal->address,
		    imip_trust_describe(j->ctx->trust, trust, sizeof(trust)));
	switch (j->it->method) {
	case IMIP_METHOD_REQUEST:
		if (!imip_addr_equal(j->it->organizer, j->cal->address))
			break;
		return organize(j);
	case IMIP_METHOD_CANCEL:
		if (!imip_addr_equal(j->it->organizer, j->cal->address))
			break;
		return sched_cancel(j);
	case IMIP_METHOD_REPLY:
		if ((me = imip_itip_attendee(j->it, j->cal->address)) == NULL)
			break;
		return answer(j, me);
	case IMIP_METHOD_COUNTER:
		if ((me = imip_itip_attendee(j->it, j->cal->address)) == NULL)
			break;
		return propose(j, me);
	case IMIP_METHOD_DECLINECOUNTER:
		if (!imip_addr_equal(j->it->organizer, j->cal->address))
			break;
		return decline_counter(j);
	default:
		break;
	}
	return sched_decide(j, "IGNORED", 0, 0, "%s sent by %s: nothing of "
	    "theirs to record", imip_method_name(j->it->method),
	    j->cal->address);
}

int
imip_schedule_outgoing(struct imip_store *st,
    const struct imip_sched_ctx *ctx, const struct imip_calendar *cal,
    const struct imip_itip *it, struct imip_outcome *out,
    struct imip_err *err)
{
	struct job j = { .st = st, .ctx = ctx, .cal = cal, .it = it,
	    .out = out, .err = err, .person = true };

	return sched_transact(&j, outgoing_dispatch);
}
