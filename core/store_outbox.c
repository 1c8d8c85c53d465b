/*
 * store_outbox.c - the decision journal and the outbox of generated mail.
 *
 * Rows only: building messages, handing them to the MTA and choosing retry
 * delays belong to the outbox worker; imipctl may make a message due again
 * or delete old ones.  Times are arguments, never time().
 */
#include <sqlite3.h>

#include "store_int.h"

#define OUTBOX_COLS							\
	"SELECT id, created, env_from, env_to, message, attempts,"	\
	" next_attempt, last_error, IFNULL(sent, 0), IFNULL(failed, 0)"	\
	" FROM outbox"

static const char sql_journal_add[] =
	"INSERT INTO journal (at, queue_id, calendar, uid, method, sender,"
	" decision, reason, trust) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
	" ?9)";
static const char sql_outbox_recent[] =
	"SELECT count(*) FROM outbox WHERE env_to = ?1 AND created >= ?2";
static const char sql_outbox_add[] =
	"INSERT INTO outbox (created, env_from, env_to, message, next_attempt,"
	" message_id, in_reply_to) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char sql_outbox_due[] = OUTBOX_COLS
	" WHERE sent IS NULL AND failed IS NULL AND next_attempt <= ?1"
	" ORDER BY id LIMIT ?2";
static const char sql_outbox_list[] = OUTBOX_COLS
	" WHERE ?1 = 0 OR (sent IS NULL AND failed IS NULL) ORDER BY id";
static const char sql_outbox_sent[] =
	"UPDATE outbox SET sent = ?2, attempts = attempts + 1 WHERE id = ?1";
static const char sql_outbox_retry[] =
	"UPDATE outbox SET attempts = attempts + 1, next_attempt = ?3,"
	" last_error = ?4, failed = CASE WHEN ?5 THEN ?2 ELSE failed END"
	" WHERE id = ?1";
static const char sql_outbox_state[] =
	"SELECT sent IS NOT NULL, failed IS NOT NULL FROM outbox WHERE id = ?1";
static const char sql_outbox_due_now[] =
	"UPDATE outbox SET next_attempt = ?2, failed = NULL, attempts = 0"
	" WHERE sent IS NULL AND (?1 = 0 OR id = ?1)";
static const char sql_outbox_purge[] =
	"DELETE FROM outbox WHERE (?1 = 0 OR id = ?1) AND CASE"
	" WHEN sent IS NOT NULL THEN sent < ?2"
	" ELSE ?3 AND created < ?2 END";

/* imip_store_journal_add - append one decision to the audit trail */
int
imip_store_journal_add(struct imip_store *st,
    const struct imip_journal_rec *j, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = store_stmt(st, STMT_JOURNAL_ADD, sql_journal_add, &s,
	    err)) < 0)
		goto out;
	if (sqlite3_bind_int64(s, 1, j->at) != SQLITE_OK ||
	    store_bind_text(s, 2, j->queue_id) != SQLITE_OK ||
	    store_bind_text(s, 3, j->calendar) != SQLITE_OK ||
	    store_bind_text(s, 4, j->uid) != SQLITE_OK ||
	    store_bind_text(s, 5, j->method) != SQLITE_OK ||
	    store_bind_text(s, 6, j->sender) != SQLITE_OK ||
	    store_bind_text(s, 7, j->decision) != SQLITE_OK ||
	    store_bind_text(s, 8, j->reason) != SQLITE_OK ||
	    store_bind_text(s, 9, j->trust) != SQLITE_OK) {
		rc = store_bind_failed(st, "journal add", err);
		goto out;
	}
	rc = store_exec_done(st, s, "journal add", err);
out:
	store_done(s);
	return rc;
}

/*
 * imip_store_outbox_add - queue a message; it is due at o->next_attempt,
 * or at o->created when that is 0.  *id_out (if not NULL) gets its id.
 */
int
imip_store_outbox_add(struct imip_store *st,
    const struct imip_outbox_rec *o, int64_t *id_out, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int64_t next;
	int rc;

	next = o->next_attempt != 0 ? o->next_attempt : o->created;
	if ((rc = store_stmt(st, STMT_OUTBOX_ADD, sql_outbox_add, &s,
	    err)) < 0)
		goto out;
	if (sqlite3_bind_int64(s, 1, o->created) != SQLITE_OK ||
	    store_bind_text(s, 2, o->env_from) != SQLITE_OK ||
	    store_bind_text(s, 3, o->env_to) != SQLITE_OK ||
	    store_bind_text(s, 4, o->message) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, next) != SQLITE_OK ||
	    store_bind_text(s, 6, o->message_id) != SQLITE_OK ||
	    store_bind_text(s, 7, o->in_reply_to) != SQLITE_OK) {
		rc = store_bind_failed(st, "outbox add", err);
		goto out;
	}
	if ((rc = store_exec_done(st, s, "outbox add", err)) < 0)
		goto out;
	if (id_out != NULL)
		*id_out = sqlite3_last_insert_rowid(store_db(st));
out:
	store_done(s);
	return rc;
}

/*
 * imip_store_outbox_recent - how many messages to env_to were queued at
 * or after since (sent or not): the reply rate limit's count
 */
int
imip_store_outbox_recent(struct imip_store *st, const char *env_to,
    int64_t since, int64_t *n, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*n = 0;
	if ((rc = store_stmt(st, STMT_OUTBOX_RECENT, sql_outbox_recent, &s,
	    err)) < 0)
		return rc;
	if (store_bind_text(s, 1, env_to) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, since) != SQLITE_OK)
		rc = store_bind_failed(st, "outbox count", err);
	else if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*n = sqlite3_column_int64(s, 0);
		rc = IMIP_OK;
	} else
		rc = store_fail(st, rc, "outbox count", err);
	store_done(s);
	return rc;
}

/* Call cb for each row s (an OUTBOX_COLS query) yields. */
static int
outbox_rows(struct imip_store *st, sqlite3_stmt *s, imip_outbox_cb cb,
    void *arg, struct imip_err *err)
{
	struct imip_outbox_rec o;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		o.id = sqlite3_column_int64(s, 0);
		o.created = sqlite3_column_int64(s, 1);
		o.env_from = store_col_text(s, 2);
		o.env_to = store_col_text(s, 3);
		o.message = store_col_text(s, 4);
		o.attempts = sqlite3_column_int(s, 5);
		o.next_attempt = sqlite3_column_int64(s, 6);
		o.last_error = store_col_text(s, 7);
		o.sent = sqlite3_column_int64(s, 8);
		o.failed = sqlite3_column_int64(s, 9);
		if ((rc = cb(&o, arg)) != 0)
			return rc;
	}
	return rc == SQLITE_DONE ? IMIP_OK : store_fail(st, rc, "outbox", err);
}

/*
 * imip_store_outbox_due - call cb, oldest first, for at most limit
 * (<= 0: all) unsent, not failed messages due at now
 */
int
imip_store_outbox_due(struct imip_store *st, int64_t now, int limit,
    imip_outbox_cb cb, void *arg, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = store_stmt(st, STMT_OUTBOX_DUE, sql_outbox_due, &s,
	    err)) < 0)
		goto out;
	if (sqlite3_bind_int64(s, 1, now) != SQLITE_OK ||
	    sqlite3_bind_int(s, 2, limit > 0 ? limit : -1) != SQLITE_OK) {
		rc = store_bind_failed(st, "outbox due", err);
		goto out;
	}
	rc = outbox_rows(st, s, cb, arg, err);
out:
	store_done(s);
	return rc;
}

/*
 * imip_store_outbox_foreach - call cb, oldest first, for every message or
 * only those neither sent nor failed
 */
int
imip_store_outbox_foreach(struct imip_store *st, bool pending_only,
    imip_outbox_cb cb, void *arg, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = store_stmt(st, STMT_OUTBOX_LIST, sql_outbox_list, &s,
	    err)) < 0)
		goto out;
	if (sqlite3_bind_int(s, 1, pending_only) != SQLITE_OK) {
		rc = store_bind_failed(st, "outbox list", err);
		goto out;
	}
	rc = outbox_rows(st, s, cb, arg, err);
out:
	store_done(s);
	return rc;
}

/* Step an UPDATE of one outbox row; IMIP_ENOTFOUND if there is none. */
static int
outbox_update(struct imip_store *st, sqlite3_stmt *s, int64_t id,
    const char *what, struct imip_err *err)
{
	int rc;

	if ((rc = store_exec_done(st, s, what, err)) < 0)
		return rc;
	if (sqlite3_changes(store_db(st)) == 0)
		return imip_err_set(err, IMIP_ENOTFOUND,
		    "%s: no outbox row %lld", what, (long long)id);
	return IMIP_OK;
}

/* imip_store_outbox_mark_sent - the MTA took message id at now */
int
imip_store_outbox_mark_sent(struct imip_store *st, int64_t id, int64_t now,
    struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = store_stmt(st, STMT_OUTBOX_SENT, sql_outbox_sent, &s,
	    err)) < 0)
		goto out;
	if (sqlite3_bind_int64(s, 1, id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, now) != SQLITE_OK) {
		rc = store_bind_failed(st, "outbox sent", err);
		goto out;
	}
	rc = outbox_update(st, s, id, "outbox sent", err);
out:
	store_done(s);
	return rc;
}

/*
 * imip_store_outbox_mark_retry - count a failed attempt at now, note the
 * error, and try again at next_attempt or (give_up) mark it failed at now
 */
int
imip_store_outbox_mark_retry(struct imip_store *st, int64_t id, int64_t now,
    int64_t next_attempt, bool give_up, const char *error,
    struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = store_stmt(st, STMT_OUTBOX_RETRY, sql_outbox_retry, &s,
	    err)) < 0)
		goto out;
	if (sqlite3_bind_int64(s, 1, id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, now) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, next_attempt) != SQLITE_OK ||
	    store_bind_text(s, 4, error) != SQLITE_OK ||
	    sqlite3_bind_int(s, 5, give_up) != SQLITE_OK) {
		rc = store_bind_failed(st, "outbox retry", err);
		goto out;
	}
	rc = outbox_update(st, s, id, "outbox retry", err);
out:
	store_done(s);
	return rc;
}

/*
 * imip_store_outbox_state - whether message id is waiting, failed (given
 * up) or sent; IMIP_ENOTFOUND if there is none
 */
int
imip_store_outbox_state(struct imip_store *st, int64_t id,
    enum imip_outbox_state *out, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*out = IMIP_OUTBOX_WAITING;
	if ((rc = store_stmt(st, STMT_OUTBOX_STATE, sql_outbox_state, &s,
	    err)) < 0)
		return rc;
	if (sqlite3_bind_int64(s, 1, id) != SQLITE_OK)
		rc = store_bind_failed(st, "outbox state", err);
	else if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sqlite3_column_int(s, 0))
			*out = IMIP_OUTBOX_SENT;
		else if (sqlite3_column_int(s, 1))
			*out = IMIP_OUTBOX_FAILED;
		rc = IMIP_OK;
	} else if (rc == SQLITE_DONE)
		rc = imip_err_set(err, IMIP_ENOTFOUND, "no outbox message %lld",
		    (long long)id);
	else
		rc = store_fail(st, rc, "outbox state", err);
	store_done(s);
	return rc;
}

/*
 * imip_store_outbox_due_now - make message id (0: every one) that is not
 * sent due at now, failed or not, with a fresh count of attempts; *n gets
 * how many
 */
int
imip_store_outbox_due_now(struct imip_store *st, int64_t id, int64_t now,
    int64_t *n, struct imip_err *err)
{
	int64_t v[2] = { id, now };
	int rc;

	*n = 0;
	rc = store_update_ints(st, STMT_OUTBOX_DUE_NOW, sql_outbox_due_now, v,
	    2, "outbox retry", err);
	if (rc == IMIP_OK)
		*n = sqlite3_changes(store_db(st));
	return rc;
}

/*
 * imip_store_outbox_purge - delete message id (0: any) if it was sent
 * before before, or with unsent also if it is not sent and was created
 * before before; *n gets how many
 */
int
imip_store_outbox_purge(struct imip_store *st, int64_t id, int64_t before,
    bool unsent, int64_t *n, struct imip_err *err)
{
	int64_t v[3] = { id, before, unsent };
	int rc;

	*n = 0;
	rc = store_update_ints(st, STMT_OUTBOX_PURGE, sql_outbox_purge, v, 3,
	    "outbox purge", err);
	if (rc == IMIP_OK)
		*n = sqlite3_changes(store_db(st));
	return rc;
}
