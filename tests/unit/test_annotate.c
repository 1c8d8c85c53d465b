/*
 * test_annotate.c - summary_part: a text/plain note in front of the
 * delivered copy, never in signed or encrypted mail.
 *
 * Real gmime.  Each rewritten message is put together the way the milter
 * applies the change (new Content-Type, no top-level
 * Content-Transfer-Encoding, the new body) and parsed again: its calendar
 * must be the one the original carried.
 */
#include "msg_feed.h"

#include "annotate.h"

/* Header callback: every field but the ones the milter replaces. */
static int
keep_header(const char *name, const char *value, void *arg)
{
	GString *out = arg;

	if (strcasecmp(name, "Content-Type") != 0 &&
	    strcasecmp(name, "Content-Transfer-Encoding") != 0 &&
	    strcasecmp(name, "Content-Disposition") != 0)
		g_string_append_printf(out, "%s:%s", name, value);
	return 0;
}

/* The message text with change c applied (caller frees). */
static char *
applied(const char *text, const struct imip_body_change *c)
{
	GString *out = g_string_new(NULL);
	struct imip_err err = { 0 };
	size_t body;

	assert_int_equal(imip_mime_split(text, strlen(text), keep_header, out,
	    &body, &err), IMIP_OK);
	g_string_append_printf(out, "Content-Type: %s\r\n%s\r\n",
	    c->content_type, c->add_mime_version ? "MIME-Version: 1.0\r\n" :
	    "");
	g_string_append_len(out, c->body, (gssize)c->len);
	return g_string_free(out, FALSE);
}

/* The one calendar part of text (caller frees). */
static char *
calendar_of(const char *text)
{
	struct imip_calpart *parts = NULL;
	struct imip_err err = { 0 };
	size_t n = 0;
	char *cal;

	assert_int_equal(imip_mime_calendars(&parts, &n, text, strlen(text),
	    4, &err), IMIP_OK);
	assert_int_equal(n, 1);
	cal = parts[0].text;
	parts[0].text = NULL;
	imip_calparts_free(parts, n);
	return cal;
}

/* Fixture name with CRLF line ends, as the MTA hands it over. */
static char *
slurp_crlf(const char *name)
{
	char *raw = slurp(name);
	GString *out = g_string_new(NULL);

	for (const char *p = raw; *p != '\0'; p++) {
		if (*p == '\n' && (p == raw || p[-1] != '\r'))
			g_string_append_c(out, '\r');
		g_string_append_c(out, *p);
	}
	free(raw);
	return g_string_free(out, FALSE);
}

static void
assert_crlf_only(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			fail_msg("bare LF at byte %zu", i);
		else if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\r')
			fail_msg("CR CR at byte %zu", i);
}

/* Wrap fixture name, check the note and the calendar survive. */
static void
wraps_keeping_the_calendar(const char *name)
{
	struct imip_body_change c = { 0 };
	struct imip_err err = { 0 };
	char *text = slurp_crlf(name), *again, *before, *after;

	assert_int_equal(imip_annotate(&c, text, strlen(text),
	    "Calendar note\nroom-a: clashes with \"Board\"\n", &err), IMIP_OK);
	assert_non_null(c.content_type);
	assert_true(strncmp(c.content_type, "multipart/mixed; boundary=",
	    26) == 0);
	assert_null(strchr(c.content_type, '\n'));
	assert_non_null(strstr(c.body, "clashes with \"Board\""));
	assert_crlf_only(c.body, c.len);
	assert_false(c.add_mime_version);
	again = applied(text, &c);
	before = calendar_of(text);
	after = calendar_of(again);
	assert_string_equal(after, before);
	free(before);
	free(after);
	g_free(again);
	g_free(text);
	imip_body_change_fini(&c);
}

static void
test_note_goes_in_front_of_a_multipart(void **state)
{
	(void)state;
	wraps_keeping_the_calendar("msg-invite.eml");
}

static void
test_single_part_keeps_its_encoding_inside(void **state)
{
	struct imip_body_change c = { 0 };
	struct imip_err err = { 0 };
	char *text = slurp_crlf("mime-calendar-base64.eml");

	(void)state;
	wraps_keeping_the_calendar("mime-calendar-base64.eml");
	/* The base64 label moved with the calendar into the inner part. */
	assert_int_equal(imip_annotate(&c, text, strlen(text), "note",
	    &err), IMIP_OK);
	assert_non_null(strstr(c.body, "Content-Transfer-Encoding: base64"));
	assert_non_null(strstr(c.body, "QkVHSU46VkNBTEVOREFS"));
	imip_body_change_fini(&c);
	g_free(text);
}

static void
test_missing_mime_version_is_reported(void **state)
{
	static const char text[] = "From: a@example.com\r\n"
	    "Subject: x\r\n\r\nJust text.\r\n";
	struct imip_body_change c = { 0 };
	struct imip_err err = { 0 };

	(void)state;
	assert_int_equal(imip_annotate(&c, text, strlen(text), "note", &err),
	    IMIP_OK);
	assert_true(c.add_mime_version);
	assert_non_null(strstr(c.body, "Just text."));
	imip_body_change_fini(&c);
}

static void
test_signed_and_encrypted_mail_is_left_alone(void **state)
{
	static const char *const sealed[] = {
		"Content-Type: application/pkcs7-mime; smime-type=enveloped-"
		    "data\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n",
		"Content-Type: multipart/encrypted; protocol=\"application/"
		    "pgp-encrypted\"; boundary=b\r\n\r\n--b\r\nContent-Type: "
		    "application/pgp-encrypted\r\n\r\nVersion: 1\r\n--b--\r\n",
		"Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n"
		    "Content-Type: application/x-pkcs7-mime\r\n\r\nAAAA\r\n"
		    "--o--\r\n",
	};
	struct imip_body_change c = { 0 };
	struct imip_err err = { 0 };
	char *text = slurp("msg-invite-carol-signed.eml");

	(void)state;
	assert_int_equal(imip_annotate(&c, text, strlen(text), "note", &err),
	    IMIP_EUNSUPPORTED);
	assert_null(c.content_type);
	assert_null(c.body);
	for (size_t i = 0; i < sizeof(sealed) / sizeof(sealed[0]); i++) {
		assert_int_equal(imip_annotate(&c, sealed[i],
		    strlen(sealed[i]), "note", &err), IMIP_EUNSUPPORTED);
		assert_null(c.body);
	}
	free(text);
}

static void
test_summary_part_only_when_set_and_only_unsigned(void **state)
{
	struct fx *fx = *state;
	struct feed plain = { .file = "msg-invite-carol.eml",
	    .rcpt = { "<carol@example.org>" } };
	struct feed sig = { .file = "msg-invite-carol-signed.eml",
	    .rcpt = { "<carol@example.org>" } };

	assert_int_equal(imip_conf_set(fx->db->conf, "summary_part", "yes",
	    &fx->err), IMIP_OK);
	/* Nothing clashes yet: no note, no new body. */
	deliver_ok(fx, &sig);
	assert_null(fx->d.body.content_type);
	/* Budget clashes with Audit: a note, unless summary_part is off. */
	plain.dry_run = true;
	deliver_ok(fx, &plain);
	assert_non_null(fx->d.body.content_type);
	/* Times only: the recipients are not counted as only Carol. */
	assert_non_null(strstr(fx->d.body.body, "carol@example.org: this "
	    "invitation clashes with 2027-03-02 11:30 to 2027-03-02 12:30"));
	assert_int_equal(imip_conf_set(fx->db->conf, "summary_part", "no",
	    &fx->err), IMIP_OK);
	deliver_ok(fx, &plain);
	assert_null(fx->d.body.content_type);
	assert_int_equal(imip_conf_set(fx->db->conf, "summary_part", "yes",
	    &fx->err), IMIP_OK);
	plain.dry_run = false;
	deliver_ok(fx, &plain);
	assert_non_null(fx->d.body.content_type);
	/* Audit gone, Budget booked: the signed Audit now clashes. */
	dbfx_exec(fx->db, "PRAGMA foreign_keys = ON; DELETE FROM event WHERE uid = "
	    "'carol-2@example.com'");
	deliver_ok(fx, &sig);
	assert_null(fx->d.body.content_type);
	assert_logged(fx, "QID1: no summary part: signed or encrypted");
	for (size_t i = 0; i < fx->d.nheaders; i++)
		if (strcmp(fx->d.headers[i].name, IMIP_CONFLICT_HEADER) == 0)
			return;
	fail_msg("no %s header on the signed invitation", IMIP_CONFLICT_HEADER);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_note_goes_in_front_of_a_multipart),
		T(test_single_part_keeps_its_encoding_inside),
		T(test_missing_mime_version_is_reported),
		T(test_signed_and_encrypted_mail_is_left_alone),
		T(test_summary_part_only_when_set_and_only_unsigned),
	};

	imip_mime_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
