/*
 * test_person_counter.c - COUNTER, DECLINECOUNTER, REFRESH and PUBLISH
 * for a person's calendar.
 *
 * Real SQLite file, real libical.  Carol (Europe/Berlin) organizes "Team"
 * with Alice, Bob and Dan, and is invited by Alice to "Review".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "person_fx.h"

#define BOB	"bob@example.com"

#define TEAM(seq)							\
	"BEGIN:VEVENT\r\nUID:team@example.org\r\n"			\
	"DTSTAMP:20261101T120000Z\r\nSEQUENCE:" seq "\r\n"		\
	"DTSTART;TZID=Europe/Berlin:20270301T100000\r\nDURATION:PT1H\r\n"\
	"SUMMARY:Team\r\nORGANIZER:mailto:" CAROL "\r\n"		\
	"ATTENDEE;RSVP=TRUE:mailto:" ALICE "\r\n"			\
	"ATTENDEE;RSVP=TRUE:mailto:" BOB "\r\n"				\
	"ATTENDEE;RSVP=TRUE:mailto:dan@example.net\r\nEND:VEVENT\r\n"

/* who proposes 11:00-12:00 Berlin at stamp. */
static const char *
counter_from(struct fx *fx, const char *who, const char *stamp)
{
	char body[768];

	snprintf(body, sizeof(body), "BEGIN:VEVENT\r\nUID:team@example.org"
	    "\r\nDTSTAMP:%s\r\nSEQUENCE:0\r\n"
	    "DTSTART;TZID=Europe/Berlin:20270301T110000\r\nDURATION:PT1H\r\n"
	    "SUMMARY:Team\r\nCOMMENT:Train arrives late\r\n"
	    "ORGANIZER:mailto:" CAROL "\r\n"
	    "ATTENDEE;PARTSTAT=TENTATIVE:mailto:%s\r\nEND:VEVENT\r\n", stamp,
	    who);
	fx->ctx.sender = who;
	return carol(fx, "COUNTER", body);
}

static const char *
counter_state(struct fx *fx)
{
	return dbfx_str(fx->db, "SELECT direction || ' ' || attendee || ' ' "
	    "|| state FROM counter");
}

static void
test_counter_is_kept_and_shown_never_answered(void **state)
{
	struct fx *fx = *state;

	sent(fx, "REQUEST", TEAM("0"));
	fx->ctx.sole_rcpt = true;
	assert_string_equal(counter_from(fx, BOB, "20261102T100000Z"),
	    "STORED");
	assert_null(fx->out.reply);
	assert_int_equal(dbfx_rows(fx->db, "outbox"), 0);
	assert_string_equal(fx->out.proposal, BOB " proposes 2027-03-01 "
	    "11:00 to 2027-03-01 12:00 (\"Train arrives late\")");
	assert_string_equal(counter_state(fx), "received " BOB " open");
	assert_int_equal(dbfx_int(fx->db, "SELECT proposed_start FROM "
	    "counter"), MAR01 + HOUR);
	/* Her meeting keeps its time until she sends a new version. */
	assert_int_equal(dbfx_int(fx->db, "SELECT start FROM busy"), MAR01);
	/* Several recipients: the comment stays out of the header. */
	fx->ctx.sole_rcpt = false;
	assert_string_equal(counter_from(fx, BOB, "20261103T100000Z"),
	    "STORED");
	assert_null(strstr(fx->out.proposal, "Train"));
	/* Bob's first proposal arriving late does not win. */
	assert_string_equal(counter_from(fx, BOB, "20261102T100000Z"),
	    "IGNORED");
	assert_null(fx->out.proposal);
	assert_int_equal(dbfx_int(fx->db, "SELECT dtstamp FROM counter"),
	    1793700000);
}

static void
test_counter_from_strangers_is_not_kept(void **state)
{
	struct fx *fx = *state;

	sent(fx, "REQUEST", TEAM("0"));
	assert_string_equal(counter_from(fx, "eve@example.net",
	    "20261102T100000Z"), "IGNORED");
	assert_non_null(strstr(fx->out.reason, "not an attendee"));
	fx->ctx.sender = "mallory@example.net";
	assert_string_equal(carol(fx, "COUNTER", "BEGIN:VEVENT\r\n"
	    "UID:team@example.org\r\nDTSTAMP:20261102T100000Z\r\n"
	    "DTSTART:20270301T120000Z\r\nDURATION:PT1H\r\n"
	    "ORGANIZER:mailto:" CAROL "\r\n"
	    "ATTENDEE:mailto:" BOB "\r\nEND:VEVENT\r\n"), "REFUSED");
	assert_true(fx->out.refused);
	assert_int_equal(dbfx_rows(fx->db, "counter"), 0);
}

/* Some clients propose a new time with a REQUEST from the attendee. */
static void
test_request_from_an_attendee_is_a_proposal(void **state)
{
	struct fx *fx = *state;

	sent(fx, "REQUEST", TEAM("0"));
	fx->ctx.sender = BOB;
	assert_string_equal(carol(fx, "REQUEST", "BEGIN:VEVENT\r\n"
	    "UID:team@example.org\r\nDTSTAMP:20261102T100000Z\r\n"
	    "SEQUENCE:0\r\nDTSTART:20270301T130000Z\r\nDURATION:PT1H\r\n"
	    "SUMMARY:Team\r\nORGANIZER:mailto:" CAROL "\r\n"
	    "ATTENDEE:mailto:" ALICE "\r\nATTENDEE:mailto:" BOB "\r\n"
	    "END:VEVENT\r\n"), "STORED");
	assert_string_equal(counter_state(fx), "received " BOB " open");
	assert_non_null(strstr(fx->out.proposal, BOB " proposes 2027-03-01 "
	    "14:00"));
	assert_null(fx->out.reply);
	/* Her meeting is untouched. */
	assert_int_equal(dbfx_int(fx->db, "SELECT start FROM busy"), MAR01);
	fx->ctx.sender = "mallory@example.net";
	assert_string_equal(carol(fx, "REQUEST", "BEGIN:VEVENT\r\n"
	    "UID:team@example.org\r\nDTSTAMP:20261103T100000Z\r\n"
	    "SEQUENCE:0\r\nDTSTART:20270301T150000Z\r\nDURATION:PT1H\r\n"
	    "ORGANIZER:mailto:" CAROL "\r\nATTENDEE:mailto:" BOB "\r\n"
	    "END:VEVENT\r\n"), "REFUSED");
	assert_int_equal(dbfx_int(fx->db, "SELECT proposed_start FROM "
	    "counter"), MAR01 + 4 * HOUR);
}

static void
test_her_declinecounter_and_new_version_close_proposals(void **state)
{
	struct fx *fx = *state;

	sent(fx, "REQUEST", TEAM("0"));
	counter_from(fx, BOB, "20261102T100000Z");
	assert_string_equal(sent(fx, "DECLINECOUNTER", "BEGIN:VEVENT\r\n"
	    "UID:team@example.org\r\nDTSTAMP:20261102T120000Z\r\n"
	    "SEQUENCE:0\r\nORGANIZER:mailto:" CAROL "\r\n"
	    "ATTENDEE:mailto:" BOB "\r\nEND:VEVENT\r\n"), "RECORDED");
	assert_string_equal(counter_state(fx), "received " BOB " declined");
	/* Bob proposes again; her next version answers it. */
	counter_from(fx, BOB, "20261103T100000Z");
	assert_string_equal(counter_state(fx), "received " BOB " open");
	assert_string_equal(sent(fx, "REQUEST", TEAM("1")), "RECORDED");
	assert_string_equal(counter_state(fx), "received " BOB " superseded");
}

#define REVIEW(seq)							\
	"BEGIN:VEVENT\r\nUID:p1@example.com\r\nDTSTAMP:20261101T120000Z"\
	"\r\nSEQUENCE:" seq "\r\n"					\
	"DTSTART;TZID=Europe/Berlin:20270301T100000\r\nDURATION:PT1H\r\n"\
	"SUMMARY:Review\r\nORGANIZER:mailto:" ALICE "\r\n"		\
	"ATTENDEE;RSVP=TRUE:mailto:" CAROL "\r\nEND:VEVENT\r\n"
#define DECLINECOUNTER_TO_CAROL						\
	"BEGIN:VEVENT\r\nUID:p1@example.com\r\nDTSTAMP:20261103T120000Z"\
	"\r\nSEQUENCE:0\r\nORGANIZER:mailto:" ALICE "\r\n"		\
	"ATTENDEE:mailto:" CAROL "\r\nEND:VEVENT\r\n"

static void
test_her_proposal_declined_by_the_organizer(void **state)
{
	struct fx *fx = *state;

	carol(fx, "REQUEST", REVIEW("0"));
	assert_string_equal(sent(fx, "COUNTER", "BEGIN:VEVENT\r\n"
	    "UID:p1@example.com\r\nDTSTAMP:20261102T120000Z\r\nSEQUENCE:0\r\n"
	    "DTSTART:20270302T090000Z\r\nDURATION:PT1H\r\n"
	    "ORGANIZER:mailto:" ALICE "\r\n"
	    "ATTENDEE;PARTSTAT=TENTATIVE:mailto:" CAROL "\r\n"
	    "END:VEVENT\r\n"), "RECORDED");
	assert_string_equal(counter_state(fx), "sent " CAROL " open");
	/* Only Alice may decline it. */
	fx->ctx.sender = "mallory@example.net";
	assert_string_equal(carol(fx, "DECLINECOUNTER",
	    DECLINECOUNTER_TO_CAROL), "REFUSED");
	assert_string_equal(counter_state(fx), "sent " CAROL " open");
	fx->ctx.sender = ALICE;
	assert_string_equal(carol(fx, "DECLINECOUNTER",
	    DECLINECOUNTER_TO_CAROL), "RECORDED");
	assert_null(fx->out.reply);
	assert_string_equal(counter_state(fx), "sent " CAROL " declined");
	assert_string_equal(carol(fx, "DECLINECOUNTER",
	    DECLINECOUNTER_TO_CAROL), "IGNORED");
	/* Her invitation itself is untouched. */
	assert_string_equal(dbfx_str(fx->db, "SELECT fbtype FROM busy"),
	    "BUSY-TENTATIVE");
}

#define REFRESH_FROM(who)						\
	"BEGIN:VEVENT\r\nUID:team@example.org\r\n"			\
	"DTSTAMP:20261104T120000Z\r\nORGANIZER:mailto:" CAROL "\r\n"	\
	"ATTENDEE:mailto:" who "\r\nEND:VEVENT\r\n"

static void
test_refresh_is_answered_only_when_she_says_so(void **state)
{
	struct fx *fx = *state;

	sent(fx, "REQUEST", TEAM("0"));
	fx->ctx.sender = BOB;
	assert_string_equal(carol(fx, "REFRESH", REFRESH_FROM(BOB)),
	    "IGNORED");
	assert_non_null(strstr(fx->out.reason, "answer-refresh no"));
	assert_int_equal(dbfx_rows(fx->db, "outbox"), 0);
	carol_set(fx, "answer-refresh", "yes");
	fx->ctx.sender = BOB;
	assert_string_equal(carol(fx, "REFRESH", REFRESH_FROM(BOB)),
	    "REFRESHED");
	assert_string_equal(fx->out.reply_to, BOB);
	assert_non_null(strstr(fx->out.reply, "method=REQUEST"));
	assert_non_null(strstr(fx->out.reply, "METHOD:REQUEST"));
	assert_non_null(strstr(fx->out.reply, "UID:team@example.org"));
	assert_non_null(strstr(fx->out.reply, "X-iMIP-Generated: refresh"));
	assert_null(strstr(fx->out.reply, "DTSTAMP:20261101T120000Z"));
	assert_string_equal(dbfx_str(fx->db, "SELECT env_to FROM outbox"),
	    BOB);
	/* Not Bob's own REFRESH, or an automatic one: no answer. */
	fx->ctx.sender = "mallory@example.net";
	assert_string_equal(carol(fx, "REFRESH", REFRESH_FROM(BOB)),
	    "REFUSED");
	fx->ctx.sender = BOB;
	fx->ctx.may_reply = false;
	assert_string_equal(carol(fx, "REFRESH", REFRESH_FROM(BOB)),
	    "IGNORED");
	assert_int_equal(dbfx_rows(fx->db, "outbox"), 1);
}

#define HOLIDAY(seq, stamp)						\
	"BEGIN:VEVENT\r\nUID:h1@example.com\r\nDTSTAMP:" stamp "\r\n"	\
	"SEQUENCE:" seq "\r\nDTSTART;VALUE=DATE:20270305\r\n"		\
	"DTEND;VALUE=DATE:20270306\r\nSUMMARY:Office closed\r\n"	\
	"ORGANIZER:mailto:" ALICE "\r\nEND:VEVENT\r\n"

static void
test_publish_is_stored_only_when_she_says_so(void **state)
{
	struct fx *fx = *state;

	assert_string_equal(carol(fx, "PUBLISH", HOLIDAY("0",
	    "20261101T120000Z")), "IGNORED");
	assert_non_null(strstr(fx->out.reason, "store-publish no"));
	assert_int_equal(dbfx_rows(fx->db, "event"), 0);
	carol_set(fx, "store-publish", "yes");
	assert_string_equal(carol(fx, "PUBLISH", HOLIDAY("0",
	    "20261101T120000Z")), "RECORDED");
	assert_null(fx->out.reply);
	assert_int_equal(dbfx_rows(fx->db, "event"), 1);
	/* The whole day in her zone, held tentatively. */
	assert_string_equal(dbfx_str(fx->db, "SELECT fbtype || ' ' || "
	    "(end - start) FROM busy"), "BUSY-TENTATIVE 86400");
	assert_string_equal(carol(fx, "PUBLISH", HOLIDAY("0",
	    "20261101T120000Z")), "IGNORED");
	fx->ctx.sender = "mallory@example.net";
	assert_string_equal(carol(fx, "PUBLISH", HOLIDAY("1",
	    "20261102T120000Z")), "REFUSED");
	fx->ctx.sender = ALICE;
	assert_string_equal(carol(fx, "PUBLISH", HOLIDAY("1",
	    "20261102T120000Z")), "RECORDED");
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup_person, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_counter_is_kept_and_shown_never_answered),
		T(test_counter_from_strangers_is_not_kept),
		T(test_request_from_an_attendee_is_a_proposal),
		T(test_her_declinecounter_and_new_version_close_proposals),
		T(test_her_proposal_declined_by_the_organizer),
		T(test_refresh_is_answered_only_when_she_says_so),
		T(test_publish_is_stored_only_when_she_says_so),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup,
	    fixture_group_teardown);
}
