/*
 * imipctl_outbox.c - imipctl outbox: the replies the filter generated and
 * what became of them; retry makes messages due again, purge deletes old
 * ones.
 *
 * The running filter's outbox worker sends what is due within seconds;
 * nothing here talks to the MTA.  A message not sent yet is deleted only
 * with --force: it is an answer somebody is owed.
 */
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "imipctl.h"

#define DAY		86400
#define OUTBOX_MAX_DAYS	36600		/* about a hundred years */

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

	if ((rc = ctl_list_opts(cmd, argc, argv, &x.json, &all, &done)) !=
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

/* What outbox retry and purge were asked: one message, or many. */
struct outbox_args {
	int64_t		 id;		/* 0: --all or --older-than */
	bool		 force;		/* purge: unsent messages too */
	long long	 days;		/* purge --older-than, else -1 */
};

/*
 * The operand ID, or with many (--all, --older-than) none; exactly one of
 * the two ways.
 */
static int
outbox_target(const struct ctl_cmd *cmd, int argc, char **argv, bool many,
    const char *many_opt, struct outbox_args *a)
{
	long long id;
	int rc;

	if (argc - optind > 1)
		return ctl_usage_error(cmd, "unexpected argument '%s'",
		    argv[optind + 1]);
	if (many && argc - optind == 1)
		return ctl_usage_error(cmd, "give ID or %s, not both",
		    many_opt);
	if (many)
		return CTL_OK;
	if (argc - optind == 0)
		return ctl_usage_error(cmd, "missing ID (or %s)", many_opt);
	if ((rc = ctl_num_arg(cmd, "ID", argv[optind], 1, LLONG_MAX, &id)) !=
	    CTL_OK)
		return rc;
	a->id = id;
	return CTL_OK;
}

/* The options and operand of outbox retry and purge; -1 after --help. */
static int
outbox_opts(const struct ctl_cmd *cmd, int argc, char **argv, bool purge,
    struct outbox_args *a)
{
	static const struct option retry_lo[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct option purge_lo[] = {
		{ "older-than", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *days_s = NULL;
	bool all = false;
	int c, rc;

	a->days = -1;
	while ((c = getopt_long(argc, argv, ":h", purge ? purge_lo : retry_lo,
	    NULL)) != -1) {
		if (c == 'a')
			all = true;
		else if (c == 'o')
			days_s = optarg;
		else if (c == 'f')
			a->force = true;
		else
			return (rc = ctl_opt_other(cmd, c, argv)) != CTL_OK ?
			    rc : -1;
	}
	if (days_s != NULL && (rc = ctl_num_arg(cmd, "--older-than", days_s,
	    0, OUTBOX_MAX_DAYS, &a->days)) != CTL_OK)
		return rc;
	return outbox_target(cmd, argc, argv, all || days_s != NULL,
	    purge ? "--older-than DAYS" : "--all", a);
}

static const char *
state_name(enum imip_outbox_state state)
{
	return state == IMIP_OUTBOX_SENT ? "sent" :
	    state == IMIP_OUTBOX_FAILED ? "failed" : "waiting";
}

/*
 * Open the database and begin; for one message, check that it exists and
 * that its state is not refused (*state gets it).
 */
static int
outbox_begin(const struct ctl *ctl, const struct ctl_cmd *cmd,
    int64_t id, struct imip_store **st, enum imip_outbox_state *state)
{
	struct imip_err err = { 0 };
	int rc;

	*state = IMIP_OUTBOX_WAITING;
	if ((rc = ctl_open(ctl, 0, st)) != CTL_OK)
		return rc;
	if (imip_store_begin(*st, &err) < 0 ||
	    (id != 0 && imip_store_outbox_state(*st, id, state, &err) < 0))
		return ctl_store_fail(cmd, &err);
	return CTL_OK;
}

/* ctl_cmd_outbox_retry - make unsent messages due now, failed ones too */
int
ctl_cmd_outbox_retry(const struct ctl *ctl, const struct ctl_cmd *cmd,
    int argc, char **argv)
{
	struct outbox_args a = { 0 };
	enum imip_outbox_state state;
	struct imip_err err = { 0 };
	struct imip_store *st = NULL;
	int64_t n = 0;
	int rc;

	if ((rc = outbox_opts(cmd, argc, argv, false, &a)) != CTL_OK)
		return rc < 0 ? CTL_OK : rc;
	if ((rc = outbox_begin(ctl, cmd, a.id, &st, &state)) != CTL_OK)
		goto out;
	if (state == IMIP_OUTBOX_SENT) {
		rc = ctl_fail("outbox message %lld was sent already; not "
		    "sending it again", (long long)a.id);
		goto out;
	}
	if (imip_store_outbox_due_now(st, a.id, time(NULL), &n, &err) < 0 ||
	    imip_store_commit(st, &err) < 0) {
		rc = ctl_store_fail(cmd, &err);
		goto out;
	}
	if (a.id != 0)
		printf("outbox message %lld (%s) is due now\n",
		    (long long)a.id, state_name(state));
	else
		printf("%lld message%s due now\n", (long long)n,
		    n == 1 ? "" : "s");
out:
	imip_store_rollback(st);	/* no-op after COMMIT */
	imip_store_close(st);
	return rc;
}

/* ctl_cmd_outbox_purge - delete sent messages; unsent only with --force */
int
ctl_cmd_outbox_purge(const struct ctl *ctl, const struct ctl_cmd *cmd,
    int argc, char **argv)
{
	struct outbox_args a = { 0 };
	enum imip_outbox_state state;
	struct imip_err err = { 0 };
	struct imip_store *st = NULL;
	int64_t before = INT64_MAX, n = 0;
	int rc;

	if ((rc = outbox_opts(cmd, argc, argv, true, &a)) != CTL_OK)
		return rc < 0 ? CTL_OK : rc;
	if ((rc = outbox_begin(ctl, cmd, a.id, &st, &state)) != CTL_OK)
		goto out;
	if (a.id != 0 && state != IMIP_OUTBOX_SENT && !a.force) {
		rc = ctl_fail("outbox message %lld is not sent (%s); --force "
		    "deletes it", (long long)a.id, state_name(state));
		goto out;
	}
	if (a.id == 0)
		before = (int64_t)time(NULL) - (int64_t)a.days * DAY;
	if (imip_store_outbox_purge(st, a.id, before, a.force, &n, &err) < 0 ||
	    imip_store_commit(st, &err) < 0) {
		rc = ctl_store_fail(cmd, &err);
		goto out;
	}
	printf("%lld message%s deleted\n", (long long)n, n == 1 ? "" : "s");
out:
	imip_store_rollback(st);	/* no-op after COMMIT */
	imip_store_close(st);
	return rc;
}
