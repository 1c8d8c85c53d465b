/*
 * store_int.h - what the store's files (store.c, store_*.c) share.
 *
 * Not part of the core API: only the store's own files, its unit test and
 * the store benchmark (tests/bench/store_scale.c) include this.  The
 * handle caches one prepared statement per query id.
 */
#ifndef IMIP_STORE_INT_H
#define IMIP_STORE_INT_H

#include <stdint.h>

#include <sqlite3.h>

#include "store.h"

/* One slot in the statement cache per query the store runs. */
enum store_stmt_id {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_CAL_ADD,
	STMT_CAL_FIND,
	STMT_CAL_MANAGED,
	STMT_CAL_LIST,
	STMT_CAL_FUTURE,
	STMT_CAL_REMOVE,
	STMT_CAL_RENAME,
	STMT_EVENT_FIND,
	STMT_EVENT_PUT,
	STMT_SPAN_RAISE,
	STMT_BUSY_ADD,
	STMT_BUSY_CLEAR,
	STMT_BUSY_CLEAR_FROM,
	STMT_BUSY_OVERLAP,
	STMT_EVENT_VERSION,
	STMT_EVENT_EXPANDED,
	STMT_SERIES_DUE,
	STMT_INSTANCE_CANCEL,
	STMT_INSTANCE_CANCELLED,
	STMT_INSTANCES_FORGET,
	STMT_JOURNAL_ADD,
	STMT_OUTBOX_ADD,
	STMT_OUTBOX_RECENT,
	STMT_OUTBOX_DUE,
	STMT_OUTBOX_LIST,
	STMT_OUTBOX_SENT,
	STMT_OUTBOX_RETRY,
	STMT_OUTBOX_STATE,
	STMT_OUTBOX_DUE_NOW,
	STMT_OUTBOX_PURGE,
	STMT_APPROVAL_SUPERSEDE,
	STMT_APPROVAL_ADD,
	STMT_APPROVAL_FIND,
	STMT_APPROVAL_DECIDE,
	STMT_EVENT_PARTSTAT,
	STMT_BUSY_FBTYPE,
	STMT_EVENT_LIST,
	STMT_JOURNAL_QUERY,
	STMT_REPLY_PUT,
	STMT_COUNTER_PUT,
	STMT_COUNTER_CLOSE,
	STMT_OUTBOX_SEEN,
	STMT_OUTBOX_KNOWN,
	STMT_OUTBOX_ANSWERED,
	STMT_OUTBOX_HANDOVER,
	STMT_COUNT
};

/* The overlap query, shared with the unit test's EXPLAIN QUERY PLAN check. */
extern const char store_sql_busy_overlap[];

/* store_db - the connection behind st (borrowed; for the unit test) */
sqlite3	*store_db(struct imip_store *st);

/*
 * store_stmt - the cached statement id, prepared from sql on first use
 * (borrowed: hand it back with store_done).
 */
int	store_stmt(struct imip_store *st, enum store_stmt_id id,
	    const char *sql, sqlite3_stmt **out, struct imip_err *err);

/* store_done - reset s and clear its bindings; NULL is a no-op */
void	store_done(sqlite3_stmt *s);

/* store_fail - map the SQLite result rc to an IMIP code with a message */
int	store_fail(struct imip_store *st, int rc, const char *what,
	    struct imip_err *err);

/* store_fail_db - store_fail for a connection of its own (backup copy) */
int	store_fail_db(sqlite3 *db, int rc, const char *what,
	    struct imip_err *err);

/* store_busy_ms - the busy timeout st was opened with */
int	store_busy_ms(struct imip_store *st);

/* store_bind_text - bind s, or SQL NULL when s is NULL */
int	store_bind_text(sqlite3_stmt *stmt, int idx, const char *s);

/* store_exec_done - step a write statement to completion, then reset it */
int	store_exec_done(struct imip_store *st, sqlite3_stmt *stmt,
	    const char *what, struct imip_err *err);

/* store_busy_done - store_exec_done for busy rows: counts a change */
int	store_busy_done(struct imip_store *st, sqlite3_stmt *stmt,
	    const char *what, struct imip_err *err);

/* store_update_ints - run cached statement id binding v[0..n) from ?1 */
int	store_update_ints(struct imip_store *st, enum store_stmt_id id,
	    const char *sql, const int64_t *v, int n, const char *what,
	    struct imip_err *err);

/* store_bind_failed - the error of a failed sqlite3_bind_* on st */
int	store_bind_failed(struct imip_store *st, const char *what,
	    struct imip_err *err);

/* store_col_text - column col as text (borrowed), NULL for SQL NULL */
const char *store_col_text(sqlite3_stmt *stmt, int col);

/* store_col_dup - column col copied into *out (NULL for SQL NULL) */
int	store_col_dup(char **out, sqlite3_stmt *stmt, int col,
	    struct imip_err *err);

#endif
