/*
 * imipctl_events.c - read-only views of what the filter keeps: the events
 * a calendar knows, its free/busy time, and the decision journal.
 *
 * freebusy shows times only, never summaries, organizers or UIDs, so its
 * output (a table, or a VFREEBUSY that libical writes) may go to people
 * who must not see the meetings themselves.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "freebusy.h"
#include "imipctl.h"

#define JOURNAL_LIMIT_MAX	1000000

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

/* Open the database read-only and find the calendar of address. */
static int
open_cal(const struct ctl *ctl, const char *address, struct imip_store **st,
    struct imip_calendar **cal)
{
	struct imip_err err = { 0 };
	int rc;

	if ((rc = ctl_open(ctl, IMIP_STORE_READONLY, st)) != CTL_OK)
		return rc;
	if (imip_store_calendar_find(*st, address, cal, &err) < 0)
		return ctl_fail("%s", err.msg);
	return CTL_OK;
}

/* The failure of a listing: the store's message, or out of memory. */
static int
list_failed(const struct imip_err *err)
{
	return ctl_fail("%s", err->msg[0] != '\0' ? err->msg :
	    "out of memory");
}

/* t in the process's zone, or "-" for 0 (not recorded). */
static void
time_or_dash(char *buf, size_t len, int64_t t)
{
	if (t == 0)
		snprintf(buf, len, "-");
	else
		ctl_time_local(buf, len, t);
}

/* s, or "-" for a missing value in a table. */
static const char *
dash(const char *s)
{
	return s != NULL ? s : "-";
}

static int
event_row(const struct imip_event_entry *e, void *arg)
{
	struct ctl_list *x = arg;
	char rid[32], seq[16], updated[32];

	snprintf(seq, sizeof(seq), "%d", e->sequence);
	if (!x->json) {
		time_or_dash(rid, sizeof(rid), e->recurrence_id);
		time_or_dash(updated, sizeof(updated), e->updated);
		return ctl_list_row(x, (const char *const[]){ e->uid, rid,
		    dash(e->organizer), dash(e->summary), seq, e->partstat,
		    e->status, updated });
	}
	ctl_json_next(x);
	ctl_json_field("uid", e->uid, true);
	ctl_json_time("recurrence_id", e->recurrence_id);
	ctl_json_field("organizer", e->organizer, false);
	ctl_json_field("summary", e->summary, false);
	printf(", \"sequence\": %s", seq);
	ctl_json_field("partstat", e->partstat, false);
	ctl_json_field("status", e->status, false);
	ctl_json_time("updated", e->updated);
	putchar('}');
	return 0;
}

/* ctl_cmd_events - the events one calendar knows, newest first */
int
ctl_cmd_events(const struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const header[] = { "uid", "recurrence-id",
	    "organizer", "summary", "seq", "partstat", "status", "updated" };
	struct imip_err err = { 0 };
	struct ctl_list x = { .err = &err };
	struct imip_calendar *cal = NULL;
	struct imip_store *st = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (c != 'j')
			return ctl_opt_other(cmd, c, argv);
		x.json = true;
	}
	if ((rc = ctl_operands(cmd, argc, argv, 1, "ADDRESS")) != CTL_OK ||
	    (rc = open_cal(ctl, argv[optind], &st, &cal)) != CTL_OK ||
	    (rc = ctl_use_zone(cal->tz)) != CTL_OK)
		goto out;
	if (ctl_list_start(&x, 8, header) < 0 ||
	    imip_store_event_foreach(st, cal->id, event_row, &x, &err) < 0) {
		rc = list_failed(&err);
		goto out;
	}
	ctl_list_end(&x, "no events");
out:
	ctl_table_fini(&x.t);
	imip_calendar_free(cal);
	imip_store_close(st);
	return rc;
}

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
		rc = list_failed(&err);
	for (size_t i = 0; rc == CTL_OK && i < l->n; i++) {
		ctl_time_local(a, sizeof(a), l->v[i].period.start);
		ctl_time_local(b, sizeof(b), l->v[i].period.end);
		if (ctl_list_row(&x, (const char *const[]){ a, b,
		    imip_fbtype_name(l->v[i].type) }) < 0)
			rc = list_failed(&err);
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
	if ((rc = open_cal(ctl, argv[optind], &st, &cal)) != CTL_OK ||
	    (rc = ctl_use_zone(cal->tz)) != CTL_OK ||
	    (rc = ctl_range(cmd, from_s, to_s, &from, &to)) != CTL_OK)
		goto out;
	l.l.range.start = from;
	l.l.range.end = to;
	if (imip_store_busy_overlapping(st, cal->id, from, to, NULL, fb_add,
	    &l, &err) < 0) {
		rc = list_failed(&err);
		goto out;
	}
	rc = ics ? fb_ics(cal, &l.l) : fb_table(cal, &l.l);
out:
	free(l.l.v);
	imip_calendar_free(cal);
	imip_store_close(st);
	return rc;
}

static int
journal_row(const struct imip_journal_rec *j, void *arg)
{
	struct ctl_list *x = arg;
	char at[32];

	if (!x->json) {
		ctl_time_utc(at, sizeof(at), j->at, false);
		return ctl_list_row(x, (const char *const[]){ at,
		    dash(j->queue_id), dash(j->calendar), dash(j->uid),
		    dash(j->method), dash(j->sender), dash(j->decision),
		    dash(j->trust), dash(j->reason) });
	}
	ctl_json_next(x);
	ctl_json_field("queue_id", j->queue_id, true);
	ctl_json_time("at", j->at);
	ctl_json_field("calendar", j->calendar, false);
	ctl_json_field("uid", j->uid, false);
	ctl_json_field("method", j->method, false);
	ctl_json_field("sender", j->sender, false);
	ctl_json_field("decision", j->decision, false);
	ctl_json_field("reason", j->reason, false);
	ctl_json_field("trust", j->trust, false);
	putchar('}');
	return 0;
}

/* What the options of journal chose; times are read in UTC. */
struct journal_args {
	struct imip_journal_filter f;
	const char	*address;	/* NULL: every calendar */
	bool		 json;
};

/* Check --from, --to and --limit once the options are read. */
static int
journal_check(const struct ctl_cmd *cmd, struct journal_args *a,
    const char *from_s, const char *to_s, const char *limit_s)
{
	time_t t = 0;
	char *end;
	long n;

	if (from_s != NULL && ctl_time_parse(from_s, false, &t) < 0)
		return ctl_usage_error(cmd, "--from: want YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM, not '%s'", from_s);
	a->f.from = from_s != NULL ? t : 0;
	if (to_s != NULL && ctl_time_parse(to_s, true, &t) < 0)
		return ctl_usage_error(cmd, "--to: want YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM, not '%s'", to_s);
	a->f.to = to_s != NULL ? t : 0;
	if (from_s != NULL && to_s != NULL && a->f.from >= a->f.to)
		return ctl_usage_error(cmd, "--from must be before --to");
	if (limit_s != NULL) {
		n = strtol(limit_s, &end, 10);
		if (*limit_s < '0' || *limit_s > '9' || *end != '\0' ||
		    n < 1 || n > JOURNAL_LIMIT_MAX)
			return ctl_usage_error(cmd, "--limit: want a number "
			    "from 1 to %d, not '%s'", JOURNAL_LIMIT_MAX,
			    limit_s);
		a->f.limit = (int)n;
	}
	return CTL_OK;
}

/* Options and operand of journal; -1 once --help is printed. */
static int
journal_opts(const struct ctl_cmd *cmd, int argc, char **argv,
    struct journal_args *a)
{
	static const struct option lo[] = {
		{ "uid", required_argument, NULL, 'u' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "limit", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *from_s = NULL, *to_s = NULL, *limit_s = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (c == 'u')
			a->f.uid = optarg;
		else if (c == 'f')
			from_s = optarg;
		else if (c == 't')
			to_s = optarg;
		else if (c == 'n')
			limit_s = optarg;
		else if (c == 'j')
			a->json = true;
		else
			return (rc = ctl_opt_other(cmd, c, argv)) != CTL_OK ?
			    rc : -1;
	}
	if (argc - optind > 1)
		return ctl_usage_error(cmd, "unexpected argument '%s'",
		    argv[optind + 1]);
	a->address = argc > optind ? argv[optind] : NULL;
	return journal_check(cmd, a, from_s, to_s, limit_s);
}

/* ctl_cmd_journal - the filter's decisions, newest first */
int
ctl_cmd_journal(const struct ctl *ctl, const struct ctl_cmd *cmd,
    int argc, char **argv)
{
	static const char *const header[] = { "at", "queue-id", "calendar",
	    "uid", "method", "sender", "decision", "trust", "reason" };
	struct journal_args a = { .f = { 0 } };
	struct imip_err err = { 0 };
	struct ctl_list x = { .err = &err };
	struct imip_calendar *cal = NULL;
	struct imip_store *st = NULL;
	int rc;

	if ((rc = ctl_use_zone("UTC")) != CTL_OK ||
	    (rc = journal_opts(cmd, argc, argv, &a)) != CTL_OK)
		return rc < 0 ? CTL_OK : rc;
	x.json = a.json;
	if (a.address != NULL)
		rc = open_cal(ctl, a.address, &st, &cal);
	else
		rc = ctl_open(ctl, IMIP_STORE_READONLY, &st);
	if (rc != CTL_OK)
		goto out;
	a.f.calendar = cal != NULL ? cal->address : NULL;
	if (ctl_list_start(&x, 9, header) < 0 ||
	    imip_store_journal_query(st, &a.f, journal_row, &x, &err) < 0) {
		rc = list_failed(&err);
		goto out;
	}
	ctl_list_end(&x, "no journal entries");
out:
	ctl_table_fini(&x.t);
	imip_calendar_free(cal);
	imip_store_close(st);
	return rc;
}
