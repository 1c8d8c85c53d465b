/*
 * freebusy.c - overlap and formatting of busy periods.
 *
 * The store finds candidate periods with an index range scan; the
 * decision of what counts as a conflict is made here, where it can be
 * tested without a database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

	if (n > 0)		/* booked may be NULL then: no qsort */
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

static const char *const fbtype_names[] = {
	[IMIP_FB_BUSY] = "BUSY",
	[IMIP_FB_TENTATIVE] = "BUSY-TENTATIVE",
	[IMIP_FB_UNAVAILABLE] = "BUSY-UNAVAILABLE",
};

enum imip_fbtype
imip_fbtype_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(fbtype_names) / sizeof(fbtype_names[0]);
	    i++)
		if (name != NULL && strcmp(name, fbtype_names[i]) == 0)
			return (enum imip_fbtype)i;
	return IMIP_FB_BUSY;
}

const char *
imip_fbtype_name(enum imip_fbtype type)
{
	return fbtype_names[type];
}

/*
 * Periods come in order of start, so the last period of a type has the
 * latest end of that type: only it can touch the new one.
 */
bool
imip_fb_add(struct imip_fb_list *l, struct imip_period p,
    enum imip_fbtype type)
{
	struct imip_fb_period *v;

	if (p.start < l->range.start)
		p.start = l->range.start;
	if (p.end > l->range.end)
		p.end = l->range.end;
	for (size_t i = l->n; i-- > 0; ) {
		if (l->v[i].type != type)
			continue;
		if (p.start > l->v[i].period.end)
			break;
		if (p.end > l->v[i].period.end)
			l->v[i].period.end = p.end;
		return true;
	}
	if (l->n == l->cap) {
		l->cap = l->cap > 0 ? l->cap * 2 : 16;
		if ((v = realloc(l->v, l->cap * sizeof(*v))) == NULL)
			return false;
		l->v = v;
	}
	l->v[l->n++] = (struct imip_fb_period){ p, type };
	return true;
}
