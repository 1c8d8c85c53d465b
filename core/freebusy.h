/*
 * freebusy.h - pure interval logic on UTC periods; no I/O.  Also the
 * merged busy list a free/busy answer or export is built from.
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

/* The free/busy types (RFC 5545 FBTYPE) a busy period may have. */
enum imip_fbtype {
	IMIP_FB_BUSY,
	IMIP_FB_TENTATIVE,
	IMIP_FB_UNAVAILABLE
};

/* One period of a free/busy answer. */
struct imip_fb_period {
	struct imip_period	 period;
	enum imip_fbtype	 type;
};

/*
 * The merged busy time of a range, built period by period in order of
 * start: what a VFREEBUSY says, and no more.
 */
struct imip_fb_list {
	struct imip_fb_period	*v;
	size_t			 n, cap;
	struct imip_period	 range;
};

/* imip_fbtype_parse - the type named name; anything else is BUSY */
enum imip_fbtype imip_fbtype_parse(const char *name);

/* imip_fbtype_name - "BUSY", "BUSY-TENTATIVE" or "BUSY-UNAVAILABLE" */
const char *imip_fbtype_name(enum imip_fbtype type);

/*
 * imip_fb_add - p clipped to l->range, merged into the last period of
 * its type when they touch or overlap; false when out of memory.  The
 * caller frees l->v.
 */
bool	imip_fb_add(struct imip_fb_list *l, struct imip_period p,
	    enum imip_fbtype type);

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
