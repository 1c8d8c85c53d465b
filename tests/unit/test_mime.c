/*
 * test_mime.c - finding calendar parts in real-world message shapes, and
 * splitting a raw message into headers and body.
 *
 * Each fixture under tests/data/mime-*.eml mimics one sender (Outlook,
 * Google, a forward); the tests pin how many parts come back, their decoded
 * UTF-8 text and the method parameter exactly as the sender wrote it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gmime/gmime.h>

#include "itip.h"
#include "mime.h"
#include "fixture.h"

#define MAX_PARTS	8

/* The calendar parts of fixture name; fails the test unless IMIP_OK. */
static struct imip_calpart *
calendars_of(const char *name, size_t *n)
{
	struct imip_calpart *parts = NULL;
	struct imip_err err;
	size_t len;
	char *data;
	int rc;

	data = fixture_read(name, &len);
	imip_err_clear(&err);
	rc = imip_mime_calendars(&parts, n, data, len, MAX_PARTS, &err);
	free(data);
	if (rc != IMIP_OK)
		fail_msg("%s: got rc %d (%s), want IMIP_OK", name, rc,
		    err.msg);
	return parts;
}

/* Does s start with BEGIN:VCALENDAR and end with END:VCALENDAR? */
static void
assert_whole_calendar(const char *what, const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (strncmp(s, "BEGIN:VCALENDAR\r\n", 17) != 0 &&
	    strncmp(s, "BEGIN:VCALENDAR\n", 16) != 0)
		fail_msg("%s: got text starting \"%.20s\", want "
		    "\"BEGIN:VCALENDAR\"", what, s);
	if (n < 13 || strncmp(s + n - 13, "END:VCALENDAR", 13) != 0)
		fail_msg("%s: got text ending \"%s\", want \"END:VCALENDAR\"",
		    what, n < 20 ? s : s + n - 20);
}

static void
assert_contains(const char *what, const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("%s: \"%s\" not found in:\n%s", what, needle, hay);
}

static void
test_mime_outlook_alternative_base64_calendar(void **state)
{
	struct imip_calpart *parts;
	struct imip_itip *it = NULL;
	struct imip_err err;
	size_t n;

	(void)state;
	parts = calendars_of("mime-outlook-alternative.eml", &n);
	assert_int_equal(n, 1);
	assert_string_equal(parts[0].method, "REQUEST");
	assert_whole_calendar("outlook", parts[0].text);
	/* Sent CRLF inside base64: decoding keeps the bytes as they were. */
	assert_contains("outlook", parts[0].text,
	    "\r\nUID:outlook-1@example.org\r\n");
	assert_null(strstr(parts[0].text, "<html>"));
	/* The decoded text is exactly what the iTIP parser needs. */
	imip_err_clear(&err);
	assert_int_equal(imip_itip_parse(&it, parts[0].text, parts[0].method,
	    "UTC", &err), IMIP_OK);
	assert_string_equal(it->uid, "outlook-1@example.org");
	assert_string_equal(it->summary, "Budget review");
	imip_itip_free(it);
	imip_calparts_free(parts, n);
}

static void
test_mime_calendar_nested_in_mixed_alternative(void **state)
{
	struct imip_calpart *parts;
	size_t n;

	(void)state;
	parts = calendars_of("mime-nested-mixed.eml", &n);
	assert_int_equal(n, 1);
	assert_string_equal(parts[0].method, "PUBLISH");
	assert_whole_calendar("nested", parts[0].text);
	assert_contains("nested", parts[0].text,
	    "\nUID:nested-1@example.org\n");
	assert_contains("nested", parts[0].text,
	    "\nSUMMARY:Design review\n");
	assert_null(strstr(parts[0].text, "%PDF"));
	imip_calparts_free(parts, n);
}

static void
test_mime_application_ics_attachment_without_method(void **state)
{
	struct imip_calpart *parts;
	size_t n;

	(void)state;
	parts = calendars_of("mime-application-ics.eml", &n);
	assert_int_equal(n, 1);
	assert_null(parts[0].method);
	assert_whole_calendar("application/ics", parts[0].text);
	assert_contains("application/ics", parts[0].text,
	    "\r\nUID:appics-1@example.org\r\n");
	assert_contains("application/ics", parts[0].text,
	    "\r\nSUMMARY:Team lunch\r\n");
	imip_calparts_free(parts, n);
}

static void
test_mime_top_level_base64_calendar_decoded(void **state)
{
	struct imip_calpart *parts;
	size_t n;

	(void)state;
	parts = calendars_of("mime-calendar-base64.eml", &n);
	assert_int_equal(n, 1);
	assert_string_equal(parts[0].method, "CANCEL");
	assert_whole_calendar("base64", parts[0].text);
	assert_contains("base64", parts[0].text, "\r\nMETHOD:CANCEL\r\n");
	assert_contains("base64", parts[0].text,
	    "\r\nUID:b64-1@example.org\r\n");
	imip_calparts_free(parts, n);
}

static void
test_mime_quoted_printable_calendar_decoded(void **state)
{
	struct imip_calpart *parts;
	size_t n;

	(void)state;
	parts = calendars_of("mime-calendar-qp.eml", &n);
	assert_int_equal(n, 1);
	/* Returned as the sender wrote it: lower case, quotes removed. */
	assert_string_equal(parts[0].method, "request");
	assert_whole_calendar("qp", parts[0].text);
	/* =C3=84 and =E2=80=93 decode to the UTF-8 bytes of Ä and –. */
	assert_contains("qp", parts[0].text,
	    "\r\nSUMMARY:Kaffeepause im Raum \xc3\x84 \xe2\x80\x93 2. Stock"
	    "\r\n");
	/* =3D is '=' and the soft line break joins the line again. */
	assert_contains("qp", parts[0].text,
	    "\r\nATTENDEE;CUTYPE=ROOM;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;"
	    "CN=Room A:mailto:room-a@example.org\r\n");
	assert_contains("qp", parts[0].text, "soft line break when it is "
	    "encoded as quoted-printable\r\n");
	assert_null(strstr(parts[0].text, "=\r\n"));
	imip_calparts_free(parts, n);
}

static void
test_mime_latin1_calendar_converted_to_utf8(void **state)
{
	struct imip_calpart *parts;
	size_t n;

	(void)state;
	parts = calendars_of("mime-latin1.eml", &n);
	assert_int_equal(n, 1);
	assert_string_equal(parts[0].method, "REQUEST");
	assert_whole_calendar("latin1", parts[0].text);
	/* ö (F6), ß (DF) and Ä (C4) in ISO-8859-1 become two bytes each. */
	assert_contains("latin1", parts[0].text,
	    "\nSUMMARY:Besprechung Gr\xc3\xb6\xc3\x9f" "e \xc3\x84\n");
	assert_null(strstr(parts[0].text, "Gr\xf6"));
	imip_calparts_free(parts, n);
}

static void
test_mime_google_duplicate_returns_both_parts(void **state)
{
	struct imip_calpart *parts;
	size_t n;

	(void)state;
	parts = calendars_of("mime-google-duplicate.eml", &n);
	/* Deduplication is the pipeline's job; mime reports what is there. */
	assert_int_equal(n, 2);
	assert_string_equal(parts[0].method, "REQUEST");
	assert_null(parts[1].method);
	assert_whole_calendar("google inline", parts[0].text);
	assert_whole_calendar("google attachment", parts[1].text);
	assert_contains("google inline", parts[0].text,
	    "\nUID:google-1@google.com\n");
	assert_contains("google attachment", parts[1].text,
	    "\nUID:google-1@google.com\n");
	imip_calparts_free(parts, n);
}

static void
test_mime_forwarded_message_calendar_is_ignored(void **state)
{
	struct imip_calpart *parts;
	size_t n = 99;

	(void)state;
	parts = calendars_of("mime-forwarded-rfc822.eml", &n);
	assert_int_equal(n, 0);
	imip_calparts_free(parts, n);
}

static void
test_mime_plain_text_has_no_calendar(void **state)
{
	struct imip_calpart *parts;
	size_t n = 99;

	(void)state;
	parts = calendars_of("mime-plain.eml", &n);
	assert_int_equal(n, 0);
	imip_calparts_free(parts, n);
}

static void
test_mime_part_types_and_method_any_case(void **state)
{
	static const char msg[] =
	    "From: a@example.org\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: MULTIPART/MIXED; BOUNDARY=\"b\"\n"
	    "\n"
	    "--b\n"
	    "Content-Type: TEXT/CALENDAR; METHOD=Counter; CHARSET=UTF-8\n"
	    "\n"
	    "BEGIN:VCALENDAR\nMETHOD:COUNTER\nEND:VCALENDAR\n"
	    "--b\n"
	    "Content-Type: Application/ICS\n"
	    "\n"
	    "BEGIN:VCALENDAR\nEND:VCALENDAR\n"
	    "--b\n"
	    "Content-Type: text/plain\n"
	    "\n"
	    "BEGIN:VCALENDAR\nEND:VCALENDAR\n"
	    "--b--\n";
	struct imip_calpart *parts = NULL;
	struct imip_err err;
	size_t n = 0;

	(void)state;
	imip_err_clear(&err);
	assert_int_equal(imip_mime_calendars(&parts, &n, msg, sizeof(msg) - 1,
	    MAX_PARTS, &err), IMIP_OK);
	assert_int_equal(n, 2);
	assert_string_equal(parts[0].method, "Counter");
	assert_string_equal(parts[0].text,
	    "BEGIN:VCALENDAR\nMETHOD:COUNTER\nEND:VCALENDAR");
	assert_null(parts[1].method);
	assert_string_equal(parts[1].text, "BEGIN:VCALENDAR\nEND:VCALENDAR");
	imip_calparts_free(parts, n);
}

static void
test_mime_more_parts_than_max_is_limit(void **state)
{
	struct imip_calpart *parts = NULL;
	struct imip_err err;
	size_t len, n = 99;
	char *data;
	int rc;

	(void)state;
	data = fixture_read("mime-many-calendars.eml", &len);
	imip_err_clear(&err);
	parts = (struct imip_calpart *)&err;
	rc = imip_mime_calendars(&parts, &n, data, len, 2, &err);
	assert_int_equal(rc, IMIP_ELIMIT);
	assert_int_equal(err.code, IMIP_ELIMIT);
	assert_true(err.msg[0] != '\0');
	assert_null(parts);
	assert_int_equal(n, 0);

	/* Exactly max parts is still fine. */
	rc = imip_mime_calendars(&parts, &n, data, len, 3, &err);
	assert_int_equal(rc, IMIP_OK);
	assert_int_equal(n, 3);
	assert_string_equal(parts[0].method, "REQUEST");
	assert_string_equal(parts[1].method, "REQUEST");
	assert_string_equal(parts[2].method, "CANCEL");
	assert_contains("third", parts[2].text, "UID:many-3@example.org");
	imip_calparts_free(parts, n);
	free(data);
}

/* A message with depth nested multiparts around one calendar part. */
static char *
nested_message(int depth)
{
	size_t size = (size_t)depth * 120 + 400, len = 0;
	char *s = malloc(size);

	assert_non_null(s);
	len += (size_t)snprintf(s + len, size - len, "From: a@example.org\n"
	    "MIME-Version: 1.0\n");
	for (int i = 0; i < depth; i++)
		len += (size_t)snprintf(s + len, size - len,
		    "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n"
		    "--b%d\n", i, i);
	len += (size_t)snprintf(s + len, size - len,
	    "Content-Type: text/calendar; method=REQUEST\n\n"
	    "BEGIN:VCALENDAR\nEND:VCALENDAR\n");
	for (int i = depth - 1; i >= 0; i--)
		len += (size_t)snprintf(s + len, size - len, "--b%d--\n", i);
	assert_true(len < size);
	return s;
}

static void
test_mime_nesting_depth_is_limited(void **state)
{
	struct imip_calpart *parts = NULL;
	struct imip_err err;
	size_t n = 0;
	char *msg;
	int rc;

	(void)state;
	msg = nested_message(10);
	imip_err_clear(&err);
	rc = imip_mime_calendars(&parts, &n, msg, strlen(msg), MAX_PARTS,
	    &err);
	free(msg);
	assert_int_equal(rc, IMIP_OK);
	assert_int_equal(n, 1);
	assert_string_equal(parts[0].method, "REQUEST");
	imip_calparts_free(parts, n);

	msg = nested_message(40);
	imip_err_clear(&err);
	rc = imip_mime_calendars(&parts, &n, msg, strlen(msg), MAX_PARTS,
	    &err);
	free(msg);
	if (rc != IMIP_ELIMIT)
		fail_msg("depth 40: got rc %d, %zu parts, want IMIP_ELIMIT",
		    rc, n);
	assert_null(parts);
	assert_int_equal(n, 0);
}

/* Deterministic bytes, so a crash found here can be replayed. */
static void
fill_garbage(char *buf, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (char)(seed >> 16);
	}
}

static void
check_garbage(const char *what, const char *data, size_t len)
{
	struct imip_calpart *parts = NULL;
	struct imip_err err;
	size_t n = 0;
	int rc;

	imip_err_clear(&err);
	rc = imip_mime_calendars(&parts, &n, data, len, MAX_PARTS, &err);
	if (rc != IMIP_OK && rc != IMIP_EPARSE)
		fail_msg("%s: got rc %d (%s), want IMIP_OK or IMIP_EPARSE",
		    what, rc, err.msg);
	if (rc == IMIP_EPARSE && (parts != NULL || n != 0))
		fail_msg("%s: got %zu parts with EPARSE, want none", what, n);
	imip_calparts_free(parts, n);
}

static void
test_mime_garbage_does_not_crash(void **state)
{
	static const char *const shapes[] = {
		"",
		"\n\n\n",
		":\n:\n\n",
		"Content-Type: multipart/mixed\n\n--\n--\n",
		"Content-Type: multipart/mixed; boundary=x\n\n--x\n"
		    "Content-Type: text/calendar\n"
		    "Content-Transfer-Encoding: base64\n\n@@@@!!!!====",
		"Content-Type: text/calendar; charset=x-no-such-charset\n\n"
		    "BEGIN:VCALENDAR\n\xff\xfe\n",
		"Content-Type: multipart/alternative; boundary=\"\"\n\n--\n"
		    "Content-Type: text/calendar\n\n",
	};
	char buf[4096], what[64];

	(void)state;
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		snprintf(what, sizeof(what), "shape %zu", i);
		check_garbage(what, shapes[i], strlen(shapes[i]));
	}
	for (uint32_t seed = 1; seed <= 64; seed++) {
		size_t len = (seed * 61u) % sizeof(buf);

		fill_garbage(buf, len, seed);
		snprintf(what, sizeof(what), "seed %u, %zu bytes", seed, len);
		check_garbage(what, buf, len);
	}
}

struct ctype_case {
	const char	*ctype;
	bool		 want;
};

static void
test_mime_may_hold_calendar_by_content_type(void **state)
{
	static const struct ctype_case cases[] = {
		{ "multipart/alternative; boundary=\"x\"", true },
		{ "multipart/mixed", true },
		{ "Multipart/Related; type=\"text/html\"", true },
		{ "text/calendar; method=REQUEST; charset=utf-8", true },
		{ "text/calendar", true },
		{ "TEXT/CALENDAR", true },
		{ "application/ics", true },
		{ "Application/ICS; name=invite.ics", true },
		{ " \tmultipart/mixed", true },
		{ "text/plain; charset=us-ascii", false },
		{ "text/html", false },
		{ "application/pdf", false },
		{ "message/rfc822", false },
		{ "multipart", false },
		{ "", false },
		{ NULL, false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = imip_mime_may_hold_calendar(cases[i].ctype);

		if (got != cases[i].want)
			fail_msg("\"%s\": got %s, want %s",
			    cases[i].ctype ? cases[i].ctype : "(null)",
			    got ? "true" : "false",
			    cases[i].want ? "true" : "false");
	}
}

#define MAX_SEEN	8

struct seen {
	size_t	 n;
	int	 stop_at;	/* return 1 from the call with this index */
	char	*name[MAX_SEEN], *value[MAX_SEEN];
};

static int
record_header(const char *name, const char *value, void *arg)
{
	struct seen *s = arg;

	if (s->n >= MAX_SEEN)
		return -100;
	s->name[s->n] = strdup(name);
	s->value[s->n] = strdup(value);
	return (int)s->n++ == s->stop_at ? 1 : 0;
}

static void
seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->name[i]);
		free(s->value[i]);
	}
}

struct split_case {
	const char	*what;
	const char	*msg;
	const char	*want[MAX_SEEN * 2 + 1];	/* name, value, NULL */
	const char	*body;				/* text at *body */
};

static void
test_mime_split_headers_in_order_with_raw_values(void **state)
{
	static const struct split_case cases[] = {
		{ "LF", "From: Alice <alice@example.org>\n"
		    "Subject: hello\n  world\n"
		    "To:room-a@example.org\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "Body line\n",
		    { "From", " Alice <alice@example.org>\n",
		      "Subject", " hello\n  world\n",
		      "To", "room-a@example.org\n",
		      "Content-Type", " text/plain\n", NULL },
		    "Body line\n" },
		{ "CRLF", "Received: from a\r\n\tby b\r\n"
		    "Received: from c\r\n"
		    "X-Spaced:   two  \r\n"
		    "\r\n"
		    "Body\r\n",
		    { "Received", " from a\r\n\tby b\r\n",
		      "Received", " from c\r\n",
		      "X-Spaced", "   two  \r\n", NULL },
		    "Body\r\n" },
		{ "multipart body is not parsed",
		    "Content-Type: multipart/mixed; boundary=x\n"
		    "From: a@example.org\n"
		    "\n"
		    "--x\nContent-Type: text/plain\n\nhi\n--x--\n",
		    { "Content-Type", " multipart/mixed; boundary=x\n",
		      "From", " a@example.org\n", NULL },
		    "--x\nContent-Type: text/plain\n\nhi\n--x--\n" },
		{ "empty body", "From: a@example.org\n\n",
		    { "From", " a@example.org\n", NULL }, "" },
		{ "no blank line", "From: a@example.org\nTo: b@example.org\n",
		    { "From", " a@example.org\n", "To", " b@example.org\n",
		      NULL }, "" },
		{ "no header at all", "\nBody\n", { NULL }, "Body\n" },
	};
	struct imip_err err;
	struct seen s;
	size_t body, i, len;
	int rc;

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		memset(&s, 0, sizeof(s));
		s.stop_at = -1;
		imip_err_clear(&err);
		len = strlen(cases[c].msg);
		body = (size_t)-1;
		rc = imip_mime_split(cases[c].msg, len, record_header, &s,
		    &body, &err);
		if (rc != IMIP_OK)
			fail_msg("%s: got rc %d (%s), want IMIP_OK",
			    cases[c].what, rc, err.msg);
		for (i = 0; cases[c].want[2 * i] != NULL; i++) {
			if (i >= s.n)
				fail_msg("%s: got %zu headers, want more",
				    cases[c].what, s.n);
			if (strcmp(s.name[i], cases[c].want[2 * i]) != 0 ||
			    strcmp(s.value[i], cases[c].want[2 * i + 1]) != 0)
				fail_msg("%s: header %zu: got [%s][%s], want "
				    "[%s][%s]", cases[c].what, i, s.name[i],
				    s.value[i], cases[c].want[2 * i],
				    cases[c].want[2 * i + 1]);
		}
		if (s.n != i)
			fail_msg("%s: got %zu headers, want %zu",
			    cases[c].what, s.n, i);
		if (body != len - strlen(cases[c].body))
			fail_msg("%s: got body at %zu (\"%.10s\"), want %zu",
			    cases[c].what, body, cases[c].msg + body,
			    len - strlen(cases[c].body));
		seen_free(&s);
	}
}

static void
test_mime_split_body_offset_lf_and_crlf(void **state)
{
	static const char lf[] = "From: a@example.org\nSubject: x\n\nB\n";
	static const char crlf[] =
	    "From: a@example.org\r\nSubject: x\r\n\r\nB\r\n";
	struct imip_err err;
	struct seen s;
	size_t body;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.stop_at = -1;
	assert_int_equal(imip_mime_split(lf, sizeof(lf) - 1, record_header,
	    &s, &body, &err), IMIP_OK);
	assert_int_equal(body, 32);	/* 20 + 11 + 1 */
	assert_int_equal(lf[body], 'B');
	seen_free(&s);

	memset(&s, 0, sizeof(s));
	s.stop_at = -1;
	assert_int_equal(imip_mime_split(crlf, sizeof(crlf) - 1,
	    record_header, &s, &body, &err), IMIP_OK);
	assert_int_equal(body, 35);	/* 21 + 12 + 2 */
	assert_int_equal(crlf[body], 'B');
	seen_free(&s);
}

static void
test_mime_split_stops_with_callback_value(void **state)
{
	static const char msg[] = "A: 1\nB: 2\nC: 3\n\nbody\n";
	struct imip_err err;
	struct seen s;
	size_t body;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.stop_at = 1;
	imip_err_clear(&err);
	assert_int_equal(imip_mime_split(msg, sizeof(msg) - 1, record_header,
	    &s, &body, &err), 1);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.name[1], "B");
	seen_free(&s);
}

static void
test_mime_split_rejects_non_message(void **state)
{
	static const char *const cases[] = {
		"",
		"no colon in this line\nnor here\n\nbody",
	};
	struct imip_err err;
	struct seen s;
	size_t body;
	int rc;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&s, 0, sizeof(s));
		s.stop_at = -1;
		imip_err_clear(&err);
		rc = imip_mime_split(cases[i], strlen(cases[i]),
		    record_header, &s, &body, &err);
		if (rc != IMIP_EPARSE || err.msg[0] == '\0')
			fail_msg("\"%s\": got rc %d (\"%s\"), want "
			    "IMIP_EPARSE with a message", cases[i], rc,
			    err.msg);
		if (s.n != 0)
			fail_msg("\"%s\": got %zu headers, want 0", cases[i],
			    s.n);
		seen_free(&s);
	}
}

static void
test_mime_calparts_free_null_is_noop(void **state)
{
	(void)state;
	imip_calparts_free(NULL, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_mime_outlook_alternative_base64_calendar),
		cmocka_unit_test(
		    test_mime_calendar_nested_in_mixed_alternative),
		cmocka_unit_test(
		    test_mime_application_ics_attachment_without_method),
		cmocka_unit_test(test_mime_top_level_base64_calendar_decoded),
		cmocka_unit_test(test_mime_quoted_printable_calendar_decoded),
		cmocka_unit_test(test_mime_latin1_calendar_converted_to_utf8),
		cmocka_unit_test(test_mime_google_duplicate_returns_both_parts),
		cmocka_unit_test(
		    test_mime_forwarded_message_calendar_is_ignored),
		cmocka_unit_test(test_mime_plain_text_has_no_calendar),
		cmocka_unit_test(test_mime_part_types_and_method_any_case),
		cmocka_unit_test(test_mime_more_parts_than_max_is_limit),
		cmocka_unit_test(test_mime_nesting_depth_is_limited),
		cmocka_unit_test(test_mime_garbage_does_not_crash),
		cmocka_unit_test(test_mime_may_hold_calendar_by_content_type),
		cmocka_unit_test(
		    test_mime_split_headers_in_order_with_raw_values),
		cmocka_unit_test(test_mime_split_body_offset_lf_and_crlf),
		cmocka_unit_test(test_mime_split_stops_with_callback_value),
		cmocka_unit_test(test_mime_split_rejects_non_message),
		cmocka_unit_test(test_mime_calparts_free_null_is_noop),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup, fixture_group_teardown);
}
