/*
 * test_person.c - invitations to a person: recorded, never answered.
 *
 * Real SQLite file, real libical; the person is carol@example.org in
 * Europe/Berlin, invited by Alice.
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
#include "trust.h"

#define INVITE(seq, stamp, date)					\
	"BEGIN:VEVENT\r\nUID:p1@example.com\r\nDTSTAMP:" stamp "\r\n"	\
	"SEQUENCE:" seq "\r\nDTSTART;TZID=Europe/Berlin:" date		\
	"T100000\r\nDURATION:PT1H\r\nSUMMARY:Review\r\n"		\
	"ORGANIZER:mailto:" ALICE "\r\n"				\
	"ATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:mailto:" CAROL	\
	"\r\nEND:VEVENT\r\n"
#define FIRST	INVITE("0", "20261101T120000Z", "20270301")

static void
test_invitation_is_recorded_not_answered(void **state)
{
	struct fx *fx = *state;

	assert_string_equal(carol(fx, "REQUEST", FIRST), "RECORDED");
	assert_null(fx->out.reply);
	assert_int_equal(dbfx_rows(fx->db, "outbox"), 0);
	assert_string_equal(dbfx_str(fx->db, "SELECT partstat FROM event"),
	    "NEEDS-ACTION");
	assert_string_equal(dbfx_str(fx->db, "SELECT fbtype FROM busy"),
	    "BUSY-TENTATIVE");
	assert_int_equal(dbfx_int(fx->db, "SELECT start FROM busy"), MAR01);
	/* The same again: nothing new, still no answer. */
	assert_string_equal(carol(fx, "REQUEST", FIRST), "IGNORED");
	assert_null(fx->out.reply);
	/* Even when Carol's time is taken, nobody declines for her. */
	occupy(fx, "other", MAR08, MAR08 + HOUR);
	assert_string_equal(carol(fx, "REQUEST", INVITE("1",
	    "20261102T120000Z", "20270308")), "RECORDED");
	assert_null(fx->out.reply);
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM busy WHERE "
	    "fbtype = 'BUSY-TENTATIVE' AND start = 1804496400"), 1);
}

static void
test_pending_does_not_block_when_set_so(void **state)
{
	struct fx *fx = *state;

	carol_set(fx, "block-pending", "no");
	assert_string_equal(carol(fx, "REQUEST", FIRST), "RECORDED");
	assert_int_equal(dbfx_rows(fx->db, "event"), 1);
	assert_int_equal(dbfx_rows(fx->db, "busy"), 0);
}

static void
test_update_moves_and_stale_is_ignored(void **state)
{
	struct fx *fx = *state;

	carol(fx, "REQUEST", FIRST);
	assert_string_equal(carol(fx, "REQUEST", INVITE("2",
	    "20261103T120000Z", "20270315")), "RECORDED");
	assert_int_equal(dbfx_int(fx->db, "SELECT start FROM busy"), MAR15);
	assert_string_equal(carol(fx, "REQUEST", INVITE("1",
	    "20261102T120000Z", "20270308")), "IGNORED");
	assert_int_equal(dbfx_int(fx->db, "SELECT start FROM busy"), MAR15);
}

static void
test_cancel_frees_and_strangers_change_nothing(void **state)
{
	struct fx *fx = *state;

	carol(fx, "REQUEST", FIRST);
	fx->ctx.sender = "mallory@example.net";
	assert_string_equal(carol(fx, "CANCEL", INVITE("1",
	    "20261102T120000Z", "20270301")), "REFUSED");
	assert_string_equal(carol(fx, "REQUEST", "BEGIN:VEVENT\r\n"
	    "UID:p1@example.com\r\nDTSTAMP:20261105T120000Z\r\nSEQUENCE:5\r\n"
	    "DTSTART:20270301T090000Z\r\nDURATION:PT1H\r\n"
	    "ORGANIZER:mailto:mallory@example.net\r\n"
	    "ATTENDEE:mailto:" CAROL "\r\nEND:VEVENT\r\n"), "REFUSED");
	assert_int_equal(dbfx_rows(fx->db, "busy"), 1);
	fx->ctx.sender = ALICE;
	assert_string_equal(carol(fx, "CANCEL", INVITE("1",
	    "20261102T120000Z", "20270301")), "CANCELLED");
	assert_int_equal(dbfx_rows(fx->db, "busy"), 0);
	assert_null(fx->out.reply);
}

static void
test_series_instances_held_and_one_moved(void **state)
{
	struct fx *fx = *state;

	carol(fx, "REQUEST", "BEGIN:VEVENT\r\nUID:s1@example.com\r\n"
	    "DTSTAMP:20261101T120000Z\r\nSEQUENCE:0\r\n"
	    "DTSTART;TZID=Europe/Berlin:20270301T100000\r\nDURATION:PT1H\r\n"
	    "RRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:Weekly\r\n"
	    "ORGANIZER:mailto:" ALICE "\r\nATTENDEE:mailto:" CAROL "\r\n"
	    "END:VEVENT\r\n");
	assert_int_equal(dbfx_rows(fx->db, "busy"), 3);
	/* Only the second instance, an hour later. */
	assert_string_equal(carol(fx, "REQUEST", "BEGIN:VEVENT\r\n"
	    "UID:s1@example.com\r\nDTSTAMP:20261102T120000Z\r\n"
	    "SEQUENCE:1\r\nRECURRENCE-ID;TZID=Europe/Berlin:20270308T100000"
	    "\r\nDTSTART;TZID=Europe/Berlin:20270308T110000\r\n"
	    "DURATION:PT1H\r\nSUMMARY:Weekly\r\nORGANIZER:mailto:" ALICE
	    "\r\nATTENDEE:mailto:" CAROL "\r\nEND:VEVENT\r\n"), "RECORDED");
	assert_int_equal(dbfx_rows(fx->db, "busy"), 3);
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM busy WHERE "
	    "start = 1804500000"), 1);
}

static void
test_freebusy_request_sees_pending_time(void **state)
{
	struct fx *fx = *state;

	carol(fx, "REQUEST", FIRST);
	fx->ctx.sender = "bob@example.com";
	assert_string_equal(carol(fx, "REQUEST", "BEGIN:VFREEBUSY\r\n"
	    "UID:fb@example.com\r\nDTSTAMP:20261101T120000Z\r\n"
	    "DTSTART:20270301T000000Z\r\nDTEND:20270302T000000Z\r\n"
	    "ORGANIZER:mailto:bob@example.com\r\n"
	    "ATTENDEE:mailto:" CAROL "\r\nEND:VFREEBUSY\r\n"), "ANSWERED");
	assert_non_null(strstr(fx->out.reply, "FBTYPE=BUSY-TENTATIVE:"
	    "20270301T090000Z/20270301T100000Z"));
}

#define OWN(method, seq)						\
	"BEGIN:VEVENT\r\nUID:own@example.org\r\n"			\
	"DTSTAMP:20261101T120000Z\r\nSEQUENCE:" seq "\r\n"		\
	"DTSTART;TZID=Europe/Berlin:20270301T100000\r\nDURATION:PT1H\r\n"\
	"SUMMARY:Carol's meeting\r\nORGANIZER:mailto:" CAROL "\r\n"	\
	"ATTENDEE;RSVP=TRUE:mailto:" ALICE "\r\nEND:VEVENT\r\n"
#define MY_ANSWER(partstat)						\
	"BEGIN:VEVENT\r\nUID:p1@example.com\r\n"			\
	"DTSTAMP:20261101T130000Z\r\nSEQUENCE:0\r\n"			\
	"DTSTART;TZID=Europe/Berlin:20270301T100000\r\nDURATION:PT1H\r\n"\
	"ORGANIZER:mailto:" ALICE "\r\n"				\
	"ATTENDEE;PARTSTAT=" partstat ":mailto:" CAROL "\r\nEND:VEVENT\r\n"

static void
test_freebusy_not_answered_when_she_does_not_share(void **state)
{
	struct fx *fx = *state;

	carol(fx, "REQUEST", FIRST);
	carol_set(fx, "share-freebusy", "no");
	fx->ctx.sender = "bob@example.com";
	assert_string_equal(carol(fx, "REQUEST", "BEGIN:VFREEBUSY\r\n"
	    "UID:fb@example.com\r\nDTSTAMP:20261101T120000Z\r\n"
	    "DTSTART:20270301T000000Z\r\nDTEND:20270302T000000Z\r\n"
	    "ORGANIZER:mailto:bob@example.com\r\n"
	    "ATTENDEE:mailto:" CAROL "\r\nEND:VFREEBUSY\r\n"), "IGNORED");
	assert_null(fx->out.reply);
	assert_int_equal(dbfx_rows(fx->db, "outbox"), 0);
}

static void
test_meeting_she_organizes_is_hers_and_busy(void **state)
{
	struct fx *fx = *state;

	assert_string_equal(sent(fx, "REQUEST", OWN("REQUEST", "0")),
	    "RECORDED");
	assert_null(fx->out.reply);
	assert_string_equal(dbfx_str(fx->db, "SELECT partstat || ' ' || "
	    "organizer FROM event"), "ACCEPTED " CAROL);
	assert_string_equal(dbfx_str(fx->db, "SELECT fbtype FROM busy"),
	    "BUSY");
	assert_string_equal(sent(fx, "REQUEST", OWN("REQUEST", "0")),
	    "IGNORED");
	assert_string_equal(sent(fx, "CANCEL", OWN("CANCEL", "1")),
	    "CANCELLED");
	assert_int_equal(dbfx_rows(fx->db, "busy"), 0);
}

static void
test_her_answers_set_her_time(void **state)
{
	struct fx *fx = *state;

	carol(fx, "REQUEST", FIRST);
	assert_string_equal(sent(fx, "REPLY", MY_ANSWER("ACCEPTED")),
	    "RECORDED");
	assert_string_equal(dbfx_str(fx->db, "SELECT partstat FROM event"),
	    "ACCEPTED");
	assert_string_equal(dbfx_str(fx->db, "SELECT fbtype FROM busy"),
	    "BUSY");
	sent(fx, "REPLY", MY_ANSWER("TENTATIVE"));
	assert_string_equal(dbfx_str(fx->db, "SELECT fbtype FROM busy"),
	    "BUSY-TENTATIVE");
	sent(fx, "REPLY", MY_ANSWER("DECLINED"));
	assert_int_equal(dbfx_rows(fx->db, "busy"), 0);
	assert_string_equal(dbfx_str(fx->db, "SELECT partstat FROM event"),
	    "DECLINED");
}

static void
test_unvouched_outgoing_changes_nothing(void **state)
{
	struct fx *fx = *state;
	struct imip_trust *t = NULL;
	struct imip_err err = { 0 };

	assert_int_equal(imip_conf_set(fx->db->conf, "local_domains",
	    "example.org", &err), IMIP_OK);
	assert_int_equal(imip_trust_new(&t, &err), IMIP_OK);
	imip_trust_set_client(t, fx->db->conf, "203.0.113.9");
	fx->ctx.trust = t;
	assert_string_equal(sent(fx, "REQUEST", OWN("REQUEST", "0")),
	    "REFUSED");
	assert_true(fx->out.refused);
	assert_int_equal(dbfx_rows(fx->db, "event"), 0);
	imip_trust_free(t);
	fx->ctx.trust = NULL;
}

#define TEAM(seq)							\
	"BEGIN:VEVENT\r\nUID:team@example.org\r\n"			\
	"DTSTAMP:20261101T120000Z\r\nSEQUENCE:" seq "\r\n"		\
	"DTSTART;TZID=Europe/Berlin:20270301T100000\r\nDURATION:PT1H\r\n"\
	"SUMMARY:Team\r\nORGANIZER:mailto:" CAROL "\r\n"		\
	"ATTENDEE;RSVP=TRUE:mailto:" ALICE "\r\n"			\
	"ATTENDEE;RSVP=TRUE:mailto:bob@example.com\r\n"			\
	"ATTENDEE;RSVP=TRUE:mailto:dan@example.net\r\nEND:VEVENT\r\n"

/* who answers partstat at stamp; organizer line left out if NULL. */
static const char *
reply_from(struct fx *fx, const char *who, const char *partstat,
    const char *stamp, const char *organizer)
{
	char body[768];

	snprintf(body, sizeof(body), "BEGIN:VEVENT\r\nUID:team@example.org"
	    "\r\nDTSTAMP:%s\r\nSEQUENCE:0\r\n"
	    "DTSTART;TZID=Europe/Berlin:20270301T100000\r\nDURATION:PT1H\r\n"
	    "%s%s%sATTENDEE;PARTSTAT=%s:mailto:%s\r\nEND:VEVENT\r\n", stamp,
	    organizer != NULL ? "ORGANIZER:mailto:" : "",
	    organizer != NULL ? organizer : "", organizer != NULL ? "\r\n" :
	    "", partstat, who);
	fx->ctx.sender = who;
	return carol(fx, "REPLY", body);
}

static const char *
answer_of(struct fx *fx, const char *who)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT partstat FROM attendee_reply WHERE "
	    "attendee = '%s'", who);
	return dbfx_str(fx->db, sql);
}

static void
test_attendee_replies_are_merged_newest_wins(void **state)
{
	struct fx *fx = *state;

	sent(fx, "REQUEST", TEAM("0"));
	assert_string_equal(reply_from(fx, ALICE, "ACCEPTED",
	    "20261102T100000Z", CAROL), "MERGED");
	assert_null(fx->out.reply);
	/* Outlook leaves ORGANIZER out: matched by UID and attendee. */
	assert_string_equal(reply_from(fx, "bob@example.com", "TENTATIVE",
	    "20261102T110000Z", NULL), "MERGED");
	assert_string_equal(reply_from(fx, "dan@example.net", "DECLINED",
	    "20261103T090000Z", CAROL), "MERGED");
	/* Dan's earlier ACCEPTED arrives late: it must not win. */
	assert_string_equal(reply_from(fx, "dan@example.net", "ACCEPTED",
	    "20261102T090000Z", CAROL), "IGNORED");
	assert_string_equal(answer_of(fx, ALICE), "ACCEPTED");
	assert_string_equal(answer_of(fx, "bob@example.com"), "TENTATIVE");
	assert_string_equal(answer_of(fx, "dan@example.net"), "DECLINED");
	/* Not an attendee: journaled, not merged. */
	assert_string_equal(reply_from(fx, "eve@example.net", "ACCEPTED",
	    "20261104T090000Z", CAROL), "IGNORED");
	assert_non_null(strstr(fx->out.reason, "not an attendee"));
	assert_int_equal(dbfx_rows(fx->db, "attendee_reply"), 3);
	/* Bob's answer, sent by somebody else. */
	fx->ctx.sender = "mallory@example.net";
	assert_string_equal(carol(fx, "REPLY", "BEGIN:VEVENT\r\n"
	    "UID:team@example.org\r\nDTSTAMP:20261105T090000Z\r\n"
	    "SEQUENCE:0\r\nDTSTART:20270301T090000Z\r\nDURATION:PT1H\r\n"
	    "ATTENDEE;PARTSTAT=DECLINED:mailto:bob@example.com\r\n"
	    "END:VEVENT\r\n"), "REFUSED");
	assert_string_equal(answer_of(fx, "bob@example.com"), "TENTATIVE");
}

static void
test_conflicts_are_named_on_the_delivered_copy(void **state)
{
	struct fx *fx = *state;

	occupy(fx, "dentist", MAR01 + HOUR / 2, MAR01 + 2 * HOUR);
	dbfx_exec(fx->db, "UPDATE event SET summary = 'Dentist' WHERE uid = "
	    "'dentist'");
	/* Carol is the only recipient: the summary is hers to see. */
	fx->ctx.sole_rcpt = true;
	assert_string_equal(carol(fx, "REQUEST", FIRST), "RECORDED");
	assert_string_equal(fx->out.conflicts,
	    "\"Dentist\" 2027-03-01 10:30 to 2027-03-01 12:00");
	/* Others get the same header: times only. */
	fx->ctx.sole_rcpt = false;
	assert_string_equal(carol(fx, "REQUEST", INVITE("1",
	    "20261102T120000Z", "20270301")), "RECORDED");
	assert_string_equal(fx->out.conflicts,
	    "2027-03-01 10:30 to 2027-03-01 12:00");
	/* Its own earlier version is no conflict; free time has none. */
	assert_string_equal(carol(fx, "REQUEST", INVITE("2",
	    "20261103T120000Z", "20270308")), "RECORDED");
	assert_null(fx->out.conflicts);
}

static void
test_accept_if_free_answers_like_a_resource(void **state)
{
	struct fx *fx = *state;

	carol_set(fx, "accept-if-free", "yes");
	assert_string_equal(carol(fx, "REQUEST", FIRST), "ACCEPTED");
	assert_non_null(strstr(fx->out.reply, "PARTSTAT=ACCEPTED"));
	assert_non_null(strstr(fx->out.reply, "mailto:" CAROL));
	assert_string_equal(dbfx_str(fx->db, "SELECT fbtype FROM busy"),
	    "BUSY");
	/* Her time is taken now: declined for her, with the clash. */
	assert_string_equal(carol(fx, "REQUEST", "BEGIN:VEVENT\r\n"
	    "UID:p2@example.com\r\nDTSTAMP:20261101T120000Z\r\n"
	    "DTSTART:20270301T093000Z\r\nDURATION:PT1H\r\n"
	    "ORGANIZER:mailto:bob@example.com\r\n"
	    "ATTENDEE;RSVP=TRUE:mailto:" CAROL "\r\nEND:VEVENT\r\n"),
	    "DECLINED");
	assert_string_equal(fx->out.status, "4.0");
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup_person, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_invitation_is_recorded_not_answered),
		T(test_pending_does_not_block_when_set_so),
		T(test_update_moves_and_stale_is_ignored),
		T(test_cancel_frees_and_strangers_change_nothing),
		T(test_series_instances_held_and_one_moved),
		T(test_freebusy_request_sees_pending_time),
		T(test_freebusy_not_answered_when_she_does_not_share),
		T(test_meeting_she_organizes_is_hers_and_busy),
		T(test_her_answers_set_her_time),
		T(test_unvouched_outgoing_changes_nothing),
		T(test_attendee_replies_are_merged_newest_wins),
		T(test_conflicts_are_named_on_the_delivered_copy),
		T(test_accept_if_free_answers_like_a_resource),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup,
	    fixture_group_teardown);
}
