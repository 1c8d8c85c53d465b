/*
 * store_counter.c - counter-proposals kept for people.
 *
 * A COUNTER an attendee sends to a person who organizes the meeting, or
 * one the person sends to the organizer of an invitation, is kept per
 * event, attendee and instance: the newest by SEQUENCE, then DTSTAMP.
 * DECLINECOUNTER and new versions of the event close it.  No decisions
 * here: schedule_organizer.c and schedule_person.c make them.
 */
#include <stdbool.h>

#include <sqlite3.h>

#include "store_int.h"

static const char sql_counter_put[] =
	"INSERT INTO counter (event_id, attendee, recurrence_id, direction,"
	" proposed_start, proposed_end, comment, sequence, dtstamp, ical,"
	" updated)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
	" ON CONFLICT (event_id, attendee, recurrence_id) DO UPDATE SET"
	" direction = excluded.direction,"
	" proposed_start = excluded.proposed_start,"
	" proposed_end = excluded.proposed_end, comment = excluded.comment,"
	" sequence = excluded.sequence, dtstamp = excluded.dtstamp,"
	" ical = excluded.ical, state = 'open', updated = excluded.updated"
	" WHERE (excluded.sequence, excluded.dtstamp) > (sequence, dtstamp)";

static const char sql_counter_close[] =
	"UPDATE counter SET state = ?4, updated = ?5"
	" WHERE event_id = ?1 AND direction = ?2 AND state = 'open'"
	" AND (?3 IS NULL OR attendee = ?3)";

/* imip_store_counter_put - keep c unless a newer proposal is stored */
int
imip_store_counter_put(struct imip_store *st, const struct imip_counter_rec *c,
    time_t now, bool *kept, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*kept = false;
	if ((rc = store_stmt(st, STMT_COUNTER_PUT, sql_counter_put, &s,
	    err)) < 0)
		return rc;
	if (sqlite3_bind_int64(s, 1, c->event_id) != SQLITE_OK ||
	    store_bind_text(s, 2, c->attendee) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, c->rid) != SQLITE_OK ||
	    store_bind_text(s, 4, c->direction) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, c->start) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 6, c->end) != SQLITE_OK ||
	    store_bind_text(s, 7, c->comment) != SQLITE_OK ||
	    sqlite3_bind_int(s, 8, c->sequence) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 9, c->dtstamp) != SQLITE_OK ||
	    store_bind_text(s, 10, c->ical) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 11, (sqlite3_int64)now) != SQLITE_OK)
		rc = store_bind_failed(st, "counter put", err);
	else if ((rc = store_exec_done(st, s, "counter put", err)) == IMIP_OK)
		*kept = sqlite3_changes(store_db(st)) > 0;
	store_done(s);
	return rc;
}

/* imip_store_counter_close - open proposals of event_id become state */
int
imip_store_counter_close(struct imip_store *st, int64_t event_id,
    const char *direction, const char *attendee, const char *state,
    time_t now, int *n, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*n = 0;
	if ((rc = store_stmt(st, STMT_COUNTER_CLOSE, sql_counter_close, &s,
	    err)) < 0)
		return rc;
	if (sqlite3_bind_int64(s, 1, event_id) != SQLITE_OK ||
	    store_bind_text(s, 2, direction) != SQLITE_OK ||
	    store_bind_text(s, 3, attendee) != SQLITE_OK ||
	    store_bind_text(s, 4, state) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, (sqlite3_int64)now) != SQLITE_OK)
		rc = store_bind_failed(st, "counter close", err);
	else if ((rc = store_exec_done(st, s, "counter close", err)) ==
	    IMIP_OK)
		*n = sqlite3_changes(store_db(st));
	store_done(s);
	return rc;
}
