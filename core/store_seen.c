/*
 * store_seen.c - the rows that make generated mail go out exactly once.
 *
 * A generated message is handed to the MTA by the outbox worker; when it
 * passes the filter again on its way out, its row is marked seen, and a
 * second copy of it (handed over again because a crash came between the
 * hand-over and the outbox update) is recognised there.  A request the
 * MTA delivers again after a crash is recognised by its Message-ID among
 * the answers already queued.  Decisions about that live in msg.c and
 * schedule_series.c.
 */
#include <stdbool.h>

#include <sqlite3.h>

#include "store_int.h"

static const char sql_outbox_seen[] =
	"UPDATE outbox SET seen = ?3 WHERE message_id = ?1 AND env_from = ?2"
	" AND seen IS NULL";
static const char sql_outbox_known[] =
	"SELECT 1 FROM outbox WHERE message_id = ?1 AND env_from = ?2";
static const char sql_outbox_answered[] =
	"SELECT 1 FROM outbox WHERE in_reply_to = ?1 AND env_from = ?2";

/* Does the query id (bound to a and b) return a row? */
static int
exists(struct imip_store *st, enum store_stmt_id id, const char *sql,
    const char *a, const char *b, bool *yes, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*yes = false;
	if ((rc = store_stmt(st, id, sql, &s, err)) < 0)
		return rc;
	if (store_bind_text(s, 1, a) != SQLITE_OK ||
	    store_bind_text(s, 2, b) != SQLITE_OK)
		rc = store_bind_failed(st, "outbox look-up", err);
	else if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*yes = true, rc = IMIP_OK;
	else if (rc == SQLITE_DONE)
		rc = IMIP_OK;
	else
		rc = store_fail(st, rc, "outbox look-up", err);
	store_done(s);
	return rc;
}

/* imip_store_outbox_seen - mark the row of message_id as passed by */
int
imip_store_outbox_seen(struct imip_store *st, const char *message_id,
    const char *from, int64_t now, bool *first, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	bool known;
	int rc;

	*first = true;
	if ((rc = store_stmt(st, STMT_OUTBOX_SEEN, sql_outbox_seen, &s,
	    err)) < 0)
		return rc;
	if (store_bind_text(s, 1, message_id) != SQLITE_OK ||
	    store_bind_text(s, 2, from) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, now) != SQLITE_OK)
		rc = store_bind_failed(st, "outbox seen", err);
	else
		rc = store_exec_done(st, s, "outbox seen", err);
	store_done(s);
	if (rc < 0 || sqlite3_changes(store_db(st)) > 0)
		return rc;
	/* Nothing marked: a duplicate, or a message no row names. */
	if ((rc = exists(st, STMT_OUTBOX_KNOWN, sql_outbox_known, message_id,
	    from, &known, err)) == IMIP_OK)
		*first = !known;
	return rc;
}

/* imip_store_outbox_answered - did from answer request in_reply_to? */
int
imip_store_outbox_answered(struct imip_store *st, const char *from,
    const char *in_reply_to, bool *yes, struct imip_err *err)
{
	return exists(st, STMT_OUTBOX_ANSWERED, sql_outbox_answered,
	    in_reply_to, from, yes, err);
}
