/*
 * test_msg.c - one message through the streaming API, fed the way the
 * milter callbacks feed it: envelope, header by header, end of headers,
 * body in CRLF chunks, end of message.
 *
 * Fixtures are tests/data/msg-*.eml; the database is a fresh SQLite file
 * per test with two rooms and a person.  Log lines are captured with
 * imip_log_set_sink.  Nothing is mocked and the clock is always NOW.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <cmocka.h>

#include "dbfixture.h"
#include "fixture.h"
#include "itip.h"
#include "log.h"
#include "mime.h"
#include "msg.h"

#define NOW	((int64_t)1803888000)	/* 2027-03-01 08:00:00 UTC */
#define T09	((int64_t)1803891600)	/* 2027-03-01 09:00:00 UTC */
#define CHUNK	97			/* odd, so chunks split lines */

#define ROOM_A	"room-a@example.org"
#define ROOM_B	"room-b@example.org"
#define RESULT_1 ROOM_A " method=REQUEST uid=inv-1@example.com" \
	" decision=ACCEPTED status=2.0"

/* How to feed one message; zero fields take the defaults. */
struct feed {
	const char	*file;
	const char	*sender;	/* NULL: <alice@example.com> */
	const char	*rcpt[3];	/* none given: <room-a@example.org> */
	const char	*extra[3];	/* "Name: value" fed before the file's */
	bool		 lf;		/* body with LF, not the MTA's CRLF */
	bool		 dry_run;
};

struct fx {
	struct dbfx		*db;
	struct imip_msg		*m;
	struct imip_decision	 d;
	struct imip_err		 err;
	char			*text;		/* the fixture being fed */
	size_t			 body;		/* where its body starts */
	size_t			 fed;		/* bytes the filter captured */
	char			 log[8192];
	int			 nwarn;
};

static void
capture(int prio, const char *line, void *arg)
{
	struct fx *fx = arg;
	size_t len = strlen(fx->log);

	if (prio == LOG_WARNING)
		fx->nwarn++;
	snprintf(fx->log + len, sizeof(fx->log) - len, "%d %s\n", prio, line);
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->db = dbfx_new("test_msg", 50);
	imip_calendar_free(dbfx_calendar(fx->db, ROOM_A, IMIP_CAL_RESOURCE,
	    "Room A", "Europe/Berlin"));
	imip_calendar_free(dbfx_calendar(fx->db, ROOM_B, IMIP_CAL_RESOURCE,
	    "Room B", "Europe/Berlin"));
	imip_calendar_free(dbfx_calendar(fx->db, "carol@example.org",
	    IMIP_CAL_PERSON, "Carol", "Europe/Berlin"));
	imip_log_set_sink(capture, fx);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	imip_log_set_sink(NULL, NULL);
	imip_decision_fini(&fx->d);
	imip_msg_free(fx->m);
	free(fx->text);
	dbfx_free(fx->db);
	free(fx);
	return 0;
}

/* The contents of fixture name, NUL-terminated (caller frees). */
static char *
slurp(const char *name)
{
	const char *dir = getenv("IMIP_TESTDATA");
	char path[512];
	char *buf;
	long n;
	FILE *f;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* One "Name: value" header, value without the blank after the colon. */
static void
header(struct fx *fx, const char *name, size_t nlen, const char *value)
{
	char n[128];

	assert_true(nlen < sizeof(n));
	memcpy(n, name, nlen);
	n[nlen] = '\0';
	while (*value == ' ' || *value == '\t')
		value++;
	if (imip_msg_header(fx->m, n, value, &fx->err) != IMIP_OK)
		fail_msg("header %s: %s", n, fx->err.msg);
	fx->fed += nlen + 2 + strlen(value) + 2;
}

/*
 * Feed the header section of text as the MTA does: one call per field,
 * folded lines kept with "\n".  Returns the offset of the body.
 */
static size_t
feed_headers(struct fx *fx, const char *text)
{
	const char *p = text, *eol, *colon = NULL, *start = NULL;
	char value[2048] = "";
	size_t vlen = 0;

	for (; *p != '\0' && *p != '\n'; p = eol + 1) {
		eol = strchr(p, '\n');
		assert_non_null(eol);
		if (*p != ' ' && *p != '\t') {
			if (start != NULL)
				header(fx, start, (size_t)(colon - start),
				    value);
			start = p;
			assert_non_null(colon = memchr(p, ':', eol - p));
			vlen = 0;
			p = colon + 1;
		} else
			value[vlen++] = '\n';
		assert_true(vlen + (size_t)(eol - p) < sizeof(value));
		memcpy(value + vlen, p, (size_t)(eol - p));
		vlen += (size_t)(eol - p);
		value[vlen] = '\0';
	}
	if (start != NULL)
		header(fx, start, (size_t)(colon - start), value);
	return *p == '\n' ? (size_t)(p + 1 - text) : (size_t)(p - text);
}

/* A new message: envelope and headers of f; the result of imip_msg_eoh. */
static bool
begin(struct fx *fx, const struct feed *f)
{
	const char *sender = f->sender != NULL ? f->sender :
	    "<alice@example.com>";

	imip_decision_fini(&fx->d);
	imip_msg_free(fx->m);
	free(fx->text);
	fx->text = slurp(f->file);
	fx->fed = 0;
	assert_int_equal(imip_msg_new(&fx->m, fx->db->conf, &fx->err),
	    IMIP_OK);
	imip_msg_queue_id(fx->m, "QID1");
	imip_msg_dry_run(fx->m, f->dry_run);
	assert_int_equal(imip_msg_envfrom(fx->m, sender,
	    &fx->err), IMIP_OK);
	if (f->rcpt[0] == NULL)
		assert_int_equal(imip_msg_rcpt(fx->m, fx->db->st,
		    "<" ROOM_A ">", &fx->err), IMIP_OK);
	for (size_t i = 0; i < 3 && f->rcpt[i] != NULL; i++)
		assert_int_equal(imip_msg_rcpt(fx->m, fx->db->st, f->rcpt[i],
		    &fx->err), IMIP_OK);
	for (size_t i = 0; i < 3 && f->extra[i] != NULL; i++)
		header(fx, f->extra[i], strcspn(f->extra[i], ":"),
		    strchr(f->extra[i], ':') + 1);
	fx->body = feed_headers(fx, fx->text);
	fx->fed += 2;
	return imip_msg_eoh(fx->m);
}

/* The body, in CHUNK-byte pieces; the first failure's code. */
static int
feed_body(struct fx *fx, bool lf)
{
	const char *text = fx->text + fx->body;
	size_t len = strlen(text), n = 0;
	char *buf = malloc(2 * len + 1);
	int rc = IMIP_OK;

	assert_non_null(buf);
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '\n' && !lf)
			buf[n++] = '\r';
		buf[n++] = *p;
	}
	for (size_t off = 0; off < n && rc == IMIP_OK; off += CHUNK) {
		rc = imip_msg_body(fx->m, buf + off,
		    n - off < CHUNK ? n - off : CHUNK, &fx->err);
		if (rc == IMIP_OK)
			fx->fed += n - off < CHUNK ? n - off : CHUNK;
	}
	free(buf);
	return rc;
}

/* A whole message past the fast path, finished with success and ACCEPT. */
static void
deliver_ok(struct fx *fx, const struct feed *f)
{
	if (!begin(fx, f))
		fail_msg("%s: fast path taken", f->file);
	if (feed_body(fx, f->lf) != IMIP_OK)
		fail_msg("%s: body: %s", f->file, fx->err.msg);
	if (imip_msg_finish(fx->m, fx->db->st, NOW, &fx->d, &fx->err) < 0)
		fail_msg("%s: imip_msg_finish: %s", f->file, fx->err.msg);
	assert_int_equal(fx->d.action, IMIP_ACTION_ACCEPT);
}

static void
assert_logged(struct fx *fx, const char *needle)
{
	if (strstr(fx->log, needle) == NULL)
		fail_msg("log lacks \"%s\":\n%s", needle, fx->log);
}

/* One ACCEPTED booking of the invite fixtures, answered or not. */
static void
assert_booked_once(struct fx *fx, size_t replies)
{
	assert_int_equal(fx->d.noutcomes, 1);
	assert_int_equal(fx->d.nheaders, 1);
	assert_string_equal(fx->d.headers[0].name, "X-iMIP-Schedule");
	assert_string_equal(fx->d.outcomes[0].decision, "ACCEPTED");
	assert_int_equal(fx->d.replies, replies);
	dbfx_assert_rows(fx->db, 1, 1, 1, (int64_t)replies);
}

static void
test_eoh_without_managed_recipient_takes_fast_path(void **state)
{
	struct fx *fx = *state;

	assert_false(begin(fx, &(struct feed){ .file = "msg-invite.eml",
	    .rcpt = { "<bob@example.com>", "<>" } }));
}

static void
test_eoh_text_plain_takes_fast_path(void **state)
{
	assert_false(begin(*state, &(struct feed){ .file = "msg-plain.eml" }));
}

static void
test_eoh_without_content_type_takes_fast_path(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(imip_msg_new(&fx->m, fx->db->conf, &fx->err),
	    IMIP_OK);
	assert_int_equal(imip_msg_rcpt(fx->m, fx->db->st, "<" ROOM_A ">",
	    &fx->err), IMIP_OK);
	assert_int_equal(imip_msg_header(fx->m, "Subject", "hello",
	    &fx->err), IMIP_OK);
	assert_false(imip_msg_eoh(fx->m));
}

static void
test_eoh_multipart_to_room_reads_body(void **state)
{
	assert_true(begin(*state, &(struct feed){ .file = "msg-invite.eml",
	    .rcpt = { "<bob@example.com>", "<Room-A@Example.ORG>" } }));
}

static void
test_invitation_is_booked_with_result_header(void **state)
{
	struct fx *fx = *state;
	char *s;

	deliver_ok(fx, &(struct feed){ .file = "msg-invite.eml" });
	assert_booked_once(fx, 1);
	assert_int_equal(fx->d.strip_result, 0);
	assert_string_equal(fx->d.headers[0].value, RESULT_1);
	assert_int_equal(dbfx_int(fx->db, "SELECT start FROM busy"), T09);
	assert_int_equal(dbfx_int(fx->db, "SELECT end FROM busy"), T09 + 3600);
	s = dbfx_text(fx->db, "SELECT env_from || ' ' || env_to || ' ' ||"
	    " (instr(message, 'In-Reply-To: <invite-1@example.com>') > 0)"
	    " FROM outbox");
	assert_string_equal(s, ROOM_A " alice@example.com 1");
	free(s);
	s = dbfx_text(fx->db, "SELECT queue_id || ' ' || decision FROM journal");
	assert_string_equal(s, "QID1 ACCEPTED");
	free(s);
	assert_logged(fx, "QID1: " ROOM_A " REQUEST uid=inv-1@example.com"
	    " from=<alice@example.com>: ACCEPTED 2.0 (booked), reply queued");
	assert_int_equal(fx->nwarn, 0);
}

static void
test_invitation_with_lf_body_is_booked(void **state)
{
	struct fx *fx = *state;

	deliver_ok(fx, &(struct feed){ .file = "msg-invite.eml", .lf = true });
	assert_booked_once(fx, 1);
	assert_string_equal(fx->d.headers[0].value, RESULT_1);
}

static void
test_toplevel_calendar_is_booked(void **state)
{
	struct fx *fx = *state;

	deliver_ok(fx, &(struct feed){ .file = "msg-toplevel-calendar.eml" });
	assert_booked_once(fx, 1);
	assert_string_equal(fx->d.outcomes[0].uid, "inv-11@example.com");
}

static void
test_quoted_printable_latin1_invitation_is_booked(void **state)
{
	struct fx *fx = *state;
	char *s;

	deliver_ok(fx, &(struct feed){ .file = "msg-invite-qp-latin1.eml" });
	assert_booked_once(fx, 1);
	s = dbfx_text(fx->db, "SELECT summary FROM event");
	assert_string_equal(s, "Raum\xc3\xbc" "bergabe Gr\xc3\xb6\xc3\x9f" "e");
	free(s);
}

static void
test_two_rooms_get_two_headers_and_two_bookings(void **state)
{
	struct fx *fx = *state;

	deliver_ok(fx, &(struct feed){ .file = "msg-invite-two-rooms.eml",
	    .rcpt = { "<" ROOM_A ">", "<" ROOM_B ">" } });
	assert_int_equal(fx->d.nheaders, 2);
	assert_int_equal(fx->d.noutcomes, 2);
	assert_int_equal(fx->d.replies, 2);
	assert_string_equal(fx->d.headers[0].value, ROOM_A " method=REQUEST"
	    " uid=inv-2@example.com decision=ACCEPTED status=2.0");
	assert_string_equal(fx->d.headers[1].value, ROOM_B " method=REQUEST"
	    " uid=inv-2@example.com decision=ACCEPTED status=2.0");
	dbfx_assert_rows(fx->db, 2, 2, 2, 2);
	assert_int_equal(dbfx_int(fx->db, "SELECT count(DISTINCT calendar_id)"
	    " FROM busy"), 2);
	assert_int_equal(dbfx_int(fx->db, "SELECT count(DISTINCT env_from)"
	    " FROM outbox"), 2);
}

static void
test_recipient_listed_twice_is_scheduled_once(void **state)
{
	struct fx *fx = *state;

	deliver_ok(fx, &(struct feed){ .file = "msg-invite.eml",
	    .rcpt = { "<" ROOM_A ">", "<ROOM-A@example.org>" } });
	assert_booked_once(fx, 1);
}

static void
test_google_duplicate_calendar_parts_processed_once(void **state)
{
	struct fx *fx = *state;

	deliver_ok(fx, &(struct feed){ .file = "msg-google-duplicate.eml" });
	assert_booked_once(fx, 1);
	assert_string_equal(fx->d.headers[0].value, ROOM_A " method=REQUEST"
	    " uid=inv-3@google.com decision=ACCEPTED status=2.0");
}

/*
 * Calendar data the filter cannot use: delivered unchanged with no header,
 * one journal row saying decision, one warning holding why.
 */
static void
passes_unchanged(struct fx *fx, const char *file, const char *decision,
    const char *why)
{
	char *s;

	deliver_ok(fx, &(struct feed){ .file = file });
	assert_int_equal(fx->d.nheaders, 0);
	assert_int_equal(fx->d.noutcomes, 0);
	assert_int_equal(fx->d.replies, 0);
	dbfx_assert_rows(fx->db, 0, 0, 1, 0);
	s = dbfx_text(fx->db, "SELECT calendar || ' ' || decision FROM journal");
	if (strcmp(s, decision) != 0)
		fail_msg("journal: got \"%s\", want \"%s\"", s, decision);
	free(s);
	assert_int_equal(fx->nwarn, 1);
	assert_logged(fx, why);
}

#define MALFORMED	"QID1: " ROOM_A ": malformed calendar data, " \
	"delivered unchanged: "

static void
test_truncated_calendar_is_delivered_unchanged(void **state)
{
	passes_unchanged(*state, "msg-truncated-calendar.eml",
	    ROOM_A " MALFORMED", MALFORMED "not iCalendar data");
}

static void
test_calendar_without_dtstart_is_delivered_unchanged(void **state)
{
	passes_unchanged(*state, "msg-no-dtstart.eml", ROOM_A " MALFORMED",
	    MALFORMED "VEVENT without DTSTART");
}

static void
test_broken_mime_boundary_is_delivered_unchanged(void **state)
{
	passes_unchanged(*state, "msg-broken-boundary.eml",
	    ROOM_A " MALFORMED", MALFORMED "not iCalendar data");
}

static void
test_base64_garbage_is_delivered_unchanged(void **state)
{
	passes_unchanged(*state, "msg-base64-garbage.eml",
	    ROOM_A " MALFORMED", MALFORMED "not iCalendar data");
}

static void
test_method_parameter_contradicting_method_is_malformed(void **state)
{
	passes_unchanged(*state, "msg-method-mismatch.eml",
	    ROOM_A " MALFORMED", MALFORMED "method=CANCEL parameter "
	    "contradicts METHOD:REQUEST");
}

static void
test_vtodo_is_delivered_unchanged_as_unsupported(void **state)
{
	passes_unchanged(*state, "msg-vtodo.eml", ROOM_A " UNSUPPORTED",
	    "QID1: " ROOM_A ": unsupported calendar data");
}

static void
test_too_many_calendar_parts_pass_untouched(void **state)
{
	passes_unchanged(*state, "msg-too-many-parts.eml",
	    ROOM_A " TOO-LARGE", "more than 8 calendar parts");
}

static void
test_recipient_outside_local_domains_skips_the_database(void **state)
{
	struct fx *fx = *state;
	struct imip_msg *m = NULL;

	assert_int_equal(imip_msg_new(&m, fx->db->conf, &fx->err), IMIP_OK);
	/* No local_domains: every recipient may be a calendar. */
	assert_true(imip_msg_rcpt_may_be_managed(m, "<bob@example.net>"));
	assert_int_equal(imip_conf_set(fx->db->conf, "local_domains",
	    "example.org", &fx->err), IMIP_OK);
	assert_true(imip_msg_rcpt_may_be_managed(m, "<Room-A@Example.ORG>"));
	assert_false(imip_msg_rcpt_may_be_managed(m, "<bob@example.net>"));
	assert_false(imip_msg_rcpt_may_be_managed(m, "<>"));
	/* imip_msg_rcpt applies it even with no store at all. */
	assert_int_equal(imip_msg_rcpt(m, NULL, "<bob@example.net>",
	    &fx->err), IMIP_OK);
	imip_msg_free(m);
}

static void
test_outsider_claiming_local_organizer_is_refused(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(imip_conf_set(fx->db->conf, "local_domains",
	    "example.org", &fx->err), IMIP_OK);
	deliver_ok(fx, &(struct feed){ .file =
	    "msg-spoofed-local-organizer.eml",
	    .sender = "<mallory@evil.example>" });
	assert_int_equal(fx->d.nheaders, 1);
	assert_non_null(strstr(fx->d.headers[0].value, "decision=REFUSED"));
	assert_int_equal(fx->d.replies, 0);
	dbfx_assert_rows(fx->db, 0, 0, 1, 0);
}

/* No calendar part that counts: no header, no row, no warning. */
static void
untouched(struct fx *fx, const struct feed *f)
{
	deliver_ok(fx, f);
	assert_int_equal(fx->d.nheaders, 0);
	assert_int_equal(fx->d.noutcomes, 0);
	assert_int_equal(fx->nwarn, 0);
	dbfx_assert_rows(fx->db, 0, 0, 0, 0);
}

static void
test_boundary_mismatch_finds_nothing_and_changes_nothing(void **state)
{
	untouched(*state, &(struct feed){ .file = "msg-boundary-mismatch.eml" });
}

static void
test_forwarded_invitation_is_not_acted_on(void **state)
{
	untouched(*state, &(struct feed){ .file = "msg-forwarded.eml",
	    .sender = "<carol@example.com>" });
}

static void
test_person_recipient_is_not_scheduled(void **state)
{
	/* Person calendars are out of this slice: accepted untouched. */
	untouched(*state, &(struct feed){ .file = "msg-invite.eml",
	    .rcpt = { "<carol@example.org>" } });
}

static void
test_body_over_max_message_size_is_limit(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(imip_conf_set(fx->db->conf, "max_message_size", "1K",
	    &fx->err), IMIP_OK);
	assert_true(begin(fx, &(struct feed){ .file = "msg-invite.eml" }));
	assert_int_equal(feed_body(fx, false), IMIP_ELIMIT);
	assert_int_equal(fx->err.code, IMIP_ELIMIT);
	assert_non_null(strstr(fx->err.msg, "1024"));
	assert_true(fx->fed <= 1024);
	assert_true(fx->fed + CHUNK > 1024);
}

/* Feed msg-invite.eml with max_message_size = its size - slack. */
static void
limit_at(struct fx *fx, size_t slack, int want)
{
	size_t total;

	assert_true(begin(fx, &(struct feed){ .file = "msg-invite.eml" }));
	total = fx->fed;
	for (const char *p = fx->text + fx->body; *p != '\0'; p++)
		total += *p == '\n' ? 2 : 1;	/* fed with CRLF */
	fx->db->conf->max_message_size = total - slack;
	assert_int_equal(feed_body(fx, false), want);
	if (want == IMIP_OK)
		assert_int_equal(fx->fed, total);
}

static void
test_message_of_exactly_max_size_is_read(void **state)
{
	limit_at(*state, 0, IMIP_OK);
}

static void
test_message_one_byte_over_max_size_is_limit(void **state)
{
	limit_at(*state, 1, IMIP_ELIMIT);
}

static void
test_headers_over_max_message_size_are_limit(void **state)
{
	struct fx *fx = *state;

	fx->db->conf->max_message_size = 64;
	assert_int_equal(imip_msg_new(&fx->m, fx->db->conf, &fx->err),
	    IMIP_OK);
	assert_int_equal(imip_msg_header(fx->m, "Subject", "short",
	    &fx->err), IMIP_OK);
	assert_int_equal(imip_msg_header(fx->m, "X-Long", "0123456789"
	    "0123456789012345678901234567890123456789", &fx->err),
	    IMIP_ELIMIT);
}

static void
test_null_sender_is_booked_without_reply(void **state)
{
	struct fx *fx = *state;

	deliver_ok(fx, &(struct feed){ .file = "msg-invite.eml",
	    .sender = "<>" });
	assert_booked_once(fx, 0);
	assert_string_equal(fx->d.headers[0].value, RESULT_1);
}

static void
test_auto_replied_is_booked_without_reply(void **state)
{
	struct fx *fx = *state;

	deliver_ok(fx, &(struct feed){ .file = "msg-invite.eml",
	    .extra = { "Auto-Submitted: auto-replied" } });
	assert_booked_once(fx, 0);
}

static void
test_auto_generated_is_answered(void **state)
{
	struct fx *fx = *state;

	/* Google marks its invitations auto-generated; they want answers. */
	deliver_ok(fx, &(struct feed){ .file = "msg-invite.eml",
	    .extra = { "Auto-Submitted: auto-generated" } });
	assert_booked_once(fx, 1);
}

static void
test_own_generated_mail_is_not_answered(void **state)
{
	struct fx *fx = *state;

	deliver_ok(fx, &(struct feed){ .file = "msg-invite.eml",
	    .extra = { "X-iMIP-Generated: reply" } });
	assert_booked_once(fx, 0);
}

static void
test_forged_result_headers_are_counted_for_stripping(void **state)
{
	struct fx *fx = *state;

	deliver_ok(fx, &(struct feed){ .file = "msg-invite.eml",
	    .extra = { "X-iMIP-Schedule: " ROOM_A " method=REQUEST uid=x"
	    " decision=ACCEPTED", "x-imip-schedule: forged" } });
	assert_int_equal(fx->d.strip_result, 2);
	assert_booked_once(fx, 1);
	assert_string_equal(fx->d.headers[0].value, RESULT_1);
}

static void
test_forged_result_header_on_plain_mail_is_stripped(void **state)
{
	struct fx *fx = *state;

	/* No calendar, but the forged header must reach end of message. */
	assert_true(begin(fx, &(struct feed){ .file = "msg-plain.eml",
	    .extra = { "X-iMIP-Schedule: " ROOM_A " decision=ACCEPTED" } }));
	assert_int_equal(feed_body(fx, false), IMIP_OK);
	assert_int_equal(imip_msg_finish(fx->m, fx->db->st, NOW, &fx->d,
	    &fx->err), IMIP_OK);
	assert_int_equal(fx->d.action, IMIP_ACTION_ACCEPT);
	assert_int_equal(fx->d.strip_result, 1);
	assert_int_equal(fx->d.nheaders, 0);
	dbfx_assert_rows(fx->db, 0, 0, 0, 0);
}

/* With the database write-locked, finish fails as on_internal_error says. */
static void
internal_error(struct fx *fx, const char *setting, enum imip_action want)
{
	struct imip_store *locker;
	int rc;

	if (setting != NULL)
		assert_int_equal(imip_conf_set(fx->db->conf,
		    "on_internal_error", setting, &fx->err), IMIP_OK);
	assert_true(begin(fx, &(struct feed){ .file = "msg-invite.eml" }));
	assert_int_equal(feed_body(fx, false), IMIP_OK);
	locker = dbfx_locker(fx->db);
	rc = imip_msg_finish(fx->m, fx->db->st, NOW, &fx->d, &fx->err);
	dbfx_unlock(locker);
	assert_int_equal(rc, IMIP_EBUSY);
	assert_int_equal(fx->err.code, IMIP_EBUSY);
	assert_int_equal(fx->d.action, want);
	if (want != IMIP_ACTION_ACCEPT)
		assert_non_null(fx->d.smtp_text);
	assert_int_equal(fx->d.nheaders, 0);
	assert_int_equal(fx->d.replies, 0);
	dbfx_assert_rows(fx->db, 0, 0, 0, 0);
	assert_logged(fx, "QID1: internal error (busy)");
}

static void
test_internal_error_tempfails_by_default(void **state)
{
	internal_error(*state, NULL, IMIP_ACTION_TEMPFAIL);
}

static void
test_internal_error_accepts_when_configured(void **state)
{
	internal_error(*state, "accept", IMIP_ACTION_ACCEPT);
}

static void
test_internal_error_rejects_when_configured(void **state)
{
	internal_error(*state, "reject", IMIP_ACTION_REJECT);
}

static void
test_dry_run_decides_but_writes_no_rows(void **state)
{
	struct fx *fx = *state;

	deliver_ok(fx, &(struct feed){ .file = "msg-invite.eml",
	    .dry_run = true });
	assert_int_equal(fx->d.nheaders, 1);
	assert_string_equal(fx->d.headers[0].value, RESULT_1);
	assert_non_null(fx->d.outcomes[0].reply);
	dbfx_assert_rows(fx->db, 0, 0, 0, 0);
}

static void
test_dry_run_of_malformed_data_writes_no_journal(void **state)
{
	struct fx *fx = *state;

	deliver_ok(fx, &(struct feed){ .file = "msg-no-dtstart.eml",
	    .dry_run = true });
	assert_int_equal(fx->d.nheaders, 0);
	assert_int_equal(fx->nwarn, 1);
	dbfx_assert_rows(fx->db, 0, 0, 0, 0);
}

static void
test_second_overlapping_invitation_is_declined(void **state)
{
	struct fx *fx = *state;

	deliver_ok(fx, &(struct feed){ .file = "msg-invite.eml" });
	deliver_ok(fx, &(struct feed){ .file = "msg-toplevel-calendar.eml" });
	assert_int_equal(fx->d.nheaders, 1);
	assert_string_equal(fx->d.headers[0].value, ROOM_A " method=REQUEST"
	    " uid=inv-11@example.com decision=DECLINED status=4.0");
	assert_int_equal(fx->d.replies, 1);
	dbfx_assert_rows(fx->db, 2, 1, 2, 2);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_eoh_without_managed_recipient_takes_fast_path),
		T(test_eoh_text_plain_takes_fast_path),
		T(test_eoh_without_content_type_takes_fast_path),
		T(test_eoh_multipart_to_room_reads_body),
		T(test_invitation_is_booked_with_result_header),
		T(test_invitation_with_lf_body_is_booked),
		T(test_toplevel_calendar_is_booked),
		T(test_quoted_printable_latin1_invitation_is_booked),
		T(test_two_rooms_get_two_headers_and_two_bookings),
		T(test_recipient_listed_twice_is_scheduled_once),
		T(test_google_duplicate_calendar_parts_processed_once),
		T(test_truncated_calendar_is_delivered_unchanged),
		T(test_calendar_without_dtstart_is_delivered_unchanged),
		T(test_broken_mime_boundary_is_delivered_unchanged),
		T(test_base64_garbage_is_delivered_unchanged),
		T(test_method_parameter_contradicting_method_is_malformed),
		T(test_vtodo_is_delivered_unchanged_as_unsupported),
		T(test_too_many_calendar_parts_pass_untouched),
		T(test_outsider_claiming_local_organizer_is_refused),
		T(test_recipient_outside_local_domains_skips_the_database),
		T(test_boundary_mismatch_finds_nothing_and_changes_nothing),
		T(test_forwarded_invitation_is_not_acted_on),
		T(test_person_recipient_is_not_scheduled),
		T(test_body_over_max_message_size_is_limit),
		T(test_message_of_exactly_max_size_is_read),
		T(test_message_one_byte_over_max_size_is_limit),
		T(test_headers_over_max_message_size_are_limit),
		T(test_null_sender_is_booked_without_reply),
		T(test_auto_replied_is_booked_without_reply),
		T(test_auto_generated_is_answered),
		T(test_own_generated_mail_is_not_answered),
		T(test_forged_result_headers_are_counted_for_stripping),
		T(test_forged_result_header_on_plain_mail_is_stripped),
		T(test_internal_error_tempfails_by_default),
		T(test_internal_error_accepts_when_configured),
		T(test_internal_error_rejects_when_configured),
		T(test_dry_run_decides_but_writes_no_rows),
		T(test_dry_run_of_malformed_data_writes_no_journal),
		T(test_second_overlapping_invitation_is_declined),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup, NULL);
}
