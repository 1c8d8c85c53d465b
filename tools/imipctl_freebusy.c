/*
 * imipctl_freebusy.c - imipctl freebusy: when a calendar is busy, merged
 * and cut to a range, as a table, JSON, or an iCalendar VFREEBUSY.
 *
 * It shows times only, never summaries, organizers or UIDs, so its output
 * may go to people who must not see the meetings themselves.  --ics is
 * the free/busy of the range asked for; --ifb is what Outlook's "Internet
 * free/busy" address expects to fetch, so it has a window of its own
 * (today and the next days) and a UID that stays the same.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libical/ical.h>

#include "freebusy.h"
#include "imipctl.h"

#define FB_DEFAULT_DAYS	60	/* Outlook publishes two months */
#define FB_MAX_DAYS	366	/* as much as a VFREEBUSY request may ask */

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

/* The periods as a table in the calendar's zone, or JSON in UTC. */
static int
fb_list_print(const struct imip_calendar *cal, const struct imip_fb_list *l,
    bool json)
{
	static const char *const header[] = { "start", "end", "fbtype" };
	struct imip_err err = { 0 };
	struct ctl_list x = { .err = &err, .json = json };
	const struct imip_fb_period *f;
	char a[32], b[32];
	int rc = CTL_OK;

	ctl_time_local(a, sizeof(a), l->range.start);
	ctl_time_local(b, sizeof(b), l->range.end);
	if (!json)
		printf("%s (%s), %s to %s\n", cal->address, cal->tz, a, b);
	if (ctl_list_start(&x, 3, header) < 0)
		rc = ctl_list_failed(&err);
	for (size_t i = 0; rc == CTL_OK && i < l->n; i++) {
		f = &l->v[i];
		if (json) {
			ctl_json_next(&x);
			ctl_json_field("fbtype", imip_fbtype_name(f->type),
			    true);
			ctl_json_time("start", f->period.start);
			ctl_json_time("end", f->period.end);
			putchar('}');
			continue;
		}
		ctl_time_local(a, sizeof(a), f->period.start);
		ctl_time_local(b, sizeof(b), f->period.end);
		if (ctl_list_row(&x, (const char *const[]){ a, b,
		    imip_fbtype_name(f->type) }) < 0)
			rc = ctl_list_failed(&err);
	}
	if (rc == CTL_OK)
		ctl_list_end(&x, "no busy periods");
	ctl_table_fini(&x.t);
	return rc;
}

static icalproperty *
fb_prop(const struct imip_fb_period *f)
{
	icaltimezone *utc = icaltimezone_get_utc_timezone();
	struct icalperiodtype per;
	icalproperty *p;

	memset(&per, 0, sizeof(per));
	per.start = icaltime_from_timet_with_zone((time_t)f->period.start, 0,
	    utc);
	per.end = icaltime_from_timet_with_zone((time_t)f->period.end, 0,
	    utc);
	per.duration = icaldurationtype_null_duration();
	if ((p = icalproperty_new_freebusy(per)) != NULL)
		icalproperty_add_parameter(p,
		    icalparameter_new_fbtype(ical_fbtypes[f->type]));
	return p;
}

/*
 * The VFREEBUSY (RFC 5546 3.3.1, PUBLISH) of l for cal, never naming an
 * event.  The UID of --ics names the calendar and the range; that of
 * --ifb only the calendar, as it is one publication replaced over time.
 */
static icalcomponent *
fb_vfreebusy(const struct imip_calendar *cal, const struct imip_fb_list *l,
    bool ifb, time_t now)
{
	icalcomponent *fb = icalcomponent_new(ICAL_VFREEBUSY_COMPONENT);
	char uid[96];

	if (fb == NULL)
		return NULL;
	if (ifb)
		snprintf(uid, sizeof(uid), "freebusy-%lld@imipctl",
		    (long long)cal->id);
	else
		snprintf(uid, sizeof(uid), "freebusy-%lld-%lld-%lld@imipctl",
		    (long long)cal->id, (long long)l->range.start,
		    (long long)l->range.end);
	icalcomponent_add_property(fb, icalproperty_new_uid(uid));
	icalcomponent_add_property(fb, ctl_ics_utc(icalproperty_new_dtstamp,
	    now));
	icalcomponent_add_property(fb, ctl_ics_utc(icalproperty_new_dtstart,
	    l->range.start));
	icalcomponent_add_property(fb, ctl_ics_utc(icalproperty_new_dtend,
	    l->range.end));
	icalcomponent_add_property(fb, ctl_ics_address(
	    icalproperty_new_organizer, cal->address));
	for (size_t i = 0; i < l->n; i++)
		icalcomponent_add_property(fb, fb_prop(&l->v[i]));
	return fb;
}

/* The periods as a complete iCalendar object on stdout. */
static int
fb_ics(const struct imip_calendar *cal, const struct imip_fb_list *l,
    bool ifb)
{
	icalcomponent *root = ctl_ics_new(), *fb = NULL;

	if (root != NULL &&
	    (fb = fb_vfreebusy(cal, l, ifb, time(NULL))) == NULL) {
		icalcomponent_free(root);
		root = NULL;
	}
	if (root != NULL)
		icalcomponent_add_component(root, fb);
	return ctl_ics_print(root);
}

enum fb_form { FB_TABLE, FB_JSON, FB_ICS, FB_IFB };

/* What the options of freebusy chose. */
struct fb_args {
	enum fb_form	 form;
	const char	*from_s, *to_s;
	long long	 days;		/* --ifb window without --to */
};

/* Record the output form c (j, i or b) asked for; one at most. */
static int
fb_form(const struct ctl_cmd *cmd, struct fb_args *a, int c)
{
	if (a->form != FB_TABLE)
		return ctl_usage_error(cmd, "--json, --ics and --ifb exclude "
		    "each other");
	a->form = c == 'j' ? FB_JSON : c == 'i' ? FB_ICS : FB_IFB;
	return CTL_OK;
}

/*
 * Check what the options say together: --from and --to are required but
 * with --ifb, whose window is --days long (from today) without them.
 */
static int
fb_check(const struct ctl_cmd *cmd, struct fb_args *a, const char *days_s)
{
	if (days_s != NULL && a->form != FB_IFB)
		return ctl_usage_error(cmd, "--days goes with --ifb only");
	if (days_s != NULL && a->to_s != NULL)
		return ctl_usage_error(cmd, "--days and --to exclude each "
		    "other");
	if (a->form != FB_IFB && (a->from_s == NULL || a->to_s == NULL))
		return ctl_usage_error(cmd, "--from and --to are required "
		    "(but with --ifb)");
	if (days_s != NULL)
		return ctl_num_arg(cmd, "--days", days_s, 1, FB_MAX_DAYS,
		    &a->days);
	return CTL_OK;
}

/* Options of freebusy; -1 once --help is printed. */
static int
fb_opts(const struct ctl_cmd *cmd, int argc, char **argv,
    struct fb_args *a)
{
	static const struct option lo[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "days", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "ics", no_argument, NULL, 'i' },
		{ "ifb", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *days_s = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (c == 'f')
			a->from_s = optarg;
		else if (c == 't')
			a->to_s = optarg;
		else if (c == 'd')
			days_s = optarg;
		else if (c == 'j' || c == 'i' || c == 'b') {
			if ((rc = fb_form(cmd, a, c)) != CTL_OK)
				return rc;
		} else
			return (rc = ctl_opt_other(cmd, c, argv)) != CTL_OK ?
			    rc : -1;
	}
	if ((rc = ctl_operands(cmd, argc, argv, 1, "ADDRESS")) != CTL_OK)
		return rc;
	return fb_check(cmd, a, days_s);
}

/*
 * The range of a: --from and --to, or for --ifb from --from (else the
 * start of today) for --days days; in the zone now set.
 */
static int
fb_range(const struct ctl_cmd *cmd, const struct fb_args *a, time_t *from,
    time_t *to)
{
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	if (a->form != FB_IFB || a->to_s != NULL)
		return ctl_range(cmd, a->from_s, a->to_s, from, to);
	if (a->from_s != NULL) {
		if ((rc = ctl_time_arg(cmd, "--from", a->from_s, false,
		    from)) != CTL_OK)
			return rc;
	} else {
		localtime_r(&now, &tm);
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_isdst = -1;
		*from = mktime(&tm);
	}
	localtime_r(from, &tm);
	tm.tm_mday += (int)a->days;	/* whole days, across DST changes */
	tm.tm_isdst = -1;
	*to = mktime(&tm);
	return CTL_OK;
}

/* ctl_cmd_freebusy - merged busy periods of a calendar, times only */
int
ctl_cmd_freebusy(const struct ctl *ctl, const struct ctl_cmd *cmd,
    int argc, char **argv)
{
	struct fb_args a = { .form = FB_TABLE, .days = FB_DEFAULT_DAYS };
	struct imip_err err = { 0 };
	struct fb_list l = { .err = &err };
	struct imip_calendar *cal = NULL;
	struct imip_store *st = NULL;
	time_t from, to;
	int rc;

	if ((rc = fb_opts(cmd, argc, argv, &a)) != CTL_OK)
		return rc < 0 ? CTL_OK : rc;
	if ((rc = ctl_open_cal(ctl, cmd, IMIP_STORE_READONLY, argv[optind],
	    &st, &cal)) != CTL_OK ||
	    (rc = ctl_use_zone(cal->tz)) != CTL_OK ||
	    (rc = fb_range(cmd, &a, &from, &to)) != CTL_OK)
		goto out;
	l.l.range.start = from;
	l.l.range.end = to;
	if (imip_store_busy_overlapping(st, cal->id, from, to, NULL, fb_add,
	    &l, &err) < 0) {
		rc = ctl_list_failed(&err);
		goto out;
	}
	if (a.form == FB_ICS || a.form == FB_IFB)
		rc = fb_ics(cal, &l.l, a.form == FB_IFB);
	else
		rc = fb_list_print(cal, &l.l, a.form == FB_JSON);
out:
	free(l.l.v);
	imip_calendar_free(cal);
	imip_store_close(st);
	return rc;
}
