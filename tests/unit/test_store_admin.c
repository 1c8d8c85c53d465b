/*
 * test_store_admin.c - the store functions behind imipctl's administration
 * commands: the list of calendar settings, removing and renaming
 * calendars, the instance of a busy period (schedule --ics), retrying and
 * purging the outbox, backup and integrity check.
 * A fresh database per test (store_fx.h) with a constant clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"
#include "store_fx.h"

/* The calendar columns that are not settings: identity and bookkeeping. */
static bool
not_a_setting(const char *column)
{
	static const char *const skip[] = { "id", "address", "kind",
	    "created", "busy_span_max" };

	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strcmp(column, skip[i]) == 0)
			return true;
	return false;
}

/* Is key (column with '-' for '_') one of imip_store_setting_key's? */
static bool
key_listed(const char *column)
{
	char key[64];
	const char *k;

	snprintf(key, sizeof(key), "%s", column);
	for (char *p = key; *p != '\0'; p++)
		if (*p == '_')
			*p = '-';
	for (size_t i = 0; (k = imip_store_setting_key(i)) != NULL; i++)
		if (strcmp(k, key) == 0)
			return true;
	return false;
}

static void
test_setting_keys_cover_every_policy_column(void **state)
{
	struct fx *fx = *state;
	sqlite3_stmt *s = NULL;
	sqlite3 *db = NULL;
	const char *col;
	int n = 0;

	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM"
	    " pragma_table_info('calendar')", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		col = (const char *)sqlite3_column_text(s, 0);
		if (not_a_setting(col))
			continue;
		if (!key_listed(col))
			fail_msg("column %s has no setting key", col);
		n++;
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	/* and no key without a column: as many keys as columns */
	assert_non_null(imip_store_setting_key((size_t)n - 1));
	assert_null(imip_store_setting_key((size_t)n));
}

static void
test_setting_keys_are_each_accepted_by_calendar_set(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };
	const char *key;
	size_t i;
	int rc;

	for (i = 0; (key = imip_store_setting_key(i)) != NULL; i++) {
		imip_err_clear(&err);
		rc = imip_store_calendar_set(fx->st, "room-a@example.org", key,
		    "\x01?", &err);
		/* a bad value may be refused, the key never */
		if (rc != IMIP_OK && strstr(err.msg, "unknown setting") != NULL)
			fail_msg("%s: got \"%s\", want the key known", key,
			    err.msg);
	}
	assert_true(i >= 21);
}

/* Add a calendar in UTC; its id. */
static int64_t
add_cal(struct fx *fx, const char *address)
{
	struct imip_calendar *cal = NULL;
	struct imip_err err = { 0 };
	int64_t id;

	assert_int_equal(imip_store_calendar_add(fx->st, address,
	    IMIP_CAL_RESOURCE, NULL, "UTC", T0, &err), IMIP_OK);
	assert_int_equal(imip_store_calendar_find(fx->st, address, &cal,
	    &err), IMIP_OK);
	id = cal->id;
	imip_calendar_free(cal);
	return id;
}

static int64_t
future(struct fx *fx, int64_t cal, int64_t now)
{
	struct imip_err err = { 0 };
	int64_t n = -1;

	assert_int_equal(imip_store_calendar_future(fx->st, cal, now, &n,
	    &err), IMIP_OK);
	return n;
}

static void
test_future_counts_events_with_busy_time_ending_later(void **state)
{
	struct fx *fx = *state;
	int64_t ev;

	assert_int_equal(future(fx, fx->cal, T0), 0);
	book(fx, fx->cal, "past@example.org", T0 - DAY, T0 - DAY + HOUR);
	ev = book(fx, fx->cal, "series@example.org", T0 + HOUR, T0 + 2 * HOUR);
	assert_int_equal(imip_store_busy_set(fx->st, fx->cal, ev, T0 + DAY,
	    T0 + DAY, T0 + DAY + HOUR, "BUSY", &(struct imip_err){ 0 }),
	    IMIP_OK);
	/* two periods of one series count once; the past one not at all */
	assert_int_equal(future(fx, fx->cal, T0), 1);
	/* a meeting under way still ends later */
	assert_int_equal(future(fx, fx->cal, T0 + HOUR + MIN), 1);
	assert_int_equal(future(fx, fx->cal, T0 + DAY + HOUR), 0);
	assert_int_equal(future(fx, fx->cal, T0 - DAY), 2);
}

static void
test_remove_drops_calendar_events_busy_keeps_journal(void **state)
{
	struct fx *fx = *state;
	struct imip_calendar *cal = NULL;
	struct imip_journal_rec j = { .at = T0, .calendar =
	    "room-a@example.org", .decision = "ACCEPTED" };
	struct imip_err err = { 0 };
	int64_t other;

	other = add_cal(fx, "room-b@example.org");
	book(fx, fx->cal, "a@example.org", T0, T0 + HOUR);
	book(fx, other, "b@example.org", T0, T0 + HOUR);
	assert_int_equal(imip_store_journal_add(fx->st, &j, &err), IMIP_OK);

	assert_int_equal(imip_store_calendar_remove(fx->st, fx->cal, &err),
	    IMIP_OK);
	assert_int_equal(imip_store_calendar_find(fx->st,
	    "room-a@example.org", &cal, &err), IMIP_ENOTFOUND);
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM event WHERE"
	    " uid = 'a@example.org'"), 0);
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM busy WHERE"
	    " calendar_id <> (SELECT id FROM calendar WHERE address ="
	    " 'room-b@example.org')"), 0);
	/* the other calendar and the journal are untouched */
	dbfx_assert_rows(fx->db, 1, 1, 1, 0);
	assert_int_equal(imip_store_calendar_remove(fx->st, fx->cal, &err),
	    IMIP_ENOTFOUND);
}

static void
test_rename_keeps_events_and_refuses_taken_address(void **state)
{
	struct fx *fx = *state;
	struct imip_calendar *cal = NULL;
	struct imip_err err = { 0 };

	book(fx, fx->cal, "a@example.org", T0, T0 + HOUR);
	assert_int_equal(imip_store_calendar_set(fx->st, "room-a@example.org",
	    "capacity", "3", &err), IMIP_OK);
	add_cal(fx, "room-b@example.org");

	assert_int_equal(imip_store_calendar_rename(fx->st, fx->cal,
	    "<Room-B@Example.org>", &err), IMIP_ERR);
	assert_string_equal(err.msg, "calendar room-b@example.org exists "
	    "already");
	assert_int_equal(imip_store_calendar_rename(fx->st, fx->cal,
	    "no address", &err), IMIP_EPARSE);
	assert_int_equal(imip_store_calendar_rename(fx->st, fx->cal,
	    "mailto:Conf-1@Example.org", &err), IMIP_OK);

	assert_int_equal(imip_store_calendar_find(fx->st,
	    "room-a@example.org", &cal, &err), IMIP_ENOTFOUND);
	assert_int_equal(imip_store_calendar_find(fx->st, "conf-1@example.org",
	    &cal, &err), IMIP_OK);
	assert_int_equal(cal->id, fx->cal);
	assert_int_equal(cal->policy.capacity, 3);
	assert_string_equal(cal->tz, "Europe/Berlin");
	imip_calendar_free(cal);
	assert_int_equal(future(fx, fx->cal, T0), 1);
	assert_int_equal(imip_store_calendar_rename(fx->st, 999,
	    "x@example.org", &err), IMIP_ENOTFOUND);
}

/* Append "uid@rid-T0" (or "uid" for rid 0) for each busy period. */
static int
collect_rid(const struct imip_busy_rec *b, void *arg)
{
	char *buf = arg;
	size_t n = strlen(buf);

	if (b->rid == 0)
		snprintf(buf + n, 256 - n, "%s%s", n > 0 ? " " : "", b->uid);
	else
		snprintf(buf + n, 256 - n, "%s%s@%lld", n > 0 ? " " : "",
		    b->uid, (long long)(b->rid - T0));
	return 0;
}

static void
test_busy_rows_carry_their_instance(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };
	char buf[256] = "", sql[512];
	int64_t ev;

	book(fx, fx->cal, "single@example.org", T0, T0 + HOUR);
	ev = book(fx, fx->cal, "series@example.org", T0 + DAY, T0 + DAY + HOUR);
	assert_int_equal(imip_store_busy_clear(fx->st, ev, &err), IMIP_OK);
	assert_int_equal(imip_store_busy_set(fx->st, fx->cal, ev, T0 + DAY,
	    T0 + DAY, T0 + DAY + HOUR, "BUSY", &err), IMIP_OK);
	/* a moved instance stored as its own event row, busy without rid */
	snprintf(sql, sizeof(sql), "INSERT INTO event (id, calendar_id, uid,"
	    " recurrence_id, partstat, updated) VALUES (50, %lld,"
	    " 'series@example.org', %lld, 'ACCEPTED', 0);"
	    " INSERT INTO busy (calendar_id, event_id, start, end)"
	    " VALUES (%lld, 50, %lld, %lld)", (long long)fx->cal,
	    (long long)(T0 + 2 * DAY), (long long)fx->cal,
	    (long long)(T0 + 2 * DAY + HOUR), (long long)(T0 + 2 * DAY +
	    2 * HOUR));
	dbfx_exec(fx->db, sql);

	assert_int_equal(imip_store_busy_overlapping(fx->st, fx->cal, T0,
	    T0 + 3 * DAY, NULL, collect_rid, buf, &err), IMIP_OK);
	assert_string_equal(buf, "single@example.org "
	    "series@example.org@86400 series@example.org@172800");
}

static enum imip_outbox_state
state_of(struct fx *fx, int64_t id)
{
	enum imip_outbox_state st = IMIP_OUTBOX_SENT;
	struct imip_err err = { 0 };

	assert_int_equal(imip_store_outbox_state(fx->st, id, &st, &err),
	    IMIP_OK);
	return st;
}

/* Queue three messages at T0: a waiting, b failed, c sent at T0 + DAY. */
static void
queue_three(struct fx *fx, int64_t *a, int64_t *b, int64_t *c)
{
	struct imip_err err = { 0 };

	*a = queue(fx, T0, T0 + HOUR);
	*b = queue(fx, T0, 0);
	*c = queue(fx, T0, 0);
	assert_int_equal(imip_store_outbox_mark_retry(fx->st, *b, T0 + MIN,
	    T0 + HOUR, true, "550 no such user", &err), IMIP_OK);
	assert_int_equal(imip_store_outbox_mark_sent(fx->st, *c, T0 + DAY,
	    &err), IMIP_OK);
}

static void
test_outbox_state_waiting_failed_sent(void **state)
{
	struct fx *fx = *state;
	enum imip_outbox_state st;
	struct imip_err err = { 0 };
	int64_t a, b, c;

	queue_three(fx, &a, &b, &c);
	assert_int_equal(state_of(fx, a), IMIP_OUTBOX_WAITING);
	assert_int_equal(state_of(fx, b), IMIP_OUTBOX_FAILED);
	assert_int_equal(state_of(fx, c), IMIP_OUTBOX_SENT);
	assert_int_equal(imip_store_outbox_state(fx->st, c + 1, &st, &err),
	    IMIP_ENOTFOUND);
	assert_string_equal(err.msg, "no outbox message 4");
}

static void
test_outbox_due_now_revives_failed_never_sent(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };
	int64_t a, b, c, n = -1;

	queue_three(fx, &a, &b, &c);
	assert_string_equal(due(fx, T0 + 2 * MIN, 0), "");
	/* one message: the failed one, with a fresh count of attempts */
	assert_int_equal(imip_store_outbox_due_now(fx->st, b, T0 + 2 * MIN,
	    &n, &err), IMIP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(state_of(fx, b), IMIP_OUTBOX_WAITING);
	assert_string_equal(due(fx, T0 + 2 * MIN, 0), "2");
	assert_int_equal(raw_int(fx->path, "SELECT attempts FROM outbox"
	    " WHERE id = 2 AND last_error = '550 no such user'"), 0);
	/* a sent one is never made due again */
	assert_int_equal(imip_store_outbox_due_now(fx->st, c, T0 + 2 * MIN,
	    &n, &err), IMIP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(state_of(fx, c), IMIP_OUTBOX_SENT);
	/* all: every unsent one */
	assert_int_equal(imip_store_outbox_due_now(fx->st, 0, T0 + 3 * MIN,
	    &n, &err), IMIP_OK);
	assert_int_equal(n, 2);
	assert_string_equal(due(fx, T0 + 3 * MIN, 0), "1 2");
}

static void
test_outbox_purge_sent_before_unsent_only_when_asked(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };
	int64_t a, b, c, n = -1;

	queue_three(fx, &a, &b, &c);
	/* c was sent at T0 + DAY: not before that */
	assert_int_equal(imip_store_outbox_purge(fx->st, 0, T0 + DAY, false,
	    &n, &err), IMIP_OK);
	assert_int_equal(n, 0);
	/* unsent ones stay whatever their age */
	assert_int_equal(imip_store_outbox_purge(fx->st, a, INT64_MAX, false,
	    &n, &err), IMIP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(imip_store_outbox_purge(fx->st, 0, T0 + DAY + 1,
	    false, &n, &err), IMIP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM outbox"
	    " WHERE id IN (1, 2)"), 2);
	/* with unsent: by creation time, and one id alone */
	assert_int_equal(imip_store_outbox_purge(fx->st, b, INT64_MAX, true,
	    &n, &err), IMIP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(imip_store_outbox_purge(fx->st, 0, T0, true, &n,
	    &err), IMIP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(imip_store_outbox_purge(fx->st, 0, T0 + 1, true, &n,
	    &err), IMIP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM outbox"), 0);
}

/* Add n journal rows through st. */
static void
journal_rows(struct imip_store *st, int n)
{
	struct imip_journal_rec j = { .at = T0, .calendar =
	    "room-a@example.org", .decision = "ACCEPTED", .reason = "booked" };
	struct imip_err err = { 0 };

	for (int i = 0; i < n; i++)
		assert_int_equal(imip_store_journal_add(st, &j, &err),
		    IMIP_OK);
}

static int
journal_count(const char *path)
{
	return raw_int(path, "SELECT count(*) FROM journal");
}

static void
test_backup_copies_a_checked_snapshot_with_the_mode(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };
	char dest[400], tmp[420];
	struct stat sb;

	journal_rows(fx->st, 30);
	assert_int_equal(chmod(fx->path, 0640), 0);
	snprintf(dest, sizeof(dest), "%s/copy.db", fx->dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", dest);

	assert_int_equal(imip_store_backup(fx->st, dest, &err), IMIP_OK);
	assert_int_equal(journal_count(dest), 30);
	assert_int_equal(raw_int(dest, "PRAGMA user_version"),
	    imip_store_version(fx->st));
	assert_int_equal(stat(dest, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0640);
	assert_int_equal(access(tmp, F_OK), -1);
	/* again over the old copy: replaced whole */
	journal_rows(fx->st, 5);
	assert_int_equal(imip_store_backup(fx->st, dest, &err), IMIP_OK);
	assert_int_equal(journal_count(dest), 35);
}

static void
test_backup_goes_on_while_another_handle_writes(void **state)
{
	struct fx *fx = *state;
	struct imip_store *writer = NULL;
	struct imip_err err = { 0 };
	char dest[400];

	journal_rows(fx->st, 3);
	/* another connection holds the write lock with a row not committed */
	assert_int_equal(imip_store_open(&writer, fx->path, 0, 0, &err),
	    IMIP_OK);
	assert_int_equal(imip_store_begin(writer, &err), IMIP_OK);
	journal_rows(writer, 1);
	snprintf(dest, sizeof(dest), "%s/copy.db", fx->dir);

	assert_int_equal(imip_store_backup(fx->st, dest, &err), IMIP_OK);
	assert_int_equal(journal_count(dest), 3);
	assert_int_equal(imip_store_commit(writer, &err), IMIP_OK);
	imip_store_close(writer);
	assert_int_equal(imip_store_backup(fx->st, dest, &err), IMIP_OK);
	assert_int_equal(journal_count(dest), 4);
}

static void
test_backup_refuses_itself_and_a_stale_log(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };
	char dest[400], wal[420], tmp[420];
	FILE *f;

	assert_int_equal(imip_store_backup(fx->st, fx->path, &err), IMIP_ERR);
	assert_non_null(strstr(err.msg, "is the database itself"));
	snprintf(dest, sizeof(dest), "%s/copy.db", fx->dir);
	snprintf(wal, sizeof(wal), "%s-wal", dest);
	snprintf(tmp, sizeof(tmp), "%s.tmp", dest);
	journal_rows(fx->st, 2);
	assert_int_equal(imip_store_backup(fx->st, dest, &err), IMIP_OK);
	journal_rows(fx->st, 2);
	assert_non_null(f = fopen(wal, "w"));
	fclose(f);

	assert_int_equal(imip_store_backup(fx->st, dest, &err), IMIP_ERR);
	assert_non_null(strstr(err.msg, "copy.db-wal exists"));
	assert_int_equal(unlink(wal), 0);
	/* the old copy is untouched, no tmp is left */
	assert_int_equal(journal_count(dest), 2);
	assert_int_equal(access(tmp, F_OK), -1);
}

/* Overwrite the start of the root page of table in the file at path. */
static void
corrupt_table(const char *path, const char *table)
{
	char sql[128];
	int root, page;
	FILE *f;

	snprintf(sql, sizeof(sql), "SELECT rootpage FROM sqlite_master"
	    " WHERE name = '%s'", table);
	root = raw_int(path, sql);
	page = raw_int(path, "PRAGMA page_size");
	assert_non_null(f = fopen(path, "r+b"));
	assert_int_equal(fseek(f, (long)(root - 1) * page + 8, SEEK_SET), 0);
	for (int i = 0; i < 64; i++)
		putc(0xff, f);
	fclose(f);
}

static void
test_integrity_finds_a_damaged_page(void **state)
{
	struct fx *fx = *state;
	struct imip_store *copy = NULL;
	struct imip_err err = { 0 };
	char dest[400];

	journal_rows(fx->st, 3);
	assert_int_equal(imip_store_integrity(fx->st, &err), IMIP_OK);
	snprintf(dest, sizeof(dest), "%s/copy.db", fx->dir);
	assert_int_equal(imip_store_backup(fx->st, dest, &err), IMIP_OK);
	corrupt_table(dest, "journal");

	assert_int_equal(imip_store_open(&copy, dest, IMIP_STORE_READONLY, 0,
	    &err), IMIP_OK);
	assert_int_equal(imip_store_integrity(copy, &err), IMIP_ERR);
	assert_non_null(strstr(err.msg, "integrity check: "));
	imip_store_close(copy);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_setting_keys_cover_every_policy_column),
		T(test_setting_keys_are_each_accepted_by_calendar_set),
		T(test_future_counts_events_with_busy_time_ending_later),
		T(test_remove_drops_calendar_events_busy_keeps_journal),
		T(test_rename_keeps_events_and_refuses_taken_address),
		T(test_busy_rows_carry_their_instance),
		T(test_outbox_state_waiting_failed_sent),
		T(test_outbox_due_now_revives_failed_never_sent),
		T(test_outbox_purge_sent_before_unsent_only_when_asked),
		T(test_backup_copies_a_checked_snapshot_with_the_mode),
		T(test_backup_goes_on_while_another_handle_writes),
		T(test_backup_refuses_itself_and_a_stale_log),
		T(test_integrity_finds_a_damaged_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
