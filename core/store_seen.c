/*
 * store_seen.c - the rows that make generated mail go out exactly once.
 *
 * A generated message is handed to the MTA by the outbox worker, each
 * copy numbered; when one passes the filter again on its way out its
 * number is noted, and another copy (handed over again because a crash
 * came between the hand-over and the outbox update) is recognised there.  A request the
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
	"SELECT 1 FROM outbox WHERE message_id = ?1 AND env_from = ?2"
	" AND seen <> ?3";
static const char sql_outbox_handover[] =
	"UPDATE outbox SET handovers = handovers + 1 WHERE id = ?1"
	" RETURNING handovers";
static const char sql_outbox_answered[] =
	"SELECT 1 FROM outbox WHERE in_reply_to = ?1 AND env_from = ?2";

/* Does the query id (bound to a, b and c) return a row? */
static int
exists(struct imip_store *st, enum store_stmt_id id, const char *sql,
    const char *a, const char *b, int64_t c, bool *yes,
    struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*yes = false;
	if ((rc = store_stmt(st, id, sql, &s, err)) < 0)
		return rc;
	if (store_bind_text(s, 1, a) != SQLITE_OK ||
	    store_bind_text(s, 2, b) != SQLITE_OK ||
	    (sqlite3_bind_parameter_count(s) > 2 &&
	    sqlite3_bind_int64(s, 3, c) != SQLITE_OK))
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

/*
 * imip_store_outbox_seen - copy number copy of message_id from from is
 * passing the filter: the first to pass is noted; *duplicate when an
 * other copy passed before.
 */
int
imip_store_outbox_seen(struct imip_store *st, const char *message_id,
    const char *from, int64_t copy, bool *duplicate, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*duplicate = false;
	if ((rc = store_stmt(st, STMT_OUTBOX_SEEN, sql_outbox_seen, &s,
	    err)) < 0)
		return rc;
	if (store_bind_text(s, 1, message_id) != SQLITE_OK ||
	    store_bind_text(s, 2, from) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, copy) != SQLITE_OK)
		rc = store_bind_failed(st, "outbox seen", err);
	else
		rc = store_exec_done(st, s, "outbox seen", err);
	store_done(s);
	if (rc < 0 || sqlite3_changes(store_db(st)) > 0)
		return rc;
	/* Seen before: the same copy again is fine, another is not. */
	return exists(st, STMT_OUTBOX_KNOWN, sql_outbox_known, message_id,
	    from, copy, duplicate, err);
}

/*
 * imip_store_outbox_handover - count one more hand-over of row id before
 * it happens; *copy is its number, for the copy's X-iMIP-Copy header.
 */
int
imip_store_outbox_handover(struct imip_store *st, int64_t id, int64_t *copy,
    struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*copy = 0;
	if ((rc = store_stmt(st, STMT_OUTBOX_HANDOVER, sql_outbox_handover, &s,
	    err)) < 0)
		return rc;
	if (sqlite3_bind_int64(s, 1, id) != SQLITE_OK)
		rc = store_bind_failed(st, "outbox hand-over", err);
	else if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*copy = sqlite3_column_int64(s, 0);
		rc = IMIP_OK;
	} else if (rc == SQLITE_DONE)
		rc = imip_err_set(err, IMIP_ENOTFOUND, "outbox row %lld",
		    (long long)id);
	else
		rc = store_fail(st, rc, "outbox hand-over", err);
	store_done(s);
	return rc;
}

/* imip_store_outbox_answered - did from answer request in_reply_to? */
int
imip_store_outbox_answered(struct imip_store *st, const char *from,
    const char *in_reply_to, bool *yes, struct imip_err *err)
{
	return exists(st, STMT_OUTBOX_ANSWERED, sql_outbox_answered,
	    in_reply_to, from, 0, yes, err);
}
