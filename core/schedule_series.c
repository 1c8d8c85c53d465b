/*
 * schedule_series.c - recurring events: the instances of a series are
 * booked one by one, answered per instance, and moved one by one.
 */
#include <stdlib.h>

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
		rc = sched_find_conflict(j, (struct imip_period){ it->inst[i].start,
		    it->inst[i].end }, &busy, &clash);
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
			    in->start, in->end, "BUSY", j->err);
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
		    (rc = sched_put_event(j, &id, "DECLINED", "CONFIRMED")) == IMIP_OK)
			rc = sched_queue_reply(j, "DECLINED", "Busy", &d[0].conflict);
	} else {
		if ((rc = sched_decide(j, "ACCEPTED", 2, j->it->clipped ? 11 : 0,
		    "booked %zu of %zu instances%s", nactive - nd, nactive,
		    j->it->clipped ? ", clipped at the horizon" : "")) < 0 ||
		    (rc = sched_put_event(j, &id, "ACCEPTED", "CONFIRMED")) < 0 ||
		    (rc = book_instances(j, id, d, nd)) < 0)
			goto out;
		if (nd > 0 || me == NULL || me->rsvp)
			rc = sched_queue_reply_instances(j, "ACCEPTED",
			    j->it->clipped ? "Success, repeating event clipped" :
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
	    (rc = book_instances(j, old->id, d, nd)) < 0)
		goto out;
	if (nd > 0)
		rc = sched_decide(j, "DECLINED", 4, 0, "busy: %zu of %zu changed "
		    "instances conflict", nd, nactive);
	else
		rc = sched_decide(j, "ACCEPTED", 2, 0, "moved %zu instance%s",
		    nactive, nactive == 1 ? "" : "s");
	if (rc == IMIP_OK)
		rc = nd > 0 ? sched_queue_reply(j, "DECLINED", "Busy", &d[0].conflict) :
		    sched_queue_reply(j, "ACCEPTED", "Success", NULL);
out:
	free(d);
	return rc;
}
