/*
 * tz_int.h - the Windows zone table tz.c searches.
 *
 * Not part of the core API: the definition is generated at build time by
 * gen_winzones.py from CLDR's windowsZones.xml, and only tz.c and its unit
 * test read it.
 */
#ifndef IMIP_TZ_INT_H
#define IMIP_TZ_INT_H

#include <stddef.h>

/* A Windows zone name and the IANA zone CLDR gives it (territory 001). */
struct tz_winzone {
	const char	*windows;
	const char	*iana;
};

/* Sorted by windows, compared ASCII case-insensitively (strcasecmp). */
extern const struct tz_winzone tz_winzones[];
extern const size_t tz_nwinzones;

#endif
