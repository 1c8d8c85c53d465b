/*
 * test_methods.c - the iTIP methods a resource answers besides REQUEST
 * and CANCEL: VFREEBUSY requests, ADD, DECLINECOUNTER, and the ones it
 * only journals.
 *
 * Real SQLite file, real libical: objects are parsed, expanded and
 * scheduled as the pipeline does; answers are read from the outbox text.
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

/* A free/busy question from Alice about the room, for [from, to). */
#define FB_REQUEST(from, to, who)					\
	"BEGIN:VFREEBUSY\r\nUID:fb-1@example.com\r\n"			\
	"DTSTAMP:20261101T120000Z\r\n"					\
	"DTSTART:" from "\r\nDTEND:" to "\r\n"				\
	"ORGANIZER:mailto:" ALICE "\r\n"				\
	"ATTENDEE:mailto:" who "\r\nEND:VFREEBUSY\r\n"

static int64_t
outbox_rows(struct fx *fx)
{
	return dbfx_rows(fx->db, "outbox");
}

static void
test_freebusy_request_is_answered_with_busy_times_only(void **state)
{
	struct fx *fx = *state;
	const char *r;

	occupy(fx, "secret-1", MAR01, MAR01 + HOUR);
	occupy(fx, "secret-2", MAR01 + HOUR, MAR01 + 2 * HOUR);  /* touches */
	occupy(fx, "secret-3", MAR08, MAR08 + HOUR);
	occupy(fx, "secret-4", MAR22, MAR22 + HOUR);		/* outside */
	assert_string_equal(run(fx, "REQUEST", FB_REQUEST("20270301T000000Z",
	    "20270315T000000Z", ROOM)), "ANSWERED");
	assert_string_equal(fx->out.status, "2.0");
	assert_non_null(r = fx->out.reply);
	assert_string_equal(fx->out.reply_to, ALICE);
	assert_non_null(strstr(r, "Subject: Free/busy: Room A"));
	assert_non_null(strstr(r, "METHOD:REPLY"));
	assert_non_null(strstr(r, "BEGIN:VFREEBUSY"));
	assert_non_null(strstr(r, "UID:fb-1@example.com"));
	assert_non_null(strstr(r, "DTSTART:20270301T000000Z"));
	assert_non_null(strstr(r, "DTEND:20270315T000000Z"));
	/* The two touching bookings are one busy period. */
	assert_non_null(strstr(r,
	    "FREEBUSY;FBTYPE=BUSY:20270301T090000Z/20270301T110000Z"));
	assert_non_null(strstr(r,
	    "FREEBUSY;FBTYPE=BUSY:20270308T090000Z/20270308T100000Z"));
	assert_null(strstr(r, "20270322T"));
	/* Times only: nothing about what the bookings are. */
	assert_null(strstr(r, "secret"));
	assert_null(strstr(r, "SUMMARY"));
	assert_null(strstr(r, "bob@example.com"));
	assert_non_null(strstr(r, "ATTENDEE;CN=Room A:mailto:" ROOM));
	assert_int_equal(outbox_rows(fx), 1);
	/* Nothing was booked by asking. */
	assert_int_equal(dbfx_rows(fx->db, "busy"), 4);
}

static void
test_freebusy_periods_are_clipped_to_the_range(void **state)
{
	struct fx *fx = *state;

	occupy(fx, "long", MAR01 - HOUR, MAR01 + HOUR);
	assert_string_equal(run(fx, "REQUEST", FB_REQUEST("20270301T090000Z",
	    "20270301T093000Z", ROOM)), "ANSWERED");
	assert_non_null(strstr(fx->out.reply,
	    "FREEBUSY;FBTYPE=BUSY:20270301T090000Z/20270301T093000Z"));
}

static void
test_freebusy_of_an_empty_range_has_no_periods(void **state)
{
	struct fx *fx = *state;

	assert_string_equal(run(fx, "REQUEST", FB_REQUEST("20270301T000000Z",
	    "20270302T000000Z", ROOM)), "ANSWERED");
	assert_null(strstr(fx->out.reply, "FREEBUSY;"));
	assert_non_null(strstr(fx->out.reply, "REQUEST-STATUS:2.0;Success"));
}

static void
test_freebusy_range_is_cut_to_a_year(void **state)
{
	struct fx *fx = *state;

	assert_string_equal(run(fx, "REQUEST", FB_REQUEST("20270301T000000Z",
	    "20370301T000000Z", ROOM)), "ANSWERED");
	assert_non_null(strstr(fx->out.reason, "range cut to 366 days"));
	assert_non_null(strstr(fx->out.reply, "DTEND:20280301T000000Z"));
}

static void
test_freebusy_not_shared_is_not_answered(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };
	struct imip_calendar *cal = NULL;

	occupy(fx, "secret-1", MAR01, MAR01 + HOUR);
	assert_int_equal(imip_store_calendar_set(fx->db->st, ROOM,
	    "share-freebusy", "no", &err), IMIP_OK);
	assert_int_equal(imip_store_calendar_find(fx->db->st, ROOM, &cal,
	    &err), IMIP_OK);
	assert_false(cal->share_freebusy);
	imip_calendar_free(fx->room);
	fx->room = cal;
	assert_string_equal(run(fx, "REQUEST", FB_REQUEST("20270301T000000Z",
	    "20270302T000000Z", ROOM)), "IGNORED");
	assert_string_equal(fx->out.reason, "free/busy is not shared");
	assert_null(fx->out.reply);
	assert_int_equal(outbox_rows(fx), 0);
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM journal "
	    "WHERE decision = 'IGNORED' AND method = 'REQUEST' AND "
	    "uid = 'fb-1@example.com'"), 1);
}

static void
test_freebusy_for_someone_else_is_not_answered(void **state)
{
	struct fx *fx = *state;

	assert_string_equal(run(fx, "REQUEST", FB_REQUEST("20270301T000000Z",
	    "20270302T000000Z", "room-b@example.org")), "IGNORED");
	assert_int_equal(outbox_rows(fx), 0);
}

static void
test_freebusy_to_a_loop_source_is_not_answered(void **state)
{
	struct fx *fx = *state;

	fx->ctx.may_reply = false;
	assert_string_equal(run(fx, "REQUEST", FB_REQUEST("20270301T000000Z",
	    "20270302T000000Z", ROOM)), "IGNORED");
	assert_int_equal(outbox_rows(fx), 0);
}

static void
test_freebusy_reply_is_journaled_only(void **state)
{
	struct fx *fx = *state;

	assert_string_equal(run(fx, "REPLY", FB_REQUEST("20270301T000000Z",
	    "20270302T000000Z", ROOM)), "IGNORED");
	assert_int_equal(outbox_rows(fx), 0);
	assert_int_equal(dbfx_rows(fx->db, "journal"), 1);
}

static void
test_freebusy_mixed_with_an_event_is_malformed(void **state)
{
	struct fx *fx = *state;
	struct imip_itip *it = NULL;
	char *text = calendar("REQUEST", FB_REQUEST("20270301T000000Z",
	    "20270302T000000Z", ROOM) SERIES("FREQ=WEEKLY;COUNT=2"));

	assert_int_equal(imip_itip_parse(&it, text, NULL, fx->room->tz,
	    &fx->err), IMIP_EPARSE);
	assert_null(it);
	free(text);
	text = calendar("REQUEST", "BEGIN:VFREEBUSY\r\nUID:x@example.com\r\n"
	    "DTSTAMP:20261101T120000Z\r\nORGANIZER:mailto:" ALICE "\r\n"
	    "ATTENDEE:mailto:" ROOM "\r\nEND:VFREEBUSY\r\n");
	assert_int_equal(imip_itip_parse(&it, text, NULL, fx->room->tz,
	    &fx->err), IMIP_EPARSE);
	assert_string_equal(fx->err.msg, "VFREEBUSY without DTSTART");
	free(text);
}

int
main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_freebusy_request_is_answered_with_busy_times_only),
		T(test_freebusy_periods_are_clipped_to_the_range),
		T(test_freebusy_of_an_empty_range_has_no_periods),
		T(test_freebusy_range_is_cut_to_a_year),
		T(test_freebusy_not_shared_is_not_answered),
		T(test_freebusy_for_someone_else_is_not_answered),
		T(test_freebusy_to_a_loop_source_is_not_answered),
		T(test_freebusy_reply_is_journaled_only),
		T(test_freebusy_mixed_with_an_event_is_malformed),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup,
	    fixture_group_teardown);
}
