/*
 * test_outbox.c - queued replies handed to a sendmail(1) stand-in.
 *
 * The stand-in is a small shell script written into the test's temporary
 * directory: it records its arguments and standard input, then exits with
 * the status the test wants.  Rows live in a real SQLite file and are read
 * back raw.  The clock is always a constant.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "dbfixture.h"
#include "log.h"
#include "outbox.h"

#define NOW	((int64_t)1803888000)	/* 2027-03-01 08:00:00 UTC */
#define ROOM	"room-a@example.org"
#define ALICE	"alice@example.com"

static const char message[] =
	"From: Room A <room-a@example.org>\n"
	"To: alice@example.com\n"
	"Subject: Accepted: Planning\n"
	"\n"
	"Room A has accepted \"Planning\".\n"
	"A line with $dollar, `backticks` and a trailing blank \n";

struct fx {
	struct dbfx	*db;
	char		 script[400];
	struct imip_err	 err;
	char		 log[4096];
};

static void
capture(int prio, const char *line, void *arg)
{
	struct fx *fx = arg;
	size_t len = strlen(fx->log);

	snprintf(fx->log + len, sizeof(fx->log) - len, "%s\n", line);
}

static int
group_setup(void **state)
{
	/* outbox.h: the caller must ignore SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->db = dbfx_new("test_outbox", 1000);
	dbfx_path(fx->db, fx->script, sizeof(fx->script), "sendmail");
	imip_log_set_sink(capture, fx);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	imip_log_set_sink(NULL, NULL);
	dbfx_free(fx->db);
	free(fx);
	return 0;
}

/*
 * Install the stand-in: it appends "$*" to calls, its input to input, and
 * then runs tail (shell text; "exit 0" when NULL).  It also becomes the
 * configured sendmail_path.
 */
static void
script(struct fx *fx, const char *tail)
{
	FILE *f = fopen(fx->script, "w");

	assert_non_null(f);
	fprintf(f, "#!/bin/sh\ncd '%s' || exit 71\n"
	    "printf '%%s\\n' \"$*\" >> calls\ncat >> input\n%s\n",
	    fx->db->dir, tail != NULL ? tail : "exit 0");
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(fx->script, 0755), 0);
	if (imip_conf_set(fx->db->conf, "sendmail_path", fx->script,
	    &fx->err) != IMIP_OK)
		fail_msg("sendmail_path: %s", fx->err.msg);
}

/* A file the stand-in wrote (caller frees; "" if it does not exist). */
static char *
output(struct fx *fx, const char *name)
{
	char path[512], *buf;
	size_t n = 0;
	FILE *f;

	dbfx_path(fx->db, path, sizeof(path), name);
	buf = calloc(1, 1 << 20);
	assert_non_null(buf);
	if ((f = fopen(path, "rb")) != NULL) {
		n = fread(buf, 1, (1 << 20) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static bool
under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p != NULL && strstr(p, "vgpreload") != NULL;
}

/* How many times the stand-in ran. */
static int
calls(struct fx *fx)
{
	char *s = output(fx, "calls");
	int n = 0;

	for (char *p = s; *p != '\0'; p++)
		n += *p == '\n';
	free(s);
	return n;
}

/* Queue a reply from ROOM to to, due at due; its id. */
static int64_t
queue(struct fx *fx, const char *to, int64_t due)
{
	struct imip_outbox_rec o = {
		.created = NOW - 3600, .env_from = ROOM, .env_to = to,
		.message = message, .next_attempt = due,
	};
	int64_t id = 0;

	assert_int_equal(imip_store_outbox_add(fx->db->st, &o, &id,
	    &fx->err), IMIP_OK);
	return id;
}

/* One column of outbox row id, as an integer (NULL reads as -1). */
static int64_t
col(struct fx *fx, int64_t id, const char *column)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT IFNULL(%s, -1) FROM outbox"
	    " WHERE id = %lld", column, (long long)id);
	return dbfx_int(fx->db, sql);
}

static int
run(struct fx *fx, int64_t now)
{
	int sent = -1;

	imip_err_clear(&fx->err);
	if (imip_outbox_run(fx->db->st, fx->db->conf, now, &sent,
	    &fx->err) != IMIP_OK)
		fail_msg("imip_outbox_run: %s", fx->err.msg);
	return sent;
}

static void
test_send_passes_envelope_and_exact_message(void **state)
{
	struct fx *fx = *state;
	char *const argv[] = { fx->script, NULL };
	char *s;

	script(fx, NULL);
	assert_int_equal(imip_outbox_send(argv, ROOM, ALICE, message,
	    &fx->err), IMIP_OK);
	s = output(fx, "calls");
	assert_string_equal(s, "-i -f " ROOM " -- " ALICE "\n");
	free(s);
	s = output(fx, "input");
	assert_string_equal(s, message);
	free(s);
}

static void
test_send_keeps_configured_arguments_first(void **state)
{
	struct fx *fx = *state;
	char *const argv[] = { fx->script, "-oi", "-Fbooking", NULL };
	char *s;

	script(fx, NULL);
	assert_int_equal(imip_outbox_send(argv, ROOM, ALICE, message,
	    &fx->err), IMIP_OK);
	s = output(fx, "calls");
	assert_string_equal(s, "-oi -Fbooking -i -f " ROOM " -- " ALICE "\n");
	free(s);
}

static void
test_send_failure_reports_exit_status(void **state)
{
	struct fx *fx = *state;
	char *const argv[] = { fx->script, NULL };

	script(fx, "exit 75");
	assert_int_equal(imip_outbox_send(argv, ROOM, ALICE, message,
	    &fx->err), IMIP_ERR);
	assert_int_equal(fx->err.code, IMIP_ERR);
	if (strstr(fx->err.msg, "status 75") == NULL)
		fail_msg("got \"%s\", want \"status 75\"", fx->err.msg);
}

static void
test_send_to_program_that_reads_nothing_fails_cleanly(void **state)
{
	struct fx *fx = *state;
	char *const argv[] = { fx->script, NULL };
	FILE *f = fopen(fx->script, "w");
	char *big = malloc(1 << 20);

	/* Exits before reading: the write hits EPIPE, never SIGPIPE. */
	assert_non_null(f);
	assert_non_null(big);
	fputs("#!/bin/sh\nexit 75\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(fx->script, 0755), 0);
	memset(big, 'x', (1 << 20) - 1);
	big[(1 << 20) - 1] = '\0';
	assert_int_equal(imip_outbox_send(argv, ROOM, ALICE, big, &fx->err),
	    IMIP_ERR);
	free(big);
	assert_non_null(strstr(fx->err.msg, "status 75"));
}

static void
test_send_killed_program_is_an_error(void **state)
{
	struct fx *fx = *state;
	char *const argv[] = { fx->script, NULL };

	script(fx, "kill -9 $$");
	assert_int_equal(imip_outbox_send(argv, ROOM, ALICE, message,
	    &fx->err), IMIP_ERR);
	assert_non_null(strstr(fx->err.msg, "killed (status 9)"));
}

static void
test_send_nonexistent_program_is_an_error(void **state)
{
	struct fx *fx = *state;
	char path[512];

	dbfx_path(fx->db, path, sizeof(path), "no-such-sendmail");
	{
		char *const argv[] = { path, NULL };

		assert_int_equal(imip_outbox_send(argv, ROOM, ALICE, message,
		    &fx->err), IMIP_ERR);
	}
	/*
	 * glibc's posix_spawn reports the failed exec itself.  Under
	 * valgrind the child is a plain fork that exits instead (with 127,
	 * or with valgrind's error code after its own leak report).
	 */
	if (strstr(fx->err.msg, "cannot run") == NULL &&
	    (!under_valgrind() || strstr(fx->err.msg, "failed (status") ==
	    NULL))
		fail_msg("got \"%s\", want \"cannot run\"", fx->err.msg);
	assert_non_null(strstr(fx->err.msg, "no-such-sendmail"));
}

static void
test_send_without_program_is_a_config_error(void **state)
{
	struct fx *fx = *state;
	char *const argv[] = { NULL };

	assert_int_equal(imip_outbox_send(argv, ROOM, ALICE, message,
	    &fx->err), IMIP_ECONFIG);
}

static void
test_retry_delay_doubles_up_to_a_day(void **state)
{
	static const struct { int attempts; int64_t delay; } cases[] = {
		{ 1, 60 }, { 2, 120 }, { 3, 240 }, { 4, 480 },
		{ 11, 61440 }, { 12, 86400 }, { 1000, 86400 },
	};
	struct fx *fx = *state;
	int64_t got;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = imip_outbox_retry_at(fx->db->conf, cases[i].attempts,
		    NOW) - NOW;
		if (got != cases[i].delay)
			fail_msg("attempt %d: got +%lld, want +%lld",
			    cases[i].attempts, (long long)got,
			    (long long)cases[i].delay);
	}
}

static void
test_run_sends_due_rows_and_marks_them_sent(void **state)
{
	struct fx *fx = *state;
	int64_t early, due, later;
	char *s;

	script(fx, NULL);
	early = queue(fx, "early@example.com", NOW - 10);
	due = queue(fx, ALICE, NOW);
	later = queue(fx, "later@example.com", NOW + 100);
	assert_int_equal(run(fx, NOW), 2);
	assert_int_equal(col(fx, early, "sent"), NOW);
	assert_int_equal(col(fx, due, "sent"), NOW);
	assert_int_equal(col(fx, later, "sent"), -1);
	/* attempts counts every try, the successful one included. */
	assert_int_equal(col(fx, early, "attempts"), 1);
	assert_int_equal(col(fx, later, "attempts"), 0);
	s = output(fx, "calls");
	assert_string_equal(s, "-i -f " ROOM " -- early@example.com\n"
	    "-i -f " ROOM " -- " ALICE "\n");
	free(s);
	assert_non_null(strstr(fx->log, "sent to <early@example.com>"));
	assert_int_equal(run(fx, NOW + 99), 0);
	assert_int_equal(run(fx, NOW + 100), 1);
	assert_int_equal(col(fx, later, "sent"), NOW + 100);
	assert_int_equal(calls(fx), 3);
}

static void
test_run_never_sends_a_row_twice(void **state)
{
	struct fx *fx = *state;
	int64_t id;
	char *s;

	script(fx, NULL);
	id = queue(fx, ALICE, NOW);
	assert_int_equal(run(fx, NOW), 1);
	assert_int_equal(run(fx, NOW + 1), 0);
	assert_int_equal(run(fx, NOW + 86400), 0);
	assert_int_equal(calls(fx), 1);
	assert_int_equal(col(fx, id, "sent"), NOW);
	assert_int_equal(col(fx, id, "handovers"), 1);
	/* The message as queued, with the number of this hand-over. */
	s = output(fx, "input");
	assert_true(strncmp(s, "X-iMIP-Copy: 1\n", 15) == 0);
	assert_string_equal(s + 15, message);
	free(s);
}

static void
test_run_failure_retries_with_doubling_delay_then_gives_up(void **state)
{
	struct fx *fx = *state;
	int64_t id;
	char *s;

	script(fx, "exit 75");
	assert_int_equal(imip_conf_set(fx->db->conf, "outbox_max_attempts",
	    "3", &fx->err), IMIP_OK);
	id = queue(fx, ALICE, NOW);

	assert_int_equal(run(fx, NOW), 0);
	assert_int_equal(col(fx, id, "attempts"), 1);
	assert_int_equal(col(fx, id, "next_attempt"), NOW + 60);
	assert_int_equal(col(fx, id, "sent"), -1);
	assert_int_equal(col(fx, id, "failed"), -1);
	s = dbfx_text(fx->db, "SELECT last_error FROM outbox");
	assert_non_null(s);
	assert_non_null(strstr(s, "status 75"));
	free(s);

	assert_int_equal(run(fx, NOW + 59), 0);	/* not due yet */
	assert_int_equal(calls(fx), 1);

	assert_int_equal(run(fx, NOW + 60), 0);
	assert_int_equal(col(fx, id, "attempts"), 2);
	assert_int_equal(col(fx, id, "next_attempt"), NOW + 60 + 120);
	assert_int_equal(col(fx, id, "failed"), -1);

	assert_int_equal(run(fx, NOW + 180), 0);
	assert_int_equal(col(fx, id, "attempts"), 3);
	assert_int_equal(col(fx, id, "failed"), NOW + 180);
	assert_int_equal(col(fx, id, "sent"), -1);

	assert_int_equal(run(fx, NOW + 10 * 86400), 0);	/* given up */
	assert_int_equal(calls(fx), 3);
	assert_non_null(strstr(fx->log, "(attempt 3)"));
	assert_non_null(strstr(fx->log, "; giving up"));
}

static void
test_run_failure_of_one_row_does_not_stop_the_others(void **state)
{
	struct fx *fx = *state;
	int64_t bad, good;

	/* $5 is the recipient after "-i -f FROM --". */
	script(fx, "[ \"$5\" = bad@example.com ] && exit 75\nexit 0");
	bad = queue(fx, "bad@example.com", NOW);
	good = queue(fx, ALICE, NOW);
	assert_int_equal(run(fx, NOW), 1);
	assert_int_equal(col(fx, bad, "attempts"), 1);
	assert_int_equal(col(fx, bad, "sent"), -1);
	assert_int_equal(col(fx, good, "sent"), NOW);
	assert_int_equal(col(fx, good, "attempts"), 1);
}

static void
test_run_retry_succeeds_once_the_mta_is_back(void **state)
{
	struct fx *fx = *state;
	char down[512];
	int64_t id;
	FILE *f;

	/* The stand-in fails while a file named "down" exists. */
	script(fx, "[ -e down ] && exit 75\nexit 0");
	dbfx_path(fx->db, down, sizeof(down), "down");
	assert_non_null(f = fopen(down, "w"));
	fclose(f);
	id = queue(fx, ALICE, NOW);
	assert_int_equal(run(fx, NOW), 0);
	assert_int_equal(unlink(down), 0);
	assert_int_equal(run(fx, NOW + 60), 1);
	assert_int_equal(col(fx, id, "attempts"), 2);
	assert_int_equal(col(fx, id, "sent"), NOW + 60);
	assert_int_equal(col(fx, id, "failed"), -1);
}

static void
test_run_with_nothing_due_runs_nothing(void **state)
{
	struct fx *fx = *state;

	script(fx, NULL);
	assert_int_equal(run(fx, NOW), 0);
	assert_int_equal(calls(fx), 0);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_send_passes_envelope_and_exact_message),
		T(test_send_keeps_configured_arguments_first),
		T(test_send_failure_reports_exit_status),
		T(test_send_to_program_that_reads_nothing_fails_cleanly),
		T(test_send_killed_program_is_an_error),
		T(test_send_nonexistent_program_is_an_error),
		T(test_send_without_program_is_a_config_error),
		T(test_retry_delay_doubles_up_to_a_day),
		T(test_run_sends_due_rows_and_marks_them_sent),
		T(test_run_never_sends_a_row_twice),
		T(test_run_failure_retries_with_doubling_delay_then_gives_up),
		T(test_run_failure_of_one_row_does_not_stop_the_others),
		T(test_run_retry_succeeds_once_the_mta_is_back),
		T(test_run_with_nothing_due_runs_nothing),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
