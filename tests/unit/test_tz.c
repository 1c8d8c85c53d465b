/*
 * test_tz.c - TZID strings as clients send them, resolved to IANA zones.
 *
 * Expected instants were computed outside libical (Python zoneinfo and
 * date -u -d) and are written next to the UTC time they stand for.  They
 * go through imip_icaltime_utc, which applies the two RFC 5545 3.3.5
 * rules libical 3.0.16 does not follow: a skipped local time takes the
 * offset before the gap, a repeated one is its first occurrence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <libical/ical.h>

#include "icaltime.h"
#include "tz.h"
#include "tz_int.h"

/* One input and the name we want back; want NULL means "no zone". */
struct name_case {
	const char	*tzid;
	const char	*want;
};

/* A local wall-clock time in a client's zone and the instant it is. */
struct instant_case {
	const char	*tzid;
	const char	*local;		/* iCalendar DATE-TIME, no zone */
	int64_t		 want;
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define OR_NULL(s)	((s) != NULL ? (s) : "NULL")

static void
check_names(const struct name_case *c, size_t n)
{
	char buf[IMIP_TZ_NAME_MAX];
	const char *got;

	for (size_t i = 0; i < n; i++) {
		got = imip_tz_iana_name(c[i].tzid, buf, sizeof(buf));
		if ((got == NULL) != (c[i].want == NULL) ||
		    (got != NULL && strcmp(got, c[i].want) != 0))
			fail_msg("\"%s\": got %s, want %s", OR_NULL(c[i].tzid),
			    OR_NULL(got), OR_NULL(c[i].want));
	}
}

/* local in tzid as UTC epoch seconds, through tz.c and icaltime.c. */
static int64_t
local_to_utc(const char *tzid, const char *local)
{
	char buf[IMIP_TZ_NAME_MAX];
	struct icaltimetype tt = icaltime_from_string(local);
	struct imip_err err;
	const char *name;
	icaltimezone *zone;
	int64_t got;
	int rc;

	name = imip_tz_iana_name(tzid, buf, sizeof(buf));
	assert_non_null(name);
	zone = icaltimezone_get_builtin_timezone(name);
	assert_non_null(zone);
	tt = icaltime_set_timezone(&tt, zone);
	imip_err_clear(&err);
	if ((rc = imip_icaltime_utc(&got, tt, NULL, NULL, NULL, &err)) < 0)
		fail_msg("%s %s: got rc %d (%s), want IMIP_OK", tzid, local,
		    rc, err.msg);
	return got;
}

static void
check_instants(const struct instant_case *c, size_t n)
{
	int64_t got;

	for (size_t i = 0; i < n; i++) {
		got = local_to_utc(c[i].tzid, c[i].local);
		if (got != c[i].want)
			fail_msg("%s %s: got %lld, want %lld", c[i].tzid,
			    c[i].local, (long long)got, (long long)c[i].want);
	}
}

static void
test_tz_iana_names_pass_through(void **state)
{
	static const struct name_case cases[] = {
		{ "Europe/Berlin", "Europe/Berlin" },
		{ "America/New_York", "America/New_York" },
		{ "America/Argentina/Buenos_Aires",
		    "America/Argentina/Buenos_Aires" },
		{ "Asia/Kolkata", "Asia/Kolkata" },
		{ "Etc/GMT+5", "Etc/GMT+5" },
		/* Old names tzdata keeps as links are zones too. */
		{ "US/Pacific", "US/Pacific" },
		{ "Asia/Calcutta", "Asia/Calcutta" },
	};
	char buf[IMIP_TZ_NAME_MAX];

	(void)state;
	check_names(cases, NELEM(cases));
	/* Never a pointer into the caller's string. */
	assert_ptr_equal(imip_tz_iana_name("Europe/Berlin", buf, sizeof(buf)),
	    buf);
}

static void
test_tz_vendor_prefixes_are_stripped(void **state)
{
	static const struct name_case cases[] = {
		{ "/freeassociation.sourceforge.net/Europe/Berlin",
		    "Europe/Berlin" },
		{ "/freeassociation.sourceforge.net/Tzfile/Europe/Berlin",
		    "Europe/Berlin" },
		{ "/mozilla.org/20050126_1/Europe/Berlin", "Europe/Berlin" },
		{ "/mozilla.org/20071231_1/America/Argentina/Buenos_Aires",
		    "America/Argentina/Buenos_Aires" },
		{ "/softwarestudio.org/Olson_20011030_5/America/New_York",
		    "America/New_York" },
		{ "/citadel.org/20190914_1/Europe/Berlin", "Europe/Berlin" },
		{ "/Europe/Berlin", "Europe/Berlin" },
		{ "/freeassociation.sourceforge.net/Etc/UTC", "UTC" },
		{ "/mozilla.org/20050126_1/Mars/Olympus_Mons", NULL },
		{ "/mozilla.org/20050126_1/", NULL },
		{ "/", NULL },
	};

	(void)state;
	check_names(cases, NELEM(cases));
}

static void
test_tz_quoted_names(void **state)
{
	static const struct name_case cases[] = {
		{ "\"Europe/Berlin\"", "Europe/Berlin" },
		{ "\"W. Europe Standard Time\"", "Europe/Berlin" },
		{ "\"/mozilla.org/20050126_1/Europe/Berlin\"",
		    "Europe/Berlin" },
		{ "\"UTC\"", "UTC" },
		{ "\"Europe/Berlin", NULL },	/* unbalanced */
		{ "\"\"", NULL },
		{ "\"", NULL },
	};

	(void)state;
	check_names(cases, NELEM(cases));
}

/* The table's own entries are in test_tz_common_windows_names. */
static void
test_tz_windows_special_names(void **state)
{
	static const struct name_case cases[] = {
		{ "UTC", "UTC" },	/* CLDR says Etc/UTC */
		{ "UTC-11", "Etc/GMT+11" },
		{ "Pacific Standard Time (Mexico)", "America/Tijuana" },
		{ "Standard Time", NULL },
	};

	(void)state;
	check_names(cases, NELEM(cases));
}

static void
test_tz_windows_lookup_ignores_case(void **state)
{
	static const struct name_case cases[] = {
		{ "w. europe standard time", "Europe/Berlin" },
		{ "PACIFIC STANDARD TIME", "America/Los_Angeles" },
		{ "gMT sTANDARD tIME", "Europe/London" },
		{ "aus eastern standard time", "Australia/Sydney" },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		const char *got = imip_tz_windows(cases[i].tzid);

		if (got == NULL || strcmp(got, cases[i].want) != 0)
			fail_msg("\"%s\": got %s, want %s", cases[i].tzid,
			    OR_NULL(got), cases[i].want);
	}
	check_names(cases, NELEM(cases));
}

static void
test_tz_outlook_display_names_are_not_mapped(void **state)
{
	static const struct name_case cases[] = {
		{ "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, "
		    "Vienna", NULL },
		{ "(UTC-08:00) Pacific Time (US & Canada)", NULL },
		{ "(GMT+01.00) Amsterdam / Berlin / Bern / Rome / Stockholm / "
		    "Vienna", NULL },
		{ "Customized Time Zone", NULL },
	};

	(void)state;
	check_names(cases, NELEM(cases));
}

static void
test_tz_utc_aliases(void **state)
{
	static const struct name_case cases[] = {
		{ "UTC", "UTC" }, { "utc", "UTC" }, { "GMT", "UTC" },
		{ "Etc/UTC", "UTC" }, { "etc/utc", "UTC" }, { "Z", "UTC" },
		{ "z", "UTC" },
	};

	(void)state;
	check_names(cases, NELEM(cases));
	assert_ptr_equal(icaltimezone_get_builtin_timezone("UTC"),
	    icaltimezone_get_utc_timezone());
}

static void
test_tz_unknown_names_are_null(void **state)
{
	static const struct name_case cases[] = {
		{ NULL, NULL }, { "", NULL }, { "Mars/Olympus_Mons", NULL },
		{ "Europe/Atlantis", NULL }, { "europe/berlin", NULL },
		{ "Europe/Berlin/", NULL }, { "W. Europe Standard", NULL },
		{ "Europe/Berlin ", NULL },
	};
	char longname[400];

	(void)state;
	check_names(cases, NELEM(cases));
	assert_null(imip_tz_windows(NULL));
	assert_null(imip_tz_windows("Europe/Berlin"));
	assert_null(imip_tz_windows(""));
	/* Too long for any zone: refused, not truncated into one. */
	memset(longname, 'A', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	memcpy(longname + sizeof(longname) - 15, "/Europe/Berlin", 14);
	longname[0] = '/';
	check_names(&(struct name_case){ longname, NULL }, 1);
}

/*
 * libical opens any relative path under the zoneinfo directory and keeps
 * every file it parsed in its global array; such names must not reach it.
 */
static void
test_tz_path_like_names_never_reach_libical(void **state)
{
	static const struct name_case cases[] = {
		{ "../zoneinfo/Europe/Berlin", NULL },
		{ "Europe/./Berlin", NULL },
		{ "Europe//Berlin", NULL },
		{ "right/Europe/Berlin", NULL },
		{ "posix/Europe/Berlin", NULL },
		{ "posixrules", NULL },
		{ "zone.tab", NULL },
		{ "/freeassociation.sourceforge.net/Tzfile/../../../etc/passwd",
		    NULL },
	};
	size_t before = icaltimezone_get_builtin_timezones()->num_elements;

	(void)state;
	check_names(cases, NELEM(cases));
	assert_int_equal(icaltimezone_get_builtin_timezones()->num_elements,
	    before);
}

static void
test_tz_result_must_fit_buf(void **state)
{
	char buf[14];

	(void)state;
	assert_null(imip_tz_iana_name("Europe/Berlin", buf, 13));
	assert_string_equal(imip_tz_iana_name("Europe/Berlin", buf, 14),
	    "Europe/Berlin");
	/* Table and UTC results are static and need no room. */
	assert_string_equal(imip_tz_iana_name("Romance Standard Time", buf, 1),
	    "Europe/Paris");
	assert_string_equal(imip_tz_iana_name("Etc/UTC", buf, 1), "UTC");
}

static void
test_tz_common_windows_names(void **state)
{
	static const struct name_case cases[] = {
		{ "W. Europe Standard Time", "Europe/Berlin" },
		{ "Romance Standard Time", "Europe/Paris" },
		{ "GMT Standard Time", "Europe/London" },
		{ "Greenwich Standard Time", "Atlantic/Reykjavik" },
		{ "Central Europe Standard Time", "Europe/Budapest" },
		{ "Central European Standard Time", "Europe/Warsaw" },
		{ "E. Europe Standard Time", "Europe/Chisinau" },
		{ "FLE Standard Time", "Europe/Kiev" },
		{ "GTB Standard Time", "Europe/Bucharest" },
		{ "Russian Standard Time", "Europe/Moscow" },
		{ "Turkey Standard Time", "Europe/Istanbul" },
		{ "Israel Standard Time", "Asia/Jerusalem" },
		{ "South Africa Standard Time", "Africa/Johannesburg" },
		{ "Arabian Standard Time", "Asia/Dubai" },
		{ "India Standard Time", "Asia/Calcutta" },
		{ "China Standard Time", "Asia/Shanghai" },
		{ "Tokyo Standard Time", "Asia/Tokyo" },
		{ "Singapore Standard Time", "Asia/Singapore" },
		{ "AUS Eastern Standard Time", "Australia/Sydney" },
		{ "New Zealand Standard Time", "Pacific/Auckland" },
		{ "Eastern Standard Time", "America/New_York" },
		{ "Central Standard Time", "America/Chicago" },
		{ "Mountain Standard Time", "America/Denver" },
		{ "US Mountain Standard Time", "America/Phoenix" },
		{ "Pacific Standard Time", "America/Los_Angeles" },
		{ "E. South America Standard Time", "America/Sao_Paulo" },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		const char *got = imip_tz_windows(cases[i].tzid);

		if (got == NULL || strcmp(got, cases[i].want) != 0)
			fail_msg("%s: got %s, want %s", cases[i].tzid,
			    OR_NULL(got), cases[i].want);
	}
	check_names(cases, NELEM(cases));
}

/* Binary search needs the order; every entry must be a zone libical has. */
static void
test_tz_table_is_sorted_and_resolvable(void **state)
{
	char buf[IMIP_TZ_NAME_MAX];
	size_t unknown = 0;

	(void)state;
	assert_true(tz_nwinzones > 100);
	for (size_t i = 1; i < tz_nwinzones; i++)
		if (strcasecmp(tz_winzones[i - 1].windows,
		    tz_winzones[i].windows) >= 0)
			fail_msg("table order: \"%s\" before \"%s\"",
			    tz_winzones[i - 1].windows, tz_winzones[i].windows);
	for (size_t i = 0; i < tz_nwinzones; i++) {
		if (imip_tz_iana_name(tz_winzones[i].windows, buf,
		    sizeof(buf)) != NULL)
			continue;
		print_error("%s -> %s: libical has no such zone\n",
		    tz_winzones[i].windows, tz_winzones[i].iana);
		unknown++;
	}
	assert_int_equal(unknown, 0);
}

static void
test_tz_windows_zone_to_utc_instants(void **state)
{
	static const struct instant_case cases[] = {
		/* CEST, +02:00: 2027-07-01T08:00:00Z */
		{ "W. Europe Standard Time", "20270701T100000", 1814428800 },
		/* CET, +01:00: 2027-01-15T09:00:00Z */
		{ "W. Europe Standard Time", "20270115T100000", 1800003600 },
		/* US DST day, still PST, -08:00: 2027-03-14T09:30:00Z */
		{ "Pacific Standard Time", "20270314T013000", 1805016600 },
		/* US DST day, already PDT, -07:00: 2027-03-14T10:30:00Z */
		{ "Pacific Standard Time", "20270314T033000", 1805020200 },
	};

	(void)state;
	check_instants(cases, NELEM(cases));
}

/*
 * RFC 5545 3.3.5: a local time in the spring-forward gap is read with the
 * offset before the gap.  02:30 does not exist in Berlin on 2027-03-28;
 * 02:30 +01:00 is 2027-03-28T01:30:00Z (1806197400).  libical 3.0.16 uses
 * the offset after the gap instead: 02:30 +02:00 = 00:30Z (1806193800).
 */
static void
test_tz_spring_gap_uses_offset_before_gap(void **state)
{
	(void)state;
	assert_int_equal(local_to_utc("Europe/Berlin", "20270328T023000"),
	    1806197400);
}

/*
 * RFC 5545 3.3.5: a local time that occurs twice means the first one.
 * 02:30 on 2027-10-31 in Berlin first occurs at +02:00, 00:30Z
 * (1824942600); libical 3.0.16 takes the second, +01:00 = 01:30Z.
 */
static void
test_tz_fall_back_uses_first_occurrence(void **state)
{
	(void)state;
	assert_int_equal(local_to_utc("Europe/Berlin", "20271031T023000"),
	    1824942600);
}

/* The same rules west of UTC, where the offsets are negative. */
static void
test_tz_new_york_gap_and_fold(void **state)
{
	static const struct instant_case cases[] = {
		/* gap, EST -05:00 before it: 2027-03-14T07:30:00Z */
		{ "America/New_York", "20270314T023000", 1805009400 },
		/* twice, first EDT -04:00: 2027-11-07T05:30:00Z */
		{ "America/New_York", "20271107T013000", 1825565400 },
		/* an hour either side, unambiguous; EST: 03-14T06:30:00Z */
		{ "America/New_York", "20270314T013000", 1805005800 },
		/* EDT: 2027-03-14T07:30:00Z, the same instant as 02:30 */
		{ "America/New_York", "20270314T033000", 1805009400 },
		/* EST, after the repeated hour: 2027-11-07T07:30:00Z */
		{ "America/New_York", "20271107T023000", 1825572600 },
	};

	(void)state;
	check_instants(cases, NELEM(cases));
}

/* EU rules under a TZID no IANA zone has: only the VTIMEZONE knows. */
#define CUSTOM_CAL							\
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"				\
	"PRODID:-//imip-milter//tests//EN\r\n"				\
	"BEGIN:VTIMEZONE\r\nTZID:Custom Berlin\r\n"			\
	"BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"	\
	"TZNAME:CEST\r\nDTSTART:19700329T020000\r\n"			\
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"	\
	"BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"	\
	"TZNAME:CET\r\nDTSTART:19701025T030000\r\n"			\
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"	\
	"END:VTIMEZONE\r\n"						\
	"BEGIN:VEVENT\r\nUID:gap@example.org\r\n"			\
	"DTSTAMP:20270215T120000Z\r\n"					\
	"DTSTART;TZID=Custom Berlin:%s\r\n"				\
	"END:VEVENT\r\nEND:VCALENDAR\r\n"

/*
 * local in the message's own "Custom Berlin", as UTC epoch seconds: once
 * with the zone libical attached, once found through the TZID and root.
 */
static int64_t
custom_to_utc(const char *local)
{
	char text[1024];
	icalcomponent *root, *ev;
	icalproperty *p;
	struct icaltimetype tt;
	struct imip_err err;
	int64_t got, again;

	assert_true(snprintf(text, sizeof(text), CUSTOM_CAL, local) <
	    (int)sizeof(text));
	assert_non_null(root = icalparser_parse_string(text));
	ev = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
	assert_non_null(ev);
	p = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
	tt = icalcomponent_get_dtstart(ev);
	assert_non_null(tt.zone);
	assert_string_equal(icaltimezone_get_tzid((icaltimezone *)tt.zone),
	    "Custom Berlin");
	imip_err_clear(&err);
	assert_int_equal(imip_icaltime_utc(&got, tt, p, root, NULL, &err),
	    IMIP_OK);
	tt.zone = NULL;
	assert_int_equal(imip_icaltime_utc(&again, tt, p, root, NULL, &err),
	    IMIP_OK);
	if (again != got)
		fail_msg("%s: through the TZID got %lld, want %lld", local,
		    (long long)again, (long long)got);
	icalcomponent_free(root);
	return got;
}

static void
test_tz_message_vtimezone_gap_and_fold(void **state)
{
	static const struct {
		const char	*local;
		int64_t		 want;
	} cases[] = {
		/* gap, CET +01:00 before it: 2027-03-28T01:30:00Z */
		{ "20270328T023000", 1806197400 },
		/* twice, first CEST +02:00: 2027-10-31T00:30:00Z */
		{ "20271031T023000", 1824942600 },
		/* CEST: 2027-07-01T08:00:00Z */
		{ "20270701T100000", 1814428800 },
	};
	int64_t got;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++)
		if ((got = custom_to_utc(cases[i].local)) != cases[i].want)
			fail_msg("Custom Berlin %s: got %lld, want %lld",
			    cases[i].local, (long long)got,
			    (long long)cases[i].want);
}

static int
group_setup(void **state)
{
	(void)state;
	icalerror_set_errors_are_fatal(0);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tz_iana_names_pass_through),
		cmocka_unit_test(test_tz_vendor_prefixes_are_stripped),
		cmocka_unit_test(test_tz_quoted_names),
		cmocka_unit_test(test_tz_windows_special_names),
		cmocka_unit_test(test_tz_windows_lookup_ignores_case),
		cmocka_unit_test(test_tz_outlook_display_names_are_not_mapped),
		cmocka_unit_test(test_tz_utc_aliases),
		cmocka_unit_test(test_tz_unknown_names_are_null),
		cmocka_unit_test(test_tz_path_like_names_never_reach_libical),
		cmocka_unit_test(test_tz_result_must_fit_buf),
		cmocka_unit_test(test_tz_common_windows_names),
		cmocka_unit_test(test_tz_table_is_sorted_and_resolvable),
		cmocka_unit_test(test_tz_windows_zone_to_utc_instants),
		cmocka_unit_test(test_tz_spring_gap_uses_offset_before_gap),
		cmocka_unit_test(test_tz_fall_back_uses_first_occurrence),
		cmocka_unit_test(test_tz_new_york_gap_and_fold),
		cmocka_unit_test(test_tz_message_vtimezone_gap_and_fold),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
