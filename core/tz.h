/*
 * tz.h - the TZID names mail clients send, resolved to IANA zone names.
 *
 * A name returned here is one icaltimezone_get_builtin_timezone() knows.
 * VTIMEZONE components carried by the message are the caller's business.
 */
#ifndef IMIP_TZ_H
#define IMIP_TZ_H

#include <stddef.h>

/* Buffer size that holds any name imip_tz_iana_name can return. */
#define IMIP_TZ_NAME_MAX	64

/*
 * imip_tz_init - load every zone the Windows table names, once, before
 * threads start: libical adds a zone it loads late to a list it does not
 * lock.
 */
void	imip_tz_init(void);

/* imip_tz_windows - IANA zone for a Windows zone name (any case), or NULL */
const char *imip_tz_windows(const char *name);

/*
 * imip_tz_iana_name - tzid as sent by a client, as an IANA zone name.
 * Returns a static string or buf (size bytes, IMIP_TZ_NAME_MAX is enough),
 * or NULL when no zone fits; never a pointer into tzid.
 */
const char *imip_tz_iana_name(const char *tzid, char *buf, size_t size);

#endif
