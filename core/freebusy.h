/*
 * freebusy.h - pure interval logic on UTC periods; no I/O.
 *
 * Periods are half-open, [start, end): a meeting ending at 10:00 and one
 * starting at 10:00 do not overlap.
 */
#ifndef IMIP_FREEBUSY_H
#define IMIP_FREEBUSY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct imip_period {
	int64_t	start, end;	/* UTC epoch seconds */
};

/* imip_period_valid - does p have a positive length? */
bool	imip_period_valid(const struct imip_period *p);

/* imip_period_overlaps - do a and b share at least one second? */
bool	imip_period_overlaps(const struct imip_period *a,
	    const struct imip_period *b);

/*
 * imip_period_crowded - taking at most cap bookings at a time, is want
 * full somewhere, given the n booked periods?  *where gets the first
 * stretch of want during which cap are booked.  booked is reordered.
 */
bool	imip_period_crowded(struct imip_period *booked, size_t n,
	    struct imip_period want, int cap, struct imip_period *where);

/*
 * imip_period_ical - p as an iCalendar PERIOD in UTC
 * ("20270301T090000Z/20270301T100000Z") into buf; false if it did not fit.
 */
bool	imip_period_ical(char *buf, size_t size, const struct imip_period *p);

#endif
