/*
 * schedule_series.c - recurring events: the instances of a series are
 * booked one by one, answered per instance, and moved one by one; ADD
 * brings new ones, imipctl expand books those the horizon held back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

#include "schedule_int.h"

/* Past the calendar's thresholds, conflicts decline the whole series. */
static bool
too_many_conflicts(const struct job *j, size_t nbusy, size_t nactive)
{
	int max = 10, pct = 25;

	if (j->ctx->conf != NULL) {
		max = j->ctx->conf->conflict_max_instances;
		pct = j->ctx->conf->conflict_max_percent;
	}
	/* The calendar's own thresholds, where its policy sets them. */
	if (j->cal->policy.conflict_max_instances >= 0)
		max = j->cal->policy.conflict_max_instances;
	if (j->cal->policy.conflict_max_percent >= 0)
		pct = j->cal->policy.conflict_max_percent;
	return nbusy > (size_t)max || nbusy * 100 > (size_t)pct * nactive;
}

/* The instances of the series that clash, in *out (caller frees). */
static int
series_conflicts(struct job *j, struct imip_reply_instance **out,
    size_t *nbusy, size_t *nactive)
{
	const struct imip_itip *it = j->it;
	struct imip_period clash;
	bool busy;
	int rc = IMIP_OK;

	*nbusy = *nactive = 0;
	if ((*out = calloc(it->ninst + 1, sizeof(**out))) == NULL)
		return imip_err_set(j->err, IMIP_ENOMEM, "instances");
	for (size_t i = 0; i < it->ninst && rc == IMIP_OK; i++) {
		if (it->inst[i].cancelled)
			continue;
		(*nactive)++;
		rc = sched_find_conflict(j, (struct imip_period){
		    it->inst[i].start, it->inst[i].end }, &busy, &clash);
		if (rc == IMIP_OK && busy)
			(*out)[(*nbusy)++] = (struct imip_reply_instance){
			    it->inst[i].rid, clash };
	}
	return rc;
}

static bool
declined_rid(const struct imip_reply_instance *d, size_t n, int64_t rid)
{
	for (size_t i = 0; i < n; i++)
		if (d[i].rid == rid)
			return true;
	return false;
}

/* Busy time for every instance that is neither cancelled nor declined. */
static int
book_instances(struct job *j, int64_t id,
    const struct imip_reply_instance *d, size_t nd)
{
	const struct imip_instance *in;
	int rc = IMIP_OK;

	for (size_t i = 0; i < j->it->ninst && rc == IMIP_OK; i++) {
		in = &j->it->inst[i];
		if (!in->cancelled && !declined_rid(d, nd, in->rid))
			rc = imip_store_busy_set(j->st, j->cal->id, id, in->rid,
			    in->start, in->end, sched_fbtype(j), j->err);
	}
	return rc;
}

/*
 * A recurring REQUEST: accept the series and decline the instances that
 * clash, or decline it all past the thresholds.  An unbounded series is
 * booked up to the horizon and says so with 2.11.
 */
int
sched_book_series(struct job *j, const struct imip_attendee *me)
{
	struct imip_reply_instance *d = NULL;
	size_t nd, nactive;
	int64_t id;
	int rc;

	if ((rc = series_conflicts(j, &d, &nd, &nactive)) < 0)
		goto out;
	if (nactive == 0) {
		rc = sched_decide(j, "IGNORED", 0, 0, "no instance before the "
		    "horizon");
	} else if (nd > 0 && too_many_conflicts(j, nd, nactive)) {
		if ((rc = sched_decide(j, "DECLINED", 4, 0, "busy: %zu of %zu "
		    "instances conflict", nd, nactive)) == IMIP_OK &&
		    (rc = sched_put_event(j, &id, "DECLINED", "CONFIRMED")) ==
		    IMIP_OK)
			rc = sched_queue_reply(j, "DECLINED", "Busy",
			    &d[0].conflict);
	} else {
		if ((rc = sched_decide(j, "ACCEPTED", 2,
		    j->it->clipped ? 11 : 0,
		    "booked %zu of %zu instances%s", nactive - nd, nactive,
		    j->it->clipped ? ", clipped at the horizon" : "")) < 0 ||
		    (rc = sched_put_event(j, &id, "ACCEPTED",
		    "CONFIRMED")) < 0 ||
		    (rc = book_instances(j, id, d, nd)) < 0 ||
		    (rc = imip_store_event_expanded(j->st, id, j->it->clipped ?
		    j->it->until : 0, j->err)) < 0)
			goto out;
		if (nd > 0 || me == NULL || me->rsvp)
			rc = sched_queue_reply_instances(j, "ACCEPTED",
			    j->it->clipped ?
			    "Success, repeating event clipped" :
			    "Success", NULL, d, nd);
	}
out:
	free(d);
	return rc;
}

/*
 * A REQUEST holding only RECURRENCE-ID overrides of a booked series
 * (Thunderbird sends these): move those instances, never the series.
 */
int
sched_update_instances(struct job *j, const struct imip_event_rec *old)
{
	struct imip_reply_instance *d = NULL;
	size_t nd, nactive;
	int rc;

	for (size_t i = 0; i < j->it->ninst; i++)
		if ((rc = imip_store_busy_clear_instance(j->st, old->id,
		    j->it->inst[i].rid, false, j->err)) < 0)
			return rc;
	if ((rc = series_conflicts(j, &d, &nd, &nactive)) < 0 ||
	    (rc = book_instances(j, old->id, d, nd)) < 0 ||
	    (rc = imip_store_event_version(j->st, old->id, j->it->sequence,
	    j->it->dtstamp, j->ctx->now, j->err)) < 0)
		goto out;
	if (nd > 0)
		rc = sched_decide(j, "DECLINED", 4, 0, "busy: %zu of %zu "
		    "changed "
		    "instances conflict", nd, nactive);
	else
		rc = sched_decide(j, "ACCEPTED", 2, 0, "moved %zu instance%s",
		    nactive, nactive == 1 ? "" : "s");
	if (rc == IMIP_OK)
		rc = nd > 0 ? sched_queue_reply(j, "DECLINED", "Busy",
		    &d[0].conflict) :
		    sched_queue_reply(j, "ACCEPTED", "Success", NULL);
out:
	free(d);
	return rc;
}

/*
 * The same version came again with RSVP: repeat the answer as it was,
 * per instance for a series (what clashes now is what was declined: the
 * calendar never double-books) and with the clashing period for a
 * declined request.
 */
int
sched_repeat_answer(struct job *j)
{
	struct imip_reply_instance *d = NULL;
	struct imip_period clash, *conflict = NULL;
	size_t nd = 0, nactive;
	bool busy = false, answered = false;
	int rc;

	/* The MTA delivering the same request again (after a crash). */
	if (j->ctx->message_id != NULL && (rc = imip_store_outbox_answered(
	    j->st, j->cal->address, j->ctx->message_id, &answered,
	    j->err)) < 0)
		return rc;
	if (answered)
		return sched_note(j, "; this message was answered already");
	if (j->it->recurring)
		rc = series_conflicts(j, &d, &nd, &nactive);
	else
		rc = sched_find_conflict(j, (struct imip_period){
		    j->it->start, j->it->end }, &busy, &clash);
	if (rc < 0)
		goto out;
	if (strcmp(j->out->decision, "ACCEPTED") == 0) {
		rc = sched_queue_reply_instances(j, "ACCEPTED", "Success",
		    NULL, d, nd);
		goto out;
	}
	if (nd > 0)
		conflict = &d[0].conflict;
	else if (busy)
		conflict = &clash;
	rc = sched_queue_reply(j, "DECLINED", "Busy", conflict);
out:
	free(d);
	return rc;
}

/* Ask the organizer to send an object we do not know again. */
static int
ask_refresh(struct job *j)
{
	struct imip_reply_spec spec = { .request = j->it, .refresh = true };
	const char *who = j->cal->name != NULL ? j->cal->name :
	    j->cal->address;
	char *human = NULL;
	int rc;

	if (!sched_organizer_vouched(j))
		return sched_decide(j, "REFUSED", 3, 8, "ADD for an unknown "
		    "UID from a local organizer who did not send it");
	if ((rc = sched_decide(j, "REFRESH", 0, 0, "ADD for an unknown UID: "
	    "asked the organizer to send the event again")) < 0)
		return rc;
	if (!j->ctx->may_reply)
		return IMIP_OK;
	if (asprintf(&human, "%s does not know the meeting \"%s\" and asks "
	    "for the whole invitation again.\n", who, j->it->summary != NULL ?
	    j->it->summary : "(no title)") < 0)
		human = NULL;
	return sched_queue(j, &spec, human);
}

/* Answer an ADD: the series stays accepted; clashing instances decline. */
static int
add_reply(struct job *j, struct imip_reply_instance *d, size_t nd,
    size_t nactive)
{
	struct imip_reply_spec spec = { .request = j->it };
	char data[64];

	if (nd < nactive)
		return sched_queue_reply_instances(j, "ACCEPTED", "Success",
		    NULL, d, nd);
	if (!j->ctx->may_reply)
		return IMIP_OK;
	/* Every added instance clashes: decline them, one by one. */
	spec.partstat = "DECLINED";
	spec.status_major = 4;
	spec.status_text = "Busy";
	spec.rid = d[0].rid;
	if (imip_period_ical(data, sizeof(data), &d[0].conflict))
		spec.status_data = data;
	spec.declined = d + 1;
	spec.ndeclined = nd - 1;
	return sched_queue(j, &spec, sched_human_text(j, "DECLINED",
	    &d[0].conflict));
}

/* Book the instances an ADD brings to a booked series. */
static int
add_to(struct job *j, const struct imip_event_rec *old)
{
	struct imip_reply_instance *d = NULL;
	size_t nd, nactive;
	int rc;

	if (sched_refuse_stranger(j, old, &rc))
		return rc;
	if (strcmp(old->status, "CANCELLED") == 0 ||
	    strcmp(old->partstat, "ACCEPTED") != 0)
		return sched_decide(j, "IGNORED", 0, 0, "ADD to an event that "
		    "is %s", strcmp(old->status, "CANCELLED") == 0 ?
		    "cancelled" : "declined");
	if (sched_version_cmp(j->it, old) <= 0)
		return sched_decide(j, "IGNORED", 0, 0, "stale ADD: sequence "
		    "%d, have %d", j->it->sequence, old->sequence);
	if ((rc = series_conflicts(j, &d, &nd, &nactive)) < 0)
		goto out;
	if (nactive == 0)
		rc = sched_decide(j, "IGNORED", 0, 0, "no added instance "
		    "before the horizon");
	else if ((rc = book_instances(j, old->id, d, nd)) == IMIP_OK &&
	    (rc = imip_store_event_version(j->st, old->id, j->it->sequence,
	    j->it->dtstamp, j->ctx->now, j->err)) == IMIP_OK &&
	    (rc = sched_decide(j, nd < nactive ? "ACCEPTED" : "DECLINED",
	    nd < nactive ? 2 : 4, 0, "added %zu of %zu instances",
	    nactive - nd, nactive)) == IMIP_OK)
		rc = add_reply(j, d, nd, nactive);
out:
	free(d);
	return rc;
}

/*
 * An ADD (RFC 5546 3.2.4) brings new instances of a booked series.  For
 * an unknown UID the organizer is asked for the whole object (REFRESH).
 */
int
sched_add(struct job *j)
{
	struct imip_event_rec *old = NULL;
	int rc;

	rc = imip_store_event_find(j->st, j->cal->id, j->it->uid, &old,
	    j->err);
	if (rc == IMIP_ENOTFOUND) {
		imip_err_clear(j->err);
		rc = ask_refresh(j);
	} else if (rc == IMIP_OK)
		rc = add_to(j, old);
	imip_event_rec_free(old);
	return rc;
}

/* Mark the instances cancelled since the series was booked. */
static int
skip_cancelled(struct job *j, struct imip_instance *inst, size_t n)
{
	bool gone;
	int rc = IMIP_OK;

	for (size_t i = 0; i < n && rc == IMIP_OK; i++) {
		rc = imip_store_instance_cancelled(j->st, j->cal->id,
		    j->it->uid, inst[i].rid, &gone, j->err);
		inst[i].cancelled = inst[i].cancelled || gone;
	}
	return rc;
}

/* Book the instances of a stored series that the horizon held back. */
static int
extend(struct job *j)
{
	struct imip_event_rec *old = NULL;
	struct imip_reply_instance *d = NULL;
	size_t nd, nactive;
	int rc;

	rc = imip_store_event_find(j->st, j->cal->id, j->it->uid, &old,
	    j->err);
	if (rc < 0 && rc != IMIP_ENOTFOUND)
		return rc;
	imip_err_clear(j->err);
	if (rc == IMIP_ENOTFOUND || strcmp(old->status, "CANCELLED") == 0 ||
	    strcmp(old->partstat, "ACCEPTED") != 0 || old->ical == NULL ||
	    strcmp(old->ical, j->stored) != 0) {
		rc = sched_decide(j, "IGNORED", 0, 0, "series changed since "
		    "it was read");
		goto out;
	}
	if ((rc = skip_cancelled(j, j->it->inst, j->it->ninst)) < 0 ||
	    (rc = series_conflicts(j, &d, &nd, &nactive)) < 0 ||
	    (rc = book_instances(j, old->id, d, nd)) < 0 ||
	    (rc = imip_store_event_expanded(j->st, old->id, j->it->clipped ?
	    j->it->until : 0, j->err)) < 0 ||
	    (rc = sched_decide(j, "EXTENDED", 2, j->it->clipped ? 11 : 0,
	    "booked %zu more instance%s, %zu declined", nactive - nd,
	    nactive - nd == 1 ? "" : "s", nd)) < 0)
		goto out;
	if (nd > 0)
		rc = sched_queue_reply_instances(j, "ACCEPTED", "Success", NULL,
		    d, nd);
out:
	free(d);
	imip_event_rec_free(old);
	return rc;
}

int
imip_schedule_extend(struct imip_store *st,
    const struct imip_sched_ctx *ctx, const struct imip_calendar *cal,
    struct imip_itip *it, const char *stored, struct imip_outcome *out,
    struct imip_err *err)
{
	struct job j = { .st = st, .ctx = ctx, .cal = cal, .it = it,
	    .out = out, .err = err, .stored = stored };

	return sched_transact(&j, extend);
}
