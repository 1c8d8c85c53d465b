/*
 * test_itip_bad.c - iTIP input the parser must refuse, and how: bad data
 * is IMIP_EPARSE, data this version does not schedule IMIP_EUNSUPPORTED.
 * Either way the result is NULL and err holds the code and a message.
 * Well-formed input is in test_itip.c; both share itip_cal.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "itip.h"
#include "fixture.h"
#include "itip_cal.h"

struct bad_case {
	const char	*what;
	const char	*text;
	int		 rc;
};

static void
check_bad_cases(const struct bad_case *cases, size_t n)
{
	struct imip_itip *it;
	struct imip_err err;
	int rc;

	for (size_t i = 0; i < n; i++) {
		imip_err_clear(&err);
		it = (struct imip_itip *)&err;	/* must be reset to NULL */
		rc = imip_itip_parse(&it, cases[i].text, NULL, "UTC", &err);
		if (rc != cases[i].rc)
			fail_msg("%s: got rc %d (%s: %s), want %d (%s)",
			    cases[i].what, rc, imip_err_name(rc), err.msg,
			    cases[i].rc, imip_err_name(cases[i].rc));
		if (it != NULL)
			fail_msg("%s: got out %p, want NULL", cases[i].what,
			    (void *)it);
		if (err.code != rc || err.msg[0] == '\0')
			fail_msg("%s: got err {%d, \"%s\"}, want {%d, "
			    "non-empty}", cases[i].what, err.code, err.msg,
			    rc);
	}
}

static void
test_itip_malformed_is_parse_error(void **state)
{
	static const struct bad_case cases[] = {
		{ "empty text", "", IMIP_EPARSE },
		{ "garbage bytes", "hello\x01\x02\xff world\n\n:;:\n",
		    IMIP_EPARSE },
		{ "a VEVENT without VCALENDAR",
		    L("BEGIN:VEVENT") EVENT_IDS ONE_HOUR_UTC L("END:VEVENT"),
		    IMIP_EPARSE },
		{ "missing UID",
		    CAL(REQUEST, L("DTSTAMP:20270215T120000Z")
			L("ORGANIZER:mailto:alice@example.org") ONE_HOUR_UTC),
		    IMIP_EPARSE },
		{ "empty UID",
		    CAL(REQUEST, L("UID:") L("DTSTAMP:20270215T120000Z")
			L("ORGANIZER:mailto:alice@example.org") ONE_HOUR_UTC),
		    IMIP_EPARSE },
		{ "REQUEST without DTSTART",
		    CAL(REQUEST, EVENT_IDS L("DTEND:20270301T100000Z")),
		    IMIP_EPARSE },
		{ "COUNTER without DTSTART: it proposes no time",
		    CAL(L("METHOD:COUNTER"), EVENT_IDS
			L("DTEND:20270301T100000Z")),
		    IMIP_EPARSE },
		{ "PUBLISH without DTSTART",
		    CAL(L("METHOD:PUBLISH"), EVENT_IDS
			L("DTEND:20270301T100000Z")),
		    IMIP_EPARSE },
		{ "DTEND before DTSTART",
		    CAL(REQUEST, EVENT_IDS L("DTSTART:20270301T100000Z")
			L("DTEND:20270301T090000Z")),
		    IMIP_EPARSE },
		{ "DTEND equal to DTSTART",
		    CAL(REQUEST, EVENT_IDS L("DTSTART:20270301T100000Z")
			L("DTEND:20270301T100000Z")),
		    IMIP_EPARSE },
		{ "negative DURATION",
		    CAL(REQUEST, EVENT_IDS L("DTSTART:20270301T100000Z")
			L("DURATION:-PT1H")),
		    IMIP_EPARSE },
		{ "bad DTSTART value (X-LIC-ERROR)",
		    CAL(REQUEST, EVENT_IDS L("DTSTART:2027-03-01 10:00")
			L("DTEND:20270301T110000Z")),
		    IMIP_EPARSE },
		{ "bad DURATION value (X-LIC-ERROR)",
		    CAL(REQUEST, EVENT_IDS L("DTSTART:20270301T100000Z")
			L("DURATION:one hour")),
		    IMIP_EPARSE },
		{ "unknown TZID without VTIMEZONE",
		    CAL(REQUEST, EVENT_IDS
			ZONED(MARS, "20270301T100000", "20270301T110000")),
		    IMIP_EPARSE },
		{ "unknown TZID on DTSTART, DTEND in UTC",
		    CAL(REQUEST, EVENT_IDS
			L("DTSTART;TZID=Mars/Olympus_Mons:20270301T100000")
			L("DTEND:20270301T110000Z")),
		    IMIP_EPARSE },
		{ "Outlook display name without its VTIMEZONE",
		    CAL(REQUEST, EVENT_IDS
			ZONED("(UTC+01:00) Amsterdam, Berlin, Bern, Rome",
			"20270301T100000", "20270301T110000")),
		    IMIP_EPARSE },
		{ "no VEVENT",
		    L("BEGIN:VCALENDAR") L("VERSION:2.0")
		    L("PRODID:-//imip-milter//tests//EN") REQUEST
		    L("END:VCALENDAR"),
		    IMIP_EPARSE },
		{ "REQUEST without ORGANIZER",
		    CAL(REQUEST, L("UID:case@example.org")
			L("DTSTAMP:20270215T120000Z") ONE_HOUR_UTC),
		    IMIP_EPARSE },
		{ "ORGANIZER that is no address",
		    CAL(REQUEST, L("UID:case@example.org")
			L("ORGANIZER:Alice Example") ONE_HOUR_UTC),
		    IMIP_EPARSE },
		{ "ATTENDEE that is no address",
		    CAL(REQUEST, EVENT_IDS ONE_HOUR_UTC
			L("ATTENDEE;CN=Room A:mailto:")),
		    IMIP_EPARSE },
		{ "negative SEQUENCE",
		    CAL(REQUEST, EVENT_IDS L("SEQUENCE:-1") ONE_HOUR_UTC),
		    IMIP_EPARSE },
		{ "two VCALENDARs",
		    CAL(REQUEST, EVENT_IDS ONE_HOUR_UTC)
		    CAL(REQUEST, EVENT_IDS ONE_HOUR_UTC),
		    IMIP_EPARSE },
	};

	(void)state;
	check_bad_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_itip_truncated_text_is_parse_error(void **state)
{
	struct imip_itip *it;
	struct imip_err err;
	size_t len, last;
	char *text;
	int rc;

	(void)state;
	text = fixture_read("itip-request-utc.ics", &len);
	last = (size_t)(strstr(text, "END:VCALENDAR") - text);
	/* Every cut before the closing line loses the end of the object. */
	for (size_t cut = 0; cut <= last; cut++) {
		char saved = text[cut];

		text[cut] = '\0';
		imip_err_clear(&err);
		rc = imip_itip_parse(&it, text, NULL, "UTC", &err);
		text[cut] = saved;
		if (rc != IMIP_EPARSE || err.msg[0] == '\0') {
			imip_itip_free(it);
			free(text);
			fail_msg("cut at %zu of %zu: got rc %d (\"%s\"), want "
			    "IMIP_EPARSE with a message", cut, len, rc,
			    err.msg);
		}
	}
	free(text);
}

static void
test_itip_unsupported_shapes(void **state)
{
	static const struct bad_case cases[] = {
		{ "VTODO",
		    L("BEGIN:VCALENDAR") L("VERSION:2.0")
		    L("PRODID:-//imip-milter//tests//EN") REQUEST
		    L("BEGIN:VTODO") L("UID:todo@example.org")
		    L("DTSTAMP:20270215T120000Z")
		    L("ORGANIZER:mailto:alice@example.org")
		    L("DUE:20270301T090000Z") L("END:VTODO")
		    L("END:VCALENDAR"),
		    IMIP_EUNSUPPORTED },
		{ "VEVENT next to a VTODO",
		    CAL_WITH(REQUEST, L("BEGIN:VTODO")
			L("UID:todo@example.org") L("END:VTODO"),
			EVENT_IDS ONE_HOUR_UTC),
		    IMIP_EUNSUPPORTED },
	};

	(void)state;
	check_bad_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_itip_several_events_must_share_one_uid(void **state)
{
	static const struct bad_case cases[] = {
		{ "two UIDs",
		    CAL(REQUEST, EVENT_IDS ONE_HOUR_UTC L("END:VEVENT")
			L("BEGIN:VEVENT") L("UID:other@example.org")
			L("DTSTAMP:20270215T120000Z")
			L("ORGANIZER:mailto:alice@example.org")
			L("DTSTART:20270308T100000Z")
			L("DTEND:20270308T110000Z")),
		    IMIP_EPARSE },
		{ "two masters",
		    CAL(REQUEST, EVENT_IDS ONE_HOUR_UTC L("END:VEVENT")
			L("BEGIN:VEVENT") EVENT_IDS
			L("DTSTART:20270308T100000Z")
			L("DTEND:20270308T110000Z")),
		    IMIP_EPARSE },
	};

	(void)state;
	check_bad_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_itip_malformed_is_parse_error),
		cmocka_unit_test(test_itip_truncated_text_is_parse_error),
		cmocka_unit_test(test_itip_unsupported_shapes),
		cmocka_unit_test(test_itip_several_events_must_share_one_uid),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup,
	    fixture_group_teardown);
}
