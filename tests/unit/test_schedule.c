/*
 * test_schedule.c - a resource's answer to REQUEST and CANCEL, checked on
 * the rows a real SQLite file holds afterwards.
 *
 * Each test gets a fresh database with room-a@example.org (Europe/Berlin).
 * Requests are real iCalendar text parsed by imip_itip_parse; rows are
 * counted through a separate raw handle.  The clock is always NOW.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dbfixture.h"
#include "fixture.h"
#include "itip.h"
#include "mime.h"
#include "schedule.h"

#define NOW	((int64_t)1803888000)	/* 2027-03-01 08:00:00 UTC */
#define T09	((int64_t)1803891600)	/* 2027-03-01 09:00:00 UTC */
#define HOUR	((int64_t)3600)

#define ALICE	"alice@example.com"
#define MALLORY	"mallory@example.net"
#define ROOM	"room-a@example.org"

/*
 * One invitation; NULL fields take the defaults in make_itip.  start and
 * end are DTSTART/DTEND values, or parameters and value when they begin
 * with ';' (";VALUE=DATE:20270301").
 */
struct req {
	const char	*method;
	const char	*uid;
	int		 seq;
	const char	*stamp;
	const char	*start, *end;
	const char	*organizer;
	const char	*attendee;
	const char	*rsvp;
};

struct fx {
	struct dbfx		*db;
	struct imip_calendar	*room;
	struct imip_sched_ctx	 ctx;
	struct imip_outcome	 out;
	struct imip_err		 err;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->db = dbfx_new("test_schedule", 50);
	fx->room = dbfx_calendar(fx->db, ROOM, IMIP_CAL_RESOURCE, "Room A",
	    "Europe/Berlin");
	fx->ctx = (struct imip_sched_ctx){
		.queue_id = "QID1", .sender = ALICE, .from = ALICE,
		.message_id = "<req@example.com>",
		.hostname = "test.example.org", .now = NOW,
		.may_reply = true,
	};
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	imip_outcome_fini(&fx->out);
	imip_calendar_free(fx->room);
	dbfx_free(fx->db);
	free(fx);
	return 0;
}

static const char *
sep(const char *value)
{
	return value[0] == ';' ? "" : ":";
}

/* Parse the iCalendar text r describes. */
static struct imip_itip *
make_itip(const struct req *r, const char *tz)
{
	struct imip_itip *it = NULL;
	struct imip_err err = { 0 };
	char text[2048];
	const char *method = r->method != NULL ? r->method : "REQUEST";
	const char *org = r->organizer != NULL ? r->organizer : ALICE;
	const char *start = r->start != NULL ? r->start : "20270301T090000Z";
	const char *end = r->end != NULL ? r->end : "20270301T100000Z";

	snprintf(text, sizeof(text),
	    "BEGIN:VCALENDAR\r\nPRODID:-//test//EN\r\nVERSION:2.0\r\n"
	    "METHOD:%s\r\nBEGIN:VEVENT\r\nUID:%s\r\nSEQUENCE:%d\r\n"
	    "DTSTAMP:%s\r\nDTSTART%s%s\r\nDTEND%s%s\r\nSUMMARY:Planning\r\n"
	    "ORGANIZER;CN=Alice:mailto:%s\r\n"
	    "ATTENDEE;CN=Room A;PARTSTAT=NEEDS-ACTION;RSVP=%s:mailto:%s\r\n"
	    "ATTENDEE;PARTSTAT=ACCEPTED:mailto:%s\r\n"
	    "END:VEVENT\r\nEND:VCALENDAR\r\n", method,
	    r->uid != NULL ? r->uid : "u1@example.com", r->seq,
	    r->stamp != NULL ? r->stamp : "20270215T120000Z", sep(start),
	    start, sep(end), end, org,
	    r->rsvp != NULL ? r->rsvp : "TRUE",
	    r->attendee != NULL ? r->attendee : ROOM, org);
	if (imip_itip_parse(&it, text, method, tz, &err) != IMIP_OK)
		fail_msg("imip_itip_parse: %s", err.msg);
	return it;
}

/* Schedule r for the room into fx->out (released first); the result code. */
static int
run(struct fx *fx, const struct req *r)
{
	struct imip_itip *it = make_itip(r, fx->room->tz);
	int rc;

	imip_outcome_fini(&fx->out);
	imip_err_clear(&fx->err);
	rc = imip_schedule_resource(fx->db->st, &fx->ctx, fx->room, it,
	    &fx->out, &fx->err);
	imip_itip_free(it);
	return rc;
}

/* run() that must succeed with decision want. */
static void
run_ok(struct fx *fx, const struct req *r, const char *want)
{
	if (run(fx, r) != IMIP_OK)
		fail_msg("imip_schedule_resource: %s", fx->err.msg);
	assert_non_null(fx->out.decision);
	if (strcmp(fx->out.decision, want) != 0)
		fail_msg("decision: got %s, want %s (%s)", fx->out.decision,
		    want, fx->out.reason != NULL ? fx->out.reason : "");
}

/* Does text contain needle once iCalendar and MIME folding is undone? */
static bool
has_unfolded(const char *text, const char *needle)
{
	char *flat = malloc(strlen(text) + 1), *d = flat;
	bool found;

	assert_non_null(flat);
	for (const char *s = text; *s != '\0'; s++) {
		if (s[0] == '\r' && s[1] == '\n' && (s[2] == ' ' ||
		    s[2] == '\t')) {
			s += 2;
			continue;
		}
		if (s[0] == '\n' && (s[1] == ' ' || s[1] == '\t')) {
			s += 1;
			continue;
		}
		*d++ = *s;
	}
	*d = '\0';
	found = strstr(flat, needle) != NULL;
	free(flat);
	return found;
}

static void
assert_contains(const char *text, const char *needle)
{
	size_t len;

	assert_non_null(text);
	len = strlen(text);
	/* cmocka truncates long messages: show the end, where iCalendar is */
	if (!has_unfolded(text, needle))
		fail_msg("\"%s\" not found in:\n...%s", needle,
		    text + (len > 400 ? len - 400 : 0));
}

/* The newest outbox message (caller frees). */
static char *
last_reply(struct fx *fx)
{
	return dbfx_text(fx->db,
	    "SELECT message FROM outbox ORDER BY id DESC LIMIT 1");
}

static void
test_new_request_is_accepted_and_booked(void **state)
{
	struct fx *fx = *state;
	char *s;

	run_ok(fx, &(struct req){ 0 }, "ACCEPTED");
	assert_string_equal(fx->out.status, "2.0");
	assert_string_equal(fx->out.calendar, ROOM);
	assert_string_equal(fx->out.uid, "u1@example.com");
	assert_int_equal(fx->out.method, IMIP_METHOD_REQUEST);
	dbfx_assert_rows(fx->db, 1, 1, 1, 1);
	assert_int_equal(dbfx_int(fx->db, "SELECT start FROM busy"), T09);
	assert_int_equal(dbfx_int(fx->db, "SELECT end FROM busy"), T09 + HOUR);
	s = dbfx_text(fx->db, "SELECT partstat || '/' || status || '/' ||"
	    " organizer FROM event");
	assert_string_equal(s, "ACCEPTED/CONFIRMED/" ALICE);
	free(s);
	s = dbfx_text(fx->db, "SELECT decision || '/' || method || '/' ||"
	    " uid || '/' || queue_id || '/' || sender FROM journal");
	assert_string_equal(s, "ACCEPTED/REQUEST/u1@example.com/QID1/" ALICE);
	free(s);
	s = dbfx_text(fx->db, "SELECT env_from || ' ' || env_to FROM outbox");
	assert_string_equal(s, ROOM " " ALICE);
	free(s);
	assert_int_equal(dbfx_int(fx->db, "SELECT next_attempt FROM outbox"),
	    NOW);
	assert_int_equal(fx->out.outbox_id, dbfx_int(fx->db,
	    "SELECT id FROM outbox"));
	assert_string_equal(fx->out.reply_to, ALICE);
	s = last_reply(fx);
	assert_contains(s, "PARTSTAT=ACCEPTED");
	assert_contains(s, "REQUEST-STATUS:2.0");
	assert_contains(s, "METHOD:REPLY");
	assert_contains(s, "In-Reply-To: <req@example.com>");
	/* The human part speaks the room's time zone. */
	assert_contains(s, "Room A has accepted \"Planning\" (2027-03-01 10:00"
	    " to 2027-03-01 11:00, Europe/Berlin).");
	assert_string_equal(s, fx->out.reply);
	free(s);
}

static void
test_overlapping_request_is_declined_with_the_busy_period(void **state)
{
	struct fx *fx = *state;
	char *s;

	run_ok(fx, &(struct req){ 0 }, "ACCEPTED");
	run_ok(fx, &(struct req){ .uid = "u2@example.com",
	    .start = "20270301T093000Z", .end = "20270301T103000Z" },
	    "DECLINED");
	assert_string_equal(fx->out.status, "4.0");
	dbfx_assert_rows(fx->db, 2, 1, 2, 2);
	s = dbfx_text(fx->db, "SELECT e.uid FROM busy b JOIN event e"
	    " ON e.id = b.event_id");
	assert_string_equal(s, "u1@example.com");
	free(s);
	s = dbfx_text(fx->db, "SELECT partstat FROM event"
	    " WHERE uid = 'u2@example.com'");
	assert_string_equal(s, "DECLINED");
	free(s);
	s = last_reply(fx);
	assert_contains(s, "PARTSTAT=DECLINED");
	assert_contains(s, "REQUEST-STATUS:4.0");
	assert_contains(s, "20270301T090000Z/20270301T100000Z");
	free(s);
}

static void
test_declined_request_holds_no_time(void **state)
{
	struct fx *fx = *state;

	run_ok(fx, &(struct req){ 0 }, "ACCEPTED");
	run_ok(fx, &(struct req){ .uid = "u2@example.com",
	    .start = "20270301T093000Z", .end = "20270301T113000Z" },
	    "DECLINED");
	/* 10:00-11:00 clashes only with the declined u2. */
	run_ok(fx, &(struct req){ .uid = "u3@example.com",
	    .start = "20270301T100000Z", .end = "20270301T110000Z" },
	    "ACCEPTED");
	dbfx_assert_rows(fx->db, 3, 2, 3, 3);
}

static void
test_adjacent_request_is_accepted(void **state)
{
	struct fx *fx = *state;

	run_ok(fx, &(struct req){ 0 }, "ACCEPTED");
	run_ok(fx, &(struct req){ .uid = "u2@example.com",
	    .start = "20270301T100000Z", .end = "20270301T110000Z" },
	    "ACCEPTED");
	run_ok(fx, &(struct req){ .uid = "u3@example.com",
	    .start = "20270301T080000Z", .end = "20270301T090000Z" },
	    "ACCEPTED");
	dbfx_assert_rows(fx->db, 3, 3, 3, 3);
}

static void
test_request_inside_a_long_booking_is_declined(void **state)
{
	struct fx *fx = *state;
	char *s;

	/* Three days: far longer than the request it must still block. */
	run_ok(fx, &(struct req){ .start = "20270301T000000Z",
	    .end = "20270304T000000Z" }, "ACCEPTED");
	run_ok(fx, &(struct req){ .uid = "u2@example.com",
	    .start = "20270303T090000Z", .end = "20270303T100000Z" },
	    "DECLINED");
	dbfx_assert_rows(fx->db, 2, 1, 2, 2);
	s = last_reply(fx);
	assert_contains(s, "20270301T000000Z/20270304T000000Z");
	free(s);
}

static void
test_all_day_request_books_the_local_day(void **state)
{
	struct fx *fx = *state;

	run_ok(fx, &(struct req){ .start = ";VALUE=DATE:20270301",
	    .end = ";VALUE=DATE:20270302" }, "ACCEPTED");
	/* Midnight to midnight in Europe/Berlin (UTC+1 in March). */
	assert_int_equal(dbfx_int(fx->db, "SELECT start FROM busy"),
	    T09 - 10 * HOUR);
	assert_int_equal(dbfx_int(fx->db, "SELECT end FROM busy"),
	    T09 + 14 * HOUR);
}

static void
test_newer_sequence_moves_the_booking_over_itself(void **state)
{
	struct fx *fx = *state;

	run_ok(fx, &(struct req){ 0 }, "ACCEPTED");
	run_ok(fx, &(struct req){ .seq = 1, .start = "20270301T093000Z",
	    .end = "20270301T103000Z" }, "ACCEPTED");
	assert_string_equal(fx->out.status, "2.0");
	dbfx_assert_rows(fx->db, 1, 1, 2, 2);
	assert_int_equal(dbfx_int(fx->db, "SELECT start FROM busy"),
	    T09 + HOUR / 2);
	assert_int_equal(dbfx_int(fx->db, "SELECT end FROM busy"),
	    T09 + 3 * HOUR / 2);
	assert_int_equal(dbfx_int(fx->db, "SELECT sequence FROM event"), 1);
}

static void
test_newer_dtstamp_same_sequence_is_an_update(void **state)
{
	struct fx *fx = *state;

	run_ok(fx, &(struct req){ 0 }, "ACCEPTED");
	run_ok(fx, &(struct req){ .stamp = "20270216T120000Z",
	    .start = "20270301T140000Z", .end = "20270301T150000Z" },
	    "ACCEPTED");
	dbfx_assert_rows(fx->db, 1, 1, 2, 2);
	assert_int_equal(dbfx_int(fx->db, "SELECT start FROM busy"),
	    T09 + 5 * HOUR);
}

static void
test_same_version_again_books_nothing_new(void **state)
{
	struct fx *fx = *state;

	run_ok(fx, &(struct req){ 0 }, "ACCEPTED");
	fx->ctx.message_id = "<req-again@example.com>";	/* sent again */
	run_ok(fx, &(struct req){ 0 }, "ACCEPTED");
	/* RSVP=TRUE: the current answer is queued again (BEHAVIOUR.md). */
	dbfx_assert_rows(fx->db, 1, 1, 2, 2);
	assert_int_equal(dbfx_int(fx->db, "SELECT start FROM busy"), T09);
	assert_int_equal(fx->out.outbox_id, dbfx_int(fx->db,
	    "SELECT max(id) FROM outbox"));
}

/*
 * The MTA delivering the very same message again (the filter crashed
 * after its decision was committed, before the MTA heard it): same
 * Message-ID, so no second answer.
 */
static void
test_same_message_again_is_not_answered_twice(void **state)
{
	struct fx *fx = *state;

	run_ok(fx, &(struct req){ 0 }, "ACCEPTED");
	run_ok(fx, &(struct req){ 0 }, "ACCEPTED");
	dbfx_assert_rows(fx->db, 1, 1, 2, 1);	/* journaled, not answered */
	assert_int_equal(fx->out.outbox_id, 0);
	assert_contains(fx->out.reason, "answered already");
}

static void
test_same_version_again_resends_a_valid_reply(void **state)
{
	struct fx *fx = *state;
	char *s;

	run_ok(fx, &(struct req){ 0 }, "ACCEPTED");
	fx->ctx.message_id = "<req-again@example.com>";	/* sent again */
	run_ok(fx, &(struct req){ 0 }, "ACCEPTED");
	assert_string_equal(fx->out.status, "2.0");
	s = last_reply(fx);
	assert_contains(s, "PARTSTAT=ACCEPTED");
	assert_contains(s, "REQUEST-STATUS:2.0");
	free(s);
}

static void
test_older_sequence_is_ignored(void **state)
{
	struct fx *fx = *state;

	run_ok(fx, &(struct req){ .seq = 2 }, "ACCEPTED");
	run_ok(fx, &(struct req){ .seq = 1, .stamp = "20270220T120000Z",
	    .start = "20270301T140000Z", .end = "20270301T150000Z" },
	    "IGNORED");
	assert_int_equal(fx->out.outbox_id, 0);
	assert_null(fx->out.reply);
	dbfx_assert_rows(fx->db, 1, 1, 2, 1);
	assert_int_equal(dbfx_int(fx->db, "SELECT start FROM busy"), T09);
	assert_int_equal(dbfx_int(fx->db, "SELECT sequence FROM event"), 2);
	assert_non_null(strstr(fx->out.reason, "stale"));
}

static void
test_same_uid_other_organizer_is_refused_3_8(void **state)
{
	struct fx *fx = *state;
	char *s;

	run_ok(fx, &(struct req){ 0 }, "ACCEPTED");
	fx->ctx.sender = fx->ctx.from = MALLORY;
	run_ok(fx, &(struct req){ .seq = 5, .organizer = MALLORY,
	    .start = "20270301T140000Z", .end = "20270301T150000Z" },
	    "REFUSED");
	assert_string_equal(fx->out.status, "3.8");
	assert_int_equal(fx->out.outbox_id, 0);
	dbfx_assert_rows(fx->db, 1, 1, 2, 1);
	s = dbfx_text(fx->db, "SELECT organizer || '/' || sequence FROM event");
	assert_string_equal(s, ALICE "/0");
	free(s);
	assert_int_equal(dbfx_int(fx->db, "SELECT start FROM busy"), T09);
}

static void
test_update_not_sent_by_organizer_is_refused(void **state)
{
	struct fx *fx = *state;

	run_ok(fx, &(struct req){ 0 }, "ACCEPTED");
	fx->ctx.sender = fx->ctx.from = MALLORY;
	run_ok(fx, &(struct req){ .seq = 1, .start = "20270301T140000Z",
	    .end = "20270301T150000Z" }, "REFUSED");
	assert_int_equal(fx->out.outbox_id, 0);
	dbfx_assert_rows(fx->db, 1, 1, 2, 1);
	assert_int_equal(dbfx_int(fx->db, "SELECT start FROM busy"), T09);
	assert_int_equal(dbfx_int(fx->db, "SELECT sequence FROM event"), 0);
}

static void
test_update_sent_from_organizer_in_from_header_is_applied(void **state)
{
	struct fx *fx = *state;

	run_ok(fx, &(struct req){ 0 }, "ACCEPTED");
	/* A relay envelope sender, the organizer in From:, any case. */
	fx->ctx.sender = "bounces@relay.example.com";
	fx->ctx.from = "Alice@Example.COM";
	run_ok(fx, &(struct req){ .seq = 1, .start = "20270301T140000Z",
	    .end = "20270301T150000Z" }, "ACCEPTED");
	assert_int_equal(dbfx_int(fx->db, "SELECT start FROM busy"),
	    T09 + 5 * HOUR);
}

static void
test_room_not_an_attendee_is_ignored(void **state)
{
	struct fx *fx = *state;

	run_ok(fx, &(struct req){ .attendee = "room-b@example.org" },
	    "IGNORED");
	assert_int_equal(fx->out.outbox_id, 0);
	dbfx_assert_rows(fx->db, 0, 0, 1, 0);
}

static void
test_rsvp_false_books_without_reply(void **state)
{
	struct fx *fx = *state;

	run_ok(fx, &(struct req){ .rsvp = "FALSE" }, "ACCEPTED");
	assert_int_equal(fx->out.outbox_id, 0);
	assert_null(fx->out.reply);
	dbfx_assert_rows(fx->db, 1, 1, 1, 0);
}

static void
test_may_reply_false_books_without_reply(void **state)
{
	struct fx *fx = *state;

	fx->ctx.may_reply = false;
	run_ok(fx, &(struct req){ 0 }, "ACCEPTED");
	assert_string_equal(fx->out.status, "2.0");
	assert_int_equal(fx->out.outbox_id, 0);
	assert_null(fx->out.reply);
	dbfx_assert_rows(fx->db, 1, 1, 1, 0);
}

static void
test_cancel_by_organizer_frees_the_slot(void **state)
{
	struct fx *fx = *state;
	char *s;

	run_ok(fx, &(struct req){ 0 }, "ACCEPTED");
	run_ok(fx, &(struct req){ .method = "CANCEL", .seq = 1 },
	    "CANCELLED");
	assert_int_equal(fx->out.method, IMIP_METHOD_CANCEL);
	assert_int_equal(fx->out.outbox_id, 0);
	dbfx_assert_rows(fx->db, 1, 0, 2, 1);
	s = dbfx_text(fx->db, "SELECT status FROM event");
	assert_string_equal(s, "CANCELLED");
	free(s);
	run_ok(fx, &(struct req){ .uid = "u2@example.com" }, "ACCEPTED");
	dbfx_assert_rows(fx->db, 2, 1, 3, 2);
}

static void
test_cancel_from_someone_else_is_refused(void **state)
{
	struct fx *fx = *state;
	char *s;

	run_ok(fx, &(struct req){ 0 }, "ACCEPTED");
	fx->ctx.sender = fx->ctx.from = MALLORY;
	run_ok(fx, &(struct req){ .method = "CANCEL", .seq = 1 }, "REFUSED");
	dbfx_assert_rows(fx->db, 1, 1, 2, 1);
	s = dbfx_text(fx->db, "SELECT status FROM event");
	assert_string_equal(s, "CONFIRMED");
	free(s);
}

static void
test_stale_cancel_is_ignored(void **state)
{
	struct fx *fx = *state;

	run_ok(fx, &(struct req){ .seq = 3 }, "ACCEPTED");
	run_ok(fx, &(struct req){ .method = "CANCEL", .seq = 2 }, "IGNORED");
	dbfx_assert_rows(fx->db, 1, 1, 2, 1);
}

static void
test_cancel_of_unknown_uid_keeps_a_tombstone(void **state)
{
	struct fx *fx = *state;
	static const struct req late[] = {
		{ .seq = 1, .stamp = "20270215T120000Z" },  /* older stamp */
		{ .seq = 1, .stamp = "20270216T120000Z" },  /* same version */
		{ .seq = 0, .stamp = "20270220T120000Z" },  /* lower seq */
	};
	char *s;

	run_ok(fx, &(struct req){ .method = "CANCEL", .seq = 1,
	    .stamp = "20270216T120000Z" }, "CANCELLED");
	dbfx_assert_rows(fx->db, 1, 0, 1, 0);
	s = dbfx_text(fx->db, "SELECT status FROM event");
	assert_string_equal(s, "CANCELLED");
	free(s);
	for (size_t i = 0; i < sizeof(late) / sizeof(late[0]); i++) {
		run_ok(fx, &late[i], "IGNORED");
		assert_int_equal(dbfx_rows(fx->db, "busy"), 0);
		assert_int_equal(dbfx_rows(fx->db, "outbox"), 0);
	}
	/* A really newer version is a new invitation and books. */
	run_ok(fx, &(struct req){ .seq = 2, .stamp = "20270217T120000Z" },
	    "ACCEPTED");
	dbfx_assert_rows(fx->db, 1, 1, 5, 1);
}

static void
test_publish_is_ignored(void **state)
{
	struct fx *fx = *state;

	run_ok(fx, &(struct req){ .method = "PUBLISH" }, "IGNORED");
	dbfx_assert_rows(fx->db, 0, 0, 1, 0);
}

static void
test_dry_run_fills_outcome_and_writes_nothing(void **state)
{
	struct fx *fx = *state;

	fx->ctx.dry_run = true;
	run_ok(fx, &(struct req){ 0 }, "ACCEPTED");
	assert_string_equal(fx->out.status, "2.0");
	assert_non_null(fx->out.reply);
	assert_contains(fx->out.reply, "PARTSTAT=ACCEPTED");
	assert_string_equal(fx->out.reply_to, ALICE);
	dbfx_assert_rows(fx->db, 0, 0, 0, 0);
	/* The transaction is closed: a real run on the same handle works. */
	fx->ctx.dry_run = false;
	run_ok(fx, &(struct req){ 0 }, "ACCEPTED");
	dbfx_assert_rows(fx->db, 1, 1, 1, 1);
}

static void
test_dry_run_outcome_names_no_outbox_row(void **state)
{
	struct fx *fx = *state;

	fx->ctx.dry_run = true;
	run_ok(fx, &(struct req){ 0 }, "ACCEPTED");
	dbfx_assert_rows(fx->db, 0, 0, 0, 0);
	assert_int_equal(fx->out.outbox_id, 0);
}

static void
test_locked_database_fails_busy_and_adds_nothing(void **state)
{
	struct fx *fx = *state;
	struct imip_store *locker = dbfx_locker(fx->db);
	int rc;

	rc = run(fx, &(struct req){ 0 });
	dbfx_unlock(locker);
	assert_int_equal(rc, IMIP_EBUSY);
	assert_int_equal(fx->err.code, IMIP_EBUSY);
	assert_int_equal(fx->out.outbox_id, 0);
	dbfx_assert_rows(fx->db, 0, 0, 0, 0);
}

/* A trigger makes one table refuse inserts after the others were written. */
static void
fail_midway(struct fx *fx, const char *table)
{
	char sql[256];
	int rc;

	snprintf(sql, sizeof(sql), "CREATE TRIGGER boom BEFORE INSERT ON %s"
	    " BEGIN SELECT RAISE(ABORT, 'injected failure'); END", table);
	dbfx_exec(fx->db, sql);
	rc = run(fx, &(struct req){ 0 });
	assert_int_equal(rc, IMIP_ERR);
	assert_non_null(strstr(fx->err.msg, "injected failure"));
	assert_int_equal(fx->out.outbox_id, 0);
	dbfx_assert_rows(fx->db, 0, 0, 0, 0);
	/* Nothing stays open: once the fault is gone the same handle books. */
	dbfx_exec(fx->db, "DROP TRIGGER boom");
	run_ok(fx, &(struct req){ 0 }, "ACCEPTED");
	dbfx_assert_rows(fx->db, 1, 1, 1, 1);
}

static void
test_failure_queueing_reply_rolls_back_booking(void **state)
{
	fail_midway(*state, "outbox");
}

static void
test_failure_writing_journal_rolls_back_everything(void **state)
{
	fail_midway(*state, "journal");
}

static void
test_schedule_journal_writes_one_row(void **state)
{
	struct fx *fx = *state;
	char *s;

	assert_int_equal(imip_schedule_journal(fx->db->st, &fx->ctx, ROOM,
	    NULL, NULL, "MALFORMED", "VEVENT without DTSTART", &fx->err),
	    IMIP_OK);
	dbfx_assert_rows(fx->db, 0, 0, 1, 0);
	s = dbfx_text(fx->db, "SELECT at || '/' || queue_id || '/' ||"
	    " calendar || '/' || sender || '/' || decision || '/' || reason ||"
	    " '/' || IFNULL(uid, '-') || IFNULL(method, '-') FROM journal");
	assert_string_equal(s, "1803888000/QID1/" ROOM "/" ALICE
	    "/MALFORMED/VEVENT without DTSTART/--");
	free(s);
	fx->ctx.dry_run = true;
	assert_int_equal(imip_schedule_journal(fx->db->st, &fx->ctx, ROOM,
	    NULL, NULL, "MALFORMED", "again", &fx->err), IMIP_OK);
	dbfx_assert_rows(fx->db, 0, 0, 1, 0);
}

static void
test_schedule_journal_on_locked_database_is_busy(void **state)
{
	struct fx *fx = *state;
	struct imip_store *locker = dbfx_locker(fx->db);
	int rc;

	rc = imip_schedule_journal(fx->db->st, &fx->ctx, ROOM, NULL, NULL,
	    "MALFORMED", "x", &fx->err);
	dbfx_unlock(locker);
	assert_int_equal(rc, IMIP_EBUSY);
	dbfx_assert_rows(fx->db, 0, 0, 0, 0);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_new_request_is_accepted_and_booked),
		T(test_overlapping_request_is_declined_with_the_busy_period),
		T(test_declined_request_holds_no_time),
		T(test_adjacent_request_is_accepted),
		T(test_request_inside_a_long_booking_is_declined),
		T(test_all_day_request_books_the_local_day),
		T(test_newer_sequence_moves_the_booking_over_itself),
		T(test_newer_dtstamp_same_sequence_is_an_update),
		T(test_same_version_again_books_nothing_new),
		T(test_same_version_again_resends_a_valid_reply),
		T(test_older_sequence_is_ignored),
		T(test_same_uid_other_organizer_is_refused_3_8),
		T(test_update_not_sent_by_organizer_is_refused),
		T(test_update_sent_from_organizer_in_from_header_is_applied),
		T(test_room_not_an_attendee_is_ignored),
		T(test_rsvp_false_books_without_reply),
		T(test_same_message_again_is_not_answered_twice),
		T(test_may_reply_false_books_without_reply),
		T(test_cancel_by_organizer_frees_the_slot),
		T(test_cancel_from_someone_else_is_refused),
		T(test_stale_cancel_is_ignored),
		T(test_cancel_of_unknown_uid_keeps_a_tombstone),
		T(test_publish_is_ignored),
		T(test_dry_run_fills_outcome_and_writes_nothing),
		T(test_dry_run_outcome_names_no_outbox_row),
		T(test_locked_database_fails_busy_and_adds_nothing),
		T(test_failure_queueing_reply_rolls_back_booking),
		T(test_failure_writing_journal_rolls_back_everything),
		T(test_schedule_journal_writes_one_row),
		T(test_schedule_journal_on_locked_database_is_busy),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup, NULL);
}
