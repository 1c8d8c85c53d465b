/*
 * test_tz.c - TZID strings as clients send them, resolved to IANA zones.
 *
 * Expected instants were computed outside libical (Python zoneinfo and
 * date -u -d) and are written next to the UTC time they stand for.  Two
 * RFC 5545 rules libical 3.0.16 does not follow are written as tests and
 * skipped while libical gives its known, different answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <libical/ical.h>

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

/* local in tzid as UTC epoch seconds, through tz.c and libical. */
static int64_t
local_to_utc(const char *tzid, const char *local)
{
	char buf[IMIP_TZ_NAME_MAX];
	const char *name;
	icaltimezone *zone;

	name = imip_tz_iana_name(tzid, buf, sizeof(buf));
	assert_non_null(name);
	zone = icaltimezone_get_builtin_timezone(name);
	assert_non_null(zone);
	return (int64_t)icaltime_as_timet_with_zone(icaltime_from_string(local),
	    zone);
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
	int64_t got;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		got = local_to_utc(cases[i].tzid, cases[i].local);
		if (got != cases[i].want)
			fail_msg("%s %s: got %lld, want %lld", cases[i].tzid,
			    cases[i].local, (long long)got,
			    (long long)cases[i].want);
	}
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
	int64_t got = local_to_utc("Europe/Berlin", "20270328T023000");

	(void)state;
	if (got == 1806193800) {
		print_message("libical: 2027-03-28 02:30 Berlin = 00:30Z, "
		    "RFC 5545 wants 01:30Z\n");
		skip();
	}
	assert_int_equal(got, 1806197400);
}

/*
 * RFC 5545 3.3.5: a local time that occurs twice means the first one.
 * 02:30 on 2027-10-31 in Berlin first occurs at +02:00, 00:30Z
 * (1824942600); libical 3.0.16 takes the second, +01:00 = 01:30Z.
 */
static void
test_tz_fall_back_uses_first_occurrence(void **state)
{
	int64_t got = local_to_utc("Europe/Berlin", "20271031T023000");

	(void)state;
	if (got == 1824946200) {
		print_message("libical: 2027-10-31 02:30 Berlin = 01:30Z, "
		    "RFC 5545 wants 00:30Z\n");
		skip();
	}
	assert_int_equal(got, 1824942600);
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
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
