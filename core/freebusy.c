/*
 * freebusy.c - overlap and formatting of busy periods.
 *
 * The store finds candidate periods with an index range scan; the
 * decision of what counts as a conflict is made here, where it can be
 * tested without a database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "freebusy.h"

bool
imip_period_valid(const struct imip_period *p)
{
	return p->end > p->start;
}

bool
imip_period_overlaps(const struct imip_period *a, const struct imip_period *b)
{
	return imip_period_valid(a) && imip_period_valid(b) &&
	    a->start < b->end && b->start < a->end;
}

static bool
utc_stamp(char *buf, size_t size, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL)
		return false;
	return strftime(buf, size, "%Y%m%dT%H%M%SZ", &tm) > 0;
}

bool
imip_period_ical(char *buf, size_t size, const struct imip_period *p)
{
	char s[32], e[32];
	int n;

	if (!utc_stamp(s, sizeof(s), p->start) ||
	    !utc_stamp(e, sizeof(e), p->end))
		return false;
	n = snprintf(buf, size, "%s/%s", s, e);
	return n > 0 && (size_t)n < size;
}

static int
by_start(const void *a, const void *b)
{
	const struct imip_period *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* How many of booked (sorted by start) cover instant t? */
static int
depth_at(const struct imip_period *booked, size_t n, int64_t t)
{
	int d = 0;

	for (size_t i = 0; i < n && booked[i].start <= t; i++)
		if (booked[i].end > t)
			d++;
	return d;
}

/*
 * The depth only rises at a start, so checking want.start and each start
 * inside want finds the first full stretch; it lasts until the next end.
 */
bool
imip_period_crowded(struct imip_period *booked, size_t n,
    struct imip_period want, int cap, struct imip_period *where)
{
	int64_t t, until;

	qsort(booked, n, sizeof(*booked), by_start);
	for (size_t i = 0; i <= n; i++) {
		t = i == 0 ? want.start : booked[i - 1].start;
		if (t < want.start || t >= want.end ||
		    depth_at(booked, n, t) < cap)
			continue;
		until = want.end;
		for (size_t k = 0; k < n; k++)
			if (booked[k].start <= t && booked[k].end > t &&
			    booked[k].end < until)
				until = booked[k].end;
		where->start = t;
		where->end = until;
		return true;
	}
	return false;
}
