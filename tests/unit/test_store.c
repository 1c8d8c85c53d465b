/*
 * test_store.c - the SQLite store on a fresh file per test.
 *
 * Each setup creates a database in its own mkdtemp directory and each
 * teardown removes the directory (store_fx.h, on dbfixture.h).  The clock
 * is always a constant, and the overlap query is checked both for its
 * answers and for its query plan.  Outbox and journal: test_store_outbox.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "schema.h"
#include "store.h"
#include "store_int.h"
#include "store_fx.h"

static void
raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* Append each uid seen, blank-separated. */
static int
collect_uid(const struct imip_busy_rec *b, void *arg)
{
	char *buf = arg;
	size_t n = strlen(buf);

	snprintf(buf + n, 256 - n, "%s%s", n > 0 ? " " : "", b->uid);
	return 0;
}

/* The uids overlapping [start, end) on cal, in order. */
static const char *
overlap(struct fx *fx, int64_t cal, int64_t start, int64_t end,
    const char *exclude)
{
	static char buf[256];
	struct imip_err err = { 0 };

	buf[0] = '\0';
	assert_int_equal(imip_store_busy_overlapping(fx->st, cal, start, end,
	    exclude, collect_uid, buf, &err), IMIP_OK);
	return buf;
}

static void
test_open_sets_user_version_and_wal(void **state)
{
	struct fx *fx = *state;

	assert_true(imip_schema_count >= 1);
	assert_int_equal(imip_store_version(fx->st), imip_schema_count);
	assert_int_equal(raw_int(fx->path, "PRAGMA user_version"),
	    imip_schema_count);
	assert_int_equal(raw_int(fx->path,
	    "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
}

static void
test_reopen_needs_no_create_but_an_existing_file(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };
	struct imip_store *st = NULL;
	bool managed = false;
	char path[400];

	snprintf(path, sizeof(path), "%s/missing.db", fx->dir);
	assert_int_equal(imip_store_open(&st, path, 0, 1000, &err), IMIP_ERR);
	assert_null(st);
	assert_non_null(strstr(err.msg, "missing.db"));
	assert_int_equal(access(path, F_OK), -1);
	imip_store_close(fx->st);
	fx->st = NULL;
	assert_int_equal(imip_store_open(&fx->st, fx->path, 0, 1000, &err),
	    IMIP_OK);
	assert_int_equal(imip_store_version(fx->st), imip_schema_count);
	assert_int_equal(imip_store_open(&st, fx->path, IMIP_STORE_READONLY,
	    1000, &err), IMIP_OK);
	assert_int_equal(imip_store_calendar_is_managed(st,
	    "room-a@example.org", &managed, &err), IMIP_OK);
	assert_true(managed);
	imip_store_close(st);
}

static void
test_open_newer_schema_fails(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };
	struct imip_store *st = NULL;
	char sql[64], want[96];

	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    imip_schema_count + 1);
	raw_exec(fx->path, sql);
	assert_int_equal(imip_store_open(&st, fx->path, 0, 1000, &err),
	    IMIP_ECONFIG);
	assert_null(st);
	snprintf(want, sizeof(want), "database schema %d is newer than this"
	    " program (%d)", imip_schema_count + 1, imip_schema_count);
	assert_string_equal(err.msg, want);
}

static void
test_open_readonly_does_not_migrate(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };
	struct imip_store *st = NULL;
	char path[400];

	snprintf(path, sizeof(path), "%s/empty.db", fx->dir);
	raw_exec(path, "PRAGMA user_version = 0");	/* creates the file */
	assert_int_equal(imip_store_open(&st, path, IMIP_STORE_READONLY, 1000,
	    &err), IMIP_ECONFIG);
	assert_null(st);
	assert_int_equal(raw_int(path, "PRAGMA user_version"), 0);
	assert_int_equal(raw_int(path,
	    "SELECT count(*) FROM sqlite_schema"), 0);
}

static void
test_calendar_address_forms_are_one(void **state)
{
	static const char *const forms[] = {
		"room-a@example.org", "Room-A@Example.ORG",
		"mailto:room-a@example.org", "MAILTO:ROOM-A@EXAMPLE.ORG",
		"<room-a@example.org>", " <mailto:Room-A@example.org> ",
	};
	struct fx *fx = *state;
	struct imip_calendar *cal = NULL;
	struct imip_err err = { 0 };
	bool managed;

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		assert_int_equal(imip_store_calendar_find(fx->st, forms[i],
		    &cal, &err), IMIP_OK);
		assert_int_equal(cal->id, fx->cal);
		assert_string_equal(cal->address, "room-a@example.org");
		assert_int_equal(cal->kind, IMIP_CAL_RESOURCE);
		assert_string_equal(cal->name, "Room A");
		assert_string_equal(cal->tz, "Europe/Berlin");
		imip_calendar_free(cal);
		managed = false;
		assert_int_equal(imip_store_calendar_is_managed(fx->st,
		    forms[i], &managed, &err), IMIP_OK);
		if (!managed)
			fail_msg("is_managed(%s): got false, want true",
			    forms[i]);
	}
}

static void
test_calendar_unknown_is_not_managed(void **state)
{
	static const char *const forms[] = {
		"room-b@example.org", "room-a@example.com", "<>", "",
	};
	struct fx *fx = *state;
	struct imip_calendar *cal = NULL;
	struct imip_err err = { 0 };
	bool managed;

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		managed = true;
		assert_int_equal(imip_store_calendar_is_managed(fx->st,
		    forms[i], &managed, &err), IMIP_OK);
		if (managed)
			fail_msg("is_managed(%s): got true, want false",
			    forms[i]);
	}
	assert_int_equal(imip_store_calendar_find(fx->st, "room-b@example.org",
	    &cal, &err), IMIP_ENOTFOUND);
	assert_null(cal);
	assert_int_equal(imip_store_calendar_find(fx->st, "<>", &cal, &err),
	    IMIP_EPARSE);
}

static void
test_calendar_duplicate_fails_cleanly(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };

	assert_int_equal(imip_store_calendar_add(fx->st,
	    "<ROOM-A@example.org>", IMIP_CAL_PERSON, NULL, NULL, T0, &err),
	    IMIP_ERR);
	assert_string_equal(err.msg, "calendar room-a@example.org exists"
	    " already");
	/* the handle is still usable, and no transaction was left open */
	assert_int_equal(imip_store_begin(fx->st, &err), IMIP_OK);
	assert_int_equal(imip_store_commit(fx->st, &err), IMIP_OK);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM calendar"),
	    1);
}

static void
test_calendar_add_rejects_non_address(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };

	assert_int_equal(imip_store_calendar_add(fx->st, "mailto:",
	    IMIP_CAL_RESOURCE, NULL, NULL, T0, &err), IMIP_EPARSE);
}

/* Append each address seen, blank-separated. */
static int
collect_address(const struct imip_calendar *cal, void *arg)
{
	char *buf = arg;
	size_t n = strlen(buf);

	snprintf(buf + n, 256 - n, "%s%s:%s", n > 0 ? " " : "",
	    cal->address, imip_cal_kind_name(cal->kind));
	return 0;
}

static void
test_calendar_defaults_and_order(void **state)
{
	struct fx *fx = *state;
	struct imip_calendar *cal = NULL;
	struct imip_err err = { 0 };
	enum imip_cal_kind kind;
	char buf[256] = "";

	assert_int_equal(imip_cal_kind_parse("room", &kind), IMIP_EPARSE);
	assert_int_equal(imip_store_calendar_add(fx->st, "zed@example.org",
	    IMIP_CAL_PERSON, NULL, NULL, T0, &err), IMIP_OK);
	assert_int_equal(imip_store_calendar_add(fx->st, "Bob@Example.org",
	    IMIP_CAL_PERSON, NULL, NULL, T0, &err), IMIP_OK);
	assert_int_equal(imip_store_calendar_foreach(fx->st, collect_address,
	    buf, &err), IMIP_OK);
	assert_string_equal(buf, "bob@example.org:person "
	    "room-a@example.org:resource zed@example.org:person");
	assert_int_equal(imip_store_calendar_find(fx->st, "bob@example.org",
	    &cal, &err), IMIP_OK);
	assert_null(cal->name);
	assert_string_equal(cal->tz, "UTC");
	imip_calendar_free(cal);
}

static void
test_event_put_find_update(void **state)
{
	struct fx *fx = *state;
	struct imip_event_rec ev = { 0 }, *got = NULL;
	struct imip_err err = { 0 };
	int64_t first;

	assert_int_equal(imip_store_event_find(fx->st, fx->cal,
	    "uid-1@example.org", &got, &err), IMIP_ENOTFOUND);
	assert_null(got);
	ev.calendar_id = fx->cal;
	ev.uid = (char *)"uid-1@example.org";
	ev.organizer = (char *)"bob@example.org";
	ev.summary = (char *)"Planning";
	ev.sequence = 0;
	ev.dtstamp = T0 - DAY;
	ev.partstat = (char *)"ACCEPTED";
	ev.ical = (char *)"BEGIN:VEVENT\r\nEND:VEVENT\r\n";
	assert_int_equal(imip_store_event_put(fx->st, &ev, T0, &err), IMIP_OK);
	assert_true(ev.id > 0);
	first = ev.id;
	assert_int_equal(imip_store_event_find(fx->st, fx->cal, ev.uid, &got,
	    &err), IMIP_OK);
	assert_int_equal(got->id, first);
	assert_int_equal(got->calendar_id, fx->cal);
	assert_string_equal(got->organizer, "bob@example.org");
	assert_string_equal(got->summary, "Planning");
	assert_int_equal(got->dtstamp, T0 - DAY);
	assert_string_equal(got->partstat, "ACCEPTED");
	assert_string_equal(got->status, "CONFIRMED");
	assert_string_equal(got->ical, ev.ical);
	imip_event_rec_free(got);

	ev.id = 0;
	ev.sequence = 1;
	ev.summary = (char *)"Planning (moved)";
	ev.partstat = (char *)"DECLINED";
	ev.status = (char *)"CANCELLED";
	assert_int_equal(imip_store_event_put(fx->st, &ev, T0 + 1, &err),
	    IMIP_OK);
	assert_int_equal(ev.id, first);
	assert_int_equal(imip_store_event_find(fx->st, fx->cal, ev.uid, &got,
	    &err), IMIP_OK);
	assert_int_equal(got->sequence, 1);
	assert_string_equal(got->summary, "Planning (moved)");
	assert_string_equal(got->partstat, "DECLINED");
	assert_string_equal(got->status, "CANCELLED");
	imip_event_rec_free(got);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM event"), 1);
	assert_int_equal(imip_store_event_find(fx->st, fx->cal + 1, ev.uid,
	    &got, &err), IMIP_ENOTFOUND);
}

static void
test_overlap_is_half_open(void **state)
{
	static const struct {
		const char	*name;
		int64_t		 start, end;
		const char	*want;
	} cases[] = {
		{ "adjacent after", 10 * HOUR, 11 * HOUR, "" },
		{ "adjacent before", 8 * HOUR, 9 * HOUR, "" },
		{ "identical", 9 * HOUR, 10 * HOUR, "A" },
		{ "contained", 9 * HOUR + 15 * MIN, 9 * HOUR + 45 * MIN, "A" },
		{ "containing", 8 * HOUR, 11 * HOUR, "A" },
		{ "partial left", 8 * HOUR + 30 * MIN, 9 * HOUR + 30 * MIN,
		    "A" },
		{ "partial right", 9 * HOUR + 30 * MIN, 10 * HOUR + 30 * MIN,
		    "A" },
		{ "one second in", 10 * HOUR - 1, 12 * HOUR, "A" },
		{ "empty query", 9 * HOUR + 30 * MIN, 9 * HOUR + 30 * MIN, "" },
	};
	struct fx *fx = *state;
	const char *got;

	book(fx, fx->cal, "A", T0 + 9 * HOUR, T0 + 10 * HOUR);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = overlap(fx, fx->cal, T0 + cases[i].start,
		    T0 + cases[i].end, NULL);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", cases[i].name,
			    got, cases[i].want);
	}
}

static void
test_overlap_orders_by_start_and_excludes_uid(void **state)
{
	struct fx *fx = *state;

	book(fx, fx->cal, "late", T0 + 11 * HOUR, T0 + 12 * HOUR);
	book(fx, fx->cal, "early", T0 + 9 * HOUR, T0 + 10 * HOUR);
	book(fx, fx->cal, "mid", T0 + 10 * HOUR, T0 + 11 * HOUR);
	assert_string_equal(overlap(fx, fx->cal, T0, T0 + DAY, NULL),
	    "early mid late");
	assert_string_equal(overlap(fx, fx->cal, T0, T0 + DAY, "mid"),
	    "early late");
	assert_string_equal(overlap(fx, fx->cal, T0, T0 + DAY, "other"),
	    "early mid late");
}

static void
test_overlap_ignores_other_calendar(void **state)
{
	struct fx *fx = *state;
	struct imip_calendar *cal = NULL;
	struct imip_err err = { 0 };

	assert_int_equal(imip_store_calendar_add(fx->st, "room-b@example.org",
	    IMIP_CAL_RESOURCE, NULL, NULL, T0, &err), IMIP_OK);
	assert_int_equal(imip_store_calendar_find(fx->st, "room-b@example.org",
	    &cal, &err), IMIP_OK);
	book(fx, cal->id, "B", T0 + 9 * HOUR, T0 + 10 * HOUR);
	assert_string_equal(overlap(fx, fx->cal, T0, T0 + DAY, NULL), "");
	assert_string_equal(overlap(fx, cal->id, T0, T0 + DAY, NULL), "B");
	imip_calendar_free(cal);
}

static void
test_overlap_finds_long_earlier_period(void **state)
{
	struct fx *fx = *state;

	book(fx, fx->cal, "short", T0 + 40 * DAY, T0 + 40 * DAY + HOUR);
	book(fx, fx->cal, "month", T0, T0 + 30 * DAY);
	book(fx, fx->cal, "short2", T0 + 45 * DAY, T0 + 45 * DAY + HOUR);
	assert_int_equal(raw_int(fx->path, "SELECT busy_span_max FROM calendar"
	    " WHERE address = 'room-a@example.org'"), 30 * DAY);
	assert_string_equal(overlap(fx, fx->cal, T0 + 20 * DAY,
	    T0 + 20 * DAY + HOUR, NULL), "month");
	assert_string_equal(overlap(fx, fx->cal, T0 + 30 * DAY,
	    T0 + 31 * DAY, NULL), "");
}

static void
test_overlap_query_uses_busy_range_index(void **state)
{
	struct fx *fx = *state;
	sqlite3_stmt *s = NULL;
	const char *detail;
	bool searched = false;
	char *sql;

	sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", store_sql_busy_overlap);
	assert_non_null(sql);
	assert_int_equal(sqlite3_prepare_v2(store_db(fx->st), sql, -1, &s,
	    NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		detail = (const char *)sqlite3_column_text(s, 3);
		if (strstr(detail, "SCAN") != NULL)
			fail_msg("got plan step \"%s\", want no scan", detail);
		if (strstr(detail, "SEARCH b USING INDEX busy_range") ==
		    detail &&
		    strstr(detail, "start>? AND start<?") != NULL)
			searched = true;
	}
	sqlite3_finalize(s);
	sqlite3_free(sql);
	assert_true(searched);
}

static void
test_busy_set_rejects_empty_period(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };
	int64_t ev;

	ev = book(fx, fx->cal, "A", T0, T0 + HOUR);
	assert_int_equal(imip_store_busy_set(fx->st, fx->cal, ev, 0, T0, T0,
	    NULL, &err), IMIP_ERR);
	assert_int_equal(imip_store_busy_set(fx->st, fx->cal, ev, 0, T0 + HOUR,
	    T0, NULL, &err), IMIP_ERR);
}

static void
test_busy_clear_forgets_only_that_event(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };
	int64_t a;

	a = book(fx, fx->cal, "A", T0 + 9 * HOUR, T0 + 10 * HOUR);
	assert_int_equal(imip_store_busy_set(fx->st, fx->cal, a, 0,
	    T0 + DAY + 9 * HOUR, T0 + DAY + 10 * HOUR, "BUSY-TENTATIVE",
	    &err), IMIP_OK);
	book(fx, fx->cal, "B", T0 + 12 * HOUR, T0 + 13 * HOUR);
	assert_string_equal(overlap(fx, fx->cal, T0, T0 + 2 * DAY, NULL),
	    "A B A");
	assert_int_equal(imip_store_busy_clear(fx->st, a, &err), IMIP_OK);
	assert_string_equal(overlap(fx, fx->cal, T0, T0 + 2 * DAY, NULL), "B");
}

static void
test_rolled_back_transaction_leaves_nothing(void **state)
{
	struct fx *fx = *state;
	struct imip_calendar *cal = NULL;
	struct imip_err err = { 0 };

	assert_int_equal(imip_store_begin(fx->st, &err), IMIP_OK);
	assert_int_equal(imip_store_calendar_add(fx->st, "room-b@example.org",
	    IMIP_CAL_RESOURCE, NULL, NULL, T0, &err), IMIP_OK);
	book(fx, fx->cal, "A", T0, T0 + 40 * DAY);
	queue(fx, T0, 0);
	imip_store_rollback(fx->st);
	imip_store_rollback(fx->st);	/* none open: harmless */
	assert_int_equal(imip_store_commit(fx->st, &err), IMIP_ERR);
	assert_int_equal(imip_store_calendar_find(fx->st, "room-b@example.org",
	    &cal, &err), IMIP_ENOTFOUND);
	assert_string_equal(overlap(fx, fx->cal, T0, T0 + DAY, NULL), "");
	assert_string_equal(due(fx, T0 + DAY, 0), "");
	assert_int_equal(raw_int(fx->path, "SELECT busy_span_max FROM calendar"
	    " WHERE address = 'room-a@example.org'"), 0);
}

static double
elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static void
test_second_writer_waits_then_is_busy(void **state)
{
	struct fx *fx = *state;
	struct imip_calendar *cal = NULL;
	struct imip_err err = { 0 };
	struct imip_store *st2 = NULL;
	struct timespec t1, t2;

	assert_int_equal(imip_store_open(&st2, fx->path, 0, 50, &err),
	    IMIP_OK);
	assert_int_equal(imip_store_begin(fx->st, &err), IMIP_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(imip_store_begin(st2, &err), IMIP_EBUSY);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	assert_true(elapsed_ms(&t1, &t2) >= 40.0);
	/* readers are not blocked by the writer in WAL mode */
	assert_int_equal(imip_store_calendar_find(st2, "room-a@example.org",
	    &cal, &err), IMIP_OK);
	imip_calendar_free(cal);
	imip_store_rollback(fx->st);
	/* now the second gets the lock, and what it commits is seen */
	assert_int_equal(imip_store_begin(st2, &err), IMIP_OK);
	assert_int_equal(imip_store_calendar_add(st2, "room-b@example.org",
	    IMIP_CAL_RESOURCE, NULL, NULL, T0, &err), IMIP_OK);
	assert_int_equal(imip_store_commit(st2, &err), IMIP_OK);
	imip_store_close(st2);
	assert_int_equal(imip_store_calendar_find(fx->st, "room-b@example.org",
	    &cal, &err), IMIP_OK);
	imip_calendar_free(cal);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_open_sets_user_version_and_wal),
		T(test_reopen_needs_no_create_but_an_existing_file),
		T(test_open_newer_schema_fails),
		T(test_open_readonly_does_not_migrate),
		T(test_calendar_address_forms_are_one),
		T(test_calendar_unknown_is_not_managed),
		T(test_calendar_duplicate_fails_cleanly),
		T(test_calendar_add_rejects_non_address),
		T(test_calendar_defaults_and_order),
		T(test_event_put_find_update),
		T(test_overlap_is_half_open),
		T(test_overlap_orders_by_start_and_excludes_uid),
		T(test_overlap_ignores_other_calendar),
		T(test_overlap_finds_long_earlier_period),
		T(test_overlap_query_uses_busy_range_index),
		T(test_busy_set_rejects_empty_period),
		T(test_busy_clear_forgets_only_that_event),
		T(test_rolled_back_transaction_leaves_nothing),
		T(test_second_writer_waits_then_is_busy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
