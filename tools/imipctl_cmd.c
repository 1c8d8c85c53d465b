/*
 * imipctl_cmd.c - the commands of imipctl: init, calendar add and list,
 * schedule, outbox list (imipctl_events.c: events, freebusy, journal).
 *
 * Each parses its own options after the command words, opens the database
 * (read-only when it only lists) and returns a CTL_ exit code.  All SQL is
 * behind core/store.h; the clock is read here, never in core.
 */
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "imipctl.h"

#define DAY	86400

/* ctl_operands - require exactly want operands after the options */
int
ctl_operands(const struct ctl_cmd *cmd, int argc, char **argv, int want,
    const char *what)
{
	if (argc - optind < want)
		return ctl_usage_error(cmd, "missing %s", what);
	if (argc - optind > want)
		return ctl_usage_error(cmd, "unexpected argument '%s'",
		    argv[optind + want]);
	return CTL_OK;
}

/* ctl_cmd_init - create or migrate the database */
int
ctl_cmd_init(const struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct imip_store *st = NULL;
	int c, rc;

	if ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1)
		return ctl_opt_other(cmd, c, argv);
	if ((rc = ctl_operands(cmd, argc, argv, 0, "")) != CTL_OK ||
	    (rc = ctl_open(ctl, IMIP_STORE_CREATE, &st)) != CTL_OK)
		return rc;
	printf("%s: schema version %d\n", ctl->db, imip_store_version(st));
	imip_store_close(st);
	return CTL_OK;
}

/*
 * Accept ZONE only if it names a compiled zone file: no absolute path, no
 * "..", nothing but zone-name characters, and the file starts "TZif".
 */
static int
check_zone(const struct ctl_cmd *cmd, const char *tz)
{
	char path[512], magic[4];
	struct stat sb;
	int fd = -1, rc;

	if (*tz == '\0' || *tz == '/' || strstr(tz, "..") != NULL ||
	    strspn(tz, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789/_+-") != strlen(tz) || strlen(tz) > 200) {
		rc = ctl_usage_error(cmd, "invalid time zone name '%s'", tz);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/%s", CTL_ZONEINFO, tz);
	if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    read(fd, magic, sizeof(magic)) != sizeof(magic) ||
	    memcmp(magic, "TZif", sizeof(magic)) != 0) {
		rc = ctl_fail("unknown time zone '%s' (no zone file %s)", tz,
		    path);
		goto out;
	}
	rc = CTL_OK;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Add the calendar once the command line is known to be good. */
static int
cal_add(const struct ctl *ctl, const char *address, enum imip_cal_kind kind,
    const char *name, const char *tz)
{
	struct imip_err err = { 0 };
	struct imip_store *st = NULL;
	char *addr = NULL;
	int rc;

	if (imip_addr_norm(&addr, address, &err) < 0) {
		rc = ctl_fail("%s", err.msg);
		goto out;
	}
	if ((rc = ctl_open(ctl, 0, &st)) != CTL_OK)
		goto out;
	if (imip_store_calendar_add(st, addr, kind, name, tz, time(NULL),
	    &err) < 0) {
		rc = ctl_fail("%s", err.msg);
		goto out;
	}
	printf("calendar %s added (%s, %s)\n", addr, imip_cal_kind_name(kind),
	    tz);
	rc = CTL_OK;
out:
	imip_store_close(st);
	free(addr);
	return rc;
}

/* ctl_cmd_cal_add - manage an address as a calendar */
int
ctl_cmd_cal_add(const struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option lo[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "name", required_argument, NULL, 'n' },
		{ "tz", required_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *kind_s = NULL, *name = NULL, *tz = "UTC";
	enum imip_cal_kind kind;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (c == 'k')
			kind_s = optarg;
		else if (c == 'n')
			name = *optarg != '\0' ? optarg : NULL;
		else if (c == 'z')
			tz = optarg;
		else
			return ctl_opt_other(cmd, c, argv);
	}
	if ((rc = ctl_operands(cmd, argc, argv, 1, "ADDRESS")) != CTL_OK)
		return rc;
	if (kind_s == NULL)
		return ctl_usage_error(cmd, "--kind is required");
	if (imip_cal_kind_parse(kind_s, &kind) < 0)
		return ctl_usage_error(cmd, "--kind is resource or person, "
		    "not '%s'", kind_s);
	if ((rc = check_zone(cmd, tz)) != CTL_OK)
		return rc;
	return cal_add(ctl, argv[optind], kind, name, tz);
}

/* Append one policy word to buf when cond holds. */
static void
word(char *buf, size_t size, bool cond, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
word(char *buf, size_t size, bool cond, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (!cond || n + 2 >= size)
		return;
	if (n > 0)
		buf[n++] = ' ';
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

/* What differs from the defaults, in a few words ("-" for none). */
static const char *
policy_summary(const struct imip_calendar *cal, char *buf, size_t size)
{
	const struct imip_policy *p = &cal->policy;

	buf[0] = '\0';
	word(buf, size, p->approval, "approval by %s", p->delegates != NULL ?
	    p->delegates : "(no delegates)");
	word(buf, size, p->external, "external");
	word(buf, size, p->capacity > 1, "capacity=%d", p->capacity);
	word(buf, size, p->window_days > 0, "window=%dd", p->window_days);
	word(buf, size, p->min_minutes > 0, "min=%dmin", p->min_minutes);
	word(buf, size, p->max_minutes > 0, "max=%dmin", p->max_minutes);
	word(buf, size, !p->recurring, "no-recurring");
	word(buf, size, p->working_hours != NULL, "hours=%s",
	    p->working_hours);
	word(buf, size, p->allow != NULL, "allow=%s", p->allow);
	word(buf, size, p->deny != NULL, "deny=%s", p->deny);
	word(buf, size, p->conflict_max_instances >= 0, "conflicts<=%d",
	    p->conflict_max_instances);
	word(buf, size, p->conflict_max_percent >= 0, "conflicts<=%d%%",
	    p->conflict_max_percent);
	word(buf, size, cal->consume, "consume");
	word(buf, size, !p->block_pending, "no-block-pending");
	word(buf, size, p->accept_if_free, "accept-if-free");
	word(buf, size, p->answer_refresh, "answer-refresh");
	word(buf, size, p->store_publish, "store-publish");
	return buf[0] != '\0' ? buf : "-";
}

static void
json_int(const char *key, int value)
{
	printf(", \"%s\": %d", key, value);
}

static void
json_bool(const char *key, bool value)
{
	printf(", \"%s\": %s", key, value ? "true" : "false");
}

/* The policy as a JSON object; -1 thresholds are null (configured). */
static void
policy_json(const struct imip_calendar *cal)
{
	const struct imip_policy *p = &cal->policy;

	printf(", \"policy\": {\"booking\": \"%s\"",
	    p->approval ? "approval" : "automatic");
	ctl_json_field("delegates", p->delegates, false);
	json_int("capacity", p->capacity);
	json_int("window_days", p->window_days);
	json_int("min_minutes", p->min_minutes);
	json_int("max_minutes", p->max_minutes);
	json_bool("recurring", p->recurring);
	if (p->conflict_max_instances >= 0)
		json_int("conflict_max_instances", p->conflict_max_instances);
	if (p->conflict_max_percent >= 0)
		json_int("conflict_max_percent", p->conflict_max_percent);
	ctl_json_field("working_hours", p->working_hours, false);
	ctl_json_field("allow", p->allow, false);
	ctl_json_field("deny", p->deny, false);
	json_bool("external", p->external);
	json_bool("block_pending", p->block_pending);
	json_bool("accept_if_free", p->accept_if_free);
	json_bool("answer_refresh", p->answer_refresh);
	json_bool("store_publish", p->store_publish);
	printf(", \"delivery\": \"%s\"}", cal->consume ? "consume" :
	    "deliver");
}

static int
cal_row(const struct imip_calendar *cal, void *arg)
{
	struct ctl_list *x = arg;
	const char *kind = imip_cal_kind_name(cal->kind);
	char policy[512];

	if (!x->json)
		return ctl_list_row(x, (const char *const[]){ cal->address,
		    kind, cal->name != NULL ? cal->name : "-", cal->tz,
		    cal->share_freebusy ? "yes" : "no",
		    policy_summary(cal, policy, sizeof(policy)) });
	ctl_json_next(x);
	ctl_json_field("address", cal->address, true);
	ctl_json_field("kind", kind, false);
	ctl_json_field("name", cal->name, false);
	ctl_json_field("tz", cal->tz, false);
	json_bool("share_freebusy", cal->share_freebusy);
	policy_json(cal);
	printf("}");
	return 0;
}

/* Options of the list commands: --json, --all (if all is not NULL). */
static int
list_opts(const struct ctl_cmd *cmd, int argc, char **argv, bool *json,
    bool *all, bool *done)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	*done = true;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (c == 'j')
			*json = true;
		else if (c == 'a' && all != NULL)
			*all = true;
		else if (c == 'a')
			return ctl_usage_error(cmd, "unknown option --all");
		else
			return ctl_opt_other(cmd, c, argv);
	}
	*done = false;
	return ctl_operands(cmd, argc, argv, 0, "");
}

/* ctl_cmd_cal_list - list the calendars, as a table or JSON */
int
ctl_cmd_cal_list(const struct ctl *ctl, const struct ctl_cmd *cmd,
    int argc, char **argv)
{
	static const char *const header[] = { "address", "kind", "name",
	    "tz", "share-freebusy", "policy" };
	struct imip_err err = { 0 };
	struct ctl_list x = { .err = &err };
	struct imip_store *st = NULL;
	bool done;
	int rc;

	if ((rc = list_opts(cmd, argc, argv, &x.json, NULL, &done)) !=
	    CTL_OK || done)
		return rc;
	if ((rc = ctl_open(ctl, IMIP_STORE_READONLY, &st)) != CTL_OK)
		goto out;
	if (ctl_list_start(&x, 6, header) < 0 ||
	    imip_store_calendar_foreach(st, cal_row, &x, &err) < 0) {
		rc = ctl_fail("%s", err.msg[0] != '\0' ? err.msg :
		    "out of memory");
		goto out;
	}
	ctl_list_end(&x, "no calendars");
out:
	ctl_table_fini(&x.t);
	imip_store_close(st);
	return rc;
}

/* A table row for one busy period, times in the process's zone. */
static int
busy_row(const struct imip_busy_rec *b, void *arg)
{
	struct ctl_list *x = arg;
	char start[32], end[32];

	ctl_time_local(start, sizeof(start), b->start);
	ctl_time_local(end, sizeof(end), b->end);
	return ctl_list_row(x, (const char *const[]){ start, end, b->fbtype,
	    b->summary != NULL ? b->summary : "-",
	    b->organizer != NULL ? b->organizer : "-", b->uid });
}

/*
 * ctl_range - read --from/--to (or the defaults: a day ago to 90 days
 * ahead) in the zone now set; CTL_USAGE if bad or out of order
 */
int
ctl_range(const struct ctl_cmd *cmd, const char *from_s,
    const char *to_s, time_t *from, time_t *to)
{
	time_t now = time(NULL);

	*from = now - DAY;
	*to = now + 90 * DAY;
	if (from_s != NULL && ctl_time_parse(from_s, false, from) < 0)
		return ctl_usage_error(cmd, "--from: want YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM, not '%s'", from_s);
	if (to_s != NULL && ctl_time_parse(to_s, true, to) < 0)
		return ctl_usage_error(cmd, "--to: want YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM, not '%s'", to_s);
	if (*from >= *to)
		return ctl_usage_error(cmd, "--from must be before --to");
	return CTL_OK;
}

/* Print the schedule of cal, whose zone is the process's TZ by now. */
static int
schedule_print(struct imip_store *st, const struct imip_calendar *cal,
    time_t from, time_t to)
{
	static const char *const header[] = { "start", "end", "fbtype",
	    "summary", "organizer", "uid" };
	struct imip_err err = { 0 };
	struct ctl_list x = { .err = &err };
	char a[32], b[32];
	int rc = CTL_OK;

	ctl_time_local(a, sizeof(a), from);
	ctl_time_local(b, sizeof(b), to);
	printf("%s (%s), %s to %s\n", cal->address, cal->tz, a, b);
	if (ctl_list_start(&x, 6, header) < 0 ||
	    imip_store_busy_overlapping(st, cal->id, from, to, NULL, busy_row,
	    &x, &err) < 0)
		rc = ctl_fail("%s", err.msg[0] != '\0' ? err.msg :
		    "out of memory");
	else
		ctl_list_end(&x, "no bookings");
	ctl_table_fini(&x.t);
	return rc;
}

/* ctl_use_zone - make tz the local time of this process */
int
ctl_use_zone(const char *tz)
{
	char buf[256];

	snprintf(buf, sizeof(buf), ":%s", tz);
	if (setenv("TZ", buf, 1) < 0)
		return ctl_fail("setenv TZ: %s", strerror(errno));
	tzset();
	return CTL_OK;
}

/* ctl_cmd_schedule - the busy periods of one calendar */
int
ctl_cmd_schedule(const struct ctl *ctl, const struct ctl_cmd *cmd,
    int argc, char **argv)
{
	static const struct option lo[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *from_s = NULL, *to_s = NULL;
	struct imip_calendar *cal = NULL;
	struct imip_err err = { 0 };
	struct imip_store *st = NULL;
	time_t from, to;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (c == 'f')
			from_s = optarg;
		else if (c == 't')
			to_s = optarg;
		else
			return ctl_opt_other(cmd, c, argv);
	}
	if ((rc = ctl_operands(cmd, argc, argv, 1, "ADDRESS")) != CTL_OK ||
	    (rc = ctl_open(ctl, IMIP_STORE_READONLY, &st)) != CTL_OK)
		goto out;
	if (imip_store_calendar_find(st, argv[optind], &cal, &err) < 0) {
		rc = ctl_fail("%s", err.msg);
		goto out;
	}
	if ((rc = ctl_use_zone(cal->tz)) != CTL_OK ||
	    (rc = ctl_range(cmd, from_s, to_s, &from, &to)) != CTL_OK)
		goto out;
	rc = schedule_print(st, cal, from, to);
out:
	imip_calendar_free(cal);
	imip_store_close(st);
	return rc;
}

/* "sent T", "failed T" or the next attempt, all in UTC. */
static void
outbox_state(char *buf, size_t len, const struct imip_outbox_rec *o)
{
	char t[32];

	ctl_time_utc(t, sizeof(t), o->sent ? o->sent : o->failed ? o->failed :
	    o->next_attempt, false);
	snprintf(buf, len, "%s%s", o->sent ? "sent " : o->failed ?
	    "failed " : "", t);
}

static int
outbox_row(const struct imip_outbox_rec *o, void *arg)
{
	struct ctl_list *x = arg;
	char id[24], created[32], attempts[16], state[48];

	snprintf(id, sizeof(id), "%lld", (long long)o->id);
	snprintf(attempts, sizeof(attempts), "%d", o->attempts);
	if (!x->json) {
		ctl_time_utc(created, sizeof(created), o->created, false);
		outbox_state(state, sizeof(state), o);
		return ctl_list_row(x, (const char *const[]){ id, created,
		    o->env_from, o->env_to, attempts, state,
		    o->last_error != NULL ? o->last_error : "" });
	}
	ctl_json_next(x);
	printf("\"id\": %s, \"attempts\": %s", id, attempts);
	ctl_json_time("created", o->created);
	ctl_json_time("next_attempt", o->next_attempt);
	ctl_json_time("sent", o->sent);
	ctl_json_time("failed", o->failed);
	ctl_json_field("from", o->env_from, false);
	ctl_json_field("to", o->env_to, false);
	ctl_json_field("last_error", o->last_error, false);
	putchar('}');
	return 0;
}

/* ctl_cmd_outbox_list - pending (or all) generated messages */
int
ctl_cmd_outbox_list(const struct ctl *ctl, const struct ctl_cmd *cmd,
    int argc, char **argv)
{
	static const char *const header[] = { "id", "created", "from", "to",
	    "attempts", "next attempt / sent", "last error" };
	struct imip_err err = { 0 };
	struct ctl_list x = { .err = &err };
	struct imip_store *st = NULL;
	bool all = false, done;
	int rc;

	if ((rc = list_opts(cmd, argc, argv, &x.json, &all, &done)) !=
	    CTL_OK || done)
		return rc;
	if ((rc = ctl_open(ctl, IMIP_STORE_READONLY, &st)) != CTL_OK)
		goto out;
	if (ctl_list_start(&x, 7, header) < 0 ||
	    imip_store_outbox_foreach(st, !all, outbox_row, &x, &err) < 0) {
		rc = ctl_fail("%s", err.msg[0] != '\0' ? err.msg :
		    "out of memory");
		goto out;
	}
	ctl_list_end(&x, all ? "outbox empty" : "no pending messages");
out:
	ctl_table_fini(&x.t);
	imip_store_close(st);
	return rc;
}
