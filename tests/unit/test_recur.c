/*
 * test_recur.c - imip_itip_expand: a series as the UTC instants of its
 * instances, with RDATE, EXDATE and RECURRENCE-ID overrides, cut at the
 * horizon and bounded in count and time.
 *
 * Expected instants were computed outside libical (Python zoneinfo and
 * date -u -d) and are written next to the UTC time they stand for.  Each
 * inline series is expanded with its rules both after DTSTART and before.
 * A case showing exactly the symptom of a known core bug is reported and
 * skipped, so it runs in full once the bug is fixed:
 *  BUG-1 recur.c rule() resets the master's property iterator (via
 *        get_first_property(m, DTSTART), get_duration(m)), so series()
 *        finds the same RRULE again when DTSTART precedes it: IMIP_ELIMIT,
 *        or an endless loop if the rule has no instance before until.
 *  BUG-2 recur.c rule() cuts at a UTC r.until that libical compares with
 *        floating and DATE instances as wall time: east of UTC the last
 *        instance before until is lost.
 *  BUG-3 recur.c rule() ends an instance at icaltime_add(t, DTEND-DTSTART)
 *        in wall time, not the exact duration of RFC 5545 3.8.5.3.
 *  BUG-4 recur.c override() adds overrides that start at or after until.
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
#include <gmime/gmime.h>

#include "itip.h"
#include "mime.h"
#include "fixture.h"

/* One content line of a test calendar. */
#define L(s)	s "\r\n"

#define HEAD								\
	L("BEGIN:VCALENDAR") L("VERSION:2.0")				\
	L("PRODID:-//imip-milter//tests//EN") L("METHOD:REQUEST")
#define IDS								\
	L("UID:series@example.org") L("DTSTAMP:20270215T120000Z")	\
	L("ORGANIZER:mailto:alice@example.org")
#define ONE_EVENT(a, b)							\
	HEAD L("BEGIN:VEVENT") IDS a b L("END:VEVENT") L("END:VCALENDAR")
/* Close the master and open an override of it at RECURRENCE-ID rid. */
#define OVERRIDE(rid)							\
	L("END:VEVENT") L("BEGIN:VEVENT") IDS L("RECURRENCE-ID" rid)
#define BERLIN_10_11							\
	L("DTSTART;TZID=Europe/Berlin:20270301T100000")			\
	L("DTEND;TZID=Europe/Berlin:20270301T110000")
#define UTC_09_10							\
	L("DTSTART:20270301T090000Z") L("DTEND:20270301T100000Z")
#define WEEKLY_4	L("RRULE:FREQ=WEEKLY;COUNT=4")

#define T_20270301_0900Z	INT64_C(1803891600)
#define T_20270320_0000Z	INT64_C(1805500800)
#define T_20280101_0000Z	INT64_C(1830297600)
#define MAX_INST		1000
#define DEADLINE_S		5	/* every expansion answers by then */

struct want {
	int64_t	 rid, start, end;
	bool	 override, cancelled;
};
#define I(s, e)		{ (s), (s), (e), false, false }	/* from the master */
#define OV(r, s, e)	{ (r), (s), (e), true, false }	/* overridden */
#define CX(r, s, e)	{ (r), (s), (e), true, true }	/* cancelled */
#define WANT(a)		(a), sizeof(a) / sizeof((a)[0])
#define NCASES(a)	(sizeof(a) / sizeof((a)[0]))

/* A master VEVENT (times and rules), maybe overrides after it. */
struct series_case {
	const char		*what;
	const char		*tz;		/* default_tz */
	const char		*times;		/* DTSTART, DTEND lines */
	const char		*rules;		/* RRULE, RDATE, EXDATE lines */
	const char		*more;		/* override components or "" */
	int64_t			 until;
	bool			 clipped;
	const struct want	*want;
	size_t			 nwant;
	const char		*bug;		/* known: a mismatch skips */
};

/* Berlin 10:00-11:00 on the Mondays from 2027-03-01; CEST from 03-28. */
static const struct want BERLIN_MONDAYS[] = {
	I(1803891600, 1803895200),	/* 2027-03-01T09:00Z .. 10:00Z */
	I(1804496400, 1804500000),	/* 2027-03-08T09:00Z .. 10:00Z */
	I(1805101200, 1805104800),	/* 2027-03-15T09:00Z .. 10:00Z */
	I(1805706000, 1805709600),	/* 2027-03-22T09:00Z .. 10:00Z */
	I(1806307200, 1806310800),	/* 2027-03-29T08:00Z .. 09:00Z */
	I(1806912000, 1806915600),	/* 2027-04-05T08:00Z .. 09:00Z */
	I(1807516800, 1807520400),	/* 2027-04-12T08:00Z .. 09:00Z */
	I(1808121600, 1808125200),	/* 2027-04-19T08:00Z .. 09:00Z */
	I(1808726400, 1808730000),	/* 2027-04-26T08:00Z .. 09:00Z */
	I(1809331200, 1809334800),	/* 2027-05-03T08:00Z .. 09:00Z */
};

static void
dump(const struct imip_itip *it)
{
	for (size_t i = 0; i < it->ninst; i++)
		print_message("  [%zu] rid %lld [%lld, %lld)%s%s\n", i,
		    (long long)it->inst[i].rid, (long long)it->inst[i].start,
		    (long long)it->inst[i].end,
		    it->inst[i].override ? " override" : "",
		    it->inst[i].cancelled ? " cancelled" : "");
}

/* Whether it holds exactly want; if not, why says how (and dumps it). */
static bool
same_instances(const struct imip_itip *it, const struct want *want,
    size_t n, bool clipped, char *why, size_t len)
{
	const struct imip_instance *g;

	why[0] = '\0';
	if (it->ninst != n)
		snprintf(why, len, "got %zu instances, want %zu", it->ninst,
		    n);
	else if (it->clipped != clipped)
		snprintf(why, len, "got clipped %d, want %d", it->clipped,
		    clipped);
	for (size_t i = 0; it->ninst == n && i < n; i++) {
		g = &it->inst[i];
		if (g->rid == want[i].rid && g->start == want[i].start &&
		    g->end == want[i].end && g->override == want[i].override &&
		    g->cancelled == want[i].cancelled)
			continue;
		snprintf(why, len, "instance %zu: got {rid %lld, [%lld, %lld),"
		    " override %d, cancelled %d}, want {rid %lld, [%lld, %lld),"
		    " override %d, cancelled %d}", i, (long long)g->rid,
		    (long long)g->start, (long long)g->end, g->override,
		    g->cancelled, (long long)want[i].rid,
		    (long long)want[i].start, (long long)want[i].end,
		    want[i].override, want[i].cancelled);
		break;
	}
	if (why[0] != '\0')
		dump(it);
	return why[0] == '\0';
}

static struct imip_itip *
parse_ok(const char *what, const char *text, const char *tz)
{
	struct imip_itip *it = NULL;
	struct imip_err err;
	int rc;

	imip_err_clear(&err);
	if ((rc = imip_itip_parse(&it, text, NULL, tz, &err)) != IMIP_OK)
		fail_msg("%s: parse got rc %d (%s: %s), want IMIP_OK", what,
		    rc, imip_err_name(rc), err.msg);
	return it;
}

/*
 * Expand c with its rules after DTSTART, then before.  Returns true when
 * a known bug showed (reported); fails the test on any other difference.
 */
static bool
run_series(const struct series_case *c)
{
	static const char *const order[] = { "DTSTART first", "RRULE first" };
	char text[8192], why[512];
	struct imip_itip *it;
	struct imip_err err;
	bool known = false;
	int rc, n;

	for (int rf = 0; rf < 2; rf++) {
		n = snprintf(text, sizeof(text), HEAD L("BEGIN:VEVENT") IDS
		    "%s%s%s" L("END:VEVENT") L("END:VCALENDAR"),
		    rf ? c->rules : c->times, rf ? c->times : c->rules,
		    c->more);
		assert_true(n > 0 && (size_t)n < sizeof(text));
		it = parse_ok(c->what, text, c->tz);
		imip_err_clear(&err);
		rc = imip_itip_expand(it, c->until, MAX_INST, c->tz, &err);
		if (rc == IMIP_ELIMIT && !rf && strstr(c->rules, "RRULE")) {
			print_message("%s (%s): BUG-1: got %s, want IMIP_OK\n",
			    c->what, order[rf], err.msg);
			known = true;
		} else if (rc != IMIP_OK) {
			fail_msg("%s (%s): got rc %d (%s: %s), want IMIP_OK",
			    c->what, order[rf], rc, imip_err_name(rc),
			    err.msg);
		} else if (!same_instances(it, c->want, c->nwant, c->clipped,
		    why, sizeof(why))) {
			if (c->bug == NULL)
				fail_msg("%s (%s): %s", c->what, order[rf],
				    why);
			print_message("%s (%s): %s: %s\n", c->what, order[rf],
			    c->bug, why);
			known = true;
		}
		imip_itip_free(it);
	}
	return known;
}

static void
run_series_cases(const struct series_case *cases, size_t n)
{
	bool known = false;

	for (size_t i = 0; i < n; i++)
		known |= run_series(&cases[i]);
	if (known)
		skip();
}

/* Expand fixture name; bug names what an IMIP_ELIMIT would be. */
static void
check_fixture(const char *name, const char *tz, const struct want *want,
    size_t n, bool has_master, const char *bug)
{
	struct imip_itip *it;
	struct imip_err err;
	char why[512], *text;
	int rc;

	text = fixture_read(name, NULL);
	it = parse_ok(name, text, tz);
	free(text);
	imip_err_clear(&err);
	rc = imip_itip_expand(it, T_20280101_0000Z, MAX_INST, tz, &err);
	if (rc == IMIP_ELIMIT && bug != NULL) {
		print_message("%s: %s: got %s, want IMIP_OK\n", name, bug,
		    err.msg);
		imip_itip_free(it);
		skip();
	}
	if (rc != IMIP_OK)
		fail_msg("%s: got rc %d (%s), want IMIP_OK", name, rc,
		    err.msg);
	if (it->has_master != has_master)
		fail_msg("%s: got has_master %d, want %d", name,
		    it->has_master, has_master);
	if (!same_instances(it, want, n, false, why, sizeof(why)))
		fail_msg("%s: %s", name, why);
	imip_itip_free(it);
}

static void
test_recur_single_event_is_one_instance(void **state)
{
	/* 2027-03-01T09:00Z .. 10:00Z, rid = start */
	static const struct want want[] = { I(1803891600, 1803895200) };
	static const struct series_case cases[] = {
		{ "no RRULE, no RDATE", "Europe/Berlin", UTC_09_10, "", "",
		    T_20280101_0000Z, false, WANT(want), NULL },
	};

	(void)state;
	run_series_cases(cases, NCASES(cases));
}

static void
test_recur_weekly_follows_zone_dst(void **state)
{
	/* New York 10:00-11:00 on Mondays; EDT from 2027-03-14. */
	static const struct want new_york[] = {
		I(1803913200, 1803916800),	/* 2027-03-01T15:00Z .. 16Z */
		I(1804518000, 1804521600),	/* 2027-03-08T15:00Z .. 16Z */
		I(1805119200, 1805122800),	/* 2027-03-15T14:00Z .. 15Z */
		I(1805724000, 1805727600),	/* 2027-03-22T14:00Z .. 15Z */
		I(1806328800, 1806332400),	/* 2027-03-29T14:00Z .. 15Z */
		I(1806933600, 1806937200),	/* 2027-04-05T14:00Z .. 15Z */
		I(1807538400, 1807542000),	/* 2027-04-12T14:00Z .. 15Z */
		I(1808143200, 1808146800),	/* 2027-04-19T14:00Z .. 15Z */
		I(1808748000, 1808751600),	/* 2027-04-26T14:00Z .. 15Z */
		I(1809352800, 1809356400),	/* 2027-05-03T14:00Z .. 15Z */
	};
	static const struct series_case cases[] = {
		{ "Europe/Berlin across 2027-03-28", "America/New_York",
		    BERLIN_10_11, L("RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10"), "",
		    T_20280101_0000Z, false, WANT(BERLIN_MONDAYS), NULL },
		{ "America/New_York across 2027-03-14", "Europe/Berlin",
		    L("DTSTART;TZID=America/New_York:20270301T100000")
		    L("DTEND;TZID=America/New_York:20270301T110000"),
		    L("RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10"), "",
		    T_20280101_0000Z, false, WANT(new_york), NULL },
	};

	(void)state;
	run_series_cases(cases, NCASES(cases));
}

static void
test_recur_outlook_windows_zone_matches_berlin(void **state)
{
	(void)state;
	/* TZID "W. Europe Standard Time" from the message's VTIMEZONE. */
	check_fixture("recur-outlook-weekly.ics", "America/New_York",
	    WANT(BERLIN_MONDAYS), true, NULL);
}

#define NY_19970805							\
	L("DTSTART;TZID=America/New_York:19970805T090000")		\
	L("DTEND;TZID=America/New_York:19970805T100000")
#define NY_RULE(days, wkst)						\
	L("RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=" days ";WKST=" wkst)
#define T_19980101_0000Z	INT64_C(883612800)

static void
test_recur_rule_parts_follow_rfc5545(void **state)
{
	static const struct want daily[] = {
		I(1803891600, 1803895200),	/* 2027-03-01T09:00Z .. 10Z */
		I(1803978000, 1803981600),	/* 2027-03-02T09:00Z .. 10Z */
		I(1804064400, 1804068000),	/* 2027-03-03T09:00Z .. 10Z */
		I(1804150800, 1804154400),	/* 2027-03-04T09:00Z .. 10Z */
		I(1804237200, 1804240800),	/* 2027-03-05T09:00Z .. 10Z */
	};
	static const struct want last_day[] = {
		I(1801386000, 1801389600),	/* 2027-01-31T09:00Z .. 10Z */
		I(1803805200, 1803808800),	/* 2027-02-28T09:00Z .. 10Z */
		I(1806483600, 1806487200),	/* 2027-03-31T09:00Z .. 10Z */
		I(1809075600, 1809079200),	/* 2027-04-30T09:00Z .. 10Z */
		I(1811754000, 1811757600),	/* 2027-05-31T09:00Z .. 10Z */
		I(1814346000, 1814349600),	/* 2027-06-30T09:00Z .. 10Z */
	};
	static const struct want leap[] = {
		I(1835427600, 1835431200),	/* 2028-02-29T09:00Z .. 10Z */
		I(1961658000, 1961661600),	/* 2032-02-29T09:00Z .. 10Z */
		I(2087888400, 2087892000),	/* 2036-02-29T09:00Z .. 10Z */
	};
	/* RFC 5545 p. 123, New York 09:00 EDT: 1997-08-xxT13:00Z. */
	static const struct want wkst_mo[] = {
		I(870786000, 870789600),	/* 1997-08-05T13:00Z .. 14Z */
		I(871218000, 871221600),	/* 1997-08-10T13:00Z .. 14Z */
		I(871995600, 871999200),	/* 1997-08-19T13:00Z .. 14Z */
		I(872427600, 872431200),	/* 1997-08-24T13:00Z .. 14Z */
	};
	static const struct want wkst_su[] = {
		I(870786000, 870789600),	/* 1997-08-05T13:00Z .. 14Z */
		I(871822800, 871826400),	/* 1997-08-17T13:00Z .. 14Z */
		I(871995600, 871999200),	/* 1997-08-19T13:00Z .. 14Z */
		I(873032400, 873036000),	/* 1997-08-31T13:00Z .. 14Z */
	};
	static const struct want tu_th[] = {
		I(870786000, 870789600),	/* 1997-08-05T13:00Z .. 14Z */
		I(870958800, 870962400),	/* 1997-08-07T13:00Z .. 14Z */
		I(871995600, 871999200),	/* 1997-08-19T13:00Z .. 14Z */
		I(872168400, 872172000),	/* 1997-08-21T13:00Z .. 14Z */
	};
	static const struct want last_weekday[] = {
		I(1801213200, 1801216800),	/* Fri 2027-01-29T09:00Z */
		I(1803632400, 1803636000),	/* Fri 2027-02-26T09:00Z */
		I(1806483600, 1806487200),	/* Wed 2027-03-31T09:00Z */
		I(1809075600, 1809079200),	/* Fri 2027-04-30T09:00Z */
		I(1811754000, 1811757600),	/* Mon 2027-05-31T09:00Z */
		I(1814346000, 1814349600),	/* Wed 2027-06-30T09:00Z */
	};
	static const struct want hourly[] = {
		I(1803891600, 1803895200),	/* 2027-03-01T09:00Z .. 10Z */
		I(1803920400, 1803924000),	/* 2027-03-01T17:00Z .. 18Z */
		I(1803949200, 1803952800),	/* 2027-03-02T01:00Z .. 02Z */
	};
	static const struct series_case cases[] = {
		{ "DAILY, UTC UNTIL on the last instance (inclusive)", "UTC",
		    BERLIN_10_11, L("RRULE:FREQ=DAILY;UNTIL=20270305T090000Z"),
		    "", T_20280101_0000Z, false, WANT(daily), NULL },
		{ "DAILY, UTC UNTIL a second before it", "UTC",
		    BERLIN_10_11, L("RRULE:FREQ=DAILY;UNTIL=20270305T085959Z"),
		    "", T_20280101_0000Z, false, daily, 4, NULL },
		{ "MONTHLY;BYMONTHDAY=-1 is the last day", "UTC",
		    L("DTSTART:20270131T090000Z") L("DTEND:20270131T100000Z"),
		    L("RRULE:FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=6"), "",
		    T_20280101_0000Z, false, WANT(last_day), NULL },
		{ "YEARLY;BYMONTH=2;BYMONTHDAY=29, ten years", "UTC",
		    L("DTSTART:20280229T090000Z") L("DTEND:20280229T100000Z"),
		    L("RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"), "",
		    INT64_C(2151014400) /* 2038-03-01T00:00Z */, true,
		    WANT(leap), NULL },
		{ "INTERVAL=2;BYDAY=TU,SU;WKST=MO", "UTC", NY_19970805,
		    NY_RULE("TU,SU", "MO"), "", T_19980101_0000Z, false,
		    WANT(wkst_mo), NULL },
		{ "INTERVAL=2;BYDAY=TU,SU;WKST=SU", "UTC", NY_19970805,
		    NY_RULE("TU,SU", "SU"), "", T_19980101_0000Z, false,
		    WANT(wkst_su), NULL },
		{ "INTERVAL=2;BYDAY=TU,TH;WKST=MO (WKST cannot matter)", "UTC",
		    NY_19970805, NY_RULE("TU,TH", "MO"), "", T_19980101_0000Z,
		    false, WANT(tu_th), NULL },
		{ "INTERVAL=2;BYDAY=TU,TH;WKST=SU (WKST cannot matter)", "UTC",
		    NY_19970805, NY_RULE("TU,TH", "SU"), "", T_19980101_0000Z,
		    false, WANT(tu_th), NULL },
		{ "BYSETPOS=-1 of MO-FR: last weekday of the month", "UTC",
		    L("DTSTART:20270129T090000Z") L("DTEND:20270129T100000Z"),
		    L("RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;"
		    "COUNT=6"), "", T_20280101_0000Z, false,
		    WANT(last_weekday), NULL },
		{ "HOURLY;INTERVAL=8;COUNT=3", "Europe/Berlin", UTC_09_10,
		    L("RRULE:FREQ=HOURLY;INTERVAL=8;COUNT=3"), "",
		    T_20280101_0000Z, false, WANT(hourly), NULL },
	};

	(void)state;
	run_series_cases(cases, NCASES(cases));
}

static void
test_recur_all_day_spans_local_midnights(void **state)
{
	/* Local midnight to midnight: 24 h, 24 h, then 23 h (CEST). */
	static const struct want want[] = {
		I(1804978800, 1805065200),	/* 03-13T23Z .. 03-14T23Z */
		I(1805583600, 1805670000),	/* 03-20T23Z .. 03-21T23Z */
		I(1806188400, 1806271200),	/* 03-27T23Z .. 03-28T22Z */
	};
	static const struct series_case cases[] = {
		{ "weekly on Sundays, VALUE=DATE", "Europe/Berlin",
		    L("DTSTART;VALUE=DATE:20270314")
		    L("DTEND;VALUE=DATE:20270315"),
		    L("RRULE:FREQ=WEEKLY;COUNT=3"), "", T_20280101_0000Z,
		    false, WANT(want), NULL },
	};

	(void)state;
	run_series_cases(cases, NCASES(cases));
}

static void
test_recur_rdate_adds_exdate_removes(void **state)
{
	static const struct want want[] = {
		I(1803891600, 1803895200),	/* 2027-03-01T09:00Z .. 10Z */
		I(1804496400, 1804500000),	/* 2027-03-08T09:00Z .. 10Z */
		I(1804683600, 1804687200),	/* 2027-03-10T13:00Z .. 14Z */
		I(1804852800, 1804863600),	/* 2027-03-12T12:00Z .. 15Z */
		/* 2027-03-15T09:00Z is the EXDATE */
		I(1805270400, 1805277600),	/* 2027-03-17T08:00Z .. 10Z */
		I(1805706000, 1805709600),	/* 2027-03-22T09:00Z .. 10Z */
	};
	static const struct series_case cases[] = {
		{ "weekly Berlin, four RDATEs, one EXDATE", "UTC",
		    BERLIN_10_11, WEEKLY_4
		    L("RDATE;TZID=Europe/Berlin:20270310T140000")
		    L("RDATE;VALUE=PERIOD:20270312T120000Z/20270312T150000Z")
		    L("RDATE;VALUE=PERIOD:20270317T080000Z/PT2H")
		    /* the instant of the rule's 03-08: not repeated */
		    L("RDATE;TZID=Europe/Berlin:20270308T100000")
		    L("EXDATE;TZID=Europe/Berlin:20270315T100000"), "",
		    T_20280101_0000Z, false, WANT(want), NULL },
	};

	(void)state;
	run_series_cases(cases, NCASES(cases));
}

static void
test_recur_override_moves_cancels_or_adds(void **state)
{
	static const struct want want[] = {
		I(1803891600, 1803895200),	/* 2027-03-01T09:00Z .. 10Z */
		/* rid 03-08T09:00Z, moved to Tue 03-09T14:00Z .. 15:30Z */
		OV(1804496400, 1804600800, 1804606200),
		/* rid 03-15T09:00Z, cancelled in place */
		CX(1805101200, 1805101200, 1805104800),
		/* rid Wed 03-17T09:00Z is no rule date: 11:00Z .. 12:00Z */
		OV(1805274000, 1805281200, 1805284800),
		I(1805706000, 1805709600),	/* 2027-03-22T09:00Z .. 10Z */
	};
	static const struct series_case cases[] = {
		{ "moved, cancelled and added overrides", "UTC",
		    BERLIN_10_11, WEEKLY_4,
		    OVERRIDE(";TZID=Europe/Berlin:20270308T100000")
		    L("DTSTART;TZID=Europe/Berlin:20270309T150000")
		    L("DTEND;TZID=Europe/Berlin:20270309T163000")
		    OVERRIDE(";TZID=Europe/Berlin:20270315T100000")
		    L("DTSTART;TZID=Europe/Berlin:20270315T100000")
		    L("DTEND;TZID=Europe/Berlin:20270315T110000")
		    L("STATUS:CANCELLED")
		    OVERRIDE(";TZID=Europe/Berlin:20270317T100000")
		    L("DTSTART;TZID=Europe/Berlin:20270317T120000")
		    L("DTEND;TZID=Europe/Berlin:20270317T130000"),
		    T_20280101_0000Z, false, WANT(want), NULL },
	};

	(void)state;
	run_series_cases(cases, NCASES(cases));
}

static void
test_recur_utc_rid_matches_zoned_instance(void **state)
{
	/* Google: RECURRENCE-ID:20270329T080000Z is Berlin 10:00 CEST. */
	static const struct want want[] = {
		I(1803891600, 1803895200),	/* 2027-03-01T09:00Z .. 10Z */
		I(1804496400, 1804500000),	/* 2027-03-08T09:00Z .. 10Z */
		I(1805101200, 1805104800),	/* 2027-03-15T09:00Z .. 10Z */
		I(1805706000, 1805709600),	/* 2027-03-22T09:00Z .. 10Z */
		/* rid 03-29T08:00Z, moved to 11:00 CEST: 09:00Z .. 10Z */
		OV(1806307200, 1806310800, 1806314400),
	};

	(void)state;
	check_fixture("recur-google-utc-rid.ics", "UTC", WANT(want), true,
	    "BUG-1");
}

static void
test_recur_overrides_only_without_master(void **state)
{
	/* Thunderbird: two overrides, no master, its own Europe/Berlin. */
	static const struct want want[] = {
		/* rid 03-08T09:00Z (10:00 CET), moved to 13:00Z .. 14Z */
		OV(1804496400, 1804510800, 1804514400),
		/* rid 03-29T08:00Z (10:00 CEST), kept at 08:00Z .. 09Z */
		OV(1806307200, 1806307200, 1806310800),
	};

	(void)state;
	check_fixture("recur-thunderbird-overrides-only.ics", "UTC",
	    WANT(want), false, NULL);
}

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
test_recur_instance_length_is_exact_across_dst(void **state)
{
	/* DTEND - DTSTART = 2 h exactly, on 03-28 too (RFC 5545 3.8.5.3) */
	static const struct want want[] = {
		I(1806107400, 1806114600),	/* 03-27T00:30Z .. 02:30Z */
		I(1806193800, 1806201000),	/* 03-28T00:30Z .. 02:30Z */
		I(1806276600, 1806283800),	/* 03-28T23:30Z .. 01:30Z */
	};
	static const struct series_case cases[] = {
		{ "Berlin 01:30-03:30 daily over the spring gap", "UTC",
		    L("DTSTART;TZID=Europe/Berlin:20270327T013000")
		    L("DTEND;TZID=Europe/Berlin:20270327T033000"),
		    L("RRULE:FREQ=DAILY;COUNT=3"), "", T_20280101_0000Z,
		    false, WANT(want), "BUG-3" },
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
		cmocka_unit_test(test_recur_single_event_is_one_instance),
		cmocka_unit_test(test_recur_weekly_follows_zone_dst),
		cmocka_unit_test(
		    test_recur_outlook_windows_zone_matches_berlin),
		cmocka_unit_test(test_recur_rule_parts_follow_rfc5545),
		cmocka_unit_test(test_recur_all_day_spans_local_midnights),
		cmocka_unit_test(test_recur_rdate_adds_exdate_removes),
		cmocka_unit_test(test_recur_override_moves_cancels_or_adds),
		cmocka_unit_test(test_recur_utc_rid_matches_zoned_instance),
		cmocka_unit_test(test_recur_overrides_only_without_master),
		cmocka_unit_test(test_recur_endless_rule_is_clipped_at_horizon),
		cmocka_unit_test(
		    test_recur_bad_or_runaway_rule_fails_in_bounds),
		cmocka_unit_test(test_recur_expand_again_replaces_instances),
		cmocka_unit_test(
		    test_recur_floating_and_date_series_reach_horizon),
		cmocka_unit_test(
		    test_recur_instance_length_is_exact_across_dst),
		cmocka_unit_test(test_recur_override_past_horizon_is_left_out),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup,
	    fixture_group_teardown);
}
