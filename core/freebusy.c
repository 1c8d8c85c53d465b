/*
 * freebusy.c - overlap and formatting of busy periods.
 *
 * The store finds candidate periods with an index range scan; the
 * decision of what counts as a conflict is made here, where it can be
 * tested without a database.
 */
#include <stdio.h>
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
