/*
 * recur.c - expand a parsed iTIP object into its instances, in UTC.
 *
 * libical iterates the RRULE in wall-clock time; this file adds
 * RDATEs, removes EXDATEs, applies RECURRENCE-ID overrides by instant and
 * keeps the whole expansion bounded: rules are cut at the horizon, the
 * count is capped, and rules that can never match are refused up front.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icaltime.h"
#include "itip.h"

struct expand {
	struct imip_instance	*v;
	size_t			 n, cap, max;
	icalcomponent		*root;
	const char		*tz;
	int64_t			 from;		/* earlier instances: skipped */
	bool			 cancel;	/* CANCEL: past the horizon */
	int64_t			 until;
	struct imip_err		*err;
};

static int
add(struct expand *x, int64_t rid, int64_t start, int64_t end)
{
	struct imip_instance *v;
	size_t cap;

	if (rid < x->from)
		return IMIP_OK;		/* booked by an earlier expansion */
	if (x->n >= x->max)
		return imip_err_set(x->err, IMIP_ELIMIT,
		    "more than %zu instances before the horizon", x->max);
	if (x->n == x->cap) {
		cap = x->cap > 0 ? x->cap * 2 : 16;
		if ((v = realloc(x->v, cap * sizeof(*v))) == NULL)
			return imip_err_set(x->err, IMIP_ENOMEM, "instances");
		x->v = v;
		x->cap = cap;
	}
	x->v[x->n++] = (struct imip_instance){ .rid = rid, .start = start,
	    .end = end };
	return IMIP_OK;
}

static int
by_rid(const void *a, const void *b)
{
	const struct imip_instance *x = a, *y = b;

	return x->rid < y->rid ? -1 : x->rid > y->rid;
}

static struct imip_instance *
find(struct expand *x, int64_t rid)
{
	struct imip_instance key = { .rid = rid };

	/* Nothing expanded yet: x->v is NULL, which bsearch may not get. */
	if (x->n == 0)
		return NULL;
	return bsearch(&key, x->v, x->n, sizeof(key), by_rid);
}

/* Sort by RECURRENCE-ID and drop repeats (an RDATE equal to a rule date). */
static void
sort_unique(struct expand *x)
{
	size_t i, j;

	if (x->n == 0)
		return;			/* x->v may be NULL: no qsort */
	qsort(x->v, x->n, sizeof(*x->v), by_rid);
	for (i = j = 0; i < x->n; i++)
		if (j == 0 || x->v[j - 1].rid != x->v[i].rid)
			x->v[j++] = x->v[i];
	x->n = j;
}

static int
days_in_month(int m)
{
	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	return m >= 1 && m <= 12 ? days[m - 1] : 31;
}

/*
 * BYMONTHDAY values no BYMONTH month has (31 in April, 30 in February):
 * libical would search for centuries before giving up.
 */
static bool
never_matches(const struct icalrecurrencetype *r)
{
	const short END = ICAL_RECURRENCE_ARRAY_MAX;

	if (r->by_month_day[0] == END || r->by_month[0] == END)
		return false;
	for (int i = 0; r->by_month_day[i] != END; i++)
		for (int j = 0; r->by_month[j] != END; j++)
			if (abs(r->by_month_day[i]) <=
			    days_in_month(r->by_month[j]))
				return false;
	return true;
}

static int
utc(struct expand *x, int64_t *out, struct icaltimetype t, icalproperty *p)
{
	return imip_icaltime_utc(out, t, p, x->root, x->tz, x->err);
}

/* What every instance of the master needs, read once. */
struct master {
	icalcomponent		*c;
	icalproperty		*dtstart;	/* for its TZID */
	struct icaltimetype	 start;		/* wall clock if zone */
	const icaltimezone	*zone;		/* NULL: not zoned */
	struct icaldurationtype	 days;		/* DATE series: whole days */
	int64_t			 seconds;	/* DATE-TIME: exact length */
};

/*
 * An instance lasts exactly as long as the master (RFC 5545 3.8.5.3);
 * an all-day one lasts as many calendar days, 23 or 25 hours at DST.
 */
static void
master_init(struct master *ms, icalcomponent *m, const struct imip_itip *it)
{
	struct icaldurationtype d = icalcomponent_get_duration(m);

	ms->c = m;
	ms->dtstart = icalcomponent_get_first_property(m,
	    ICAL_DTSTART_PROPERTY);
	ms->start = icalcomponent_get_dtstart(m);
	ms->zone = NULL;
	if (ms->start.zone != NULL && !icaltime_is_utc(ms->start) &&
	    !icaltime_is_date(ms->start)) {
		ms->zone = ms->start.zone;
		ms->start.zone = NULL;
	}
	ms->seconds = it->end - it->start;
	ms->days = icaldurationtype_null_duration();
	ms->days.days = d.days > 0 || d.weeks > 0 ? d.days + 7 * d.weeks : 1;
}

static int
instance_end(struct expand *x, const struct master *ms,
    struct icaltimetype t, int64_t s, int64_t *end)
{
	if (!icaltime_is_date(t)) {
		*end = s + ms->seconds;
		return IMIP_OK;
	}
	return utc(x, end, icaltime_add(t, ms->days), ms->dtstart);
}

/*
 * A zoned master is iterated in wall-clock time: libical 3.0.16 moves a
 * zoned instance out of a DST gap, and the next one with it, where RFC
 * 5545 3.8.5.3 wants the wall time read as 3.3.5 says (that is left to
 * imip_icaltime_utc).  UNTIL, an instant, becomes wall-clock time a day
 * late, so that no instance of a repeated hour is lost; rule() makes the
 * exact cut on instants.
 */
static struct icaltimetype
wall_until(struct icaltimetype until, const icaltimezone *zone)
{
	if (!icaltime_is_null_time(until) && !icaltime_is_date(until)) {
		until = icaltime_convert_to_zone(until, (icaltimezone *)zone);
		icaltime_adjust(&until, 1, 0, 0, 0);
	}
	until.zone = NULL;
	return until;
}

/* The instances of one RRULE that start before the horizon and UNTIL. */
static int
rule(struct expand *x, const struct master *ms, icalproperty *rr,
    bool *clipped)
{
	struct icalrecurrencetype r = icalproperty_get_rrule(rr);
	icalrecur_iterator *ri;
	struct icaltimetype t;
	int64_t s, e, end = INT64_MAX;
	int rc = IMIP_OK;

	if (r.freq == ICAL_NO_RECURRENCE || never_matches(&r))
		return imip_err_set(x->err, IMIP_EPARSE,
		    "RRULE can never produce an instance");
	if (r.count == 0 && !icaltime_is_null_time(r.until) &&
	    (rc = utc(x, &end, r.until, NULL)) < 0)
		return rc;
	/*
	 * A rule without an end of its own stops near the horizon.  libical
	 * compares UNTIL with floating times as wall-clock time, so give it
	 * two days more; the exact cut is the s >= until test below.
	 */
	if (r.count == 0 && (icaltime_is_null_time(r.until) || end > x->until)) {
		r.until = icaltime_from_timet_with_zone((time_t)(x->until +
		    2 * 86400), 0, icaltimezone_get_utc_timezone());
		*clipped = true;
	}
	if (ms->zone != NULL)
		r.until = wall_until(r.until, ms->zone);
	if ((ri = icalrecur_iterator_new(r, ms->start)) == NULL)
		return imip_err_set(x->err, IMIP_EPARSE, "RRULE is not valid");
	while (!icaltime_is_null_time(t = icalrecur_iterator_next(ri))) {
		if (ms->zone != NULL)
			t.zone = ms->zone;
		if ((rc = utc(x, &s, t, ms->dtstart)) < 0 ||
		    (ms->zone != NULL && s > end))
			break;
		if (s >= x->until) {
			*clipped = true;
			break;
		}
		if ((rc = instance_end(x, ms, t, s, &e)) < 0 ||
		    (rc = add(x, s, s, e)) < 0)
			break;
	}
	icalrecur_iterator_free(ri);
	return rc;
}

/* RDATE values: dates or date-times (the master's length), or periods
 * with their own end. */
static int
rdates(struct expand *x, const struct master *ms, icalproperty **props,
    size_t n, bool *clipped)
{
	struct icaldatetimeperiodtype d;
	struct icaltimetype b;
	int64_t s, f;
	int rc = IMIP_OK;

	for (size_t i = 0; i < n && rc == IMIP_OK; i++) {
		d = icalproperty_get_rdate(props[i]);
		b = icaltime_is_null_time(d.time) ? d.period.start : d.time;
		if ((rc = utc(x, &s, b, props[i])) < 0)
			break;
		if (!icaltime_is_null_time(d.time))
			rc = instance_end(x, ms, b, s, &f);
		else if (!icaltime_is_null_time(d.period.end))
			rc = utc(x, &f, d.period.end, props[i]);
		else
			f = s + icaldurationtype_as_int(d.period.duration);
		if (rc < 0)
			break;
		if (s >= x->until)
			*clipped = true;
		else if (f > s)
			rc = add(x, s, s, f);
	}
	return rc;
}

static int
exdates(struct expand *x, icalproperty **props, size_t n)
{
	struct imip_instance *hit;
	int64_t s;
	int rc;

	for (size_t i = 0; i < n; i++) {
		if ((rc = utc(x, &s, icalproperty_get_exdate(props[i]),
		    props[i])) < 0)
			return rc;
		if ((hit = find(x, s)) != NULL) {
			memmove(hit, hit + 1, (size_t)(x->v + x->n - hit - 1) *
			    sizeof(*hit));
			x->n--;
		}
	}
	return IMIP_OK;
}

static bool
this_and_future(icalproperty *rid)
{
	icalparameter *r = icalproperty_get_first_parameter(rid,
	    ICAL_RANGE_PARAMETER);

	return r != NULL && icalparameter_get_range(r) ==
	    ICAL_RANGE_THISANDFUTURE;
}

/*
 * One RECURRENCE-ID component: move, cancel or add its instance.  Without
 * DTEND or DURATION a moved instance keeps its length.
 */
static int
override(struct expand *x, icalcomponent *c)
{
	icalproperty *p = icalcomponent_get_first_property(c,
	    ICAL_RECURRENCEID_PROPERTY);
	icalproperty *dp = icalcomponent_get_first_property(c,
	    ICAL_DTSTART_PROPERTY);
	icalproperty *ep = icalcomponent_get_first_property(c,
	    ICAL_DTEND_PROPERTY);
	bool has_len = ep != NULL || icalcomponent_get_first_property(c,
	    ICAL_DURATION_PROPERTY) != NULL;
	bool cancelled = icalcomponent_get_status(c) == ICAL_STATUS_CANCELLED;
	struct imip_instance *in;
	int64_t rid, start, end = -1;
	int rc;

	if ((rc = utc(x, &rid, icalproperty_get_recurrenceid(p), p)) < 0)
		return rc;
	start = rid;
	if (dp != NULL && (rc = utc(x, &start, icalcomponent_get_dtstart(c),
	    dp)) < 0)
		return rc;
	if (has_len && (rc = utc(x, &end, icalcomponent_get_dtend(c),
	    ep)) < 0)
		return rc;
	if ((in = find(x, rid)) != NULL) {
		if (end <= start)
			end = start + (in->end - in->start);
		in->start = start;
		in->end = end;
	} else if (start < x->until || x->cancel) {
		/* Outside what the master gave (or no master): its own. */
		if ((rc = add(x, rid, start, end > start ? end : start)) < 0)
			return rc;
		in = &x->v[x->n - 1];
	} else {
		return IMIP_OK;		/* past the horizon */
	}
	in->override = true;
	in->cancelled = cancelled;
	in->and_after = this_and_future(p);
	sort_unique(x);
	return IMIP_OK;
}

static int
overrides(struct expand *x)
{
	icalcomponent **ov = NULL, *c;
	size_t n = 0, cap = 0;
	int rc = IMIP_OK;

	/* Collected first: override() looks things up in the same root. */
	for (c = icalcomponent_get_first_component(x->root,
	    ICAL_VEVENT_COMPONENT); c != NULL;
	    c = icalcomponent_get_next_component(x->root,
	    ICAL_VEVENT_COMPONENT)) {
		if (icalcomponent_get_first_property(c,
		    ICAL_RECURRENCEID_PROPERTY) == NULL)
			continue;
		if (n == cap) {
			icalcomponent **v;

			cap = cap > 0 ? cap * 2 : 8;
			if ((v = realloc(ov, cap * sizeof(*v))) == NULL) {
				free(ov);
				return imip_err_set(x->err, IMIP_ENOMEM,
				    "overrides");
			}
			ov = v;
		}
		ov[n++] = c;
	}
	for (size_t i = 0; i < n && rc == IMIP_OK; i++)
		rc = override(x, ov[i]);
	free(ov);
	return rc;
}

/* Every VEVENT of root without a RECURRENCE-ID, in *out (caller frees). */
static int
collect_masters(icalcomponent ***out, size_t *n, icalcomponent *root,
    struct imip_err *err)
{
	icalcomponent *c;
	size_t cap;

	*n = 0;
	cap = (size_t)icalcomponent_count_components(root,
	    ICAL_VEVENT_COMPONENT);
	if ((*out = calloc(cap + 1, sizeof(**out))) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "added instances");
	for (c = icalcomponent_get_first_component(root,
	    ICAL_VEVENT_COMPONENT); c != NULL && *n < cap;
	    c = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT))
		if (icalcomponent_get_first_property(c,
		    ICAL_RECURRENCEID_PROPERTY) == NULL)
			(*out)[(*n)++] = c;
	return IMIP_OK;
}

static icalcomponent *
master_of(icalcomponent *root)
{
	icalcomponent *c;

	for (c = icalcomponent_get_first_component(root,
	    ICAL_VEVENT_COMPONENT); c != NULL;
	    c = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT))
		if (icalcomponent_get_first_property(c,
		    ICAL_RECURRENCEID_PROPERTY) == NULL)
			return c;
	return NULL;
}

/*
 * Properties of one kind, collected before anything else reads m: any
 * libical getter on m resets the iterator a loop over m would use.
 */
static int
collect(icalproperty ***out, size_t *n, icalcomponent *m,
    icalproperty_kind kind, struct imip_err *err)
{
	icalproperty *p;
	size_t i = 0;

	*n = (size_t)icalcomponent_count_properties(m, kind);
	*out = NULL;
	if (*n == 0)
		return IMIP_OK;
	if ((*out = calloc(*n, sizeof(**out))) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "properties");
	for (p = icalcomponent_get_first_property(m, kind); p != NULL && i < *n;
	    p = icalcomponent_get_next_property(m, kind))
		(*out)[i++] = p;
	*n = i;
	return IMIP_OK;
}

/* The master's own instances: its rules and dates, less its exceptions. */
static int
series(struct expand *x, const struct imip_itip *it, icalcomponent *m,
    bool *clipped)
{
	icalproperty **rules = NULL, **dates = NULL, **ex = NULL;
	struct master ms;
	size_t nrules = 0, ndates = 0, nex = 0;
	int rc;

	if ((rc = collect(&rules, &nrules, m, ICAL_RRULE_PROPERTY,
	    x->err)) < 0 || (rc = collect(&dates, &ndates, m,
	    ICAL_RDATE_PROPERTY, x->err)) < 0 || (rc = collect(&ex, &nex, m,
	    ICAL_EXDATE_PROPERTY, x->err)) < 0)
		goto out;
	master_init(&ms, m, it);
	for (size_t i = 0; i < nrules && rc == IMIP_OK; i++)
		rc = rule(x, &ms, rules[i], clipped);
	if (rc == IMIP_OK)
		rc = rdates(x, &ms, dates, ndates, clipped);
	if (rc < 0)
		goto out;
	sort_unique(x);
	rc = exdates(x, ex, nex);
out:
	free(rules);
	free(dates);
	free(ex);
	return rc;
}

/*
 * The instances an ADD brings (RFC 5546 3.2.4): every VEVENT without a
 * RECURRENCE-ID is one new instance, identified by its start.
 */
static int
added(struct expand *x, const struct imip_itip *it)
{
	icalcomponent **v = NULL;
	size_t n = 0;
	int64_t s, e;
	int rc = IMIP_OK;

	if ((rc = collect_masters(&v, &n, x->root, x->err)) < 0)
		return rc;
	for (size_t i = 0; i < n && rc == IMIP_OK; i++) {
		if ((rc = utc(x, &s, icalcomponent_get_dtstart(v[i]),
		    icalcomponent_get_first_property(v[i],
		    ICAL_DTSTART_PROPERTY))) < 0)
			break;
		e = s + (it->end - it->start);
		if (icalcomponent_get_first_property(v[i],
		    ICAL_DTEND_PROPERTY) != NULL && (rc = utc(x, &e,
		    icalcomponent_get_dtend(v[i]),
		    icalcomponent_get_first_property(v[i],
		    ICAL_DTEND_PROPERTY))) < 0)
			break;
		if (e <= s)
			rc = imip_err_set(x->err, IMIP_EPARSE, "added instance "
			    "ends before it starts");
		else if (s < x->until)
			rc = add(x, s, s, e);
	}
	free(v);
	if (rc == IMIP_OK)
		sort_unique(x);
	return rc;
}

int
imip_itip_expand_range(struct imip_itip *it, int64_t from, int64_t until,
    size_t max, const char *default_tz, struct imip_err *err)
{
	struct expand x = { .max = max, .root = it->root, .tz = default_tz,
	    .from = from, .until = until, .err = err,
	    .cancel = it->method == IMIP_METHOD_CANCEL };
	icalcomponent *m = master_of(it->root);
	bool clipped = false, rules;
	int rc = IMIP_OK;

	rules = m != NULL && (icalcomponent_get_first_property(m,
	    ICAL_RRULE_PROPERTY) != NULL || icalcomponent_get_first_property(m,
	    ICAL_RDATE_PROPERTY) != NULL);
	if (it->method == IMIP_METHOD_ADD)
		rc = added(&x, it);
	else if (rules)
		rc = series(&x, it, m, &clipped);
	else if (m != NULL && it->end > it->start)
		rc = add(&x, it->start, it->start, it->end);
	if (rc == IMIP_OK)
		rc = overrides(&x);
	/* A bounded series with no instance at all never matches. */
	if (rc == IMIP_OK && rules && x.n == 0 && !clipped &&
	    from == INT64_MIN)
		rc = imip_err_set(err, IMIP_EPARSE,
		    "recurrence rule never produces an instance");
	if (rc < 0) {
		free(x.v);
		return rc;
	}
	free(it->inst);
	it->inst = x.v;
	it->ninst = x.n;
	it->clipped = clipped;
	it->until = until;
	return IMIP_OK;
}

int
imip_itip_expand(struct imip_itip *it, int64_t until, size_t max,
    const char *default_tz, struct imip_err *err)
{
	return imip_itip_expand_range(it, INT64_MIN, until, max, default_tz,
	    err);
}
