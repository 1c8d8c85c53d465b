/*
 * test_recur_bounds.c - where imip_itip_expand stops: an endless rule is
 * clipped at the horizon, a runaway or never-matching rule fails within
 * the instance limit and DEADLINE_S, a new expansion replaces the last
 * one, and instances or overrides at or past the horizon are left out.
 * Shared helpers and the known core bugs (BUG-n) are in recur_helpers.h.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "itip.h"
#include "fixture.h"
#include "recur_helpers.h"

#define DEADLINE_S		5	/* every expansion answers by then */

static void
test_recur_endless_rule_is_clipped_at_horizon(void **state)
{
	struct want daily[30], weekly[53];
	const struct series_case cases[] = {
		{ "DAILY without end, until DTSTART + 30 days", "UTC",
		    UTC_09_10, L("RRULE:FREQ=DAILY"), "",
		    T_20270301_0900Z + 30 * 86400 /* 03-31T09:00Z */, true,
		    WANT(daily), NULL },
		{ "WEEKLY;COUNT=1000, one year", "UTC",
		    UTC_09_10, L("RRULE:FREQ=WEEKLY;COUNT=1000"), "",
		    INT64_C(1835514000) /* 2028-03-01T09:00Z */, true,
		    WANT(weekly), NULL },
	};
	int64_t t;

	(void)state;
	/* In UTC a day is 86400 s and a week 604800 s. */
	for (int64_t i = 0; i < 30; i++) {	/* 03-01 .. 03-30T09:00Z */
		t = T_20270301_0900Z + i * 86400;
		daily[i] = (struct want)I(t, t + 3600);
	}
	for (int64_t i = 0; i < 53; i++) {	/* .. 2028-02-28T09:00Z */
		t = T_20270301_0900Z + i * 604800;
		weekly[i] = (struct want)I(t, t + 3600);
	}
	run_series_cases(cases, NCASES(cases));
}

/* What parse and expand said in the child. */
struct bounded {
	int	parse_rc, expand_rc;
	char	msg[256];
};

/*
 * Parse and expand text in a child process, so that a runaway expansion
 * cannot hang the test.  False when it gave no answer in DEADLINE_S.
 */
static bool
expand_bounded(const char *text, int64_t until, struct bounded *out)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };	/* 10 ms */
	struct imip_itip *it = NULL;
	struct imip_err err;
	int fd[2], status = 0;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	assert_int_equal(pipe(fd), 0);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		close(fd[0]);
		imip_err_clear(&err);
		out->parse_rc = imip_itip_parse(&it, text, NULL,
		    "Europe/Berlin", &err);
		if (out->parse_rc == IMIP_OK)
			out->expand_rc = imip_itip_expand(it, until, MAX_INST,
			    "Europe/Berlin", &err);
		snprintf(out->msg, sizeof(out->msg), "%s", err.msg);
		imip_itip_free(it);
		_exit(write(fd[1], out, sizeof(*out)) == sizeof(*out) ? 0 : 1);
	}
	close(fd[1]);
	for (int ms = 0; waitpid(pid, &status, WNOHANG) == 0; ms += 10) {
		if (ms >= DEADLINE_S * 1000) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			close(fd[0]);
			return false;
		}
		nanosleep(&nap, NULL);
	}
	if (read(fd[0], out, sizeof(*out)) != sizeof(*out))
		fail_msg("child gave no answer (wait status %d)", status);
	close(fd[0]);
	return true;
}

#define WEEK53		L("RRULE:FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO")
#define JAN04_09_10							\
	L("DTSTART:20270104T090000Z") L("DTEND:20270104T100000Z")

static void
test_recur_bad_or_runaway_rule_fails_in_bounds(void **state)
{
	static const struct {
		const char	*what, *text;
		int64_t		 until;
		int		 parse_rc, expand_rc, also_ok;
		const char	*msg;		/* in err.msg */
		const char	*bug;		/* no answer is known */
	} cases[] = {
		/* IMIP_ELIMIT within DEADLINE_S, i.e. quickly */
		{ "SECONDLY without end, max 1000",
		    ONE_EVENT(UTC_09_10, L("RRULE:FREQ=SECONDLY")),
		    T_20270301_0900Z + 86400, IMIP_OK, IMIP_ELIMIT,
		    IMIP_ELIMIT, "1000", NULL },
		{ "MONTHLY;BYMONTHDAY=31;BYMONTH=4 never matches",
		    ONE_EVENT(UTC_09_10,
		    L("RRULE:FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4")),
		    T_20280101_0000Z, IMIP_OK, IMIP_EPARSE, IMIP_EPARSE,
		    "never", NULL },
		{ "DAILY;BYMONTH=2;BYMONTHDAY=30 never matches",
		    ONE_EVENT(UTC_09_10,
		    L("RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30")),
		    T_20280101_0000Z, IMIP_OK, IMIP_EPARSE, IMIP_EPARSE,
		    "never", NULL },
		/*
		 * OK or EPARSE: libical 3.0.16 finds none in 2027-2028 (right,
		 * both have 52 ISO weeks), so IMIP_EPARSE.  Later it yields
		 * 2031-12-29 and 2042-12-29: ISO week 1 of 2032 and 2043.
		 */
		{ "BYWEEKNO=53;BYDAY=MO, 2 years (RRULE first)",
		    ONE_EVENT(WEEK53, JAN04_09_10),
		    INT64_C(1862211600) /* 2029-01-04T09:00Z */, IMIP_OK,
		    IMIP_EPARSE, IMIP_OK, NULL, NULL },
		{ "BYWEEKNO=53;BYDAY=MO, 2 years (DTSTART first)",
		    ONE_EVENT(JAN04_09_10, WEEK53), INT64_C(1862211600),
		    IMIP_OK, IMIP_EPARSE, IMIP_OK, NULL, "BUG-1 endless loop" },
		/* libical drops the property with an X-LIC-ERROR: parse. */
		{ "FREQ=FOO", ONE_EVENT(UTC_09_10, L("RRULE:FREQ=FOO")),
		    T_20280101_0000Z, IMIP_EPARSE, IMIP_OK, IMIP_OK, "RRULE",
		    NULL },
		/* imip_icaltime_normalize refuses it already at parse. */
		{ "EXDATE with an unknown TZID",
		    ONE_EVENT(UTC_09_10, L("RDATE:20270308T090000Z")
		    L("EXDATE;TZID=Mars/Olympus_Mons:20270308T100000")),
		    T_20280101_0000Z, IMIP_EPARSE, IMIP_OK, IMIP_OK,
		    "Mars/Olympus_Mons", NULL },
	};
	struct bounded got;
	bool known = false;

	(void)state;
	for (size_t i = 0; i < NCASES(cases); i++) {
		if (!expand_bounded(cases[i].text, cases[i].until, &got)) {
			if (cases[i].bug == NULL)
				fail_msg("%s: got no answer in %d s, want one",
				    cases[i].what, DEADLINE_S);
			print_message("%s: %s: no answer in %d s\n",
			    cases[i].what, cases[i].bug, DEADLINE_S);
			known = true;
			continue;
		}
		if (got.parse_rc != cases[i].parse_rc ||
		    (got.parse_rc == IMIP_OK &&
		    got.expand_rc != cases[i].expand_rc &&
		    got.expand_rc != cases[i].also_ok))
			fail_msg("%s: got parse %d, expand %d (%s), want %d, "
			    "%d", cases[i].what, got.parse_rc, got.expand_rc,
			    got.msg, cases[i].parse_rc, cases[i].expand_rc);
		if (cases[i].msg != NULL &&
		    strstr(got.msg, cases[i].msg) == NULL)
			fail_msg("%s: got message \"%s\", want one with "
			    "\"%s\"", cases[i].what, got.msg, cases[i].msg);
	}
	if (known)
		skip();
}

static void
test_recur_expand_again_replaces_instances(void **state)
{
	/* RRULE before DTSTART, out of BUG-1's way. */
	static const char text[] = ONE_EVENT(
	    L("RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10"), BERLIN_10_11);
	struct imip_itip *it;
	struct imip_err err;
	char why[512];

	(void)state;
	it = parse_ok("weekly", text, "UTC");
	assert_int_equal(imip_itip_expand(it, T_20280101_0000Z, MAX_INST,
	    "UTC", &err), IMIP_OK);
	if (!same_instances(it, WANT(BERLIN_MONDAYS), false, why,
	    sizeof(why)))
		fail_msg("first expansion: %s", why);
	/* A nearer horizon: the first three Mondays, the rest cut off. */
	assert_int_equal(imip_itip_expand(it, T_20270320_0000Z, MAX_INST,
	    "UTC", &err), IMIP_OK);
	if (!same_instances(it, BERLIN_MONDAYS, 3, true, why, sizeof(why)))
		fail_msg("second expansion: %s", why);
	/* A failed expansion leaves the last good one in place. */
	imip_err_clear(&err);
	assert_int_equal(imip_itip_expand(it, T_20280101_0000Z, 2, "UTC",
	    &err), IMIP_ELIMIT);
	assert_int_equal(err.code, IMIP_ELIMIT);
	assert_non_null(strstr(err.msg, "2 instances"));
	if (!same_instances(it, BERLIN_MONDAYS, 3, true, why, sizeof(why)))
		fail_msg("after IMIP_ELIMIT: %s", why);
	imip_itip_free(it);	/* valgrind: the first array is gone too */
}

static void
test_recur_floating_and_date_series_reach_horizon(void **state)
{
	static const struct want floating[] = {
		I(1803891600, 1803895200),	/* 2027-03-01T09:00Z .. 10Z */
		I(1803978000, 1803981600),	/* 2027-03-02T09:00Z .. 10Z */
		I(1804064400, 1804068000),	/* 2027-03-03T09:00Z .. 10Z */
	};
	/* The second day starts at 03-07T23:00Z, before until. */
	static const struct want dates[] = {
		I(1803855600, 1803942000),	/* 02-28T23Z .. 03-01T23Z */
		I(1804460400, 1804546800),	/* 03-07T23Z .. 03-08T23Z */
	};
	static const struct series_case cases[] = {
		{ "floating 10:00 Berlin daily, until 03-03T09:30Z",
		    "Europe/Berlin",
		    L("DTSTART:20270301T100000") L("DTEND:20270301T110000"),
		    L("RRULE:FREQ=DAILY"), "",
		    INT64_C(1804066200) /* 2027-03-03T09:30Z */, true,
		    WANT(floating), "BUG-2" },
		{ "all-day Berlin weekly, until 03-07T23:30Z",
		    "Europe/Berlin",
		    L("DTSTART;VALUE=DATE:20270301")
		    L("DTEND;VALUE=DATE:20270302"), L("RRULE:FREQ=WEEKLY"), "",
		    INT64_C(1804462200) /* 2027-03-07T23:30Z */, true,
		    WANT(dates), "BUG-2" },
	};

	(void)state;
	run_series_cases(cases, NCASES(cases));
}

static void
test_recur_override_past_horizon_is_left_out(void **state)
{
	static const struct series_case cases[] = {
		{ "until 03-20, override of 04-12 moved to 04-13", "UTC",
		    BERLIN_10_11, L("RRULE:FREQ=WEEKLY;COUNT=10"),
		    OVERRIDE(";TZID=Europe/Berlin:20270412T100000")
		    L("DTSTART;TZID=Europe/Berlin:20270413T100000")
		    L("DTEND;TZID=Europe/Berlin:20270413T110000"),
		    T_20270320_0000Z, true, BERLIN_MONDAYS, 3, "BUG-4" },
	};

	(void)state;
	run_series_cases(cases, NCASES(cases));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recur_endless_rule_is_clipped_at_horizon),
		cmocka_unit_test(
		    test_recur_bad_or_runaway_rule_fails_in_bounds),
		cmocka_unit_test(test_recur_expand_again_replaces_instances),
		cmocka_unit_test(
		    test_recur_floating_and_date_series_reach_horizon),
		cmocka_unit_test(test_recur_override_past_horizon_is_left_out),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup,
	    fixture_group_teardown);
}
