/*
 * icaltime.h - iCalendar times to UTC instants (internal to core).
 *
 * One place decides how a DATE-TIME becomes an instant: UTC as is, a TZID
 * through the object's VTIMEZONE or the system's IANA zones, floating
 * times and DATEs in the calendar's own zone.  Includes libical.
 */
#ifndef IMIP_ICALTIME_H
#define IMIP_ICALTIME_H

#include <stdint.h>

#include <libical/ical.h>

#include "err.h"

/*
 * imip_icaltime_utc - tt, the value of property p (NULL: no TZID to
 * check), as UTC epoch seconds.  A TZID libical did not attach is looked
 * up in root's VTIMEZONEs (root may be NULL), then among the IANA zones;
 * one that names no zone is IMIP_EPARSE.  Floating times and DATEs are
 * read in default_tz.  A zoned time the zone skips takes the offset
 * before the change, one it repeats is the first (RFC 5545 3.3.5).
 */
int	imip_icaltime_utc(int64_t *out, struct icaltimetype tt,
	    icalproperty *p, icalcomponent *root, const char *default_tz,
	    struct imip_err *err);

/*
 * imip_icaltime_normalize - rewrite every TZID parameter of root's
 * components to a name libical resolves safely: Windows names to their
 * IANA zone (even when the message brings a VTIMEZONE for them, which
 * Outlook fills with today's rule only), other names without a VTIMEZONE
 * to an IANA name.  A TZID that fits nothing is IMIP_EPARSE.
 */
int	imip_icaltime_normalize(icalcomponent *root, struct imip_err *err);

/*
 * imip_icaltime_prop - the property make builds from the UTC instant t,
 * written as a UTC DATE-TIME (icalproperty_new_dtstamp, ...)
 */
icalproperty *imip_icaltime_prop(icalproperty *(*make)(struct icaltimetype),
	    int64_t t);

/* imip_icaltime_zone - the zone floating times mean: default_tz, or UTC */
icaltimezone *imip_icaltime_zone(const char *default_tz);

#endif
