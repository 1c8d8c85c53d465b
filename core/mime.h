/*
 * mime.h - find the iCalendar parts of a message with gmime.
 *
 * text/calendar and application/ics parts at any depth of any multipart,
 * transfer-decoded and converted to UTF-8.  Parts inside an attached
 * message (message/rfc822: forwards, bounces) are never returned.
 */
#ifndef IMIP_MIME_H
#define IMIP_MIME_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct imip_calpart {
	char	*text;		/* UTF-8 iCalendar text, NUL-terminated */
	char	*method;	/* Content-Type method= parameter, or NULL */
};

/* imip_mime_init - once per process, before any thread starts */
void	imip_mime_init(void);

/*
 * imip_mime_calendars - parse the message in data[0..len) (headers and
 * body) and return its calendar parts in *out (*nout of them, at most max;
 * free with imip_calparts_free).  No calendar part is not an error.
 */
int	imip_mime_calendars(struct imip_calpart **out, size_t *nout,
	    const char *data, size_t len, size_t max, struct imip_err *err);

typedef int (*imip_header_cb)(const char *name, const char *value, void *arg);

/*
 * imip_mime_split - call cb for each header field of the raw message
 * data[0..len) in order, with the raw value as it stands in the message
 * (leading blank, folds and line end kept), and set *body to the offset
 * where the body starts.  Stops with cb's value when cb returns non-zero.
 */
int	imip_mime_split(const char *data, size_t len, imip_header_cb cb,
	    void *arg, size_t *body, struct imip_err *err);

/* imip_calparts_free - release n parts; NULL is a no-op */
void	imip_calparts_free(struct imip_calpart *parts, size_t n);

/*
 * imip_mime_may_hold_calendar - could a message whose top-level
 * Content-Type header value is ctype (NULL: none) carry calendar data?
 */
bool	imip_mime_may_hold_calendar(const char *ctype);

/* imip_mime_trimmed - a copy of a header value without blanks around it
 * (caller frees; NULL when out of memory) */
char	*imip_mime_trimmed(const char *value);

struct _GMimeObject;

/*
 * imip_mime_text_part - a text/subtype part holding text, labelled UTF-8
 * with the method= parameter if method is not NULL; a new reference the
 * caller releases with g_object_unref.
 */
struct _GMimeObject *imip_mime_text_part(const char *subtype,
	    const char *text, const char *method);

#endif
