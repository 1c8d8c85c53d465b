/*
 * tz.c - resolve the TZID strings real clients send to IANA zone names.
 *
 * Knows IANA names, vendor-prefixed ones ("/mozilla.org/20050126_1/..."),
 * quoted ones, Windows names (CLDR's table, compiled in) and the UTC
 * aliases.  It converts no times and reads no VTIMEZONE: Outlook display
 * names such as "(UTC+01:00) Amsterdam, ..." are left to the message's own.
 */
#include <assert.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "tz.h"
#include "tz_int.h"

/* Longer TZIDs are refused rather than truncated into another name. */
#define TZID_MAX	256

/* Names for UTC itself; libical only knows "UTC" and "GMT", exact case. */
static const char *const utc_names[] = { "UTC", "GMT", "Z", "Etc/UTC",
    "Etc/GMT" };

static bool
is_utc(const char *name)
{
	for (size_t i = 0; i < sizeof(utc_names) / sizeof(utc_names[0]); i++)
		if (strcasecmp(name, utc_names[i]) == 0)
			return true;
	return false;
}

static bool
name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-';
}

/*
 * Shaped like an IANA name: parts of [A-Z][A-Za-z0-9_+-]* joined by '/'.
 * libical 3.0 opens any name it does not find in zone.tab as a path under
 * /usr/share/zoneinfo ("../x", "right/...", "Europe/./Berlin" all work) and
 * appends each hit to its global zone array for good, without a lock.  So
 * a name from a message reaches libical only in this shape.
 */
static bool
iana_shaped(const char *s)
{
	size_t n = 0;
	bool part_start = true;

	for (; s[n] != '\0'; n++) {
		if (part_start && (s[n] < 'A' || s[n] > 'Z'))
			return false;
		part_start = s[n] == '/';
		if (!part_start && !name_char(s[n]))
			return false;
	}
	return !part_start && n < IMIP_TZ_NAME_MAX;
}

static bool
known_zone(const char *name)
{
	return iana_shaped(name) &&
	    icaltimezone_get_builtin_timezone(name) != NULL;
}

/* name copied into buf, or NULL when it does not fit. */
static const char *
copy_out(const char *name, char *buf, size_t size)
{
	size_t n = strlen(name);

	if (n >= size)
		return NULL;
	memcpy(buf, name, n + 1);
	return buf;
}

/* imip_tz_windows - IANA zone for a Windows zone name (any case), or NULL */
const char *
imip_tz_windows(const char *name)
{
	size_t lo = 0, hi = tz_nwinzones, mid;
	int c;

	if (name == NULL)
		return NULL;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcasecmp(name, tz_winzones[mid].windows);
		if (c == 0)
			return tz_winzones[mid].iana;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/*
 * A vendor-prefixed TZID ("/freeassociation.sourceforge.net/Tzfile/Europe/
 * Berlin", "/softwarestudio.org/Olson_20011030_5/America/New_York"): the
 * vendors differ in how many parts they prepend, so try each suffix after
 * a '/', longest first, and take the first libical knows.
 */
static const char *
strip_vendor(const char *tzid, char *buf, size_t size)
{
	const char *p;

	for (p = tzid; (p = strchr(p, '/')) != NULL; ) {
		p++;
		if (is_utc(p))
			return "UTC";
		if (known_zone(p))
			return copy_out(p, buf, size);
	}
	return NULL;
}

/* imip_tz_iana_name - tzid as sent by a client, as an IANA zone name */
const char *
imip_tz_iana_name(const char *tzid, char *buf, size_t size)
{
	char name[TZID_MAX];
	const char *iana;
	size_t n;

	assert(buf != NULL);
	if (tzid == NULL || (n = strlen(tzid)) >= sizeof(name))
		return NULL;
	if (n >= 2 && tzid[0] == '"' && tzid[n - 1] == '"') {
		tzid++;
		n -= 2;
	}
	memcpy(name, tzid, n);
	name[n] = '\0';

	if (is_utc(name))
		return "UTC";
	if ((iana = imip_tz_windows(name)) != NULL) {
		/* CLDR says "Etc/UTC" for Windows' "UTC". */
		if (is_utc(iana))
			return "UTC";
		/* Old CLDR ids (Asia/Calcutta) need tzdata's backward links. */
		return known_zone(iana) ? iana : NULL;
	}
	if (name[0] == '/')
		return strip_vendor(name, buf, size);
	return known_zone(name) ? copy_out(name, buf, size) : NULL;
}

void
imip_tz_init(void)
{
	icaltimezone_get_utc_timezone();
	for (size_t i = 0; i < tz_nwinzones; i++)
		(void)icaltimezone_get_builtin_timezone(tz_winzones[i].iana);
}
