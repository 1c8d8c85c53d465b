/*
 * imipctl_freebusy.c - imipctl freebusy: when a calendar is busy, merged
 * and cut to a range, as a table, JSON, or an iCalendar VFREEBUSY.
 *
 * It shows times only, never summaries, organizers or UIDs, so its output
 * may go to people who must not see the meetings themselves.  --ics is
 * the free/busy of the range asked for; --ifb is the file imip-milter
 * publishes for Outlook's "Internet free/busy" address (core/publish.c
 * builds both), with the window of that file.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "freebusy.h"
#include "imipctl.h"
#include "publish.h"

#define FB_MAX_DAYS	3660	/* as freebusy_days allows */

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

enum fb_form { FB_TABLE, FB_JSON, FB_ICS, FB_IFB };

/* What the options of freebusy chose. */
struct fb_args {
	enum fb_form	 form;
	const char	*from_s, *to_s;
	long long	 days;		/* --ifb: 0 for freebusy_days */
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
 * Check what the options say together: --ifb has the window of the
 * published file (--days long), the others need --from and --to.
 */
static int
fb_check(const struct ctl_cmd *cmd, struct fb_args *a, const char *days_s)
{
	if (a->form == FB_IFB && (a->from_s != NULL || a->to_s != NULL))
		return ctl_usage_error(cmd, "--ifb has the window of the "
		    "published file; --ics takes --from and --to");
	if (days_s != NULL && a->form != FB_IFB)
		return ctl_usage_error(cmd, "--days goes with --ifb only");
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

/* The days of --ifb: --days, else freebusy_days of -c or its default. */
static int
ifb_days(const struct ctl *ctl, const struct fb_args *a, int *days)
{
	struct imip_conf *defaults = NULL;
	struct imip_err err = { 0 };

	if (a->days > 0)
		*days = (int)a->days;
	else if (ctl->conf != NULL)
		*days = ctl->conf->freebusy_days;
	else if (imip_conf_defaults(&defaults, &err) < 0)
		return ctl_fail("%s", err.msg);
	else
		*days = defaults->freebusy_days;
	imip_conf_free(defaults);
	return CTL_OK;
}

/* The VFREEBUSY of --ics (the range asked) or --ifb (the published one). */
static int
fb_ics(const struct ctl *ctl, const struct fb_args *a, struct imip_store *st,
    const struct imip_calendar *cal, time_t from, time_t to)
{
	struct imip_err err = { 0 };
	time_t now = time(NULL);
	char *text = NULL;
	int days = 0, rc;

	if (a->form == FB_ICS)
		rc = imip_fb_vcalendar(&text, st, cal, from, to, now,
		    "-//imip-milter//imipctl//EN", &err);
	else if ((rc = ifb_days(ctl, a, &days)) != CTL_OK)
		return rc;
	else
		rc = imip_publish_text(&text, st, cal, now, days, &err);
	if (rc < 0)
		rc = ctl_list_failed(&err);
	else
		fputs(text, stdout);
	free(text);
	return rc;
}

/* The periods of [from, to) as a table or JSON. */
static int
fb_list(struct imip_store *st, const struct imip_calendar *cal, bool json,
    time_t from, time_t to)
{
	struct imip_err err = { 0 };
	struct imip_fb_list l;
	int rc;

	if (imip_fb_busy(&l, st, cal, from, to, &err) < 0)
		return ctl_list_failed(&err);
	rc = fb_list_print(cal, &l, json);
	free(l.v);
	return rc;
}

/* ctl_cmd_freebusy - merged busy periods of a calendar, times only */
int
ctl_cmd_freebusy(const struct ctl *ctl, const struct ctl_cmd *cmd,
    int argc, char **argv)
{
	struct fb_args a = { .form = FB_TABLE };
	struct imip_calendar *cal = NULL;
	struct imip_store *st = NULL;
	time_t from = 0, to = 0;
	int rc;

	if ((rc = fb_opts(cmd, argc, argv, &a)) != CTL_OK)
		return rc < 0 ? CTL_OK : rc;
	if ((rc = ctl_open_cal(ctl, cmd, IMIP_STORE_READONLY, argv[optind],
	    &st, &cal)) != CTL_OK ||
	    (rc = ctl_use_zone(cal->tz)) != CTL_OK ||
	    (a.form != FB_IFB &&
	    (rc = ctl_range(cmd, a.from_s, a.to_s, &from, &to)) != CTL_OK))
		goto out;
	if (a.form == FB_ICS || a.form == FB_IFB)
		rc = fb_ics(ctl, &a, st, cal, from, to);
	else
		rc = fb_list(st, cal, a.form == FB_JSON, from, to);
out:
	imip_calendar_free(cal);
	imip_store_close(st);
	return rc;
}
