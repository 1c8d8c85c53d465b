/*
 * schedule_fb.c - answer a VFREEBUSY REQUEST with the calendar's busy
 * periods in the asked range (RFC 5546 3.3), if the calendar shares them.
 *
 * The answer holds times only: no summaries, no organizers, no UIDs.
 * Periods of the same type that touch or overlap are merged, so the reply
 * says no more than "busy from .. to ..".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "publish.h"
#include "schedule_int.h"

/* Longest range one request may ask about: a year and a day. */
#define FB_RANGE_MAX	(366 * 86400)

static char *
fb_text(const struct job *j, size_t n)
{
	const char *who = j->cal->name != NULL ? j->cal->name :
	    j->cal->address;
	char *text = NULL;

	if (asprintf(&text, "Free/busy information of %s: %zu busy "
	    "period%s in the requested range.\n", who, n, n == 1 ? "" :
	    "s") < 0)
		return NULL;
	return text;
}

/* Queue the VFREEBUSY REPLY listing l's periods. */
static int
fb_queue(struct job *j, const struct imip_fb_list *l)
{
	struct imip_itip asked = *j->it;
	struct imip_reply_spec spec = {
		.request = &asked, .partstat = "ACCEPTED",
		.status_major = 2, .status_minor = 0,
		.status_text = "Success", .busy = l->v, .nbusy = l->n,
	};

	asked.start = l->range.start;	/* the range actually answered */
	asked.end = l->range.end;
	return sched_queue(j, &spec, fb_text(j, l->n));
}

/* sched_freebusy - a VFREEBUSY object sent to the calendar */
int
sched_freebusy(struct job *j)
{
	struct imip_fb_list fb = { .range = { j->it->start, j->it->end } };
	struct imip_fb_list *l = &fb;
	int rc;

	if (j->it->method != IMIP_METHOD_REQUEST)
		return sched_decide(j, "IGNORED", 0, 0, "VFREEBUSY %s is not "
		    "handled", imip_method_name(j->it->method));
	if (imip_itip_attendee(j->it, j->cal->address) == NULL)
		return sched_decide(j, "IGNORED", 0, 0, "not an attendee");
	if (!j->cal->share_freebusy)
		return sched_decide(j, "IGNORED", 0, 0, "free/busy is not "
		    "shared");
	if (!j->ctx->may_reply || j->it->organizer == NULL)
		return sched_decide(j, "IGNORED", 0, 0, "no one to answer");
	if (l->range.end - l->range.start > FB_RANGE_MAX)
		l->range.end = l->range.start + FB_RANGE_MAX;
	rc = imip_fb_busy(l, j->st, j->cal, l->range.start, l->range.end,
	    j->err);
	if (rc == IMIP_OK && (rc = sched_decide(j, "ANSWERED", 2, 0,
	    "%zu busy period%s%s", l->n, l->n == 1 ? "" : "s",
	    l->range.end < j->it->end ? ", range cut to 366 days" : "")) ==
	    IMIP_OK)
		rc = fb_queue(j, l);
	free(l->v);
	return rc;
}
