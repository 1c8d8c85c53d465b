/*
 * test_series.c - recurring REQUESTs and instance CANCELs for a resource.
 *
 * Real SQLite file, real libical: a series is parsed, expanded in the
 * room's zone as the pipeline does, and scheduled; the busy rows, the
 * decision and the REPLY are checked instant by instant.
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

static int64_t
series_busy(struct fx *fx, const char *extra)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM busy b JOIN event e "
	    "ON e.id = b.event_id WHERE e.uid = 'series@example.com' %s",
	    extra);
	return dbfx_int(fx->db, sql);
}

static void
test_free_series_books_every_instance_in_local_time(void **state)
{
	struct fx *fx = *state;

	assert_string_equal(run(fx, "REQUEST", SERIES("FREQ=WEEKLY;COUNT=5")),
	    "ACCEPTED");
	assert_string_equal(fx->out.status, "2.0");
	assert_int_equal(series_busy(fx, ""), 5);
	/* After the EU DST change on 2027-03-28: 10:00 local is 08:00Z. */
	assert_int_equal(series_busy(fx, "AND b.recurrence_id = 1806307200 "
	    "AND b.start = 1806307200 AND b.end = 1806310800"), 1);
	assert_int_equal(series_busy(fx, "AND b.recurrence_id = 1803891600 "
	    "AND b.end - b.start = 3600"), 1);
	assert_non_null(fx->out.reply);
	assert_null(strstr(fx->out.reply, "RECURRENCE-ID"));
}

static void
test_conflicting_instance_is_declined_alone(void **state)
{
	struct fx *fx = *state;

	occupy(fx, "other", MAR15 - HOUR / 2, MAR15 + HOUR / 2);
	assert_string_equal(run(fx, "REQUEST", SERIES("FREQ=WEEKLY;COUNT=5")),
	    "ACCEPTED");
	assert_string_equal(fx->out.status, "2.0");
	assert_int_equal(series_busy(fx, ""), 4);
	assert_int_equal(series_busy(fx, "AND b.recurrence_id = 1805101200"),
	    0);
	assert_non_null(strstr(fx->out.reply,
	    "RECURRENCE-ID:20270315T090000Z"));
	assert_non_null(strstr(fx->out.reply, "PARTSTAT=DECLINED"));
	assert_non_null(strstr(fx->out.reply,
	    "REQUEST-STATUS:4.0;Busy;20270315T083000Z/20270315T093000Z"));
	assert_non_null(strstr(fx->out.reply, "REQUEST-STATUS:2.0;Success"));
}

static void
test_conflicts_past_the_threshold_decline_the_series(void **state)
{
	struct fx *fx = *state;
	struct imip_err err;

	occupy(fx, "other", MAR15 - HOUR / 2, MAR15 + HOUR / 2);
	/* 1 of 5 is 20 %: more than 10 % allowed. */
	assert_int_equal(imip_conf_set(fx->db->conf, "conflict_max_percent",
	    "10", &err), IMIP_OK);
	assert_string_equal(run(fx, "REQUEST", SERIES("FREQ=WEEKLY;COUNT=5")),
	    "DECLINED");
	assert_string_equal(fx->out.status, "4.0");
	assert_int_equal(series_busy(fx, ""), 0);
	assert_non_null(strstr(fx->out.reply, "PARTSTAT=DECLINED"));
	assert_null(strstr(fx->out.reply, "RECURRENCE-ID"));
}

static void
test_unbounded_series_is_clipped_at_the_horizon(void **state)
{
	struct fx *fx = *state;

	assert_string_equal(run(fx, "REQUEST", SERIES("FREQ=WEEKLY")),
	    "ACCEPTED");
	assert_string_equal(fx->out.status, "2.11");
	assert_non_null(strstr(fx->out.reply, "REQUEST-STATUS:2.11"));
	/* Mondays from 2027-03-01 before NOW + 365 days (2027-11-18). */
	assert_int_equal(series_busy(fx, ""), 38);
	assert_int_equal(dbfx_int(fx->db, "SELECT max(start) FROM busy"),
	    INT64_C(1826269200));	/* 2027-11-15T09:00:00Z */
}

#define CANCEL_INSTANCE(rid_param)					\
	"BEGIN:VEVENT\r\nUID:series@example.com\r\n"			\
	"DTSTAMP:20261102T120000Z\r\nSEQUENCE:1\r\n"			\
	"RECURRENCE-ID" rid_param "\r\n"				\
	"ORGANIZER:mailto:" ALICE "\r\n"				\
	"ATTENDEE:mailto:" ROOM "\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n"

static void
test_cancel_of_one_instance_frees_only_it(void **state)
{
	struct fx *fx = *state;

	run(fx, "REQUEST", SERIES("FREQ=WEEKLY;COUNT=5"));
	assert_string_equal(run(fx, "CANCEL",
	    CANCEL_INSTANCE(";TZID=Europe/Berlin:20270315T100000")),
	    "CANCELLED");
	assert_int_equal(series_busy(fx, ""), 4);
	assert_int_equal(series_busy(fx, "AND b.recurrence_id = 1805101200"),
	    0);
	assert_null(fx->out.reply);	/* a CANCEL is never answered */
}

static void
test_cancel_this_and_future_frees_the_rest(void **state)
{
	struct fx *fx = *state;

	run(fx, "REQUEST", SERIES("FREQ=WEEKLY;COUNT=5"));
	/* Google style: a UTC RECURRENCE-ID for a series in Europe/Berlin. */
	assert_string_equal(run(fx, "CANCEL",
	    CANCEL_INSTANCE(";RANGE=THISANDFUTURE:20270322T090000Z")),
	    "CANCELLED");
	/* 22 and 29 March go; 1, 8 and 15 March stay. */
	assert_int_equal(series_busy(fx, ""), 3);
	assert_int_equal(series_busy(fx, "AND b.recurrence_id IN "
	    "(1803891600, 1804496400, 1805101200)"), 3);
}

static void
test_cancelled_override_in_a_request_is_not_booked(void **state)
{
	struct fx *fx = *state;

	assert_string_equal(run(fx, "REQUEST", SERIES("FREQ=WEEKLY;COUNT=5")
	    "BEGIN:VEVENT\r\nUID:series@example.com\r\n"
	    "DTSTAMP:20261101T120000Z\r\n"
	    "RECURRENCE-ID;TZID=Europe/Berlin:20270308T100000\r\n"
	    "DTSTART;TZID=Europe/Berlin:20270308T100000\r\n"
	    "DTEND;TZID=Europe/Berlin:20270308T110000\r\n"
	    "STATUS:CANCELLED\r\nORGANIZER:mailto:" ALICE "\r\n"
	    "END:VEVENT\r\n"), "ACCEPTED");
	assert_int_equal(series_busy(fx, ""), 4);
	assert_int_equal(series_busy(fx, "AND b.recurrence_id = 1804496400"),
	    0);
}

static void
test_request_with_only_an_override_moves_that_instance(void **state)
{
	struct fx *fx = *state;

	run(fx, "REQUEST", SERIES("FREQ=WEEKLY;COUNT=5"));
	/* Thunderbird: the 15 March instance moves to 14:00 local. */
	assert_string_equal(run(fx, "REQUEST",
	    "BEGIN:VEVENT\r\nUID:series@example.com\r\n"
	    "DTSTAMP:20261103T120000Z\r\nSEQUENCE:1\r\n"
	    "RECURRENCE-ID;TZID=Europe/Berlin:20270315T100000\r\n"
	    "DTSTART;TZID=Europe/Berlin:20270315T140000\r\n"
	    "DTEND;TZID=Europe/Berlin:20270315T150000\r\n"
	    "SUMMARY:Weekly (moved)\r\nORGANIZER:mailto:" ALICE "\r\n"
	    "ATTENDEE;RSVP=TRUE:mailto:" ROOM "\r\nEND:VEVENT\r\n"),
	    "ACCEPTED");
	/* The series keeps all five; only that one moved (13:00Z). */
	assert_int_equal(series_busy(fx, ""), 5);
	assert_int_equal(series_busy(fx, "AND b.recurrence_id = 1805101200 "
	    "AND b.start = 1805115600"), 1);
	assert_non_null(strstr(fx->out.reply,
	    "RECURRENCE-ID:20270315T090000Z"));
}

int
main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_free_series_books_every_instance_in_local_time),
		T(test_conflicting_instance_is_declined_alone),
		T(test_conflicts_past_the_threshold_decline_the_series),
		T(test_unbounded_series_is_clipped_at_the_horizon),
		T(test_cancel_of_one_instance_frees_only_it),
		T(test_cancel_this_and_future_frees_the_rest),
		T(test_cancelled_override_in_a_request_is_not_booked),
		T(test_request_with_only_an_override_moves_that_instance),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup,
	    fixture_group_teardown);
}
