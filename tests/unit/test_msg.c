/*
 * test_msg.c - one message through the streaming API, fed the way the
 * milter callbacks feed it: envelope, header by header, end of headers,
 * body in CRLF chunks, end of message.
 *
 * Fixtures are tests/data/msg-*.eml; the database is a fresh SQLite file
 * per test with two rooms and a person (msg_feed.h).  Log lines are
 * captured with imip_log_set_sink.  Nothing is mocked and the clock is
 * always NOW.  Malformed data, pass-through and size limits are in
 * test_msg_bad.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "msg_feed.h"

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
	assert_int_equal(fx->d.strip[IMIP_OWN_RESULT], 0);
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
	assert_int_equal(fx->d.strip[IMIP_OWN_RESULT], 2);
	assert_booked_once(fx, 1);
	assert_string_equal(fx->d.headers[0].value, RESULT_1);
}

static void
test_local_sender_of_plain_mail_needs_no_lookup(void **state)
{
	struct fx *fx = *state;

	/* Plain mail from a local sender: no database look-up at all. */
	assert_false(begin(fx, &(struct feed){ .file = "msg-plain.eml",
	    .sender = "<carol@example.org>", .rcpt = { "<x@example.net>" } }));
	assert_false(imip_msg_sender_may_be_managed(fx->m));
}

/* Our own reply passing on its way out: one copy only (store_seen.c). */
static bool
second_copy(struct fx *fx, const char *copy_header)
{
	bool dup = true;

	begin(fx, &(struct feed){ .file = "msg-plain.eml",
	    .sender = "<" ROOM_A ">", .rcpt = { "<alice@example.com>" },
	    .extra = { "X-iMIP-Generated: reply", copy_header } });
	assert_true(imip_msg_is_generated(fx->m));
	assert_int_equal(imip_msg_claim_generated(fx->m, fx->db->st, &dup,
	    &fx->err), IMIP_OK);
	return dup;
}

static void
test_second_copy_of_a_reply_is_a_duplicate(void **state)
{
	struct fx *fx = *state;

	dbfx_exec(fx->db, "INSERT INTO outbox (created, env_from, env_to,"
	    " message, next_attempt, message_id, handovers) VALUES (1,"
	    " '" ROOM_A "', 'alice@example.com', 'x', 1,"
	    " '<plain-1@example.com>', 2)");
	assert_false(second_copy(fx, "X-iMIP-Copy: 1"));	/* first */
	assert_false(second_copy(fx, "X-iMIP-Copy: 1"));	/* requeued */
	assert_true(second_copy(fx, "X-iMIP-Copy: 2"));		/* again */
	assert_logged(fx, "QID1: <plain-1@example.com> is a second copy of a "
	    "message already sent: discarded");
	/* Without the marker it is no message of ours at all. */
	begin(fx, &(struct feed){ .file = "msg-plain.eml",
	    .sender = "<" ROOM_A ">", .rcpt = { "<alice@example.com>" } });
	assert_false(imip_msg_is_generated(fx->m));
}

static void
test_forged_conflict_header_is_stripped(void **state)
{
	struct fx *fx = *state;

	assert_true(begin(fx, &(struct feed){ .file = "msg-plain.eml",
	    .extra = { "X-iMIP-Conflicts: " ROOM_A ": \"Board\" all day",
	    "X-iMIP-Counter: " ROOM_A ": x proposes never",
	    "x-imip-counter: " ROOM_A ": and again" } }));
	assert_int_equal(feed_body(fx, false), IMIP_OK);
	assert_int_equal(imip_msg_finish(fx->m, fx->db->st, NOW, &fx->d,
	    &fx->err), IMIP_OK);
	assert_int_equal(fx->d.strip[IMIP_OWN_CONFLICT], 1);
	assert_int_equal(fx->d.strip[IMIP_OWN_COUNTER], 2);
	assert_int_equal(fx->d.nheaders, 0);
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
	assert_int_equal(fx->d.strip[IMIP_OWN_RESULT], 1);
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
		T(test_outsider_claiming_local_organizer_is_refused),
		T(test_recipient_outside_local_domains_skips_the_database),
		T(test_null_sender_is_booked_without_reply),
		T(test_auto_replied_is_booked_without_reply),
		T(test_auto_generated_is_answered),
		T(test_own_generated_mail_is_not_answered),
		T(test_forged_result_headers_are_counted_for_stripping),
		T(test_forged_result_header_on_plain_mail_is_stripped),
		T(test_forged_conflict_header_is_stripped),
		T(test_second_copy_of_a_reply_is_a_duplicate),
		T(test_local_sender_of_plain_mail_needs_no_lookup),
		T(test_internal_error_tempfails_by_default),
		T(test_internal_error_accepts_when_configured),
		T(test_internal_error_rejects_when_configured),
		T(test_dry_run_decides_but_writes_no_rows),
		T(test_second_overlapping_invitation_is_declined),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup, NULL);
}
