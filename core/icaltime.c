/*
 * icaltime.c - turn libical time values into UTC instants.
 *
 * libical has already attached the zone of a VTIMEZONE or a known IANA
 * TZID to each value; what is left here is the policy for values without
 * one: floating and DATE values belong to the calendar's zone, a TZID
 * that named no zone makes the object unusable.
 */
#include "icaltime.h"

icaltimezone *
imip_icaltime_zone(const char *default_tz)
{
	icaltimezone *zone = NULL;

	if (default_tz != NULL)
		zone = icaltimezone_get_builtin_timezone(default_tz);
	return zone != NULL ? zone : icaltimezone_get_utc_timezone();
}

/* The zone a TZID names: the object's own VTIMEZONE first, then IANA. */
static icaltimezone *
tzid_zone(const char *tzid, icalcomponent *root)
{
	icaltimezone *zone = NULL;

	if (root != NULL)
		zone = icalcomponent_get_timezone(root, tzid);
	if (zone == NULL)
		zone = icaltimezone_get_builtin_timezone(tzid);
	return zone;
}

int
imip_icaltime_utc(int64_t *out, struct icaltimetype tt, icalproperty *p,
    icalcomponent *root, const char *default_tz, struct imip_err *err)
{
	icalparameter *tzid = NULL;
	const icaltimezone *zone = NULL;

	if (p != NULL)
		tzid = icalproperty_get_first_parameter(p,
		    ICAL_TZID_PARAMETER);
	if (icaltime_is_utc(tt))
		zone = icaltimezone_get_utc_timezone();
	else if (tt.zone != NULL)
		zone = tt.zone;
	else if (tzid != NULL && !icaltime_is_date(tt) &&
	    (zone = tzid_zone(icalparameter_get_tzid(tzid), root)) == NULL)
		return imip_err_set(err, IMIP_EPARSE, "unknown TZID \"%s\"",
		    icalparameter_get_tzid(tzid));
	if (zone == NULL)
		zone = imip_icaltime_zone(default_tz);
	*out = (int64_t)icaltime_as_timet_with_zone(tt, zone);
	return IMIP_OK;
}
