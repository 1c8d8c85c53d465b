/*
 * imipctl_expand.c - imipctl expand: book the instances of open-ended
 * recurring series that the recurrence horizon held back.
 *
 * Meant to run daily (imipctl-expand.timer or cron).  The scheduling is
 * imip_extend_due() in core/extend.c; this file reads the options, builds
 * the scheduling context and prints one line per series it touched.
 * Replies declining clashing instances go into the outbox, which the
 * running filter sends.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "extend.h"
#include "imipctl.h"
#include "itip.h"
#include "log.h"
#include "mime.h"
#include "publish.h"

#define DAY		86400
#define EXPAND_MAX_DAYS	3660	/* about ten years */

/* What the run did, for the summary line. */
struct tally {
	size_t	seen;		/* outcomes reported */
	size_t	extended;	/* of them EXTENDED */
	size_t	skipped;	/* of them NOT-EXTENDED */
};

/* Core log lines (a series that cannot be expanded) go to stderr. */
static void
log_to_stderr(int prio, const char *line, void *arg)
{
	(void)arg;
	fprintf(stderr, "imipctl: %s%s\n", prio <= LOG_WARNING ?
	    "warning: " : "", line);
}

/* "nothing to extend" or "N series extended[, M not extended]". */
static void
summary(const struct tally *t, bool dry_run)
{
	if (t->seen == 0) {
		printf("nothing to extend\n");
		return;
	}
	printf("%zu series extended", t->extended);
	if (t->skipped > 0)
		printf(", %zu not extended", t->skipped);
	printf("%s\n", dry_run ? " (dry run: nothing changed)" : "");
}

/* One line per series: calendar, uid, decision, status, reason. */
static void
report(const struct imip_outcome *o, void *arg)
{
	struct tally *t = arg;

	t->seen++;
	if (strcmp(o->decision, "EXTENDED") == 0)
		t->extended++;
	else if (strcmp(o->decision, "NOT-EXTENDED") == 0)
		t->skipped++;
	ctl_put_clean(stdout, o->calendar);
	putchar(' ');
	ctl_put_clean(stdout, o->uid);
	printf(" %s %s ", o->decision, o->status[0] != '\0' ? o->status :
	    "-");
	ctl_put_clean(stdout, o->reason);
	putchar('\n');
}

/* Every published free/busy file, written again for today's window. */
static int
republish(struct imip_store *st, const struct imip_conf *conf, int64_t now)
{
	struct imip_err err = { 0 };
	int n;

	if (imip_publish_all(st, conf, now, &n, &err) < 0)
		return ctl_fail("free/busy: %s", err.msg);
	if (n > 0)
		printf("free/busy published for %d calendar%s in %s\n", n,
		    n == 1 ? "" : "s", conf->freebusy_dir);
	return CTL_OK;
}

/*
 * Extend every due series to now + days (the horizon of conf when days is
 * 0); in a dry run each series is rolled back after it is reported.
 */
static int
expand(const struct ctl *ctl, const struct imip_conf *conf, int days,
    bool dry_run)
{
	struct imip_err err = { 0 };
	struct imip_store *st = NULL;
	struct tally t = { 0 };
	struct imip_sched_ctx sc = {
		.conf = conf, .queue_id = "expand", .sender = "",
		.hostname = conf->hostname, .now = (int64_t)time(NULL),
		.may_reply = true, .dry_run = dry_run,
	};
	int64_t until;
	int rc;

	if (days == 0)
		days = conf->horizon_days;
	until = sc.now + (int64_t)days * DAY;
	if ((rc = ctl_open(ctl, 0, &st)) != CTL_OK)
		return rc;
	/* Parsing the stored objects and building replies, as the filter. */
	imip_mime_init();
	imip_itip_init();
	imip_log_set_sink(log_to_stderr, NULL);
	if (imip_extend_due(st, &sc, until, (size_t)conf->max_instances,
	    report, &t, &err) < 0)
		rc = ctl_fail("expand: %s", err.msg);
	else
		summary(&t, dry_run);
	/* The free/busy window moves on with the days. */
	if (rc == CTL_OK && !dry_run)
		rc = republish(st, conf, sc.now);
	imip_log_set_sink(NULL, NULL);
	imip_store_close(st);
	return rc;
}

/* ctl_cmd_expand - book open-ended series up to N days ahead */
int
ctl_cmd_expand(const struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option lo[] = {
		{ "days", required_argument, NULL, 'd' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct imip_conf *defaults = NULL;
	struct imip_err err = { 0 };
	const char *days_s = NULL;
	bool dry_run = false;
	long long days = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (c == 'd')
			days_s = optarg;
		else if (c == 'n')
			dry_run = true;
		else
			return ctl_opt_other(cmd, c, argv);
	}
	if ((rc = ctl_operands(cmd, argc, argv, 0, "")) != CTL_OK ||
	    (days_s != NULL && (rc = ctl_num_arg(cmd, "--days", days_s, 1,
	    EXPAND_MAX_DAYS, &days)) != CTL_OK))
		return rc;
	if (ctl->conf != NULL)
		return expand(ctl, ctl->conf, (int)days, dry_run);
	/* No -c: the built-in defaults (horizon 365 days). */
	if (imip_conf_defaults(&defaults, &err) < 0)
		return ctl_fail("%s", err.msg);
	rc = expand(ctl, defaults, (int)days, dry_run);
	imip_conf_free(defaults);
	return rc;
}
