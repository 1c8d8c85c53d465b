/*
 * schedule_person.c - what an invitation means for a person's calendar.
 *
 * A person decides for themselves: the filter records the invitation
 * (PARTSTAT NEEDS-ACTION) and, if the person's setting says so, holds its
 * time as BUSY-TENTATIVE, so free/busy answers and conflict notes see it.
 * It never answers on the person's behalf.  Versions, trust and CANCEL
 * follow the same rules as for resources (schedule.c).
 */
#include <string.h>

#include "schedule_int.h"

/* Hold the instances of j->it (or its one period) tentatively busy. */
static int
hold_tentative(struct job *j, int64_t id, size_t *n)
{
	const struct imip_instance *in;
	int rc = IMIP_OK;

	*n = 0;
	if (j->it->ninst == 0) {
		*n = 1;
		return imip_store_busy_set(j->st, j->cal->id, id, 0,
		    j->it->start, j->it->end, "BUSY-TENTATIVE", j->err);
	}
	for (size_t i = 0; i < j->it->ninst && rc == IMIP_OK; i++) {
		in = &j->it->inst[i];
		if (in->cancelled)
			continue;
		rc = imip_store_busy_set(j->st, j->cal->id, id, in->rid,
		    in->start, in->end, "BUSY-TENTATIVE", j->err);
		(*n)++;
	}
	return rc;
}

/* An update naming only some instances: move those, keep the rest. */
static int
record_instances(struct job *j, const struct imip_event_rec *old)
{
	const struct imip_instance *in;
	int rc = IMIP_OK;

	for (size_t i = 0; i < j->it->ninst && rc == IMIP_OK; i++) {
		in = &j->it->inst[i];
		rc = imip_store_busy_clear_instance(j->st, old->id, in->rid,
		    in->and_after, j->err);
		if (rc == IMIP_OK && !in->cancelled &&
		    j->cal->policy.block_pending)
			rc = imip_store_busy_set(j->st, j->cal->id, old->id,
			    in->rid, in->start, in->end, "BUSY-TENTATIVE",
			    j->err);
	}
	if (rc == IMIP_OK)
		rc = imip_store_event_version(j->st, old->id, j->it->sequence,
		    j->it->dtstamp, j->ctx->now, j->err);
	if (rc < 0)
		return rc;
	return sched_decide(j, "RECORDED", 0, 0, "%zu instance%s updated",
	    j->it->ninst, j->it->ninst == 1 ? "" : "s");
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
	int rc;

	if (old != NULL && !j->it->has_master &&
	    strcmp(old->status, "CANCELLED") != 0)
		return record_instances(j, old);
	if ((rc = sched_put_event(j, &id, "NEEDS-ACTION", "CONFIRMED")) < 0)
		return rc;
	if (j->cal->policy.block_pending &&
	    (rc = hold_tentative(j, id, &n)) < 0)
		return rc;
	if (!j->cal->policy.block_pending)
		return sched_decide(j, "RECORDED", 0, 0, "invitation %s, not "
		    "blocking time (block-pending no)", old != NULL ?
		    "updated" : "recorded");
	return sched_decide(j, "RECORDED", 0, 0, "invitation %s, %zu "
	    "period%s tentatively busy", old != NULL ? "updated" : "recorded",
	    n, n == 1 ? "" : "s");
}

static int
person_dispatch(struct job *j)
{
	if (j->it->freebusy)
		return sched_freebusy(j);
	switch (j->it->method) {
	case IMIP_METHOD_REQUEST:
		return sched_request(j);
	case IMIP_METHOD_CANCEL:
		return sched_cancel(j);
	case IMIP_METHOD_DECLINECOUNTER:
		return sched_declinecounter(j);
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
