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

#include "extend.h"
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

/* An ADD of one more Monday, 10:00 Berlin on the given date. */
#define ADD_INSTANCE(seq, date)						\
	"BEGIN:VEVENT\r\nUID:series@example.com\r\n"			\
	"DTSTAMP:20261105T120000Z\r\nSEQUENCE:" seq "\r\n"		\
	"DTSTART;TZID=Europe/Berlin:" date "T100000\r\n"			\
	"DTEND;TZID=Europe/Berlin:" date "T110000\r\n"			\
	"SUMMARY:Weekly\r\nORGANIZER:mailto:" ALICE "\r\n"		\
	"ATTENDEE;RSVP=TRUE:mailto:" ROOM "\r\nEND:VEVENT\r\n"
#define APR05		INT64_C(1806912000)	/* 2027-04-05T08:00:00Z */
#define APR12		INT64_C(1807516800)	/* 2027-04-12T08:00:00Z */

static int64_t
busy_at(struct fx *fx, int64_t start)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM busy WHERE "
	    "start = %lld", (long long)start);
	return dbfx_int(fx->db, sql);
}

static void
test_add_books_the_new_instances(void **state)
{
	struct fx *fx = *state;

	run(fx, "REQUEST", SERIES("FREQ=WEEKLY;COUNT=3"));
	assert_string_equal(run(fx, "ADD", ADD_INSTANCE("1", "20270405")
	    ADD_INSTANCE("1", "20270412")), "ACCEPTED");
	assert_string_equal(fx->out.status, "2.0");
	assert_string_equal(fx->out.reason, "added 2 of 2 instances");
	assert_int_equal(dbfx_rows(fx->db, "busy"), 5);
	assert_int_equal(busy_at(fx, APR05), 1);
	assert_int_equal(busy_at(fx, APR12), 1);
	assert_non_null(strstr(fx->out.reply, "PARTSTAT=ACCEPTED"));
	/* The series is now at SEQUENCE 1: the same ADD again is stale. */
	assert_string_equal(run(fx, "ADD", ADD_INSTANCE("1", "20270405")),
	    "IGNORED");
	assert_int_equal(dbfx_rows(fx->db, "busy"), 5);
}

static void
test_add_declines_a_clashing_instance(void **state)
{
	struct fx *fx = *state;

	run(fx, "REQUEST", SERIES("FREQ=WEEKLY;COUNT=3"));
	occupy(fx, "other", APR05, APR05 + HOUR);
	assert_string_equal(run(fx, "ADD", ADD_INSTANCE("1", "20270405")),
	    "DECLINED");
	assert_string_equal(fx->out.status, "4.0");
	assert_int_equal(dbfx_rows(fx->db, "busy"), 4);
	assert_non_null(strstr(fx->out.reply, "PARTSTAT=DECLINED"));
	assert_non_null(strstr(fx->out.reply,
	    "RECURRENCE-ID:20270405T080000Z"));
	assert_non_null(strstr(fx->out.reply, "REQUEST-STATUS:4.0;Busy;"
	    "20270405T080000Z/20270405T090000Z"));
}

static void
test_add_for_an_unknown_uid_asks_for_a_refresh(void **state)
{
	struct fx *fx = *state;

	assert_string_equal(run(fx, "ADD", ADD_INSTANCE("1", "20270405")),
	    "REFRESH");
	assert_int_equal(dbfx_rows(fx->db, "busy"), 0);
	assert_int_equal(dbfx_rows(fx->db, "event"), 0);
	assert_string_equal(fx->out.reply_to, ALICE);
	assert_non_null(strstr(fx->out.reply, "METHOD:REFRESH"));
	assert_non_null(strstr(fx->out.reply, "method=REFRESH"));
	assert_non_null(strstr(fx->out.reply, "UID:series@example.com"));
	assert_null(strstr(fx->out.reply, "PARTSTAT"));
	assert_null(strstr(fx->out.reply, "REQUEST-STATUS"));
}

static void
test_add_from_someone_else_is_refused(void **state)
{
	struct fx *fx = *state;

	run(fx, "REQUEST", SERIES("FREQ=WEEKLY;COUNT=3"));
	fx->ctx.sender = "mallory@example.net";
	assert_string_equal(run(fx, "ADD", ADD_INSTANCE("1", "20270405")),
	    "REFUSED");
	assert_null(fx->out.reply);
	assert_int_equal(dbfx_rows(fx->db, "busy"), 3);
}

static void
count_extended(const struct imip_outcome *o, void *arg)
{
	int *n = arg;

	assert_string_equal(o->decision, "EXTENDED");
	(*n)++;
}

/* imipctl expand's work: extend every due series to until. */
static int
extend_to(struct fx *fx, int64_t until)
{
	int n = 0;

	imip_outcome_fini(&fx->out);
	if (imip_extend_due(fx->db->st, &fx->ctx, until, 1000, count_extended,
	    &n, &fx->err) < 0)
		fail_msg("extend failed: %s", fx->err.msg);
	return n;
}

static void
test_expand_books_what_the_horizon_held_back(void **state)
{
	struct fx *fx = *state;

	run(fx, "REQUEST", SERIES("FREQ=WEEKLY"));
	assert_int_equal(dbfx_rows(fx->db, "busy"), 38);
	assert_int_equal(dbfx_int(fx->db, "SELECT expanded_until FROM event"),
	    HORIZON);
	/* Nothing is due before the horizon moves. */
	assert_int_equal(extend_to(fx, HORIZON), 0);
	/* Four weeks on: 22 and 29 Nov, 6 and 13 Dec 2027; one clashes. */
	occupy(fx, "other", INT64_C(1828083600), INT64_C(1828087200));
	fx->ctx.now = NOW + 28 * 86400;
	assert_int_equal(extend_to(fx, HORIZON + 28 * 86400), 1);
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM busy b JOIN "
	    "event e ON e.id = b.event_id WHERE e.uid = "
	    "'series@example.com'"), 41);
	assert_int_equal(dbfx_int(fx->db, "SELECT expanded_until FROM event "
	    "WHERE uid = 'series@example.com'"), HORIZON + 28 * 86400);
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM journal "
	    "WHERE decision = 'EXTENDED' AND reason = 'booked 3 more "
	    "instances, 1 declined'"), 1);
	/* The organizer hears about the declined instance. */
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM outbox WHERE "
	    "message LIKE '%RECURRENCE-ID:20271206T090000Z%'"), 1);
	/* Running it again books nothing twice. */
	assert_int_equal(extend_to(fx, HORIZON + 28 * 86400), 0);
}

static void
test_expand_skips_instances_cancelled_meanwhile(void **state)
{
	struct fx *fx = *state;

	run(fx, "REQUEST", SERIES("FREQ=WEEKLY"));
	/* 29 Nov 2027 is past the horizon: cancelled before it is booked. */
	assert_string_equal(run(fx, "CANCEL",
	    "BEGIN:VEVENT\r\nUID:series@example.com\r\n"
	    "DTSTAMP:20261102T120000Z\r\nSEQUENCE:0\r\n"
	    "RECURRENCE-ID;TZID=Europe/Berlin:20271129T100000\r\n"
	    "ORGANIZER:mailto:" ALICE "\r\nATTENDEE:mailto:" ROOM "\r\n"
	    "STATUS:CANCELLED\r\nEND:VEVENT\r\n"), "CANCELLED");
	assert_int_equal(extend_to(fx, HORIZON + 28 * 86400), 1);
	assert_int_equal(busy_at(fx, INT64_C(1827478800)), 0);	/* 29 Nov */
	assert_int_equal(busy_at(fx, INT64_C(1826874000)), 1);	/* 22 Nov */
	assert_int_equal(dbfx_rows(fx->db, "busy"), 41);
}

static void
last_decision(const struct imip_outcome *o, void *arg)
{
	snprintf(arg, 32, "%s", o->decision);
}

static void
test_expand_reports_a_stored_series_it_cannot_read(void **state)
{
	struct fx *fx = *state;
	char decision[32] = "";

	run(fx, "REQUEST", SERIES("FREQ=WEEKLY"));
	dbfx_exec(fx->db, "UPDATE event SET ical = 'BEGIN:VCALENDAR'");
	assert_int_equal(imip_extend_due(fx->db->st, &fx->ctx, HORIZON +
	    28 * 86400, 1000, last_decision, decision, &fx->err), IMIP_OK);
	assert_string_equal(decision, "NOT-EXTENDED");
	assert_int_equal(dbfx_rows(fx->db, "busy"), 38);
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM journal "
	    "WHERE decision = 'NOT-EXTENDED' AND uid = "
	    "'series@example.com'"), 1);
}

static void
test_series_replaced_by_a_single_event_is_not_due(void **state)
{
	struct fx *fx = *state;

	run(fx, "REQUEST", SERIES("FREQ=WEEKLY"));
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM event WHERE "
	    "expanded_until IS NOT NULL"), 1);
	assert_string_equal(run(fx, "REQUEST",
	    "BEGIN:VEVENT\r\nUID:series@example.com\r\n"
	    "DTSTAMP:20261102T120000Z\r\nSEQUENCE:1\r\n"
	    "DTSTART;TZID=Europe/Berlin:20270301T100000\r\n"
	    "DTEND;TZID=Europe/Berlin:20270301T110000\r\n"
	    "ORGANIZER:mailto:" ALICE "\r\n"
	    "ATTENDEE;RSVP=TRUE:mailto:" ROOM "\r\nEND:VEVENT\r\n"),
	    "ACCEPTED");
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM event WHERE "
	    "expanded_until IS NOT NULL"), 0);
	assert_int_equal(extend_to(fx, HORIZON * 2), 0);
}

static void
test_expand_leaves_cancelled_and_bounded_series_alone(void **state)
{
	struct fx *fx = *state;

	run(fx, "REQUEST", SERIES("FREQ=WEEKLY;COUNT=3"));
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM event WHERE "
	    "expanded_until IS NULL"), 1);
	assert_int_equal(extend_to(fx, HORIZON * 2), 0);
	imip_outcome_fini(&fx->out);
}

/* One VEVENT of the series as another method would carry it. */
#define AS_METHOD_OF_SERIES(extra)					\
	"BEGIN:VEVENT\r\nUID:series@example.com\r\n"			\
	"DTSTAMP:20261106T120000Z\r\nSEQUENCE:0\r\n"			\
	"DTSTART;TZID=Europe/Berlin:20270301T100000\r\n"		\
	"DTEND;TZID=Europe/Berlin:20270301T110000\r\n"			\
	"ORGANIZER:mailto:" ALICE "\r\n" extra "END:VEVENT\r\n"

static void
test_declinecounter_is_checked_and_journaled(void **state)
{
	struct fx *fx = *state;

	assert_string_equal(run(fx, "DECLINECOUNTER",
	    AS_METHOD_OF_SERIES("")), "IGNORED");
	run(fx, "REQUEST", SERIES("FREQ=WEEKLY;COUNT=3"));
	assert_string_equal(run(fx, "DECLINECOUNTER",
	    AS_METHOD_OF_SERIES("")), "IGNORED");
	assert_string_equal(fx->out.reason,
	    "no counter-proposal held: the booking stays ACCEPTED");
	fx->ctx.sender = "mallory@example.net";
	assert_string_equal(run(fx, "DECLINECOUNTER",
	    AS_METHOD_OF_SERIES("")), "REFUSED");
	/* Nothing changed, nothing was answered. */
	assert_int_equal(dbfx_rows(fx->db, "busy"), 3);
	assert_int_equal(outbox_rows(fx), 1);	/* the REQUEST's REPLY */
	assert_int_equal(dbfx_rows(fx->db, "journal"), 4);
}

static void
test_attendee_methods_are_journaled_only(void **state)
{
	static const char *const methods[] = { "PUBLISH", "REPLY", "COUNTER",
	    "REFRESH" };
	struct fx *fx = *state;

	run(fx, "REQUEST", SERIES("FREQ=WEEKLY;COUNT=3"));
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		assert_string_equal(run(fx, methods[i], AS_METHOD_OF_SERIES(
		    "ATTENDEE;PARTSTAT=DECLINED:mailto:" ROOM "\r\n")),
		    "IGNORED");
		assert_null(fx->out.reply);
	}
	assert_int_equal(dbfx_rows(fx->db, "busy"), 3);
	assert_int_equal(outbox_rows(fx), 1);
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM journal "
	    "WHERE decision = 'IGNORED' AND reason LIKE '% is not handled "
	    "for resources'"), 4);
}

/* One single meeting of Alice's on 1 March at hour h (Berlin). */
static const char *
single(struct fx *fx, const char *uid, const char *h)
{
	char body[1024];

	snprintf(body, sizeof(body), "BEGIN:VEVENT\r\nUID:%s\r\n"
	    "DTSTAMP:20261101T120000Z\r\n"
	    "DTSTART;TZID=Europe/Berlin:20270301T%s0000\r\n"
	    "DTEND;TZID=Europe/Berlin:20270301T%s3000\r\n"
	    "ORGANIZER:mailto:" ALICE "\r\n"
	    "ATTENDEE;RSVP=TRUE:mailto:" ROOM "\r\nEND:VEVENT\r\n", uid, h,
	    h);
	return run(fx, "REQUEST", body);
}

static void
test_answers_to_one_organizer_are_rate_limited(void **state)
{
	struct fx *fx = *state;

	fx->db->conf->reply_rate_limit = 2;
	assert_string_equal(single(fx, "r1", "08"), "ACCEPTED");
	assert_string_equal(single(fx, "r2", "09"), "ACCEPTED");
	assert_string_equal(single(fx, "r3", "10"), "ACCEPTED");
	/* Booked, but not answered: two answers this hour already. */
	assert_null(fx->out.reply);
	assert_non_null(strstr(fx->out.reason, "no answer: 2 to "
	    ALICE " in the last hour (reply_rate_limit)"));
	assert_int_equal(outbox_rows(fx), 2);
	assert_int_equal(dbfx_rows(fx->db, "busy"), 3);
	/* An hour later the organizer hears from the room again. */
	fx->ctx.now += 3601;
	assert_string_equal(single(fx, "r4", "11"), "ACCEPTED");
	assert_non_null(fx->out.reply);
	/* 0 turns the limit off. */
	fx->db->conf->reply_rate_limit = 0;
	assert_string_equal(single(fx, "r5", "12"), "ACCEPTED");
	assert_string_equal(single(fx, "r6", "13"), "ACCEPTED");
	assert_int_equal(outbox_rows(fx), 5);
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
		T(test_add_books_the_new_instances),
		T(test_add_declines_a_clashing_instance),
		T(test_add_for_an_unknown_uid_asks_for_a_refresh),
		T(test_add_from_someone_else_is_refused),
		T(test_expand_books_what_the_horizon_held_back),
		T(test_expand_skips_instances_cancelled_meanwhile),
		T(test_expand_leaves_cancelled_and_bounded_series_alone),
		T(test_expand_reports_a_stored_series_it_cannot_read),
		T(test_series_replaced_by_a_single_event_is_not_due),
		T(test_declinecounter_is_checked_and_journaled),
		T(test_attendee_methods_are_journaled_only),
		T(test_answers_to_one_organizer_are_rate_limited),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup,
	    fixture_group_teardown);
}
