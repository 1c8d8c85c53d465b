/*
 * extend.c - book what the horizon held back: every booked series whose
 * expansion stopped before a new horizon is read again from the stored
 * object and its next instances are scheduled (imipctl expand runs this
 * from a timer).
 */
#include <stdlib.h>
#include <string.h>

#include "extend.h"
#include "log.h"

/* One series to extend, copied out of the listing. */
struct due {
	int64_t	 expanded_until;
	char	*calendar;
	char	*uid;
	char	*ical;
};

struct due_list {
	struct due	*v;
	size_t		 n, cap;
	int		 rc;
};

static int
collect_due(const struct imip_series_rec *r, void *arg)
{
	struct due_list *l = arg;
	struct due *v;

	if (l->n == l->cap) {
		l->cap = l->cap > 0 ? l->cap * 2 : 16;
		if ((v = realloc(l->v, l->cap * sizeof(*v))) == NULL)
			return l->rc = IMIP_ENOMEM;
		l->v = v;
	}
	v = &l->v[l->n];
	v->expanded_until = r->expanded_until;
	v->calendar = strdup(r->calendar != NULL ? r->calendar : "");
	v->uid = strdup(r->uid != NULL ? r->uid : "");
	v->ical = strdup(r->ical != NULL ? r->ical : "");
	l->n++;				/* freed below even if half-copied */
	if (v->calendar == NULL || v->uid == NULL || v->ical == NULL)
		return l->rc = IMIP_ENOMEM;
	return 0;
}

static void
due_free(struct due_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].calendar);
		free(l->v[i].uid);
		free(l->v[i].ical);
	}
	free(l->v);
}

/*
 * A stored series that no longer parses or expands: journal it and tell
 * the caller, as an outcome NOT-EXTENDED with the reason.
 */
static int
not_extended(struct imip_store *st, const struct imip_sched_ctx *ctx,
    const struct due *d, const struct imip_err *why, imip_extend_cb cb,
    void *arg, struct imip_err *err)
{
	struct imip_outcome out = { .method = IMIP_METHOD_REQUEST,
	    .decision = "NOT-EXTENDED" };
	int rc;

	imip_log_warn("expand: %s: stored series not extended: %s",
	    d->calendar, why->msg);
	rc = imip_schedule_journal(st, ctx, d->calendar, "REQUEST", d->uid,
	    "NOT-EXTENDED", why->msg, err);
	if (rc == IMIP_OK && cb != NULL) {
		out.calendar = d->calendar;	/* borrowed for the call */
		out.uid = d->uid;
		out.reason = (char *)why->msg;
		cb(&out, arg);
	}
	return rc;
}

/* Parse, expand and schedule one series; bad stored data is journaled. */
static int
extend_one(struct imip_store *st, const struct imip_sched_ctx *ctx,
    const struct due *d, int64_t until, size_t max, imip_extend_cb cb,
    void *arg, struct imip_err *err)
{
	struct imip_calendar *cal = NULL;
	struct imip_itip *it = NULL;
	struct imip_outcome out = { 0 };
	struct imip_err why = { 0 };
	int rc;

	if ((rc = imip_store_calendar_find(st, d->calendar, &cal, err)) < 0)
		return rc;
	rc = imip_itip_parse(&it, d->ical, NULL, cal->tz, &why);
	if (rc == IMIP_OK)
		rc = imip_itip_expand_range(it, d->expanded_until, until, max,
		    cal->tz, &why);
	if (rc == IMIP_EPARSE || rc == IMIP_ELIMIT ||
	    rc == IMIP_EUNSUPPORTED) {
		rc = not_extended(st, ctx, d, &why, cb, arg, err);
	} else if (rc < 0) {
		*err = why;
	} else if ((rc = imip_schedule_extend(st, ctx, cal, it, d->ical,
	    &out, err)) == IMIP_OK && cb != NULL) {
		cb(&out, arg);
	}
	imip_outcome_fini(&out);
	imip_itip_free(it);
	imip_calendar_free(cal);
	return rc;
}

#define EXTEND_SLACK	3600	/* seconds */

int
imip_extend_due(struct imip_store *st, const struct imip_sched_ctx *ctx,
    int64_t until, size_t max, imip_extend_cb cb, void *arg,
    struct imip_err *err)
{
	struct due_list l = { 0 };
	int rc;

	/*
	 * Booked to within EXTEND_SLACK of the new horizon already: left
	 * alone, so running again a moment later finds nothing to do.
	 */
	rc = imip_store_series_due(st, until - EXTEND_SLACK, collect_due, &l,
	    err);
	if (rc == IMIP_ENOMEM || l.rc == IMIP_ENOMEM)
		rc = imip_err_set(err, IMIP_ENOMEM, "series to extend");
	for (size_t i = 0; i < l.n && rc == IMIP_OK; i++)
		rc = extend_one(st, ctx, &l.v[i], until, max, cb, arg, err);
	due_free(&l);
	return rc;
}
