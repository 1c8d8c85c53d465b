/*
 * test_itip.c - iTIP parsing of well-formed objects: methods, times in
 * every zone form, people and recurrence shapes.  What the parser must
 * refuse, as bad (IMIP_EPARSE) or unsupported (IMIP_EUNSUPPORTED), is in
 * test_itip_bad.c; both build their calendars with itip_cal.h.
 *
 * Expected instants were computed outside libical (Python zoneinfo and
 * date(1)) and are written next to the UTC time they stand for.
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
#include "itip_cal.h"

/* Parse text, failing the test with err.msg unless it succeeds. */
static struct imip_itip *
parse_ok(const char *text, const char *method_param, const char *tz)
{
	struct imip_itip *it = NULL;
	struct imip_err err;
	int rc;

	imip_err_clear(&err);
	rc = imip_itip_parse(&it, text, method_param, tz, &err);
	if (rc != IMIP_OK)
		fail_msg("got rc %d (%s: %s), want IMIP_OK", rc,
		    imip_err_name(rc), err.msg);
	assert_non_null(it);
	return it;
}

static struct imip_itip *
parse_fixture(const char *name, const char *method_param)
{
	struct imip_itip *it;
	char *text = fixture_read(name, NULL);

	it = parse_ok(text, method_param, "UTC");
	free(text);
	return it;
}

struct time_case {
	const char	*what;
	const char	*text;
	const char	*tz;		/* default_tz */
	int64_t		 start, end;
	bool		 all_day;
};

static void
check_time_cases(const struct time_case *cases, size_t n)
{
	struct imip_itip *it;

	for (size_t i = 0; i < n; i++) {
		it = parse_ok(cases[i].text, NULL, cases[i].tz);
		if (it->start != cases[i].start || it->end != cases[i].end)
			fail_msg("%s: got [%lld, %lld), want [%lld, %lld)",
			    cases[i].what, (long long)it->start,
			    (long long)it->end, (long long)cases[i].start,
			    (long long)cases[i].end);
		if (it->all_day != cases[i].all_day)
			fail_msg("%s: got all_day %d, want %d",
			    cases[i].what, it->all_day, cases[i].all_day);
		imip_itip_free(it);
	}
}

static void
test_itip_request_utc_fixture(void **state)
{
	struct imip_itip *it;

	(void)state;
	it = parse_fixture("itip-request-utc.ics", NULL);
	assert_int_equal(it->method, IMIP_METHOD_REQUEST);
	assert_string_equal(it->uid, "20270301-budget-review@example.org");
	assert_int_equal(it->sequence, 3);
	assert_int_equal(it->dtstamp, T_20270215_1200Z);
	assert_int_equal(it->start, T_20270301_0900Z);
	assert_int_equal(it->end, T_20270301_1000Z);
	assert_false(it->all_day);
	assert_string_equal(it->summary, "Budget review");
	assert_non_null(it->vevent);
	assert_non_null(strstr(it->vevent, "BEGIN:VEVENT"));
	assert_non_null(strstr(it->vevent,
	    "UID:20270301-budget-review@example.org"));
	/* The whole object is kept: re-expansion needs its VTIMEZONEs. */
	assert_non_null(strstr(it->vevent, "BEGIN:VCALENDAR"));
	assert_false(it->recurring);
	assert_true(it->has_master);
	imip_itip_free(it);
}

static void
test_itip_iana_tzid_without_vtimezone(void **state)
{
	static const struct time_case cases[] = {
		{ "Berlin winter (CET, +01:00)",
		    CAL(REQUEST, EVENT_IDS
			ZONED(BERLIN, "20270301T100000", "20270301T110000")),
		    "UTC",
		    /* 2027-03-01T09:00Z .. 10:00Z */
		    1803891600, 1803895200, false },
		{ "Berlin summer (CEST, +02:00)",
		    CAL(REQUEST, EVENT_IDS
			ZONED(BERLIN, "20270701T100000", "20270701T110000")),
		    "UTC",
		    /* 2027-07-01T08:00Z .. 09:00Z */
		    1814428800, 1814432400, false },
		{ "New York before DST (EST, -05:00)",
		    CAL(REQUEST, EVENT_IDS
			ZONED(NEW_YORK, "20270313T090000", "20270313T100000")),
		    "Europe/Berlin",
		    /* 2027-03-13T14:00Z .. 15:00Z */
		    1804946400, 1804950000, false },
		{ "New York after DST (EDT, -04:00)",
		    CAL(REQUEST, EVENT_IDS
			ZONED(NEW_YORK, "20270315T090000", "20270315T100000")),
		    "Europe/Berlin",
		    /* 2027-03-15T13:00Z .. 14:00Z */
		    1805115600, 1805119200, false },
		{ "New York spanning the DST switch is 47 h",
		    CAL(REQUEST, EVENT_IDS
			ZONED(NEW_YORK, "20270313T090000", "20270315T090000")),
		    "UTC",
		    /* 2027-03-13T14:00Z .. 2027-03-15T13:00Z */
		    1804946400, 1805115600, false },
		{ "start and end in different zones",
		    CAL(REQUEST, EVENT_IDS
			L("DTSTART;TZID=Europe/Berlin:20270301T100000")
			L("DTEND;TZID=America/New_York:20270301T050000")),
		    "UTC",
		    /* 2027-03-01T09:00Z .. 10:00Z */
		    1803891600, 1803895200, false },
	};

	(void)state;
	check_time_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_itip_vtimezone_block_defines_zone(void **state)
{
	static const struct time_case cases[] = {
		{ "Outlook W. Europe, winter",
		    CAL_WITH(REQUEST, WEST_VTIMEZONE, EVENT_IDS
			ZONED(WEST, "20270301T100000", "20270301T110000")),
		    "America/New_York",
		    /* 2027-03-01T09:00Z .. 10:00Z */
		    1803891600, 1803895200, false },
		{ "Outlook W. Europe, summer",
		    CAL_WITH(REQUEST, WEST_VTIMEZONE, EVENT_IDS
			ZONED(WEST, "20270701T100000", "20270701T110000")),
		    "America/New_York",
		    /* 2027-07-01T08:00Z .. 09:00Z */
		    1814428800, 1814432400, false },
		{ "private zone name, +05:30",
		    CAL_WITH(REQUEST, PLUS0530_VTIMEZONE, EVENT_IDS
			ZONED(PLUS0530, "20270301T100000", "20270301T113000")),
		    "UTC",
		    /* 2027-03-01T04:30Z .. 06:00Z */
		    1803875400, 1803880800, false },
	};

	(void)state;
	check_time_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_itip_outlook_fixture(void **state)
{
	struct imip_itip *it;
	const struct imip_attendee *room;

	(void)state;
	it = parse_fixture("itip-request-outlook.ics", "REQUEST");
	assert_int_equal(it->method, IMIP_METHOD_REQUEST);
	/* The UID is folded over two lines in the file. */
	assert_string_equal(it->uid, "040000008200E00074C5B7101A82E0080000"
	    "0000B0B5A7C3F1D2DB01000000000000000010000000E1F2A3B4C5D6E7F8"
	    "091A2B3C4D5E6F7");
	assert_int_equal(it->start, INT64_C(1814428800));  /* 08:00Z */
	assert_int_equal(it->end, INT64_C(1814432400));    /* 09:00Z */
	assert_int_equal(it->dtstamp, INT64_C(1813044600)); /* 06-15 07:30Z */
	assert_int_equal(it->sequence, 0);
	assert_string_equal(it->summary, "Quarterly planning");
	assert_string_equal(it->organizer, "alice@example.org");
	assert_string_equal(it->organizer_name, "Alice Example");
	assert_int_equal(it->nattendees, 1);
	room = imip_itip_attendee(it, "room-a@example.org");
	assert_non_null(room);
	assert_string_equal(room->name, "Room A");
	assert_true(room->rsvp);
	imip_itip_free(it);
}

static void
test_itip_floating_time_uses_calendar_zone(void **state)
{
	static const struct time_case cases[] = {
		{ "floating, default Europe/Berlin",
		    CAL(REQUEST, EVENT_IDS L("DTSTART:20270301T100000")
			L("DTEND:20270301T110000")),
		    "Europe/Berlin",
		    /* 2027-03-01T09:00Z .. 10:00Z */
		    1803891600, 1803895200, false },
		{ "floating, default America/New_York",
		    CAL(REQUEST, EVENT_IDS L("DTSTART:20270301T100000")
			L("DTEND:20270301T110000")),
		    "America/New_York",
		    /* 2027-03-01T15:00Z .. 16:00Z */
		    1803913200, 1803916800, false },
		{ "floating, default Asia/Tokyo",
		    CAL(REQUEST, EVENT_IDS L("DTSTART:20270301T100000")
			L("DTEND:20270301T110000")),
		    "Asia/Tokyo",
		    /* 2027-03-01T01:00Z .. 02:00Z */
		    1803862800, 1803866400, false },
		{ "UTC times ignore the default zone",
		    CAL(REQUEST, EVENT_IDS ONE_HOUR_UTC),
		    "Asia/Tokyo",
		    T_20270301_0900Z, T_20270301_1000Z, false },
	};

	(void)state;
	check_time_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_itip_all_day_ends_at_next_midnight_in_zone(void **state)
{
	static const struct time_case cases[] = {
		{ "all-day with DTEND, Berlin",
		    CAL(REQUEST, EVENT_IDS L("DTSTART;VALUE=DATE:20270301")
			L("DTEND;VALUE=DATE:20270302")),
		    "Europe/Berlin",
		    /* 2027-02-28T23:00Z .. 2027-03-01T23:00Z */
		    1803855600, 1803942000, true },
		{ "all-day without DTEND lasts one day",
		    CAL(REQUEST, EVENT_IDS L("DTSTART;VALUE=DATE:20270301")),
		    "Europe/Berlin",
		    /* 2027-02-28T23:00Z .. 2027-03-01T23:00Z */
		    1803855600, 1803942000, true },
		{ "all-day in UTC",
		    CAL(REQUEST, EVENT_IDS L("DTSTART;VALUE=DATE:20270301")
			L("DTEND;VALUE=DATE:20270302")),
		    "UTC",
		    /* 2027-03-01T00:00Z .. 2027-03-02T00:00Z */
		    1803859200, 1803945600, true },
		{ "all-day on the spring-forward day is 23 h",
		    CAL(REQUEST, EVENT_IDS L("DTSTART;VALUE=DATE:20270328")
			L("DTEND;VALUE=DATE:20270329")),
		    "Europe/Berlin",
		    /* 2027-03-27T23:00Z .. 2027-03-28T22:00Z */
		    1806188400, 1806271200, true },
		{ "all-day on the fall-back day is 25 h",
		    CAL(REQUEST, EVENT_IDS L("DTSTART;VALUE=DATE:20271031")
			L("DTEND;VALUE=DATE:20271101")),
		    "Europe/Berlin",
		    /* 2027-10-30T22:00Z .. 2027-10-31T23:00Z */
		    1824933600, 1825023600, true },
	};

	(void)state;
	check_time_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_itip_duration_replaces_dtend(void **state)
{
	static const struct time_case cases[] = {
		{ "PT1H30M from Berlin 10:00",
		    CAL(REQUEST, EVENT_IDS
			L("DTSTART;TZID=Europe/Berlin:20270301T100000")
			L("DURATION:PT1H30M")),
		    "UTC",
		    /* 2027-03-01T09:00Z .. 10:30Z */
		    1803891600, 1803897000, false },
		{ "PT45M from UTC",
		    CAL(REQUEST, EVENT_IDS L("DTSTART:20270301T090000Z")
			L("DURATION:PT45M")),
		    "Europe/Berlin",
		    /* 2027-03-01T09:00Z .. 09:45Z */
		    T_20270301_0900Z, 1803894300, false },
		{ "P1D of an all-day event",
		    CAL(REQUEST, EVENT_IDS L("DTSTART;VALUE=DATE:20270301")
			L("DURATION:P1D")),
		    "Europe/Berlin",
		    /* 2027-02-28T23:00Z .. 2027-03-01T23:00Z */
		    1803855600, 1803942000, true },
	};

	(void)state;
	check_time_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

struct method_case {
	const char		*what;
	const char		*text;
	const char		*param;
	int			 rc;
	enum imip_method	 want;
};

static void
test_itip_method_from_property_and_parameter(void **state)
{
	static const struct method_case cases[] = {
		{ "METHOD only", CAL(REQUEST, EVENT_IDS ONE_HOUR_UTC), NULL,
		    IMIP_OK, IMIP_METHOD_REQUEST },
		{ "METHOD only, empty parameter",
		    CAL(REQUEST, EVENT_IDS ONE_HOUR_UTC), "",
		    IMIP_OK, IMIP_METHOD_REQUEST },
		{ "parameter only", CAL("", EVENT_IDS ONE_HOUR_UTC),
		    "REQUEST", IMIP_OK, IMIP_METHOD_REQUEST },
		{ "parameter only, lower case",
		    CAL("", EVENT_IDS ONE_HOUR_UTC), "cancel",
		    IMIP_OK, IMIP_METHOD_CANCEL },
		{ "both agree, different case",
		    CAL(REQUEST, EVENT_IDS ONE_HOUR_UTC), "request",
		    IMIP_OK, IMIP_METHOD_REQUEST },
		{ "both agree on REPLY",
		    CAL(L("METHOD:REPLY"), EVENT_IDS ONE_HOUR_UTC), "Reply",
		    IMIP_OK, IMIP_METHOD_REPLY },
		{ "both disagree", CAL(REQUEST, EVENT_IDS ONE_HOUR_UTC),
		    "CANCEL", IMIP_EPARSE, IMIP_METHOD_UNKNOWN },
		{ "parameter unknown, METHOD known",
		    CAL(REQUEST, EVENT_IDS ONE_HOUR_UTC), "BOGUS",
		    IMIP_EPARSE, IMIP_METHOD_UNKNOWN },
		{ "unknown X- METHOD",
		    CAL(L("METHOD:X-MS-SPECIAL"), EVENT_IDS ONE_HOUR_UTC),
		    NULL, IMIP_EUNSUPPORTED, IMIP_METHOD_UNKNOWN },
		{ "METHOD libical knows but iTIP does not",
		    CAL(L("METHOD:MOVE"), EVENT_IDS ONE_HOUR_UTC), "MOVE",
		    IMIP_EUNSUPPORTED, IMIP_METHOD_UNKNOWN },
		{ "no METHOD, no parameter",
		    CAL("", EVENT_IDS ONE_HOUR_UTC), NULL,
		    IMIP_EPARSE, IMIP_METHOD_UNKNOWN },
		{ "no METHOD, empty parameter",
		    CAL("", EVENT_IDS ONE_HOUR_UTC), "",
		    IMIP_EPARSE, IMIP_METHOD_UNKNOWN },
	};
	struct imip_itip *it;
	struct imip_err err;
	int rc;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		imip_err_clear(&err);
		it = NULL;
		rc = imip_itip_parse(&it, cases[i].text, cases[i].param,
		    "UTC", &err);
		if (rc != cases[i].rc)
			fail_msg("%s: got rc %d (%s), want %d", cases[i].what,
			    rc, err.msg, cases[i].rc);
		if (rc == IMIP_OK && it->method != cases[i].want)
			fail_msg("%s: got %s, want %s", cases[i].what,
			    imip_method_name(it->method),
			    imip_method_name(cases[i].want));
		if (rc != IMIP_OK && (it != NULL || err.code != rc ||
		    err.msg[0] == '\0'))
			fail_msg("%s: got out %p, err {%d, \"%s\"}, want NULL "
			    "and a message", cases[i].what, (void *)it,
			    err.code, err.msg);
		imip_itip_free(it);
	}
}

static void
test_itip_sequence_and_dtstamp(void **state)
{
	struct imip_itip *it;

	(void)state;
	it = parse_ok(CAL(REQUEST, L("UID:seq@example.org")
	    L("DTSTAMP:20270228T160000Z") L("SEQUENCE:17")
	    L("ORGANIZER:mailto:alice@example.org") ONE_HOUR_UTC),
	    NULL, "UTC");
	assert_int_equal(it->sequence, 17);
	assert_int_equal(it->dtstamp, INT64_C(1803830400)); /* 02-28 16:00Z */
	imip_itip_free(it);

	/* Both absent: SEQUENCE defaults to 0 (RFC 5545), DTSTAMP to 0. */
	it = parse_ok(CAL(REQUEST, L("UID:seq@example.org")
	    L("ORGANIZER:mailto:alice@example.org") ONE_HOUR_UTC),
	    NULL, "UTC");
	assert_int_equal(it->sequence, 0);
	assert_int_equal(it->dtstamp, 0);
	imip_itip_free(it);
}

static void
test_itip_organizer_normalized_with_cn(void **state)
{
	struct imip_itip *it;

	(void)state;
	it = parse_ok(CAL(REQUEST, L("UID:org@example.org")
	    L("ORGANIZER;CN=\"Alice Example\":MAILTO:Alice@Example.ORG")
	    ONE_HOUR_UTC), NULL, "UTC");
	assert_string_equal(it->organizer, "alice@example.org");
	assert_string_equal(it->organizer_name, "Alice Example");
	imip_itip_free(it);

	it = parse_ok(CAL(REQUEST, L("UID:org@example.org")
	    L("ORGANIZER:mailto:alice@example.org") ONE_HOUR_UTC),
	    NULL, "UTC");
	assert_string_equal(it->organizer, "alice@example.org");
	assert_null(it->organizer_name);
	imip_itip_free(it);
}

struct attendee_want {
	const char	*address, *name, *partstat;
	bool		 rsvp;
};

static void
test_itip_attendees_with_parameters(void **state)
{
	static const struct attendee_want want[] = {
		{ "room-a@example.org", "Room A", "NEEDS-ACTION", true },
		{ "bob@example.org", "Bob, Jr.", "ACCEPTED", false },
		{ "carol@example.org", NULL, "TENTATIVE", false },
		{ "dave@example.org", NULL, "NEEDS-ACTION", false },
	};
	struct imip_itip *it;
	const struct imip_attendee *a;

	(void)state;
	it = parse_fixture("itip-request-utc.ics", NULL);
	assert_string_equal(it->organizer, "alice@example.org");
	assert_string_equal(it->organizer_name, "Alice Example");
	if (it->nattendees != sizeof(want) / sizeof(want[0]))
		fail_msg("got %zu attendees, want %zu", it->nattendees,
		    sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < it->nattendees; i++) {
		a = &it->attendees[i];
		if (strcmp(a->address, want[i].address) != 0)
			fail_msg("attendee %zu: got \"%s\", want \"%s\"", i,
			    a->address, want[i].address);
		if ((a->name == NULL) != (want[i].name == NULL) ||
		    (a->name != NULL && strcmp(a->name, want[i].name) != 0))
			fail_msg("%s: got CN \"%s\", want \"%s\"", a->address,
			    a->name ? a->name : "(null)",
			    want[i].name ? want[i].name : "(null)");
		if (strcmp(a->partstat, want[i].partstat) != 0)
			fail_msg("%s: got PARTSTAT %s, want %s", a->address,
			    a->partstat, want[i].partstat);
		if (a->rsvp != want[i].rsvp)
			fail_msg("%s: got RSVP %d, want %d", a->address,
			    a->rsvp, want[i].rsvp);
	}
	imip_itip_free(it);
}

static void
test_itip_attendee_lookup_any_form(void **state)
{
	struct imip_itip *it;

	(void)state;
	it = parse_fixture("itip-request-utc.ics", NULL);
	assert_ptr_equal(imip_itip_attendee(it, "room-a@example.org"),
	    &it->attendees[0]);
	assert_ptr_equal(imip_itip_attendee(it, "MAILTO:ROOM-A@EXAMPLE.ORG"),
	    &it->attendees[0]);
	assert_ptr_equal(imip_itip_attendee(it, "<Room-A@example.org>"),
	    &it->attendees[0]);
	assert_ptr_equal(imip_itip_attendee(it, "mailto:Bob@Example.org"),
	    &it->attendees[1]);
	assert_ptr_equal(imip_itip_attendee(it, "dave@example.org"),
	    &it->attendees[3]);
	assert_null(imip_itip_attendee(it, "room-b@example.org"));
	assert_null(imip_itip_attendee(it, "alice@example.org"));
	assert_null(imip_itip_attendee(it, "room-a@example.org.evil"));
	imip_itip_free(it);
}

static void
test_itip_utf8_summary_and_cn_kept(void **state)
{
	struct imip_itip *it;

	(void)state;
	it = parse_fixture("itip-request-utf8.ics", NULL);
	assert_string_equal(it->summary, "Gr\xc3\xb6\xc3\x9f" "enplanung f"
	    "\xc3\xbcr Caf\xc3\xa9 \xe2\x80\x93 Q2");
	assert_string_equal(it->organizer_name, "J\xc3\xbcrgen M\xc3\xbcller");
	assert_int_equal(it->nattendees, 1);
	assert_string_equal(it->attendees[0].name, "Raum \xc3\x84");
	imip_itip_free(it);
}

static void
test_itip_cancel_without_dtstart_is_ok(void **state)
{
	struct imip_itip *it;

	(void)state;
	it = parse_fixture("itip-cancel-no-dtstart.ics", "CANCEL");
	assert_int_equal(it->method, IMIP_METHOD_CANCEL);
	assert_string_equal(it->uid, "20270301-budget-review@example.org");
	assert_int_equal(it->sequence, 4);
	assert_int_equal(it->dtstamp, INT64_C(1803110400)); /* 02-20 08:00Z */
	assert_int_equal(it->start, 0);
	assert_int_equal(it->end, 0);
	assert_string_equal(it->organizer, "alice@example.org");
	assert_int_equal(it->nattendees, 1);
	imip_itip_free(it);
}

/* REFRESH (and REPLY, DECLINECOUNTER) name a stored object: no DTSTART. */
static void
test_itip_refresh_without_dtstart_is_ok(void **state)
{
	struct imip_itip *it;

	(void)state;
	it = parse_ok("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
	    "METHOD:REFRESH\r\nBEGIN:VEVENT\r\nUID:r1@example.com\r\n"
	    "DTSTAMP:20270220T080000Z\r\nORGANIZER:mailto:carol@example.org"
	    "\r\nATTENDEE:mailto:bob@example.com\r\nEND:VEVENT\r\n"
	    "END:VCALENDAR\r\n", "REFRESH", "UTC");
	assert_int_equal(it->method, IMIP_METHOD_REFRESH);
	assert_int_equal(it->start, 0);
	imip_itip_free(it);
}

/* TEXT values come unescaped: they go to headers and back into replies. */
static void
test_itip_text_values_are_unescaped(void **state)
{
	struct imip_itip *it;

	(void)state;
	it = parse_ok("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
	    "METHOD:COUNTER\r\nBEGIN:VEVENT\r\nUID:c1@example.com\r\n"
	    "DTSTAMP:20270220T080000Z\r\nDTSTART:20270301T090000Z\r\n"
	    "DURATION:PT1H\r\nSUMMARY:Lunch\\, team\\; plans\r\n"
	    "COMMENT:Later\\, please\r\n"
	    "ORGANIZER:mailto:carol@example.org\r\n"
	    "ATTENDEE:mailto:bob@example.com\r\nEND:VEVENT\r\n"
	    "END:VCALENDAR\r\n", "COUNTER", "UTC");
	assert_string_equal(it->summary, "Lunch, team; plans");
	assert_string_equal(it->comment, "Later, please");
	imip_itip_free(it);
}

static void
test_itip_recurrence_shapes_parse(void **state)
{
	static const struct {
		const char	*what, *text;
		bool		 has_master;
	} cases[] = {
		{ "RRULE", CAL(REQUEST, EVENT_IDS ONE_HOUR_UTC
		    L("RRULE:FREQ=WEEKLY;COUNT=4")), true },
		{ "RDATE", CAL(REQUEST, EVENT_IDS ONE_HOUR_UTC
		    L("RDATE:20270308T090000Z")), true },
		{ "override only", CAL(REQUEST, EVENT_IDS ONE_HOUR_UTC
		    L("RECURRENCE-ID:20270301T090000Z")), false },
		{ "master and override", CAL(REQUEST, EVENT_IDS ONE_HOUR_UTC
		    L("RRULE:FREQ=WEEKLY;COUNT=4") L("END:VEVENT")
		    L("BEGIN:VEVENT") EVENT_IDS
		    L("RECURRENCE-ID:20270308T090000Z")
		    L("DTSTART:20270308T100000Z") L("DTEND:20270308T110000Z")),
		    true },
	};
	struct imip_itip *it;
	struct imip_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		it = NULL;
		if (imip_itip_parse(&it, cases[i].text, NULL, "UTC", &err) !=
		    IMIP_OK)
			fail_msg("%s: got %s, want ok", cases[i].what, err.msg);
		if (!it->recurring || it->has_master != cases[i].has_master)
			fail_msg("%s: got recurring %d master %d, want 1 %d",
			    cases[i].what, it->recurring, it->has_master,
			    cases[i].has_master);
		imip_itip_free(it);
	}
}

static void
test_itip_windows_tzid_without_vtimezone_maps_to_iana(void **state)
{
	struct imip_itip *it = NULL;
	struct imip_err err;

	(void)state;
	/* CLDR: W. Europe Standard Time is Europe/Berlin; 10:00 CET. */
	assert_int_equal(imip_itip_parse(&it, CAL(REQUEST, EVENT_IDS
	    ZONED(WEST, "20270301T100000", "20270301T110000")), NULL, "UTC",
	    &err), IMIP_OK);
	assert_int_equal(it->start, T_20270301_0900Z);
	assert_int_equal(it->end, T_20270301_1000Z);
	imip_itip_free(it);
}

static void
test_itip_method_name_parse_round_trip(void **state)
{
	static const struct {
		enum imip_method	 m;
		const char		*name;
	} cases[] = {
		{ IMIP_METHOD_PUBLISH, "PUBLISH" },
		{ IMIP_METHOD_REQUEST, "REQUEST" },
		{ IMIP_METHOD_REPLY, "REPLY" },
		{ IMIP_METHOD_ADD, "ADD" },
		{ IMIP_METHOD_CANCEL, "CANCEL" },
		{ IMIP_METHOD_REFRESH, "REFRESH" },
		{ IMIP_METHOD_COUNTER, "COUNTER" },
		{ IMIP_METHOD_DECLINECOUNTER, "DECLINECOUNTER" },
	};
	char lower[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = imip_method_name(cases[i].m);
		size_t j;

		if (strcmp(got, cases[i].name) != 0)
			fail_msg("name(%d): got \"%s\", want \"%s\"",
			    (int)cases[i].m, got, cases[i].name);
		if (imip_method_parse(got) != cases[i].m)
			fail_msg("parse(\"%s\"): got %d, want %d", got,
			    (int)imip_method_parse(got), (int)cases[i].m);
		for (j = 0; got[j] != '\0' && j < sizeof(lower) - 1; j++)
			lower[j] = (char)(got[j] - 'A' + 'a');
		lower[j] = '\0';
		if (imip_method_parse(lower) != cases[i].m)
			fail_msg("parse(\"%s\"): got %d, want %d", lower,
			    (int)imip_method_parse(lower), (int)cases[i].m);
	}
	assert_string_equal(imip_method_name(IMIP_METHOD_UNKNOWN), "UNKNOWN");
	assert_string_equal(imip_method_name((enum imip_method)99), "UNKNOWN");
	assert_int_equal(imip_method_parse("UNKNOWN"), IMIP_METHOD_UNKNOWN);
	assert_int_equal(imip_method_parse("REQUESTX"), IMIP_METHOD_UNKNOWN);
	assert_int_equal(imip_method_parse("REQ"), IMIP_METHOD_UNKNOWN);
	assert_int_equal(imip_method_parse(""), IMIP_METHOD_UNKNOWN);
	assert_int_equal(imip_method_parse(NULL), IMIP_METHOD_UNKNOWN);
}

static void
test_itip_free_null_is_noop(void **state)
{
	(void)state;
	imip_itip_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_itip_request_utc_fixture),
		cmocka_unit_test(test_itip_refresh_without_dtstart_is_ok),
		cmocka_unit_test(test_itip_text_values_are_unescaped),
		cmocka_unit_test(test_itip_iana_tzid_without_vtimezone),
		cmocka_unit_test(test_itip_vtimezone_block_defines_zone),
		cmocka_unit_test(test_itip_outlook_fixture),
		cmocka_unit_test(test_itip_floating_time_uses_calendar_zone),
		cmocka_unit_test(
		    test_itip_all_day_ends_at_next_midnight_in_zone),
		cmocka_unit_test(test_itip_duration_replaces_dtend),
		cmocka_unit_test(test_itip_method_from_property_and_parameter),
		cmocka_unit_test(test_itip_sequence_and_dtstamp),
		cmocka_unit_test(test_itip_organizer_normalized_with_cn),
		cmocka_unit_test(test_itip_attendees_with_parameters),
		cmocka_unit_test(test_itip_attendee_lookup_any_form),
		cmocka_unit_test(test_itip_utf8_summary_and_cn_kept),
		cmocka_unit_test(test_itip_cancel_without_dtstart_is_ok),
		cmocka_unit_test(test_itip_recurrence_shapes_parse),
		cmocka_unit_test(
		    test_itip_windows_tzid_without_vtimezone_maps_to_iana),
		cmocka_unit_test(test_itip_method_name_parse_round_trip),
		cmocka_unit_test(test_itip_free_null_is_noop),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup,
	    fixture_group_teardown);
}
