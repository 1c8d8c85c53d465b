/*
 * test_approval.c - bookings that wait for a delegate.
 *
 * The room holds the slot TENTATIVE and asks its delegates with an
 * invitation from room-a+approve-TOKEN@; only the delegate's own answer
 * to that address, about the version still stored, decides.  Forged,
 * replayed and stale answers change nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sched_fx.h"

#define DAVE	"dave@example.org"
#define ERIN	"erin@example.org"

#define MEETING(seq, stamp, start)					\
	"BEGIN:VEVENT\r\nUID:m1@example.com\r\nDTSTAMP:" stamp "\r\n"	\
	"SEQUENCE:" seq "\r\nDTSTART;TZID=Europe/Berlin:" start "\r\n"	\
	"DURATION:PT1H\r\nSUMMARY:Board meeting\r\n"			\
	"ORGANIZER:mailto:" ALICE "\r\n"				\
	"ATTENDEE;RSVP=TRUE:mailto:" ROOM "\r\nEND:VEVENT\r\n"
#define FIRST	MEETING("0", "20261101T120000Z", "20270301T100000")

static int
setup_approval(void **state)
{
	struct fx *fx;
	struct imip_err err = { 0 };

	setup(state);
	fx = *state;
	dbfx_exec(fx->db, "UPDATE calendar SET booking = 'approval', "
	    "delegates = '" DAVE " " ERIN "'");
	imip_calendar_free(fx->room);
	if (imip_store_calendar_find(fx->db->st, ROOM, &fx->room, &err) < 0)
		fail_msg("calendar find: %s", err.msg);
	return 0;
}

/* The open question's token (caller frees). */
static char *
open_token(struct fx *fx)
{
	return dbfx_text(fx->db, "SELECT token FROM approval WHERE decided "
	    "IS NULL");
}

/* A delegate's calendar answering the question at token. */
static const char *
answer(struct fx *fx, const char *token, const char *who,
    const char *partstat)
{
	char body[1024];

	snprintf(body, sizeof(body), "BEGIN:VEVENT\r\n"
	    "UID:approve-%s@imip-milter\r\nDTSTAMP:20261118T100000Z\r\n"
	    "SEQUENCE:0\r\nDTSTART:20270301T090000Z\r\n"
	    "DTEND:20270301T100000Z\r\nSUMMARY:Approve\r\n"
	    "ORGANIZER:mailto:room-a+approve-%s@example.org\r\n"
	    "ATTENDEE;PARTSTAT=%s:mailto:%s\r\nEND:VEVENT\r\n", token, token,
	    partstat, who);
	return run(fx, "REPLY", body);
}

static void
test_request_is_held_and_delegates_are_asked(void **state)
{
	struct fx *fx = *state;
	char *token;

	assert_string_equal(run(fx, "REQUEST", FIRST), "TENTATIVE");
	assert_non_null(strstr(fx->out.reason, "2 delegates asked"));
	/* The organizer hears "tentative"; each delegate gets a question. */
	assert_non_null(strstr(fx->out.reply, "PARTSTAT=TENTATIVE"));
	assert_non_null(strstr(fx->out.reply, "waits for a delegate"));
	assert_int_equal(dbfx_rows(fx->db, "outbox"), 3);
	token = open_token(fx);
	assert_int_equal(strlen(token), 32);
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM outbox WHERE "
	    "env_to = '" DAVE "' AND message LIKE '%METHOD:REQUEST%' AND "
	    "message LIKE '%room-a+approve-%'"), 1);
	assert_string_equal(dbfx_str(fx->db, "SELECT partstat FROM event"),
	    "TENTATIVE");
	/* The slot is held: nobody else gets it meanwhile. */
	assert_string_equal(dbfx_str(fx->db, "SELECT fbtype FROM busy"),
	    "BUSY-TENTATIVE");
	assert_string_equal(run(fx, "REQUEST", "BEGIN:VEVENT\r\n"
	    "UID:m2@example.com\r\nDTSTAMP:20261101T120000Z\r\n"
	    "DTSTART;TZID=Europe/Berlin:20270301T103000\r\nDURATION:PT1H\r\n"
	    "ORGANIZER:mailto:bob@example.com\r\n"
	    "ATTENDEE:mailto:" ROOM "\r\nEND:VEVENT\r\n"), "DECLINED");
	free(token);
}

static void
test_delegate_approves(void **state)
{
	struct fx *fx = *state;
	char *token;

	run(fx, "REQUEST", FIRST);
	token = open_token(fx);
	fx->ctx.sender = DAVE;
	assert_string_equal(answer(fx, token, DAVE, "ACCEPTED"), "ACCEPTED");
	assert_string_equal(fx->out.reply_to, ALICE);
	assert_non_null(strstr(fx->out.reply, "PARTSTAT=ACCEPTED"));
	assert_non_null(strstr(fx->out.reply, "UID:m1@example.com"));
	assert_string_equal(dbfx_str(fx->db, "SELECT partstat FROM event"),
	    "ACCEPTED");
	assert_string_equal(dbfx_str(fx->db, "SELECT fbtype FROM busy"),
	    "BUSY");
	assert_string_equal(dbfx_str(fx->db, "SELECT decided_by FROM "
	    "approval"), DAVE);
	/* Replayed: already answered, nothing changes. */
	fx->ctx.sender = ERIN;
	assert_string_equal(answer(fx, token, ERIN, "DECLINED"), "IGNORED");
	assert_string_equal(dbfx_str(fx->db, "SELECT partstat FROM event"),
	    "ACCEPTED");
	free(token);
}

static void
test_delegate_declines(void **state)
{
	struct fx *fx = *state;
	char *token;

	run(fx, "REQUEST", FIRST);
	token = open_token(fx);
	fx->ctx.sender = ERIN;
	assert_string_equal(answer(fx, token, ERIN, "DECLINED"), "DECLINED");
	assert_string_equal(fx->out.status, "3.8");
	assert_string_equal(fx->out.reply_to, ALICE);
	assert_non_null(strstr(fx->out.reply, "PARTSTAT=DECLINED"));
	assert_non_null(strstr(fx->out.reply, "declined by " ERIN));
	assert_int_equal(dbfx_rows(fx->db, "busy"), 0);
	free(token);
}

/* Nothing a forged answer does may show in the database. */
static void
assert_still_waiting(struct fx *fx)
{
	assert_string_equal(fx->out.decision, "REFUSED");
	assert_true(fx->out.refused);
	assert_null(fx->out.reply);
	assert_string_equal(dbfx_str(fx->db, "SELECT partstat FROM event"),
	    "TENTATIVE");
	assert_string_equal(dbfx_str(fx->db, "SELECT fbtype FROM busy"),
	    "BUSY-TENTATIVE");
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM approval "
	    "WHERE decided IS NULL"), 1);
}

static void
test_forged_approvals_change_nothing(void **state)
{
	struct fx *fx = *state;
	char *token;

	run(fx, "REQUEST", FIRST);
	token = open_token(fx);
	/* Not a delegate, though it knows the token. */
	fx->ctx.sender = "mallory@example.net";
	answer(fx, token, "mallory@example.net", "ACCEPTED");
	assert_still_waiting(fx);
	assert_non_null(strstr(fx->out.reason, "not a delegate"));
	/* Claims to be a delegate, sent by someone else. */
	answer(fx, token, DAVE, "ACCEPTED");
	assert_still_waiting(fx);
	assert_non_null(strstr(fx->out.reason, "not sent by that delegate"));
	/* The delegate, but a guessed token. */
	fx->ctx.sender = DAVE;
	answer(fx, "0123456789abcdef0123456789abcdef", DAVE, "ACCEPTED");
	assert_still_waiting(fx);
	assert_non_null(strstr(fx->out.reason, "unknown approval token"));
	/* The organizer approving its own booking. */
	fx->ctx.sender = ALICE;
	answer(fx, token, ALICE, "ACCEPTED");
	assert_still_waiting(fx);
	free(token);
}

static void
test_answer_to_an_older_version_is_stale(void **state)
{
	struct fx *fx = *state;
	char *first, *second;

	run(fx, "REQUEST", FIRST);
	first = open_token(fx);
	/* The organizer moves the meeting: the delegates are asked again. */
	assert_string_equal(run(fx, "REQUEST", MEETING("1",
	    "20261102T120000Z", "20270302T100000")), "TENTATIVE");
	second = open_token(fx);
	assert_string_not_equal(first, second);
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM approval "
	    "WHERE decision = 'SUPERSEDED'"), 1);
	fx->ctx.sender = DAVE;
	assert_string_equal(answer(fx, first, DAVE, "ACCEPTED"), "IGNORED");
	assert_string_equal(dbfx_str(fx->db, "SELECT partstat FROM event"),
	    "TENTATIVE");
	assert_string_equal(answer(fx, second, DAVE, "ACCEPTED"), "ACCEPTED");
	free(first);
	free(second);
}

static void
test_same_request_again_stays_tentative(void **state)
{
	struct fx *fx = *state;

	run(fx, "REQUEST", FIRST);
	assert_string_equal(run(fx, "REQUEST", FIRST), "TENTATIVE");
	assert_null(fx->out.reply);
	assert_int_equal(dbfx_rows(fx->db, "approval"), 1);
}

static void
test_cancel_while_waiting_makes_answers_stale(void **state)
{
	struct fx *fx = *state;
	char *token;

	run(fx, "REQUEST", FIRST);
	token = open_token(fx);
	assert_string_equal(run(fx, "CANCEL", MEETING("1", "20261102T120000Z",
	    "20270301T100000")), "CANCELLED");
	assert_int_equal(dbfx_rows(fx->db, "busy"), 0);
	fx->ctx.sender = DAVE;
	assert_string_equal(answer(fx, token, DAVE, "ACCEPTED"), "IGNORED");
	assert_int_equal(dbfx_rows(fx->db, "busy"), 0);
	free(token);
}

static void
test_approved_series_takes_an_add_without_asking_again(void **state)
{
	struct fx *fx = *state;
	char *token;

	assert_string_equal(run(fx, "REQUEST", SERIES("FREQ=WEEKLY;COUNT=2")),
	    "TENTATIVE");
	token = open_token(fx);
	fx->ctx.sender = DAVE;
	assert_string_equal(answer(fx, token, DAVE, "ACCEPTED"), "ACCEPTED");
	fx->ctx.sender = ALICE;
	assert_string_equal(run(fx, "ADD", "BEGIN:VEVENT\r\n"
	    "UID:series@example.com\r\nDTSTAMP:20261105T120000Z\r\n"
	    "SEQUENCE:1\r\nDTSTART;TZID=Europe/Berlin:20270405T100000\r\n"
	    "DTEND;TZID=Europe/Berlin:20270405T110000\r\nSUMMARY:Weekly\r\n"
	    "ORGANIZER:mailto:" ALICE "\r\nATTENDEE;RSVP=TRUE:mailto:" ROOM
	    "\r\nEND:VEVENT\r\n"), "ACCEPTED");
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM busy WHERE "
	    "fbtype = 'BUSY'"), 3);
	assert_int_equal(dbfx_rows(fx->db, "approval"), 1);
	free(token);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup_approval, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_request_is_held_and_delegates_are_asked),
		T(test_delegate_approves),
		T(test_delegate_declines),
		T(test_forged_approvals_change_nothing),
		T(test_answer_to_an_older_version_is_stale),
		T(test_same_request_again_stays_tentative),
		T(test_cancel_while_waiting_makes_answers_stale),
		T(test_approved_series_takes_an_add_without_asking_again),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup,
	    fixture_group_teardown);
}
