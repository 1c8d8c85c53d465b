/*
 * store_list.c - read-only listings for the admin tool: the events a
 * calendar knows, and the decision journal with filters.
 *
 * Nothing here runs inside the filter.  Every value reaches SQL as a bound
 * parameter; an unset filter binds NULL and the WHERE clause skips it.
 */
#include <sqlite3.h>

#include "store_int.h"

static const char sql_event_list[] =
	"SELECT id, uid, IFNULL(recurrence_id, 0), organizer, summary,"
	" sequence, partstat, status, updated FROM event"
	" WHERE calendar_id = ?1"
	" ORDER BY updated DESC, uid, IFNULL(recurrence_id, -1), id";
static const char sql_journal_query[] =
	"SELECT at, queue_id, calendar, uid, method, sender, decision, reason,"
	" trust FROM journal"
	" WHERE (?1 IS NULL OR calendar = ?1) AND (?2 IS NULL OR uid = ?2)"
	" AND (?3 IS NULL OR at >= ?3) AND (?4 IS NULL OR at < ?4)"
	" ORDER BY at DESC, id DESC LIMIT ?5";

/*
 * imip_store_event_foreach - call cb for each event (masters and stored
 * instances) of the calendar, most recently updated first; strings are
 * borrowed for the call
 */
int
imip_store_event_foreach(struct imip_store *st, int64_t calendar_id,
    imip_event_entry_cb cb, void *arg, struct imip_err *err)
{
	struct imip_event_entry e;
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = store_stmt(st, STMT_EVENT_LIST, sql_event_list, &s,
	    err)) < 0)
		goto out;
	if (sqlite3_bind_int64(s, 1, calendar_id) != SQLITE_OK) {
		rc = store_bind_failed(st, "event list", err);
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		e.id = sqlite3_column_int64(s, 0);
		e.uid = store_col_text(s, 1);
		e.recurrence_id = sqlite3_column_int64(s, 2);
		e.organizer = store_col_text(s, 3);
		e.summary = store_col_text(s, 4);
		e.sequence = sqlite3_column_int(s, 5);
		e.partstat = store_col_text(s, 6);
		e.status = store_col_text(s, 7);
		e.updated = sqlite3_column_int64(s, 8);
		if ((rc = cb(&e, arg)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? IMIP_OK : store_fail(st, rc, "event list",
	    err);
out:
	store_done(s);
	return rc;
}

/* Bind a time bound, or NULL when it is 0 (no bound). */
static int
bind_bound(sqlite3_stmt *s, int idx, int64_t t)
{
	return t != 0 ? sqlite3_bind_int64(s, idx, t) : sqlite3_bind_null(s,
	    idx);
}

/* Bind the filter f to sql_journal_query; an SQLite result code. */
static int
journal_bind(sqlite3_stmt *s, const struct imip_journal_filter *f)
{
	int rc;

	if ((rc = store_bind_text(s, 1, f->calendar)) != SQLITE_OK ||
	    (rc = store_bind_text(s, 2, f->uid)) != SQLITE_OK ||
	    (rc = bind_bound(s, 3, f->from)) != SQLITE_OK ||
	    (rc = bind_bound(s, 4, f->to)) != SQLITE_OK)
		return rc;
	return sqlite3_bind_int(s, 5, f->limit > 0 ? f->limit : -1);
}

/*
 * imip_store_journal_query - call cb for the decisions f selects, newest
 * first; strings are borrowed for the call
 */
int
imip_store_journal_query(struct imip_store *st,
    const struct imip_journal_filter *f, imip_journal_cb cb, void *arg,
    struct imip_err *err)
{
	struct imip_journal_rec j;
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = store_stmt(st, STMT_JOURNAL_QUERY, sql_journal_query, &s,
	    err)) < 0)
		goto out;
	if (journal_bind(s, f) != SQLITE_OK) {
		rc = store_bind_failed(st, "journal query", err);
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		j.at = sqlite3_column_int64(s, 0);
		j.queue_id = store_col_text(s, 1);
		j.calendar = store_col_text(s, 2);
		j.uid = store_col_text(s, 3);
		j.method = store_col_text(s, 4);
		j.sender = store_col_text(s, 5);
		j.decision = store_col_text(s, 6);
		j.reason = store_col_text(s, 7);
		j.trust = store_col_text(s, 8);
		if ((rc = cb(&j, arg)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? IMIP_OK : store_fail(st, rc, "journal query",
	    err);
out:
	store_done(s);
	return rc;
}
