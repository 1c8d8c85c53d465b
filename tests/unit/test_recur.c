/*
 * test_recur.c - imip_itip_expand: a series as the UTC instants of its
 * instances, following its zone and its rule parts, with RDATE, EXDATE
 * and RECURRENCE-ID overrides.  Where a series stops (the horizon, the
 * instance limit, rules that never or endlessly match) is in
 * test_recur_bounds.c; both share recur_helpers.h, whose comment lists
 * the known core bugs (BUG-n) some cases report and skip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gmime/gmime.h>

#include "itip.h"
#include "mime.h"
#include "fixture.h"
#include "recur_helpers.h"

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

/*
 * RFC 5545 3.8.5.3 and 3.3.5 for each instance: Berlin 02:30 on
 * 2027-03-28 does not exist and takes the offset before the gap, CET; on
 * 2027-10-31 it occurs twice and is the first, CEST.  An instance lasts
 * the master's hour either way, and the instances after the change keep
 * their 02:30.  UNTIL is an instant: 01:15Z is 02:15 CET, the second
 * 02:15, so the first 02:30 is before it.
 */
static void
test_recur_instances_in_gap_and_fold(void **state)
{
	static const struct want spring[] = {
		I(1804987800, 1804991400),	/* 2027-03-14T01:30Z..02:30Z */
		I(1805592600, 1805596200),	/* 2027-03-21T01:30Z..02:30Z */
		I(1806197400, 1806201000),	/* 2027-03-28T01:30Z..02:30Z */
		I(1806798600, 1806802200),	/* 2027-04-04T00:30Z..01:30Z */
	};
	static const struct want autumn[] = {
		I(1823733000, 1823736600),	/* 2027-10-17T00:30Z..01:30Z */
		I(1824337800, 1824341400),	/* 2027-10-24T00:30Z..01:30Z */
		I(1824942600, 1824946200),	/* 2027-10-31T00:30Z..01:30Z */
		I(1825551000, 1825554600),	/* 2027-11-07T01:30Z..02:30Z */
	};
	static const struct want until[] = {
		I(1824769800, 1824773400),	/* 2027-10-29T00:30Z..01:30Z */
		I(1824856200, 1824859800),	/* 2027-10-30T00:30Z..01:30Z */
		I(1824942600, 1824946200),	/* 2027-10-31T00:30Z..01:30Z */
	};
	static const struct series_case cases[] = {
		{ "Berlin 02:30 weekly into the spring gap", "UTC",
		    L("DTSTART;TZID=Europe/Berlin:20270314T023000")
		    L("DTEND;TZID=Europe/Berlin:20270314T033000"), WEEKLY_4,
		    "", T_20280101_0000Z, false, WANT(spring), NULL },
		{ "Berlin 02:30 weekly into the repeated hour", "UTC",
		    L("DTSTART;TZID=Europe/Berlin:20271017T023000")
		    L("DTEND;TZID=Europe/Berlin:20271017T033000"), WEEKLY_4,
		    "", T_20280101_0000Z, false, WANT(autumn), NULL },
		{ "Berlin 02:30 daily, UTC UNTIL in the repeated hour", "UTC",
		    L("DTSTART;TZID=Europe/Berlin:20271029T023000")
		    L("DTEND;TZID=Europe/Berlin:20271029T033000"),
		    L("RRULE:FREQ=DAILY;UNTIL=20271031T011500Z"), "",
		    T_20280101_0000Z, false, WANT(until), NULL },
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recur_single_event_is_one_instance),
		cmocka_unit_test(test_recur_weekly_follows_zone_dst),
		cmocka_unit_test(test_recur_instances_in_gap_and_fold),
		cmocka_unit_test(
		    test_recur_outlook_windows_zone_matches_berlin),
		cmocka_unit_test(test_recur_rule_parts_follow_rfc5545),
		cmocka_unit_test(test_recur_all_day_spans_local_midnights),
		cmocka_unit_test(test_recur_rdate_adds_exdate_removes),
		cmocka_unit_test(test_recur_override_moves_cancels_or_adds),
		cmocka_unit_test(test_recur_utc_rid_matches_zoned_instance),
		cmocka_unit_test(test_recur_overrides_only_without_master),
		cmocka_unit_test(
		    test_recur_instance_length_is_exact_across_dst),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup,
	    fixture_group_teardown);
}
