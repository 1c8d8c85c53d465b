/*
 * imipctl_schedule.c - imipctl schedule: the busy periods of one calendar
 * with what they belong to, as a table in the calendar's own time zone,
 * as JSON, or as an iCalendar object to import elsewhere (--ics).
 *
 * The iCalendar export has one VEVENT per busy period, in UTC; an instance
 * of a series carries its RECURRENCE-ID, so a client files it with the
 * other instances of that UID.  libical builds and writes it, so escaping
 * and folding are libical's.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "icaltime.h"
#include "imipctl.h"

enum schedule_form { SCHED_TABLE, SCHED_JSON, SCHED_ICS };

/* What one busy row goes into, and the error that stops the walk. */
struct schedule_out {
	enum schedule_form	 form;
	struct ctl_list		 x;		/* table or JSON */
	icalcomponent		*root;		/* --ics */
	int64_t			 now;		/* DTSTAMP */
};

/* An empty VCALENDAR with PRODID, VERSION, METHOD:PUBLISH. */
static icalcomponent *
ics_new(void)
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

/* The property make builds from s, control characters out. */
static icalproperty *
ics_text(icalproperty *(*make)(const char *), const char *s)
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

/* The property make builds from "mailto:address". */
static icalproperty *
ics_address(icalproperty *(*make)(const char *), const char *address)
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
 * Write root to stdout and free it; NULL (something ran out of memory
 * while it was built) fails.
 */
static int
ics_print(icalcomponent *root)
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

/* A row of the table, or an element of the JSON array. */
static int
busy_row(const struct imip_busy_rec *b, struct ctl_list *x)
{
	char start[32], end[32];

	if (x->json) {
		ctl_json_next(x);
		ctl_json_field("uid", b->uid, true);
		ctl_json_time("recurrence_id", b->rid);
		ctl_json_time("start", b->start);
		ctl_json_time("end", b->end);
		ctl_json_field("fbtype", b->fbtype, false);
		ctl_json_field("summary", b->summary, false);
		ctl_json_field("organizer", b->organizer, false);
		putchar('}');
		return 0;
	}
	ctl_time_local(start, sizeof(start), b->start);
	ctl_time_local(end, sizeof(end), b->end);
	return ctl_list_row(x, (const char *const[]){ start, end, b->fbtype,
	    b->summary != NULL ? b->summary : "-",
	    b->organizer != NULL ? b->organizer : "-", b->uid });
}

/* The VEVENT of one busy period: times, and who booked what. */
static icalcomponent *
busy_vevent(const struct imip_busy_rec *b, int64_t now)
{
	icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);

	if (ev == NULL)
		return NULL;
	icalcomponent_add_property(ev, ics_text(icalproperty_new_uid,
	    b->uid));
	icalcomponent_add_property(ev, imip_icaltime_prop(icalproperty_new_dtstamp,
	    now));
	if (b->rid != 0)
		icalcomponent_add_property(ev, imip_icaltime_prop(
		    icalproperty_new_recurrenceid, b->rid));
	icalcomponent_add_property(ev, imip_icaltime_prop(icalproperty_new_dtstart,
	    b->start));
	icalcomponent_add_property(ev, imip_icaltime_prop(icalproperty_new_dtend,
	    b->end));
	if (b->summary != NULL)
		icalcomponent_add_property(ev, ics_text(
		    icalproperty_new_summary, b->summary));
	if (b->organizer != NULL)
		icalcomponent_add_property(ev, ics_address(
		    icalproperty_new_organizer, b->organizer));
	icalcomponent_add_property(ev, icalproperty_new_status(
	    strcmp(b->fbtype, "BUSY-TENTATIVE") == 0 ?
	    ICAL_STATUS_TENTATIVE : ICAL_STATUS_CONFIRMED));
	icalcomponent_add_property(ev,
	    icalproperty_new_transp(ICAL_TRANSP_OPAQUE));
	return ev;
}

static int
schedule_row(const struct imip_busy_rec *b, void *arg)
{
	struct schedule_out *o = arg;
	icalcomponent *ev;

	if (o->form != SCHED_ICS)
		return busy_row(b, &o->x);
	if ((ev = busy_vevent(b, o->now)) == NULL)
		return imip_err_set(o->x.err, IMIP_ENOMEM, "out of memory");
	icalcomponent_add_component(o->root, ev);
	return 0;
}

/* Start the output: a title line and header row, "[", or a VCALENDAR. */
static int
schedule_start(struct schedule_out *o, const struct imip_calendar *cal,
    time_t from, time_t to)
{
	static const char *const header[] = { "start", "end", "fbtype",
	    "summary", "organizer", "uid" };
	char a[32], b[32];

	if (o->form == SCHED_ICS) {
		if ((o->root = ics_new()) == NULL)
			return imip_err_set(o->x.err, IMIP_ENOMEM, "out of "
			    "memory");
		return IMIP_OK;
	}
	if (o->form == SCHED_TABLE) {
		ctl_time_local(a, sizeof(a), from);
		ctl_time_local(b, sizeof(b), to);
		printf("%s (%s), %s to %s\n", cal->address, cal->tz, a, b);
	}
	return ctl_list_start(&o->x, 6, header);
}

/* Print the schedule of cal, whose zone is the process's TZ by now. */
static int
schedule_print(struct imip_store *st, const struct imip_calendar *cal,
    enum schedule_form form, time_t from, time_t to)
{
	struct imip_err err = { 0 };
	struct schedule_out o = { .form = form, .x = { .err = &err,
	    .json = form == SCHED_JSON }, .now = (int64_t)time(NULL) };
	int rc;

	if (schedule_start(&o, cal, from, to) < 0 ||
	    imip_store_busy_overlapping(st, cal->id, from, to, NULL,
	    schedule_row, &o, &err) < 0) {
		rc = ctl_list_failed(&err);
		goto out;
	}
	if (form == SCHED_ICS) {
		rc = ics_print(o.root);
		o.root = NULL;			/* printed and freed */
		goto out;
	}
	ctl_list_end(&o.x, "no bookings");
	rc = CTL_OK;
out:
	if (o.root != NULL)
		icalcomponent_free(o.root);
	ctl_table_fini(&o.x.t);
	return rc;
}

/* The options of schedule; -1 once --help is printed. */
static int
schedule_opts(const struct ctl_cmd *cmd, int argc, char **argv,
    const char **from_s, const char **to_s, enum schedule_form *form)
{
	static const struct option lo[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
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
		else if ((c == 'j' || c == 'i') && *form != SCHED_TABLE)
			return ctl_usage_error(cmd, "--json and --ics exclude "
			    "each other");
		else if (c == 'j' || c == 'i')
			*form = c == 'j' ? SCHED_JSON : SCHED_ICS;
		else
			return (rc = ctl_opt_other(cmd, c, argv)) != CTL_OK ?
			    rc : -1;
	}
	return ctl_operands(cmd, argc, argv, 1, "ADDRESS");
}

/* ctl_cmd_schedule - the busy periods of one calendar */
int
ctl_cmd_schedule(const struct ctl *ctl, const struct ctl_cmd *cmd,
    int argc, char **argv)
{
	const char *from_s = NULL, *to_s = NULL;
	enum schedule_form form = SCHED_TABLE;
	struct imip_calendar *cal = NULL;
	struct imip_store *st = NULL;
	time_t from, to;
	int rc;

	if ((rc = schedule_opts(cmd, argc, argv, &from_s, &to_s, &form)) !=
	    CTL_OK)
		return rc < 0 ? CTL_OK : rc;
	if ((rc = ctl_open_cal(ctl, cmd, IMIP_STORE_READONLY, argv[optind],
	    &st, &cal)) != CTL_OK ||
	    (rc = ctl_use_zone(cal->tz)) != CTL_OK ||
	    (rc = ctl_range(cmd, from_s, to_s, &from, &to)) != CTL_OK)
		goto out;
	rc = schedule_print(st, cal, form, from, to);
out:
	imip_calendar_free(cal);
	imip_store_close(st);
	return rc;
}
