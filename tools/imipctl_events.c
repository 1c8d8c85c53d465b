/*
 * imipctl_events.c - read-only views of what the filter keeps: the events
 * a calendar knows, and the decision journal (imipctl_freebusy.c: the
 * free/busy time).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "imipctl.h"

#define JOURNAL_LIMIT_MAX	1000000

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
	    (rc = ctl_open_cal(ctl, cmd, IMIP_STORE_READONLY, argv[optind],
	    &st, &cal)) != CTL_OK ||
	    (rc = ctl_use_zone(cal->tz)) != CTL_OK)
		goto out;
	if (ctl_list_start(&x, 8, header) < 0 ||
	    imip_store_event_foreach(st, cal->id, event_row, &x, &err) < 0) {
		rc = ctl_list_failed(&err);
		goto out;
	}
	ctl_list_end(&x, "no events");
out:
	ctl_table_fini(&x.t);
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
	time_t from = 0, to = 0;
	long long n;
	int rc;

	if ((from_s != NULL &&
	    (rc = ctl_time_arg(cmd, "--from", from_s, false, &from)) != 0) ||
	    (to_s != NULL &&
	    (rc = ctl_time_arg(cmd, "--to", to_s, true, &to)) != CTL_OK))
		return rc;
	if (from_s != NULL && to_s != NULL && from >= to)
		return ctl_usage_error(cmd, "--from must be before --to");
	a->f.from = from;
	a->f.to = to;
	if (limit_s != NULL) {
		if ((rc = ctl_num_arg(cmd, "--limit", limit_s, 1,
		    JOURNAL_LIMIT_MAX, &n)) != CTL_OK)
			return rc;
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
	struct imip_store *st = NULL;
	char *addr = NULL;
	int rc;

	if ((rc = ctl_use_zone("UTC")) != CTL_OK ||
	    (rc = journal_opts(cmd, argc, argv, &a)) != CTL_OK)
		return rc < 0 ? CTL_OK : rc;
	x.json = a.json;
	/*
	 * Any address, not only a calendar's: the journal keeps the rows of
	 * calendars removed or renamed since.
	 */
	if (a.address != NULL && imip_addr_norm(&addr, a.address, &err) < 0) {
		rc = ctl_store_fail(cmd, &err);
		goto out;
	}
	a.f.calendar = addr;
	if ((rc = ctl_open(ctl, IMIP_STORE_READONLY, &st)) != CTL_OK)
		goto out;
	if (ctl_list_start(&x, 9, header) < 0 ||
	    imip_store_journal_query(st, &a.f, journal_row, &x, &err) < 0) {
		rc = ctl_list_failed(&err);
		goto out;
	}
	ctl_list_end(&x, "no journal entries");
out:
	ctl_table_fini(&x.t);
	free(addr);
	imip_store_close(st);
	return rc;
}
