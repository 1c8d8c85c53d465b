/*
 * imipctl_freebusy.c - imipctl freebusy: when a calendar is busy, merged
 * and cut to a range, as a table or as an iCalendar VFREEBUSY.
 *
 * It shows times only, never summaries, organizers or UIDs, so its output
 * may go to people who must not see the meetings themselves.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "freebusy.h"
#include "imipctl.h"

/* libical's names of the free/busy types of freebusy.h. */
static const icalparameter_fbtype ical_fbtypes[] = {
	[IMIP_FB_BUSY] = ICAL_FBTYPE_BUSY,
	[IMIP_FB_TENTATIVE] = ICAL_FBTYPE_BUSYTENTATIVE,
	[IMIP_FB_UNAVAILABLE] = ICAL_FBTYPE_BUSYUNAVAILABLE,
};

/* The merged busy periods of a range, and the error that stopped them. */
struct fb_list {
	struct imip_fb_list	 l;
	struct imip_err		*err;
};

/* Each busy row the store finds, merged into l (freebusy.h). */
static int
fb_add(const struct imip_busy_rec *b, void *arg)
{
	struct fb_list *l = arg;

	if (imip_fb_add(&l->l, (struct imip_period){ b->start, b->end },
	    imip_fbtype_parse(b->fbtype)))
		return 0;
	return imip_err_set(l->err, IMIP_ENOMEM, "out of memory");
}

/* The periods as a table in the calendar's zone (the process's TZ). */
static int
fb_table(const struct imip_calendar *cal, const struct imip_fb_list *l)
{
	static const char *const header[] = { "start", "end", "fbtype" };
	struct imip_err err = { 0 };
	struct ctl_list x = { .err = &err };
	char a[32], b[32];
	int rc = CTL_OK;

	ctl_time_local(a, sizeof(a), l->range.start);
	ctl_time_local(b, sizeof(b), l->range.end);
	printf("%s (%s), %s to %s\n", cal->address, cal->tz, a, b);
	if (ctl_list_start(&x, 3, header) < 0)
		rc = ctl_list_failed(&err);
	for (size_t i = 0; rc == CTL_OK && i < l->n; i++) {
		ctl_time_local(a, sizeof(a), l->v[i].period.start);
		ctl_time_local(b, sizeof(b), l->v[i].period.end);
		if (ctl_list_row(&x, (const char *const[]){ a, b,
		    imip_fbtype_name(l->v[i].type) }) < 0)
			rc = ctl_list_failed(&err);
	}
	if (rc == CTL_OK)
		ctl_list_end(&x, "no busy periods");
	ctl_table_fini(&x.t);
	return rc;
}

static icalproperty *
utc_prop(icalproperty *(*make)(struct icaltimetype), int64_t t)
{
	return make(icaltime_from_timet_with_zone((time_t)t, 0,
	    icaltimezone_get_utc_timezone()));
}

static icalproperty *
fb_prop(const struct imip_fb_period *f)
{
	icaltimezone *utc = icaltimezone_get_utc_timezone();
	struct icalperiodtype per;
	icalproperty *p;

	memset(&per, 0, sizeof(per));
	per.start = icaltime_from_timet_with_zone((time_t)f->period.start, 0, utc);
	per.end = icaltime_from_timet_with_zone((time_t)f->period.end, 0, utc);
	per.duration = icaldurationtype_null_duration();
	p = icalproperty_new_freebusy(per);
	icalproperty_add_parameter(p,
	    icalparameter_new_fbtype(ical_fbtypes[f->type]));
	return p;
}

/*
 * The VFREEBUSY (RFC 5546 3.3.1, PUBLISH) of l for cal; the UID names the
 * calendar and range, never an event.  NULL if out of memory.
 */
static icalcomponent *
fb_vfreebusy(const struct imip_calendar *cal, const struct imip_fb_list *l,
    char *uri, time_t now)
{
	icalcomponent *fb = icalcomponent_new(ICAL_VFREEBUSY_COMPONENT);
	char uid[96];

	if (fb == NULL)
		return NULL;
	snprintf(uid, sizeof(uid), "freebusy-%lld-%lld-%lld@imipctl",
	    (long long)cal->id, (long long)l->range.start,
	    (long long)l->range.end);
	icalcomponent_add_property(fb, icalproperty_new_uid(uid));
	icalcomponent_add_property(fb, utc_prop(icalproperty_new_dtstamp,
	    now));
	icalcomponent_add_property(fb, utc_prop(icalproperty_new_dtstart,
	    l->range.start));
	icalcomponent_add_property(fb, utc_prop(icalproperty_new_dtend,
	    l->range.end));
	icalcomponent_add_property(fb, icalproperty_new_organizer(uri));
	for (size_t i = 0; i < l->n; i++)
		icalcomponent_add_property(fb, fb_prop(&l->v[i]));
	return fb;
}

/* The periods as a complete iCalendar object on stdout. */
static int
fb_ics(const struct imip_calendar *cal, const struct imip_fb_list *l)
{
	icalcomponent *root = NULL, *fb = NULL;
	char *uri = NULL, *text = NULL;
	int rc = CTL_FAIL;

	if (asprintf(&uri, "mailto:%s", cal->address) < 0) {
		uri = NULL;
		goto out;
	}
	if ((root = icalcomponent_new(ICAL_VCALENDAR_COMPONENT)) == NULL ||
	    (fb = fb_vfreebusy(cal, l, uri, time(NULL))) == NULL)
		goto out;
	icalcomponent_add_property(root,
	    icalproperty_new_prodid("-//imip-milter//imipctl//EN"));
	icalcomponent_add_property(root, icalproperty_new_version("2.0"));
	icalcomponent_add_property(root,
	    icalproperty_new_method(ICAL_METHOD_PUBLISH));
	icalcomponent_add_component(root, fb);
	fb = NULL;			/* root owns it now */
	if ((text = icalcomponent_as_ical_string_r(root)) == NULL)
		goto out;
	fputs(text, stdout);
	rc = CTL_OK;
out:
	if (rc != CTL_OK)
		ctl_fail("out of memory");
	free(text);
	if (fb != NULL)
		icalcomponent_free(fb);
	if (root != NULL)
		icalcomponent_free(root);
	free(uri);
	return rc;
}

/* Options of freebusy: --from, --to (both required), --ics. */
static int
fb_opts(const struct ctl_cmd *cmd, int argc, char **argv,
    const char **from_s, const char **to_s, bool *ics)
{
	static const struct option lo[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "ics", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (c == 'f')
			*from_s = optarg;
		else if (c == 't')
			*to_s = optarg;
		else if (c == 'i')
			*ics = true;
		else if ((rc = ctl_opt_other(cmd, c, argv)) != CTL_OK)
			return rc;
		else
			return -1;	/* --help printed */
	}
	if ((rc = ctl_operands(cmd, argc, argv, 1, "ADDRESS")) != CTL_OK)
		return rc;
	if (*from_s == NULL || *to_s == NULL)
		return ctl_usage_error(cmd, "--from and --to are required");
	return CTL_OK;
}

/* ctl_cmd_freebusy - merged busy periods of a calendar, times only */
int
ctl_cmd_freebusy(const struct ctl *ctl, const struct ctl_cmd *cmd,
    int argc, char **argv)
{
	const char *from_s = NULL, *to_s = NULL;
	struct imip_err err = { 0 };
	struct fb_list l = { .err = &err };
	struct imip_calendar *cal = NULL;
	struct imip_store *st = NULL;
	time_t from, to;
	bool ics = false;
	int rc;

	if ((rc = fb_opts(cmd, argc, argv, &from_s, &to_s, &ics)) != CTL_OK)
		return rc < 0 ? CTL_OK : rc;
	if ((rc = ctl_open_cal(ctl, cmd, IMIP_STORE_READONLY, argv[optind],
	    &st, &cal)) != CTL_OK ||
	    (rc = ctl_use_zone(cal->tz)) != CTL_OK ||
	    (rc = ctl_range(cmd, from_s, to_s, &from, &to)) != CTL_OK)
		goto out;
	l.l.range.start = from;
	l.l.range.end = to;
	if (imip_store_busy_overlapping(st, cal->id, from, to, NULL, fb_add,
	    &l, &err) < 0) {
		rc = ctl_list_failed(&err);
		goto out;
	}
	rc = ics ? fb_ics(cal, &l.l) : fb_table(cal, &l.l);
out:
	free(l.l.v);
	imip_calendar_free(cal);
	imip_store_close(st);
	return rc;
}
