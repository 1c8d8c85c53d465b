/*
 * test_policy.c - a resource's policy: who may book, which bookings it
 * takes, capacity, per-calendar conflict thresholds.
 *
 * The checks are pure functions (policy.c) and are tested as such; the
 * rest goes through imip_schedule_resource on a real SQLite file with
 * the policy set the way imipctl sets it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy.h"
#include "sched_fx.h"

/* One hour in the room at 10:00 Berlin on date (a Monday: 20270301). */
#define MEETING(uid, date, from, to)					\
	"BEGIN:VEVENT\r\nUID:" uid "\r\nDTSTAMP:20261101T120000Z\r\n"	\
	"SEQUENCE:0\r\nDTSTART;TZID=Europe/Berlin:" date "T" from "\r\n"\
	"DTEND;TZID=Europe/Berlin:" date "T" to "\r\n"			\
	"SUMMARY:Planning\r\nORGANIZER:mailto:" ALICE "\r\n"		\
	"ATTENDEE;RSVP=TRUE:mailto:" ROOM "\r\nEND:VEVENT\r\n"
#define ONE_HOUR	MEETING("m1@example.com", "20270301", "100000", \
	"110000")

/* Set one policy key as imipctl does and reload the room. */
static void
set(struct fx *fx, const char *key, const char *value)
{
	struct imip_err err = { 0 };

	if (imip_store_calendar_set(fx->db->st, ROOM, key, value, &err) < 0)
		fail_msg("calendar set %s %s: %s", key, value, err.msg);
	imip_calendar_free(fx->room);
	fx->room = NULL;
	if (imip_store_calendar_find(fx->db->st, ROOM, &fx->room, &err) < 0)
		fail_msg("calendar find: %s", err.msg);
}

static void
local_domains(struct fx *fx, const char *domains)
{
	struct imip_err err = { 0 };

	assert_int_equal(imip_conf_set(fx->db->conf, "local_domains", domains,
	    &err), IMIP_OK);
}

static void
test_hours_parse(void **state)
{
	struct imip_hours h;

	(void)state;
	assert_int_equal(imip_hours_parse("mon-fri 08:00-18:00", &h, NULL),
	    IMIP_OK);
	assert_int_equal(h.days, 0x3e);
	assert_int_equal(h.from, 8 * 60);
	assert_int_equal(h.to, 18 * 60);
	assert_int_equal(imip_hours_parse("sat,sun 10:00-24:00", &h, NULL),
	    IMIP_OK);
	assert_int_equal(h.days, 0x41);
	assert_int_equal(imip_hours_parse("fri-mon 09:30-12:00", &h, NULL),
	    IMIP_OK);
	assert_int_equal(h.days, 0x63);
	for (const char *const *bad = (const char *const[]){ "", "mon-fri",
	    "08:00-18:00", "xyz 08:00-18:00", "mon 18:00-08:00",
	    "mon 8:00-18:00", "mon 08:00-25:00", "mon 08:60-09:00",
	    "mon-fri 08:00-18:00 extra", NULL }; *bad != NULL; bad++)
		assert_int_equal(imip_hours_parse(*bad, &h, NULL),
		    IMIP_EPARSE);
}

static void
test_list_norm(void **state)
{
	struct imip_err err = { 0 };
	char *out = NULL;

	(void)state;
	assert_int_equal(imip_policy_list_norm(" Bob@Example.COM, @Corp.Example"
	    "  lab.example ", &out, &err), IMIP_OK);
	assert_string_equal(out, "bob@example.com @corp.example lab.example");
	free(out);
	assert_int_equal(imip_policy_list_norm("", &out, &err), IMIP_OK);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(imip_policy_list_norm("a@b@c.example", &out, &err),
	    IMIP_EPARSE);
	assert_int_equal(imip_policy_list_norm("<bob@example.com>", &out,
	    &err), IMIP_EPARSE);
	assert_int_equal(imip_policy_list_norm("nodot", &out, &err),
	    IMIP_EPARSE);
}

static void
test_defaults_are_safe(void **state)
{
	struct fx *fx = *state;
	const struct imip_policy *p = &fx->room->policy;

	assert_false(p->approval);
	assert_false(p->external);
	assert_true(p->recurring);
	assert_int_equal(p->capacity, 1);
	assert_int_equal(p->window_days, 0);
	assert_int_equal(p->conflict_max_instances, -1);
	assert_null(p->allow);
	assert_false(fx->room->consume);
}

static void
test_bad_values_are_refused_by_set(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };
	static const char *const bad[][2] = {
		{ "capacity", "0" }, { "capacity", "x" },
		{ "window-days", "-1" }, { "conflict-max-percent", "101" },
		{ "booking", "sometimes" }, { "delivery", "drop" },
		{ "working-hours", "always" }, { "delegates", "@example.org" },
		{ "delegates", "example.org" }, { "allow", "a b" },
		{ "external", "maybe" }, { "no-such-key", "1" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(imip_store_calendar_set(fx->db->st, ROOM,
		    bad[i][0], bad[i][1], &err), IMIP_EPARSE);
	set(fx, "conflict-max-instances", "3");
	assert_int_equal(fx->room->policy.conflict_max_instances, 3);
	set(fx, "conflict-max-instances", "default");
	assert_int_equal(fx->room->policy.conflict_max_instances, -1);
	set(fx, "working-hours", "any");
	assert_null(fx->room->policy.working_hours);
}

static void
test_external_organizer_is_refused_by_default(void **state)
{
	struct fx *fx = *state;

	local_domains(fx, "example.org");
	assert_string_equal(run(fx, "REQUEST", ONE_HOUR), "DECLINED");
	assert_string_equal(fx->out.status, "3.8");
	assert_true(fx->out.refused);
	assert_non_null(strstr(fx->out.reason, "external organizer"));
	/* The organizer is told why; the room keeps nothing. */
	assert_non_null(fx->out.reply);
	assert_non_null(strstr(fx->out.reply, "REQUEST-STATUS:3.8;No authority"));
	assert_non_null(strstr(fx->out.reply, "Reason: external organizer"));
	assert_int_equal(dbfx_rows(fx->db, "event"), 0);
	assert_int_equal(dbfx_rows(fx->db, "busy"), 0);
	set(fx, "external", "yes");
	assert_string_equal(run(fx, "REQUEST", ONE_HOUR), "ACCEPTED");
	assert_false(fx->out.refused);
}

static void
test_refusal_rejected_in_smtp_is_not_answered(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };

	local_domains(fx, "example.org");
	assert_int_equal(imip_conf_set(fx->db->conf, "on_policy_refusal",
	    "reject", &err), IMIP_OK);
	assert_string_equal(run(fx, "REQUEST", ONE_HOUR), "DECLINED");
	assert_true(fx->out.refused);
	assert_null(fx->out.reply);
	assert_non_null(strstr(fx->out.reason, "on_policy_refusal"));
	assert_int_equal(dbfx_rows(fx->db, "outbox"), 0);
}

static void
test_deny_wins_and_allow_admits(void **state)
{
	struct fx *fx = *state;

	local_domains(fx, "example.org");
	set(fx, "allow", ALICE);
	assert_string_equal(run(fx, "REQUEST", ONE_HOUR), "ACCEPTED");
	set(fx, "deny", "@example.com");
	assert_string_equal(run(fx, "REQUEST", MEETING("m2@example.com",
	    "20270308", "100000", "110000")), "DECLINED");
	assert_non_null(strstr(fx->out.reason, "deny list"));
	set(fx, "deny", "");
	set(fx, "allow", "@example.net");
	assert_string_equal(run(fx, "REQUEST", MEETING("m3@example.com",
	    "20270308", "100000", "110000")), "DECLINED");
	assert_non_null(strstr(fx->out.reason, "not on the allow list"));
	assert_int_equal(dbfx_rows(fx->db, "busy"), 1);
}

/* Declined for what it asks, with 3.8, the reason, and no busy time. */
static void
assert_policy_decline(struct fx *fx, const char *why)
{
	assert_string_equal(fx->out.decision, "DECLINED");
	assert_string_equal(fx->out.status, "3.8");
	assert_false(fx->out.refused);
	assert_non_null(strstr(fx->out.reason, why));
	assert_non_null(fx->out.reply);
	assert_non_null(strstr(fx->out.reply, "PARTSTAT=DECLINED"));
	assert_int_equal(dbfx_rows(fx->db, "busy"), 0);
}

static void
test_duration_limits(void **state)
{
	struct fx *fx = *state;

	set(fx, "max-minutes", "45");
	run(fx, "REQUEST", ONE_HOUR);
	assert_policy_decline(fx, "longer than the maximum of 45 minutes");
	set(fx, "max-minutes", "0");
	set(fx, "min-minutes", "90");
	run(fx, "REQUEST", MEETING("m2@example.com", "20270301", "100000",
	    "110000"));
	assert_policy_decline(fx, "shorter than the minimum");
}

static void
test_booking_window(void **state)
{
	struct fx *fx = *state;

	/* 1 March 2027 is 102 days after NOW. */
	set(fx, "window-days", "100");
	run(fx, "REQUEST", ONE_HOUR);
	assert_policy_decline(fx, "more than 100 days ahead");
	set(fx, "window-days", "110");
	assert_string_equal(run(fx, "REQUEST", MEETING("m2@example.com",
	    "20270301", "100000", "110000")), "ACCEPTED");
	/* A series without end goes on past any window. */
	assert_string_equal(run(fx, "REQUEST", SERIES("FREQ=WEEKLY")),
	    "DECLINED");
	assert_non_null(strstr(fx->out.reason, "past the booking window"));
}

static void
test_working_hours(void **state)
{
	struct fx *fx = *state;

	set(fx, "working-hours", "mon-fri 08:00-18:00");
	assert_string_equal(run(fx, "REQUEST", ONE_HOUR), "ACCEPTED");
	/* 17:30-18:30 Berlin: past the end of the day. */
	run(fx, "REQUEST", MEETING("m2@example.com", "20270302", "173000",
	    "183000"));
	assert_string_equal(fx->out.decision, "DECLINED");
	assert_non_null(strstr(fx->out.reason, "outside the working hours "
	    "mon-fri 08:00-18:00"));
	/* Saturday. */
	run(fx, "REQUEST", MEETING("m3@example.com", "20270306", "100000",
	    "110000"));
	assert_non_null(strstr(fx->out.reason, "outside the working hours"));
	/* 07:00 Berlin is 06:00Z: the calendar's zone counts, not UTC. */
	run(fx, "REQUEST", MEETING("m4@example.com", "20270303", "073000",
	    "083000"));
	assert_string_equal(fx->out.decision, "DECLINED");
	assert_string_equal(run(fx, "REQUEST", MEETING("m5@example.com",
	    "20270303", "080000", "090000")), "ACCEPTED");
}

static void
test_recurring_not_allowed(void **state)
{
	struct fx *fx = *state;

	set(fx, "recurring", "no");
	run(fx, "REQUEST", SERIES("FREQ=WEEKLY;COUNT=3"));
	assert_policy_decline(fx, "recurring meetings are not accepted");
	assert_string_equal(run(fx, "REQUEST", ONE_HOUR), "ACCEPTED");
}

static void
test_capacity_allows_concurrent_bookings(void **state)
{
	struct fx *fx = *state;

	set(fx, "capacity", "2");
	occupy(fx, "other-1", MAR01, MAR01 + HOUR);
	assert_string_equal(run(fx, "REQUEST", ONE_HOUR), "ACCEPTED");
	/* Two now overlap 10:00-11:00; a third half-overlapping is full. */
	run(fx, "REQUEST", MEETING("m2@example.com", "20270301", "103000",
	    "113000"));
	assert_string_equal(fx->out.decision, "DECLINED");
	assert_string_equal(fx->out.status, "4.0");
	assert_non_null(strstr(fx->out.reason,
	    "20270301T093000Z/20270301T100000Z"));
	/* Back to back with both: free. */
	assert_string_equal(run(fx, "REQUEST", MEETING("m3@example.com",
	    "20270301", "110000", "120000")), "ACCEPTED");
}

static void
test_conflict_thresholds_per_calendar(void **state)
{
	struct fx *fx = *state;

	/* One of three instances clashes: 33% is past the default 25%. */
	occupy(fx, "other-1", MAR08, MAR08 + HOUR);
	assert_string_equal(run(fx, "REQUEST", SERIES("FREQ=WEEKLY;COUNT=3")),
	    "DECLINED");
	set(fx, "conflict-max-percent", "50");
	run(fx, "REQUEST", "BEGIN:VEVENT\r\nUID:series@example.com\r\n"
	    "DTSTAMP:20261101T130000Z\r\nSEQUENCE:1\r\n"
	    "DTSTART;TZID=Europe/Berlin:20270301T100000\r\n"
	    "DTEND;TZID=Europe/Berlin:20270301T110000\r\n"
	    "RRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:Weekly\r\n"
	    "ORGANIZER:mailto:" ALICE "\r\n"
	    "ATTENDEE;RSVP=TRUE:mailto:" ROOM "\r\nEND:VEVENT\r\n");
	assert_string_equal(fx->out.decision, "ACCEPTED");
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM busy b JOIN "
	    "event e ON e.id = b.event_id WHERE e.uid = "
	    "'series@example.com'"), 2);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hours_parse),
		cmocka_unit_test(test_list_norm),
		T(test_defaults_are_safe),
		T(test_bad_values_are_refused_by_set),
		T(test_external_organizer_is_refused_by_default),
		T(test_refusal_rejected_in_smtp_is_not_answered),
		T(test_deny_wins_and_allow_admits),
		T(test_duration_limits),
		T(test_booking_window),
		T(test_working_hours),
		T(test_recurring_not_allowed),
		T(test_capacity_allows_concurrent_bookings),
		T(test_conflict_thresholds_per_calendar),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup,
	    fixture_group_teardown);
}
