/*
 * test_reply.c - the REPLY message, read back the way its organizer's
 * client would: gmime for the envelope and MIME layout, imip_itip_parse
 * for the calendar part.
 *
 * Requests come from tests/data/itip-*.ics through imip_itip_parse, so the
 * reply is built from the same struct the pipeline hands it.
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
#include "reply.h"
#include "fixture.h"

#define NOW		INT64_C(1802766600)	/* 2027-02-16T08:30:00Z */
#define T_0900Z		INT64_C(1803891600)	/* 2027-03-01T09:00:00Z */
#define T_1000Z		INT64_C(1803895200)	/* 2027-03-01T10:00:00Z */
#define REQUEST_ID	"<DB9PR01MB1234567890ABCDEF@DB9PR01MB1234.eurprd01" \
			".prod.outlook.com>"
#define HUMAN		"Room A accepted your invitation.\n"

static struct imip_itip *
request_from(const char *fixture)
{
	struct imip_itip *it = NULL;
	struct imip_err err;
	char *text;
	int rc;

	text = fixture_read(fixture, NULL);
	imip_err_clear(&err);
	rc = imip_itip_parse(&it, text, NULL, "UTC", &err);
	free(text);
	if (rc != IMIP_OK)
		fail_msg("%s: got rc %d (%s), want IMIP_OK", fixture, rc,
		    err.msg);
	return it;
}

/* The answer of Room A accepting rq, with every optional field set. */
static struct imip_reply_spec
accept_spec(const struct imip_itip *rq)
{
	struct imip_reply_spec s = {
		.request = rq,
		.attendee = "room-a@example.org",
		.attendee_name = "Room A",
		.partstat = "ACCEPTED",
		.status_major = 2,
		.status_minor = 0,
		.status_text = "Success",
		.status_data = NULL,
		.human = HUMAN,
		.in_reply_to = REQUEST_ID,
		.hostname = "rooms.example.org",
		.now = NOW,
	};

	return s;
}

static char *
build_ok(const struct imip_reply_spec *s)
{
	struct imip_err err;
	char *out = NULL;
	int rc;

	imip_err_clear(&err);
	rc = imip_reply_build(&out, s, &err);
	if (rc != IMIP_OK)
		fail_msg("got rc %d (%s), want IMIP_OK", rc, err.msg);
	assert_non_null(out);
	return out;
}

static GMimeMessage *
parse_message(const char *text)
{
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;

	stream = g_mime_stream_mem_new_with_buffer(text, strlen(text));
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	if (msg == NULL)
		fail_msg("reply is not a MIME message:\n%s", text);
	return msg;
}

/* Part i of the top-level multipart/alternative (borrowed). */
static GMimeTextPart *
alternative(GMimeMessage *msg, int i)
{
	GMimeObject *top = g_mime_message_get_mime_part(msg);
	GMimeObject *part;

	assert_true(GMIME_IS_MULTIPART(top));
	part = g_mime_multipart_get_part(GMIME_MULTIPART(top), i);
	assert_true(GMIME_IS_TEXT_PART(part));
	return GMIME_TEXT_PART(part);
}

/* The calendar part of reply as decoded text (caller frees). */
static char *
calendar_text(const char *reply)
{
	GMimeMessage *msg = parse_message(reply);
	char *g, *text;

	g = g_mime_text_part_get_text(alternative(msg, 1));
	assert_non_null(g);
	text = strdup(g);
	g_free(g);
	g_object_unref(msg);
	return text;
}

/* The calendar part of reply, parsed as the organizer would. */
static struct imip_itip *
parse_reply_calendar(const char *reply, char **text_out)
{
	struct imip_itip *it = NULL;
	struct imip_err err;
	char *text = calendar_text(reply);
	int rc;

	imip_err_clear(&err);
	rc = imip_itip_parse(&it, text, "REPLY", "UTC", &err);
	if (rc != IMIP_OK)
		fail_msg("reply calendar: got rc %d (%s), want IMIP_OK:\n%s",
		    rc, err.msg, text);
	if (text_out != NULL)
		*text_out = text;
	else
		free(text);
	return it;
}

static void
assert_mailbox(InternetAddressList *list, const char *addr,
    const char *name)
{
	InternetAddress *ia;

	assert_non_null(list);
	assert_int_equal(internet_address_list_length(list), 1);
	ia = internet_address_list_get_address(list, 0);
	assert_true(INTERNET_ADDRESS_IS_MAILBOX(ia));
	assert_string_equal(internet_address_mailbox_get_addr(
	    INTERNET_ADDRESS_MAILBOX(ia)), addr);
	assert_string_equal(internet_address_get_name(ia), name);
}

/* Is line one whole content line of text (LF or CRLF ended)? */
static bool
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') &&
		    (p[n] == '\n' || (p[n] == '\r' && p[n + 1] == '\n')))
			return true;
	return false;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void
test_reply_is_alternative_text_and_calendar(void **state)
{
	struct imip_itip *rq = request_from("itip-request-utc.ics");
	struct imip_reply_spec s = accept_spec(rq);
	GMimeMessage *msg;
	GMimeObject *top;
	GMimeContentType *ct;
	char *reply, *text;

	(void)state;
	reply = build_ok(&s);
	msg = parse_message(reply);
	top = g_mime_message_get_mime_part(msg);
	assert_true(GMIME_IS_MULTIPART(top));
	assert_true(g_mime_content_type_is_type(
	    g_mime_object_get_content_type(top), "multipart", "alternative"));
	assert_int_equal(g_mime_multipart_get_count(GMIME_MULTIPART(top)), 2);

	ct = g_mime_object_get_content_type(
	    GMIME_OBJECT(alternative(msg, 0)));
	assert_true(g_mime_content_type_is_type(ct, "text", "plain"));
	assert_string_equal(g_mime_content_type_get_parameter(ct, "charset"),
	    "utf-8");
	text = g_mime_text_part_get_text(alternative(msg, 0));
	assert_string_equal(text, HUMAN);
	g_free(text);

	ct = g_mime_object_get_content_type(
	    GMIME_OBJECT(alternative(msg, 1)));
	assert_true(g_mime_content_type_is_type(ct, "text", "calendar"));
	assert_string_equal(g_mime_content_type_get_parameter(ct, "method"),
	    "REPLY");
	assert_string_equal(g_mime_content_type_get_parameter(ct, "charset"),
	    "utf-8");
	g_object_unref(msg);
	free(reply);
	imip_itip_free(rq);
}

static void
test_reply_headers_mark_and_thread_it(void **state)
{
	struct imip_itip *rq = request_from("itip-request-utc.ics");
	struct imip_reply_spec s = accept_spec(rq);
	GMimeMessage *msg;
	GMimeObject *obj;
	GDateTime *date;
	const char *id;
	char *reply;

	(void)state;
	reply = build_ok(&s);
	msg = parse_message(reply);
	obj = GMIME_OBJECT(msg);
	assert_string_equal(g_mime_object_get_header(obj, "Auto-Submitted"),
	    "auto-replied");
	assert_non_null(g_mime_object_get_header(obj, IMIP_GENERATED_HEADER));
	assert_string_equal(g_mime_object_get_header(obj, "In-Reply-To"),
	    REQUEST_ID);
	assert_string_equal(g_mime_object_get_header(obj, "References"),
	    REQUEST_ID);
	assert_mailbox(g_mime_message_get_from(msg), "room-a@example.org",
	    "Room A");
	assert_mailbox(g_mime_message_get_addresses(msg,
	    GMIME_ADDRESS_TYPE_TO), "alice@example.org", "Alice Example");
	assert_string_equal(g_mime_message_get_subject(msg),
	    "Accepted: Budget review");
	id = g_mime_message_get_message_id(msg);
	assert_non_null(id);
	assert_non_null(strstr(id, "@rooms.example.org"));
	date = g_mime_message_get_date(msg);
	assert_non_null(date);
	assert_int_equal(g_date_time_to_unix(date), NOW);
	g_object_unref(msg);
	free(reply);
	imip_itip_free(rq);
}

static void
test_reply_without_in_reply_to_has_no_thread_headers(void **state)
{
	struct imip_itip *rq = request_from("itip-request-utc.ics");
	struct imip_reply_spec s = accept_spec(rq);
	GMimeMessage *msg;
	char *reply;

	(void)state;
	s.in_reply_to = NULL;
	reply = build_ok(&s);
	msg = parse_message(reply);
	assert_null(g_mime_object_get_header(GMIME_OBJECT(msg),
	    "In-Reply-To"));
	assert_null(g_mime_object_get_header(GMIME_OBJECT(msg),
	    "References"));
	assert_string_equal(g_mime_object_get_header(GMIME_OBJECT(msg),
	    "Auto-Submitted"), "auto-replied");
	g_object_unref(msg);
	free(reply);
	imip_itip_free(rq);
}

static void
test_reply_calendar_answers_for_the_room_only(void **state)
{
	struct imip_itip *rq = request_from("itip-request-utc.ics");
	struct imip_reply_spec s = accept_spec(rq);
	struct imip_itip *rp;
	char *reply, *text;

	(void)state;
	reply = build_ok(&s);
	rp = parse_reply_calendar(reply, &text);
	assert_int_equal(rp->method, IMIP_METHOD_REPLY);
	assert_string_equal(rp->uid, "20270301-budget-review@example.org");
	assert_int_equal(rp->sequence, 3);
	assert_int_equal(rp->start, T_0900Z);
	assert_int_equal(rp->end, T_1000Z);
	assert_string_equal(rp->organizer, "alice@example.org");
	assert_int_equal(rp->nattendees, 1);
	assert_string_equal(rp->attendees[0].address, "room-a@example.org");
	assert_string_equal(rp->attendees[0].name, "Room A");
	assert_string_equal(rp->attendees[0].partstat, "ACCEPTED");
	assert_true(has_line(text, "METHOD:REPLY"));
	assert_int_equal(count(text, "\nATTENDEE"), 1);
	assert_null(strstr(text, "bob@example.org"));
	assert_null(strstr(text, "carol@example.org"));
	assert_true(has_line(text, "REQUEST-STATUS:2.0;Success"));
	/* The request's SCHEDULE-AGENT and SCHEDULE-STATUS stay behind. */
	assert_null(strstr(text, "SCHEDULE-"));
	free(text);
	imip_itip_free(rp);
	free(reply);
	imip_itip_free(rq);
}

static void
test_reply_declined_carries_status_data(void **state)
{
	struct imip_itip *rq = request_from("itip-request-utc.ics");
	struct imip_reply_spec s = accept_spec(rq);
	struct imip_itip *rp;
	GMimeMessage *msg;
	char *reply, *text;

	(void)state;
	s.partstat = "DECLINED";
	s.status_major = 4;
	s.status_minor = 0;
	s.status_text = "Event conflict";
	s.status_data = "20270301T090000Z/20270301T100000Z";
	s.human = "Room A is busy at that time.\n";
	reply = build_ok(&s);
	rp = parse_reply_calendar(reply, &text);
	assert_int_equal(rp->nattendees, 1);
	assert_string_equal(rp->attendees[0].partstat, "DECLINED");
	assert_true(has_line(text, "REQUEST-STATUS:4.0;Event conflict;"
	    "20270301T090000Z/20270301T100000Z"));
	assert_null(strstr(text, "REQUEST-STATUS:2.0"));
	msg = parse_message(reply);
	assert_string_equal(g_mime_message_get_subject(msg),
	    "Declined: Budget review");
	g_object_unref(msg);
	free(text);
	imip_itip_free(rp);
	free(reply);
	imip_itip_free(rq);
}

struct subject_case {
	const char	*partstat;
	const char	*subject;
};

static void
test_reply_subject_word_follows_partstat(void **state)
{
	static const struct subject_case cases[] = {
		{ "ACCEPTED", "Accepted: Budget review" },
		{ "DECLINED", "Declined: Budget review" },
		{ "TENTATIVE", "Tentative: Budget review" },
		{ "DELEGATED", "Reply: Budget review" },
	};
	struct imip_itip *rq = request_from("itip-request-utc.ics");
	struct imip_reply_spec s = accept_spec(rq);
	GMimeMessage *msg;
	const char *got;
	char *reply;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s.partstat = cases[i].partstat;
		reply = build_ok(&s);
		msg = parse_message(reply);
		got = g_mime_message_get_subject(msg);
		if (got == NULL || strcmp(got, cases[i].subject) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"",
			    cases[i].partstat, got ? got : "(null)",
			    cases[i].subject);
		g_object_unref(msg);
		free(reply);
	}
	imip_itip_free(rq);
}

static void
test_reply_dtstamp_is_now(void **state)
{
	struct imip_itip *rq = request_from("itip-request-utc.ics");
	struct imip_reply_spec s = accept_spec(rq);
	struct imip_itip *rp;
	char *reply, *text;

	(void)state;
	reply = build_ok(&s);
	rp = parse_reply_calendar(reply, &text);
	/* Not the request's DTSTAMP (2027-02-15T12:00Z): the reply's own. */
	assert_int_equal(rp->dtstamp, NOW);
	assert_true(has_line(text, "DTSTAMP:20270216T083000Z"));
	free(text);
	imip_itip_free(rp);
	free(reply);
	imip_itip_free(rq);
}

static void
test_reply_times_written_in_utc(void **state)
{
	struct imip_itip *rq = request_from("itip-request-outlook.ics");
	struct imip_reply_spec s = accept_spec(rq);
	struct imip_itip *rp;
	char *reply, *text;

	(void)state;
	reply = build_ok(&s);
	rp = parse_reply_calendar(reply, &text);
	/* 10:00-11:00 W. Europe summer time is 08:00-09:00Z. */
	assert_true(has_line(text, "DTSTART:20270701T080000Z"));
	assert_true(has_line(text, "DTEND:20270701T090000Z"));
	assert_null(strstr(text, "VTIMEZONE"));
	assert_null(strstr(text, "TZID"));
	assert_int_equal(rp->start, rq->start);
	assert_int_equal(rp->end, rq->end);
	assert_string_equal(rp->uid, rq->uid);
	free(text);
	imip_itip_free(rp);
	free(reply);
	imip_itip_free(rq);
}

static void
test_reply_non_ascii_summary_survives(void **state)
{
	static const char summary[] = "Gr\xc3\xb6\xc3\x9f" "enplanung f"
	    "\xc3\xbcr Caf\xc3\xa9 \xe2\x80\x93 Q2";
	struct imip_itip *rq = request_from("itip-request-utf8.ics");
	struct imip_reply_spec s = accept_spec(rq);
	struct imip_itip *rp;
	GMimeMessage *msg;
	char *reply, want[128];

	(void)state;
	s.attendee_name = "Raum \xc3\x84";
	s.in_reply_to = NULL;
	reply = build_ok(&s);
	/* On the wire: 7-bit only, the subject as an encoded-word. */
	for (const char *p = reply; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			fail_msg("got 8-bit byte 0x%02x at offset %td, want "
			    "7-bit", (unsigned char)*p, p - reply);
	assert_non_null(strstr(reply, "Subject: Accepted: =?"));
	msg = parse_message(reply);
	snprintf(want, sizeof(want), "Accepted: %s", summary);
	assert_string_equal(g_mime_message_get_subject(msg), want);
	assert_mailbox(g_mime_message_get_from(msg), "room-a@example.org",
	    "Raum \xc3\x84");
	assert_mailbox(g_mime_message_get_addresses(msg,
	    GMIME_ADDRESS_TYPE_TO), "juergen@example.org",
	    "J\xc3\xbcrgen M\xc3\xbcller");
	g_object_unref(msg);
	rp = parse_reply_calendar(reply, NULL);
	assert_string_equal(rp->summary, summary);
	assert_string_equal(rp->attendees[0].name, "Raum \xc3\x84");
	assert_int_equal(rp->sequence, 1);
	imip_itip_free(rp);
	free(reply);
	imip_itip_free(rq);
}

/*
 * Text whose non-ASCII characters all fit ISO-8859-1 must still go out as
 * UTF-8 bytes, since both parts say charset=utf-8.  Read back through
 * imip_mime_calendars, which trusts that label as every client does.
 */
static void
test_reply_latin1_range_text_is_still_utf8(void **state)
{
	static const char human[] = "Caf\xc3\xa9 ist gebucht.\n";
	struct imip_itip *rq = request_from("itip-request-utc.ics");
	struct imip_reply_spec s = accept_spec(rq);
	struct imip_calpart *parts = NULL;
	struct imip_err err;
	GMimeMessage *msg;
	size_t n = 0;
	char *reply, *plain, *subject, *cal = NULL;
	char got_plain[128], got_subject[128], got_cal[2048];
	int rc;

	(void)state;
	free(rq->summary);
	rq->summary = strdup("Caf\xc3\xa9");
	assert_non_null(rq->summary);
	s.attendee_name = "Raum \xc3\x84";
	s.human = human;
	reply = build_ok(&s);

	/* Collect everything first so a failure leaks nothing. */
	msg = parse_message(reply);
	subject = g_mime_message_get_subject(msg) != NULL ?
	    strdup(g_mime_message_get_subject(msg)) : NULL;
	plain = g_mime_text_part_get_text(alternative(msg, 0));
	g_object_unref(msg);
	imip_err_clear(&err);
	rc = imip_mime_calendars(&parts, &n, reply, strlen(reply), 4, &err);
	if (rc == IMIP_OK && n == 1)
		cal = strdup(parts[0].text);
	imip_calparts_free(parts, n);
	free(reply);
	imip_itip_free(rq);

	snprintf(got_plain, sizeof(got_plain), "%s", plain ? plain : "(null)");
	snprintf(got_cal, sizeof(got_cal), "%s", cal ? cal : "(null)");
	snprintf(got_subject, sizeof(got_subject), "%s",
	    subject ? subject : "(null)");
	g_free(plain);
	free(cal);
	free(subject);

	assert_string_equal(got_subject, "Accepted: Caf\xc3\xa9");
	if (strcmp(got_plain, human) != 0)
		fail_msg("text/plain: got \"%s\", want \"%s\"", got_plain,
		    human);
	if (!has_line(got_cal, "SUMMARY:Caf\xc3\xa9"))
		fail_msg("got calendar part:\n%s\nwant the UTF-8 line "
		    "\"SUMMARY:Caf\\xc3\\xa9\"", got_cal);
}

static void
test_reply_without_organizer_is_parse_error(void **state)
{
	char uid[] = "no-organizer@example.org";
	char summary[] = "Orphan";
	struct imip_itip rq = {
		.method = IMIP_METHOD_REQUEST,
		.uid = uid,
		.summary = summary,
		.start = T_0900Z,
		.end = T_1000Z,
	};
	struct imip_reply_spec s = accept_spec(&rq);
	struct imip_err err;
	char *out = (char *)"sentinel";

	(void)state;
	imip_err_clear(&err);
	assert_int_equal(imip_reply_build(&out, &s, &err), IMIP_EPARSE);
	assert_null(out);
	assert_int_equal(err.code, IMIP_EPARSE);
	assert_true(err.msg[0] != '\0');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_is_alternative_text_and_calendar),
		cmocka_unit_test(test_reply_headers_mark_and_thread_it),
		cmocka_unit_test(
		    test_reply_without_in_reply_to_has_no_thread_headers),
		cmocka_unit_test(test_reply_calendar_answers_for_the_room_only),
		cmocka_unit_test(test_reply_declined_carries_status_data),
		cmocka_unit_test(test_reply_subject_word_follows_partstat),
		cmocka_unit_test(test_reply_dtstamp_is_now),
		cmocka_unit_test(test_reply_times_written_in_utc),
		cmocka_unit_test(test_reply_non_ascii_summary_survives),
		cmocka_unit_test(test_reply_latin1_range_text_is_still_utf8),
		cmocka_unit_test(test_reply_without_organizer_is_parse_error),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup, fixture_group_teardown);
}
