/*
 * store_approval.c - answers: bookings waiting for a delegate, and
 * attendees' replies to events a person organizes.
 *
 * A token names one question: this calendar, this event, this version.
 * Asking again for the same event (a newer version) supersedes the open
 * question, so an answer to an old one decides nothing.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_int.h"

static const char sql_supersede[] =
	"UPDATE approval SET decided = ?2, decision = 'SUPERSEDED'"
	" WHERE event_id = ?1 AND decided IS NULL";
static const char sql_add[] =
	"INSERT INTO approval (calendar_id, event_id, token, sequence, dtstamp,"
	" created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char sql_find[] =
	"SELECT a.id, a.event_id, e.uid, a.sequence, a.dtstamp, a.decision,"
	" a.decided_by FROM approval a JOIN event e ON e.id = a.event_id"
	" WHERE a.calendar_id = ?1 AND a.token = ?2";
static const char sql_decide[] =
	"UPDATE approval SET decided = ?2, decision = ?3, decided_by = ?4"
	" WHERE id = ?1";
static const char sql_partstat[] =
	"UPDATE event SET partstat = ?2, updated = ?3 WHERE id = ?1";
static const char sql_fbtype[] =
	"UPDATE busy SET fbtype = ?2 WHERE event_id = ?1";

void
imip_approval_rec_free(struct imip_approval_rec *a)
{
	if (a == NULL)
		return;
	free(a->uid);
	free(a->decision);
	free(a->decided_by);
	free(a);
}

/*
 * imip_store_approval_add - ask about event (at this version) under
 * token; open questions about the same event are superseded.
 */
int
imip_store_approval_add(struct imip_store *st, int64_t calendar_id,
    int64_t event_id, const char *token, int sequence, int64_t dtstamp,
    time_t now, struct imip_err *err)
{
	const int64_t v[] = { event_id, (int64_t)now };
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = store_update_ints(st, STMT_APPROVAL_SUPERSEDE, sql_supersede,
	    v, 2, "approval supersede", err)) < 0 ||
	    (rc = store_stmt(st, STMT_APPROVAL_ADD, sql_add, &s, err)) < 0)
		return rc;
	if (sqlite3_bind_int64(s, 1, calendar_id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, event_id) != SQLITE_OK ||
	    store_bind_text(s, 3, token) != SQLITE_OK ||
	    sqlite3_bind_int(s, 4, sequence) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, dtstamp) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 6, (sqlite3_int64)now) != SQLITE_OK)
		rc = store_bind_failed(st, "approval add", err);
	else
		rc = store_exec_done(st, s, "approval add", err);
	store_done(s);
	return rc;
}

static int
approval_copy(struct imip_approval_rec **out, sqlite3_stmt *s,
    struct imip_err *err)
{
	struct imip_approval_rec *a;
	int rc;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "approval");
	a->id = sqlite3_column_int64(s, 0);
	a->event_id = sqlite3_column_int64(s, 1);
	a->sequence = sqlite3_column_int(s, 3);
	a->dtstamp = sqlite3_column_int64(s, 4);
	if ((rc = store_col_dup(&a->uid, s, 2, err)) < 0 ||
	    (rc = store_col_dup(&a->decision, s, 5, err)) < 0 ||
	    (rc = store_col_dup(&a->decided_by, s, 6, err)) < 0) {
		imip_approval_rec_free(a);
		return rc;
	}
	*out = a;
	return IMIP_OK;
}

/* imip_store_approval_find - the question token asks in calendar_id */
int
imip_store_approval_find(struct imip_store *st, int64_t calendar_id,
    const char *token, struct imip_approval_rec **out, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*out = NULL;
	if ((rc = store_stmt(st, STMT_APPROVAL_FIND, sql_find, &s, err)) < 0)
		return rc;
	if (sqlite3_bind_int64(s, 1, calendar_id) != SQLITE_OK ||
	    store_bind_text(s, 2, token) != SQLITE_OK) {
		rc = store_bind_failed(st, "approval find", err);
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rc = approval_copy(out, s, err);
	else if (rc == SQLITE_DONE)
		rc = imip_err_set(err, IMIP_ENOTFOUND, "no approval %s", token);
	else
		rc = store_fail(st, rc, "approval find", err);
out:
	store_done(s);
	return rc;
}

/* imip_store_approval_decide - record the answer to question id */
int
imip_store_approval_decide(struct imip_store *st, int64_t id,
    const char *decision, const char *by, time_t now, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = store_stmt(st, STMT_APPROVAL_DECIDE, sql_decide, &s,
	    err)) < 0)
		return rc;
	if (sqlite3_bind_int64(s, 1, id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, (sqlite3_int64)now) != SQLITE_OK ||
	    store_bind_text(s, 3, decision) != SQLITE_OK ||
	    store_bind_text(s, 4, by) != SQLITE_OK)
		rc = store_bind_failed(st, "approval decide", err);
	else
		rc = store_exec_done(st, s, "approval decide", err);
	store_done(s);
	return rc;
}

/* One text value for one event id: partstat, or the fbtype of its busy. */
static int
set_text(struct imip_store *st, enum store_stmt_id id, const char *sql,
    int64_t event_id, const char *value, time_t now, const char *what,
    struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = store_stmt(st, id, sql, &s, err)) < 0)
		return rc;
	if (sqlite3_bind_int64(s, 1, event_id) != SQLITE_OK ||
	    store_bind_text(s, 2, value) != SQLITE_OK ||
	    (id == STMT_EVENT_PARTSTAT && sqlite3_bind_int64(s, 3,
	    (sqlite3_int64)now) != SQLITE_OK))
		rc = store_bind_failed(st, what, err);
	else if (id == STMT_BUSY_FBTYPE)
		rc = store_busy_done(st, s, what, err);
	else
		rc = store_exec_done(st, s, what, err);
	store_done(s);
	return rc;
}

/* imip_store_event_partstat - the calendar's answer to a stored event */
int
imip_store_event_partstat(struct imip_store *st, int64_t event_id,
    const char *partstat, time_t now, struct imip_err *err)
{
	return set_text(st, STMT_EVENT_PARTSTAT, sql_partstat, event_id,
	    partstat, now, "event partstat", err);
}

/* imip_store_busy_fbtype - BUSY or BUSY-TENTATIVE for an event's periods */
int
imip_store_busy_fbtype(struct imip_store *st, int64_t event_id,
    const char *fbtype, struct imip_err *err)
{
	return set_text(st, STMT_BUSY_FBTYPE, sql_fbtype, event_id, fbtype, 0,
	    "busy fbtype", err);
}

static const char sql_reply_put[] =
	"INSERT INTO attendee_reply (event_id, attendee, recurrence_id,"
	" partstat, sequence, dtstamp, updated)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	" ON CONFLICT (event_id, attendee, recurrence_id) DO UPDATE SET"
	" partstat = excluded.partstat, sequence = excluded.sequence,"
	" dtstamp = excluded.dtstamp, updated = excluded.updated"
	" WHERE (excluded.sequence, excluded.dtstamp) >= (sequence, dtstamp)";

/*
 * imip_store_reply_put - keep attendee's answer r (rid 0: the whole
 * event) unless a newer one is stored; *kept says which happened.
 */
int
imip_store_reply_put(struct imip_store *st, const struct imip_reply_rec *r,
    time_t now, bool *kept, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*kept = false;
	if ((rc = store_stmt(st, STMT_REPLY_PUT, sql_reply_put, &s, err)) < 0)
		return rc;
	if (sqlite3_bind_int64(s, 1, r->event_id) != SQLITE_OK ||
	    store_bind_text(s, 2, r->attendee) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, r->rid) != SQLITE_OK ||
	    store_bind_text(s, 4, r->partstat) != SQLITE_OK ||
	    sqlite3_bind_int(s, 5, r->sequence) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 6, r->dtstamp) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 7, (sqlite3_int64)now) != SQLITE_OK)
		rc = store_bind_failed(st, "reply put", err);
	else if ((rc = store_exec_done(st, s, "reply put", err)) == IMIP_OK)
		*kept = sqlite3_changes(store_db(st)) > 0;
	store_done(s);
	return rc;
}
