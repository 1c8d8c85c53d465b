/*
 * icaltime.c - turn libical time values into UTC instants.
 *
 * libical has already attached the zone of a VTIMEZONE or a known IANA
 * TZID to each value; what is left here is the policy for values without
 * one: floating and DATE values belong to the calendar's zone, a TZID
 * that named no zone makes the object unusable.  A zoned local time the
 * zone skips or repeats is read as RFC 5545 3.3.5 says, not as libical.
 */
#include <stdbool.h>
#include <string.h>

#include "icaltime.h"
#include "tz.h"

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

#define DAY	86400

/* The UTC offset zone has at the instant t. */
static int
offset_at(icaltimezone *zone, int64_t t)
{
	struct icaltimetype u;
	int dst;

	u = icaltime_from_timet_with_zone((time_t)t, 0,
	    icaltimezone_get_utc_timezone());
	return icaltimezone_get_utc_offset_of_utc_time(zone, &u, &dst);
}

/*
 * tt, a wall-clock time in zone, as an instant (RFC 5545 3.3.5): a time
 * the zone skips (spring forward) is read with the offset before the
 * change, a time it repeats (fall back) is its first occurrence.  libical
 * 3.0.16 takes the offset after the change in both cases, so its answer
 * is replaced only when the offset changes within a day of tt.  An offset
 * fits tt when the zone has that offset at the instant it gives.
 */
static int64_t
zoned_utc(struct icaltimetype tt, const icaltimezone *zone)
{
	/* libical expands a zone's changes lazily: no const in its API */
	icaltimezone *z = (icaltimezone *)zone;
	int64_t t, wall;
	int before, after;
	bool fits_before, fits_after;

	t = (int64_t)icaltime_as_timet_with_zone(tt, zone);
	if (icaltime_is_date(tt) || icaltime_is_utc(tt) ||
	    icaltime_is_null_time(tt) || !icaltime_is_valid_time(tt))
		return t;
	/* The wall-clock fields read as if they were UTC. */
	wall = (int64_t)icaltime_as_timet_with_zone(tt,
	    icaltimezone_get_utc_timezone());
	before = offset_at(z, wall - DAY);
	after = offset_at(z, wall + DAY);
	if (before == after)
		return t;
	fits_before = offset_at(z, wall - before) == before;
	fits_after = offset_at(z, wall - after) == after;
	if (fits_before && fits_after)		/* repeated: the earlier */
		return wall - (before > after ? before : after);
	if (fits_after)
		return wall - after;
	return wall - before;		/* before the change, or skipped */
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
	/* Floating times and DATEs: libical's reading, as before. */
	if (zone == NULL)
		*out = (int64_t)icaltime_as_timet_with_zone(tt,
		    imip_icaltime_zone(default_tz));
	else
		*out = zoned_utc(tt, zone);
	return IMIP_OK;
}

/* One TZID parameter: keep it, rename it, or refuse the object. */
static int
normalize_param(icalparameter *par, icalcomponent *root,
    struct imip_err *err)
{
	const char *tzid = icalparameter_get_tzid(par), *name;
	char buf[IMIP_TZ_NAME_MAX];

	if (tzid == NULL)
		return imip_err_set(err, IMIP_EPARSE, "empty TZID");
	if ((name = imip_tz_windows(tzid)) == NULL) {
		if (icalcomponent_get_timezone(root, tzid) != NULL)
			return IMIP_OK;
		name = imip_tz_iana_name(tzid, buf, sizeof(buf));
	}
	if (name == NULL)
		return imip_err_set(err, IMIP_EPARSE, "unknown TZID \"%.60s\"",
		    tzid);
	if (strcmp(name, tzid) != 0)
		icalparameter_set_tzid(par, name);
	return IMIP_OK;
}

int
imip_icaltime_normalize(icalcomponent *root, struct imip_err *err)
{
	icalcomponent *c;
	icalproperty *p;
	icalparameter *par;
	int rc;

	for (c = icalcomponent_get_first_component(root, ICAL_ANY_COMPONENT);
	    c != NULL;
	    c = icalcomponent_get_next_component(root, ICAL_ANY_COMPONENT)) {
		if (icalcomponent_isa(c) == ICAL_VTIMEZONE_COMPONENT)
			continue;
		for (p = icalcomponent_get_first_property(c,
		    ICAL_ANY_PROPERTY); p != NULL;
		    p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
			par = icalproperty_get_first_parameter(p,
			    ICAL_TZID_PARAMETER);
			if (par != NULL &&
			    (rc = normalize_param(par, root, err)) < 0)
				return rc;
		}
	}
	return IMIP_OK;
}

icalproperty *
imip_icaltime_prop(icalproperty *(*make)(struct icaltimetype), int64_t t)
{
	return make(icaltime_from_timet_with_zone((time_t)t, 0,
	    icaltimezone_get_utc_timezone()));
}
