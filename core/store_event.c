/*
 * store_event.c - events a calendar knows and the busy periods they hold.
 *
 * Only storage: deciding whether a period may be booked is policy's job.
 * Overlap queries are index range scans bounded by calendar.busy_span_max,
 * which busy_set raises and nothing lowers.
 */
#include <assert.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "store_int.h"

static const char sql_event_find[] =
	"SELECT id, calendar_id, uid, organizer, summary, sequence, dtstamp,"
	" partstat, status, ical FROM event"
	" WHERE calendar_id = ?1 AND uid = ?2 AND recurrence_id IS NULL";
static const char sql_event_put[] =
	"INSERT INTO event (calendar_id, uid, recurrence_id, organizer,"
	" summary, sequence, dtstamp, partstat, status, ical, updated)"
	" VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6, IFNULL(?7, 'NEEDS-ACTION'),"
	" IFNULL(?8, 'CONFIRMED'), ?9, ?10)"
	" ON CONFLICT (calendar_id, uid, IFNULL(recurrence_id, -1)) DO UPDATE"
	" SET organizer = excluded.organizer, summary = excluded.summary,"
	" sequence = excluded.sequence, dtstamp = excluded.dtstamp,"
	" partstat = excluded.partstat, status = excluded.status,"
	" ical = excluded.ical, updated = excluded.updated,"
	" expanded_until = NULL"
	" RETURNING id";
static const char sql_span_raise[] =
	"UPDATE calendar SET busy_span_max = ?2"
	" WHERE id = ?1 AND busy_span_max < ?2";
static const char sql_busy_add[] =
	"INSERT INTO busy (calendar_id, event_id, start, end, fbtype,"
	" recurrence_id) VALUES (?1, ?2, ?3, ?4, IFNULL(?5, 'BUSY'),"
	" NULLIF(?6, 0))";
static const char sql_busy_clear[] =
	"DELETE FROM busy WHERE event_id = ?1";
static const char sql_busy_clear_from[] =
	"DELETE FROM busy WHERE event_id = ?1 AND (recurrence_id = ?2"
	" OR (?3 AND recurrence_id > ?2))";

/*
 * A period [b.start, b.end) overlaps [?2, ?3) iff b.start < ?3 and
 * b.end > ?2.  No period is longer than busy_span_max, so b.end > ?2 also
 * implies b.start > ?2 - busy_span_max: that lower bound turns the query
 * into a range scan of busy_range instead of the calendar's history.
 */
const char store_sql_busy_overlap[] =
	"SELECT b.start, b.end, b.fbtype, e.uid, e.summary, e.organizer,"
	" COALESCE(b.recurrence_id, e.recurrence_id, 0)"
	" FROM busy b JOIN event e ON e.id = b.event_id"
	" WHERE b.calendar_id = ?1"
	" AND b.start > ?2 - (SELECT busy_span_max FROM calendar"
	" WHERE id = ?1)"
	" AND b.start < ?3 AND b.end > ?2"
	" AND (?4 IS NULL OR e.uid <> ?4)"
	" ORDER BY b.start, b.end, b.id";

/* Copy the current row of sql_event_find into a new record. */
static int
event_copy(struct imip_event_rec **out, sqlite3_stmt *s,
    struct imip_err *err)
{
	struct imip_event_rec *ev = NULL;
	int rc;

	*out = NULL;
	if ((ev = calloc(1, sizeof(*ev))) == NULL) {
		rc = imip_err_set(err, IMIP_ENOMEM, "event");
		goto out;
	}
	ev->id = sqlite3_column_int64(s, 0);
	ev->calendar_id = sqlite3_column_int64(s, 1);
	ev->sequence = sqlite3_column_int(s, 5);
	ev->dtstamp = sqlite3_column_int64(s, 6);
	if ((rc = store_col_dup(&ev->uid, s, 2, err)) < 0 ||
	    (rc = store_col_dup(&ev->organizer, s, 3, err)) < 0 ||
	    (rc = store_col_dup(&ev->summary, s, 4, err)) < 0 ||
	    (rc = store_col_dup(&ev->partstat, s, 7, err)) < 0 ||
	    (rc = store_col_dup(&ev->status, s, 8, err)) < 0 ||
	    (rc = store_col_dup(&ev->ical, s, 9, err)) < 0)
		goto out;
	*out = ev;
	ev = NULL;
out:
	imip_event_rec_free(ev);
	return rc;
}

/* imip_store_event_find - the master event uid of a calendar (*out) */
int
imip_store_event_find(struct imip_store *st, int64_t calendar_id,
    const char *uid, struct imip_event_rec **out, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*out = NULL;
	if ((rc = store_stmt(st, STMT_EVENT_FIND, sql_event_find, &s,
	    err)) < 0)
		goto out;
	if (sqlite3_bind_int64(s, 1, calendar_id) != SQLITE_OK ||
	    store_bind_text(s, 2, uid) != SQLITE_OK) {
		rc = store_bind_failed(st, "event find", err);
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rc = event_copy(out, s, err);
	else if (rc == SQLITE_DONE)
		rc = imip_err_set(err, IMIP_ENOTFOUND, "no event %s", uid);
	else
		rc = store_fail(st, rc, "event find", err);
out:
	store_done(s);
	return rc;
}

/* Bind ev to sql_event_put; an SQLite result code. */
static int
event_bind(sqlite3_stmt *s, const struct imip_event_rec *ev, time_t now)
{
	int rc;

	if ((rc = sqlite3_bind_int64(s, 1, ev->calendar_id)) != SQLITE_OK ||
	    (rc = store_bind_text(s, 2, ev->uid)) != SQLITE_OK ||
	    (rc = store_bind_text(s, 3, ev->organizer)) != SQLITE_OK ||
	    (rc = store_bind_text(s, 4, ev->summary)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(s, 5, ev->sequence)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 6, ev->dtstamp)) != SQLITE_OK ||
	    (rc = store_bind_text(s, 7, ev->partstat)) != SQLITE_OK ||
	    (rc = store_bind_text(s, 8, ev->status)) != SQLITE_OK ||
	    (rc = store_bind_text(s, 9, ev->ical)) != SQLITE_OK)
		return rc;
	return sqlite3_bind_int64(s, 10, (sqlite3_int64)now);
}

/*
 * imip_store_event_put - insert or update the master event (calendar_id,
 * uid) and set ev->id
 */
int
imip_store_event_put(struct imip_store *st, struct imip_event_rec *ev,
    time_t now, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	assert(ev->uid != NULL);
	if ((rc = store_stmt(st, STMT_EVENT_PUT, sql_event_put, &s, err)) < 0)
		goto out;
	if (event_bind(s, ev, now) != SQLITE_OK) {
		rc = store_bind_failed(st, "event put", err);
		goto out;
	}
	/* with RETURNING, the write is complete once the row is there */
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		rc = store_fail(st, rc, "event put", err);
		goto out;
	}
	ev->id = sqlite3_column_int64(s, 0);
	rc = IMIP_OK;
out:
	store_done(s);
	return rc;
}

/* Raise calendar.busy_span_max to span if it is lower. */
static int
span_raise(struct imip_store *st, int64_t calendar_id, int64_t span,
    struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = store_stmt(st, STMT_SPAN_RAISE, sql_span_raise, &s,
	    err)) < 0)
		goto out;
	if (sqlite3_bind_int64(s, 1, calendar_id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, span) != SQLITE_OK) {
		rc = store_bind_failed(st, "busy span", err);
		goto out;
	}
	rc = store_exec_done(st, s, "busy span", err);
out:
	store_done(s);
	return rc;
}

/*
 * imip_store_busy_set - record [start, end) as busy for event_id; rid is
 * the instance's RECURRENCE-ID, 0 for an event that does not recur
 */
int
imip_store_busy_set(struct imip_store *st, int64_t calendar_id,
    int64_t event_id, int64_t rid, int64_t start, int64_t end,
    const char *fbtype, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (end <= start) {
		rc = imip_err_set(err, IMIP_ERR, "empty busy period %lld..%lld",
		    (long long)start, (long long)end);
		goto out;
	}
	/*
	 * Raise the bound first: should the insert then fail outside a
	 * transaction, a bound too high only widens later scans, while a
	 * period longer than the bound would be missed by them.
	 */
	if ((rc = span_raise(st, calendar_id, end - start, err)) < 0 ||
	    (rc = store_stmt(st, STMT_BUSY_ADD, sql_busy_add, &s, err)) < 0)
		goto out;
	if (sqlite3_bind_int64(s, 1, calendar_id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, event_id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, start) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, end) != SQLITE_OK ||
	    store_bind_text(s, 5, fbtype) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 6, rid) != SQLITE_OK) {
		rc = store_bind_failed(st, "busy add", err);
		goto out;
	}
	rc = store_busy_done(st, s, "busy add", err);
out:
	store_done(s);
	return rc;
}

/* imip_store_busy_clear - forget every busy period of event_id */
int
imip_store_busy_clear(struct imip_store *st, int64_t event_id,
    struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = store_stmt(st, STMT_BUSY_CLEAR, sql_busy_clear, &s,
	    err)) < 0)
		goto out;
	if (sqlite3_bind_int64(s, 1, event_id) != SQLITE_OK) {
		rc = store_bind_failed(st, "busy clear", err);
		goto out;
	}
	rc = store_busy_done(st, s, "busy clear", err);
out:
	store_done(s);
	return rc;
}

/*
 * imip_store_busy_clear_instance - free one instance (rid) of event_id, or
 * with and_after that instance and every later one (THISANDFUTURE)
 */
int
imip_store_busy_clear_instance(struct imip_store *st, int64_t event_id,
    int64_t rid, bool and_after, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = store_stmt(st, STMT_BUSY_CLEAR_FROM, sql_busy_clear_from, &s,
	    err)) < 0)
		goto out;
	if (sqlite3_bind_int64(s, 1, event_id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, rid) != SQLITE_OK ||
	    sqlite3_bind_int(s, 3, and_after) != SQLITE_OK) {
		rc = store_bind_failed(st, "busy clear instance", err);
		goto out;
	}
	rc = store_busy_done(st, s, "busy clear instance", err);
out:
	store_done(s);
	return rc;
}

/*
 * imip_store_busy_overlapping - call cb, by start, for each busy period of
 * the calendar overlapping [start, end), skipping event exclude_uid
 */
int
imip_store_busy_overlapping(struct imip_store *st, int64_t calendar_id,
    int64_t start, int64_t end, const char *exclude_uid, imip_busy_cb cb,
    void *arg, struct imip_err *err)
{
	struct imip_busy_rec b;
	sqlite3_stmt *s = NULL;
	int rc;

	/* an empty [start, end) overlaps nothing, not what contains it */
	if (start >= end) {
		rc = IMIP_OK;
		goto out;
	}
	if ((rc = store_stmt(st, STMT_BUSY_OVERLAP, store_sql_busy_overlap,
	    &s, err)) < 0)
		goto out;
	if (sqlite3_bind_int64(s, 1, calendar_id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, start) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, end) != SQLITE_OK ||
	    store_bind_text(s, 4, exclude_uid) != SQLITE_OK) {
		rc = store_bind_failed(st, "busy overlap", err);
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		b.start = sqlite3_column_int64(s, 0);
		b.end = sqlite3_column_int64(s, 1);
		b.fbtype = store_col_text(s, 2);
		b.uid = store_col_text(s, 3);
		b.summary = store_col_text(s, 4);
		b.organizer = store_col_text(s, 5);
		b.rid = sqlite3_column_int64(s, 6);
		if ((rc = cb(&b, arg)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? IMIP_OK : store_fail(st, rc, "busy overlap",
	    err);
out:
	store_done(s);
	return rc;
}

/* imip_event_rec_free - release a record from event_find; NULL-safe */
void
imip_event_rec_free(struct imip_event_rec *ev)
{
	if (ev == NULL)
		return;
	free(ev->uid);
	free(ev->organizer);
	free(ev->summary);
	free(ev->partstat);
	free(ev->status);
	free(ev->ical);
	free(ev);
}
