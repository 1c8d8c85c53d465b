/*
 * recur.c - expand a parsed iTIP object into its instances, in UTC.
 *
 * libical iterates the RRULE in the master's own zone; this file adds
 * RDATEs, removes EXDATEs, applies RECURRENCE-ID overrides by instant and
 * keeps the whole expansion bounded: rules are cut at the horizon, the
 * count is capped, and rules that can never match are refused up front.
 */
#include <stdlib.h>
#include <string.h>

#include "icaltime.h"
#include "itip.h"

struct expand {
	struct imip_instance	*v;
	size_t			 n, cap, max;
	icalcomponent		*root;
	const char		*tz;
	int64_t			 until;
	struct imip_err		*err;
};

static int
add(struct expand *x, int64_t rid, int64_t start, int64_t end)
{
	struct imip_instance *v;
	size_t cap;

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
	x->v[x->n++] = (struct imip_instance){ rid, start, end, false, false };
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

	return bsearch(&key, x->v, x->n, sizeof(key), by_rid);
}

/* Sort by RECURRENCE-ID and drop repeats (an RDATE equal to a rule date). */
static void
sort_unique(struct expand *x)
{
	size_t i, j;

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

/* Length of each instance: DTEND - DTSTART or DURATION; a DATE is a day. */
static struct icaldurationtype
instance_length(icalcomponent *m, struct icaltimetype start)
{
	struct icaldurationtype d = icalcomponent_get_duration(m);

	if (icaldurationtype_as_int(d) <= 0 && icaltime_is_date(start))
		d = icaldurationtype_from_int(86400);
	return d;
}

/* The instances of one RRULE that start before the horizon. */
static int
rule(struct expand *x, icalcomponent *m, icalproperty *rr,
    struct icaltimetype start, bool *clipped)
{
	struct icalrecurrencetype r = icalproperty_get_rrule(rr);
	icalproperty *dp = icalcomponent_get_first_property(m,
	    ICAL_DTSTART_PROPERTY);
	struct icaldurationtype len = instance_length(m, start);
	icalrecur_iterator *ri;
	struct icaltimetype t;
	int64_t s, e, end = 0;
	int rc = IMIP_OK;

	if (r.freq == ICAL_NO_RECURRENCE || never_matches(&r))
		return imip_err_set(x->err, IMIP_EPARSE,
		    "RRULE can never produce an instance");
	if (r.count == 0 && !icaltime_is_null_time(r.until) &&
	    (rc = utc(x, &end, r.until, NULL)) < 0)
		return rc;
	/* A rule without an end of its own stops at the horizon. */
	if (r.count == 0 && (icaltime_is_null_time(r.until) || end > x->until)) {
		r.until = icaltime_from_timet_with_zone((time_t)x->until, 0,
		    icaltimezone_get_utc_timezone());
		*clipped = true;
	}
	if ((ri = icalrecur_iterator_new(r, start)) == NULL)
		return imip_err_set(x->err, IMIP_EPARSE, "RRULE is not valid");
	while (!icaltime_is_null_time(t = icalrecur_iterator_next(ri))) {
		if ((rc = utc(x, &s, t, dp)) < 0)
			break;
		if (s >= x->until) {
			*clipped = true;
			break;
		}
		if ((rc = utc(x, &e, icaltime_add(t, len), dp)) < 0 ||
		    (rc = add(x, s, s, e)) < 0)
			break;
	}
	icalrecur_iterator_free(ri);
	return rc;
}

/* RDATE values: dates or date-times (instance length of the master), or
 * periods with their own end. */
static int
rdates(struct expand *x, icalcomponent *m, struct icaltimetype start,
    bool *clipped)
{
	struct icaldurationtype len = instance_length(m, start);
	struct icaldatetimeperiodtype d;
	struct icaltimetype b, e;
	icalproperty *p;
	int64_t s, f;
	int rc = IMIP_OK;

	for (p = icalcomponent_get_first_property(m, ICAL_RDATE_PROPERTY);
	    p != NULL && rc == IMIP_OK;
	    p = icalcomponent_get_next_property(m, ICAL_RDATE_PROPERTY)) {
		d = icalproperty_get_rdate(p);
		b = icaltime_is_null_time(d.time) ? d.period.start : d.time;
		e = !icaltime_is_null_time(d.time) ? icaltime_add(b, len) :
		    !icaltime_is_null_time(d.period.end) ? d.period.end :
		    icaltime_add(b, d.period.duration);
		if ((rc = utc(x, &s, b, p)) < 0 || (rc = utc(x, &f, e, p)) < 0)
			break;
		if (s >= x->until)
			*clipped = true;
		else if (f > s)
			rc = add(x, s, s, f);
	}
	return rc;
}

static int
exdates(struct expand *x, icalcomponent *m)
{
	struct imip_instance *hit;
	icalproperty *p;
	int64_t s;
	int rc;

	for (p = icalcomponent_get_first_property(m, ICAL_EXDATE_PROPERTY);
	    p != NULL;
	    p = icalcomponent_get_next_property(m, ICAL_EXDATE_PROPERTY)) {
		if ((rc = utc(x, &s, icalproperty_get_exdate(p), p)) < 0)
			return rc;
		if ((hit = find(x, s)) != NULL) {
			memmove(hit, hit + 1, (size_t)(x->v + x->n - hit - 1) *
			    sizeof(*hit));
			x->n--;
		}
	}
	return IMIP_OK;
}

/* One RECURRENCE-ID component: move, cancel or add its instance. */
static int
override(struct expand *x, icalcomponent *c)
{
	icalproperty *p = icalcomponent_get_first_property(c,
	    ICAL_RECURRENCEID_PROPERTY);
	struct icaltimetype s = icalcomponent_get_dtstart(c);
	struct imip_instance *in;
	int64_t rid, start, end;
	int rc;

	if ((rc = utc(x, &rid, icalproperty_get_recurrenceid(p), p)) < 0)
		return rc;
	start = rid;
	end = -1;
	if (!icaltime_is_null_time(s)) {
		if ((rc = utc(x, &start, s, icalcomponent_get_first_property(c,
		    ICAL_DTSTART_PROPERTY))) < 0 ||
		    (rc = utc(x, &end, icalcomponent_get_dtend(c),
		    icalcomponent_get_first_property(c,
		    ICAL_DTEND_PROPERTY))) < 0)
			return rc;
	}
	if ((in = find(x, rid)) == NULL) {
		/* Outside what the master gave (or no master): its own. */
		if ((rc = add(x, rid, start, end > start ? end : start)) < 0)
			return rc;
		in = &x->v[x->n - 1];
	} else if (end > start) {
		in->start = start;
		in->end = end;
	}
	in->override = true;
	in->cancelled = icalcomponent_get_status(c) == ICAL_STATUS_CANCELLED;
	sort_unique(x);
	return IMIP_OK;
}

static int
overrides(struct expand *x)
{
	icalcomponent *c;
	int rc;

	for (c = icalcomponent_get_first_component(x->root,
	    ICAL_VEVENT_COMPONENT); c != NULL;
	    c = icalcomponent_get_next_component(x->root,
	    ICAL_VEVENT_COMPONENT))
		if (icalcomponent_get_first_property(c,
		    ICAL_RECURRENCEID_PROPERTY) != NULL &&
		    (rc = override(x, c)) < 0)
			return rc;
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

/* The master's own instances: its rules and dates, less its exceptions. */
static int
series(struct expand *x, icalcomponent *m, bool *clipped)
{
	struct icaltimetype start = icalcomponent_get_dtstart(m);
	icalproperty *p;
	int rc = IMIP_OK;

	for (p = icalcomponent_get_first_property(m, ICAL_RRULE_PROPERTY);
	    p != NULL && rc == IMIP_OK;
	    p = icalcomponent_get_next_property(m, ICAL_RRULE_PROPERTY))
		rc = rule(x, m, p, start, clipped);
	if (rc == IMIP_OK)
		rc = rdates(x, m, start, clipped);
	if (rc < 0)
		return rc;
	sort_unique(x);
	return exdates(x, m);
}

int
imip_itip_expand(struct imip_itip *it, int64_t until, size_t max,
    const char *default_tz, struct imip_err *err)
{
	struct expand x = { .max = max, .root = it->root, .tz = default_tz,
	    .until = until, .err = err };
	icalcomponent *m = master_of(it->root);
	bool clipped = false, rules;
	int rc = IMIP_OK;

	rules = m != NULL && (icalcomponent_get_first_property(m,
	    ICAL_RRULE_PROPERTY) != NULL || icalcomponent_get_first_property(m,
	    ICAL_RDATE_PROPERTY) != NULL);
	if (rules)
		rc = series(&x, m, &clipped);
	else if (m != NULL && it->end > it->start)
		rc = add(&x, it->start, it->start, it->end);
	if (rc == IMIP_OK)
		rc = overrides(&x);
	if (rc == IMIP_OK && rules && x.n == 0 && it->start < until)
		rc = imip_err_set(err, IMIP_EPARSE,
		    "recurrence rule has no instance before the horizon");
	if (rc < 0) {
		free(x.v);
		return rc;
	}
	free(it->inst);
	it->inst = x.v;
	it->ninst = x.n;
	it->clipped = clipped;
	return IMIP_OK;
}
