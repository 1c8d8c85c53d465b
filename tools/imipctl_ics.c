/*
 * imipctl_ics.c - the iCalendar objects imipctl prints (schedule --ics,
 * freebusy --ics and --ifb): a VCALENDAR to PUBLISH, properties in UTC,
 * and the text libical writes for them.
 *
 * Every object is built with libical and written by it, never put
 * together as strings, so escaping and folding are libical's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "imipctl.h"

/* ctl_ics_new - an empty VCALENDAR with PRODID, VERSION, METHOD:PUBLISH */
icalcomponent *
ctl_ics_new(void)
{
	icalcomponent *root = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);

	if (root == NULL)
		return NULL;
	icalcomponent_add_property(root,
	    icalproperty_new_prodid("-//imip-milter//imipctl//EN"));
	icalcomponent_add_property(root, icalproperty_new_version("2.0"));
	icalcomponent_add_property(root,
	    icalproperty_new_method(ICAL_METHOD_PUBLISH));
	return root;
}

/* ctl_ics_utc - the property make builds from t, as a UTC DATE-TIME */
icalproperty *
ctl_ics_utc(icalproperty *(*make)(struct icaltimetype), int64_t t)
{
	return make(icaltime_from_timet_with_zone((time_t)t, 0,
	    icaltimezone_get_utc_timezone()));
}

/*
 * Replace in s the control characters iCalendar text may not hold (RFC
 * 5545 3.3.11: all but tab, and newline, which libical escapes).  Text
 * from mail may hold anything, and a terminal may show the output.
 */
static void
clean(char *s)
{
	for (; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n') ||
		    *s == 0x7f)
			*s = '?';
}

/* ctl_ics_text - the property make builds from s, control characters out */
icalproperty *
ctl_ics_text(icalproperty *(*make)(const char *), const char *s)
{
	icalproperty *p = NULL;
	char *copy;

	if ((copy = strdup(s)) == NULL)
		return NULL;
	clean(copy);
	p = make(copy);
	free(copy);
	return p;
}

/* ctl_ics_address - the property make builds from "mailto:address" */
icalproperty *
ctl_ics_address(icalproperty *(*make)(const char *), const char *address)
{
	icalproperty *p = NULL;
	char *uri = NULL;

	if (asprintf(&uri, "mailto:%s", address) < 0)
		return NULL;
	clean(uri);
	p = make(uri);
	free(uri);
	return p;
}

/*
 * ctl_ics_print - write root to stdout and free it; NULL (something ran
 * out of memory while it was built) fails
 */
int
ctl_ics_print(icalcomponent *root)
{
	char *text = NULL;
	int rc = CTL_OK;

	if (root == NULL || (text = icalcomponent_as_ical_string_r(root)) ==
	    NULL)
		rc = ctl_fail("out of memory");
	else
		fputs(text, stdout);
	free(text);
	if (root != NULL)
		icalcomponent_free(root);
	return rc;
}
