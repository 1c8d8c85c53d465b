/*
 * store_series.c - what a series needs beyond one event row: its version
 * moving without a new booking (ADD), and how far it has been expanded,
 * so imipctl expand can book the instances the horizon held back.
 */
#include <stdlib.h>

#include <sqlite3.h>

#include "store_int.h"

static const char sql_event_version[] =
	"UPDATE event SET sequence = ?2, dtstamp = ?3, updated = ?4"
	" WHERE id = ?1";
static const char sql_event_expanded[] =
	"UPDATE event SET expanded_until = NULLIF(?2, 0) WHERE id = ?1";
/* Booked series whose expansion stops before ?1, oldest horizon first. */
static const char sql_series_due[] =
	"SELECT e.id, c.address, e.uid, e.ical, e.expanded_until"
	" FROM event e JOIN calendar c ON c.id = e.calendar_id"
	" WHERE e.expanded_until IS NOT NULL AND e.expanded_until < ?1"
	" AND e.status <> 'CANCELLED' AND e.partstat = 'ACCEPTED'"
	" ORDER BY e.expanded_until, e.id";

/*
 * A cancelled instance of a series is an event row with its
 * recurrence_id: status CANCELLED for that instance alone, FUTURE-CANCELLED
 * for it and every later one (RANGE=THISANDFUTURE).  imipctl expand skips
 * them; a new version of the whole series forgets them.
 */
static const char sql_instance_cancel[] =
	"INSERT INTO event (calendar_id, uid, recurrence_id, organizer,"
	" partstat, status, updated) VALUES (?1, ?2, ?3, ?4, 'DECLINED', ?5,"
	" ?6) ON CONFLICT (calendar_id, uid, IFNULL(recurrence_id, -1))"
	" DO UPDATE SET status = excluded.status, updated = excluded.updated";
static const char sql_instance_cancelled[] =
	"SELECT 1 FROM event WHERE calendar_id = ?1 AND uid = ?2"
	" AND recurrence_id IS NOT NULL AND ((status = 'CANCELLED'"
	" AND recurrence_id = ?3) OR (status = 'FUTURE-CANCELLED'"
	" AND recurrence_id <= ?3))";
static const char sql_instances_forget[] =
	"DELETE FROM event WHERE calendar_id = ?1 AND uid = ?2"
	" AND recurrence_id IS NOT NULL";

/* imip_store_event_version - the event is now at this version */
int
imip_store_event_version(struct imip_store *st, int64_t id, int sequence,
    int64_t dtstamp, time_t now, struct imip_err *err)
{
	const int64_t v[] = { id, sequence, dtstamp, (int64_t)now };

	return store_update_ints(st, STMT_EVENT_VERSION, sql_event_version,
	    v, 4, "event version", err);
}

/* imip_store_event_expanded - instances before until are booked */
int
imip_store_event_expanded(struct imip_store *st, int64_t id, int64_t until,
    struct imip_err *err)
{
	const int64_t v[] = { id, until };

	return store_update_ints(st, STMT_EVENT_EXPANDED,
	    sql_event_expanded, v, 2, "event expanded", err);
}

/*
 * imip_store_series_due - call cb for each booked series expanded only to
 * before until; the strings are borrowed for the call, which must not
 * write through st (collect, then schedule).
 */
int
imip_store_series_due(struct imip_store *st, int64_t until,
    imip_series_cb cb, void *arg, struct imip_err *err)
{
	struct imip_series_rec r;
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = store_stmt(st, STMT_SERIES_DUE, sql_series_due, &s,
	    err)) < 0)
		return rc;
	if (sqlite3_bind_int64(s, 1, until) != SQLITE_OK) {
		rc = store_bind_failed(st, "series", err);
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r.event_id = sqlite3_column_int64(s, 0);
		r.calendar = store_col_text(s, 1);
		r.uid = store_col_text(s, 2);
		r.ical = store_col_text(s, 3);
		r.expanded_until = sqlite3_column_int64(s, 4);
		if ((rc = cb(&r, arg)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? IMIP_OK : store_fail(st, rc, "series", err);
out:
	store_done(s);
	return rc;
}

/* Bind calendar id and uid as ?1 and ?2 of the cached statement id. */
static int
instance_stmt(struct imip_store *st, enum store_stmt_id id, const char *sql,
    int64_t cal, const char *uid, sqlite3_stmt **out, struct imip_err *err)
{
	int rc;

	if ((rc = store_stmt(st, id, sql, out, err)) < 0)
		return rc;
	if (sqlite3_bind_int64(*out, 1, cal) != SQLITE_OK ||
	    store_bind_text(*out, 2, uid) != SQLITE_OK) {
		rc = store_bind_failed(st, "instance", err);
		store_done(*out);
		*out = NULL;
	}
	return rc;
}

/* imip_store_instance_cancel - remember that instance rid is cancelled */
int
imip_store_instance_cancel(struct imip_store *st, int64_t cal,
    const char *uid, const char *organizer, int64_t rid, bool and_after,
    time_t now, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = instance_stmt(st, STMT_INSTANCE_CANCEL, sql_instance_cancel,
	    cal, uid, &s, err)) < 0)
		return rc;
	if (sqlite3_bind_int64(s, 3, rid) != SQLITE_OK ||
	    store_bind_text(s, 4, organizer) != SQLITE_OK ||
	    store_bind_text(s, 5, and_after ? "FUTURE-CANCELLED" :
	    "CANCELLED") != SQLITE_OK ||
	    sqlite3_bind_int64(s, 6, (sqlite3_int64)now) != SQLITE_OK)
		rc = store_bind_failed(st, "instance cancel", err);
	else
		rc = store_exec_done(st, s, "instance cancel", err);
	store_done(s);
	return rc;
}

/* imip_store_instance_cancelled - was instance rid of uid cancelled? */
int
imip_store_instance_cancelled(struct imip_store *st, int64_t cal,
    const char *uid, int64_t rid, bool *out, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*out = false;
	if ((rc = instance_stmt(st, STMT_INSTANCE_CANCELLED,
	    sql_instance_cancelled, cal, uid, &s, err)) < 0)
		return rc;
	if (sqlite3_bind_int64(s, 3, rid) != SQLITE_OK)
		rc = store_bind_failed(st, "instance lookup", err);
	else if ((rc = sqlite3_step(s)) == SQLITE_ROW || rc == SQLITE_DONE) {
		*out = rc == SQLITE_ROW;
		rc = IMIP_OK;
	} else
		rc = store_fail(st, rc, "instance lookup", err);
	store_done(s);
	return rc;
}

/* imip_store_instances_forget - a new version of the series replaces them */
int
imip_store_instances_forget(struct imip_store *st, int64_t cal,
    const char *uid, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = instance_stmt(st, STMT_INSTANCES_FORGET,
	    sql_instances_forget, cal, uid, &s, err)) < 0)
		return rc;
	rc = store_exec_done(st, s, "instances forget", err);
	store_done(s);
	return rc;
}
