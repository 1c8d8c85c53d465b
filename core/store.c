/*
 * store.c - the SQLite handle: open, schema migrations, transactions,
 * and the prepared-statement cache the other store files share.
 *
 * Calendars live in store_calendar.c, events and busy time in
 * store_event.c, journal and outbox in store_outbox.c.  Nothing here
 * reads the clock: times come in as arguments.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "schema.h"
#include "store_int.h"

struct imip_store {
	sqlite3		*db;
	int		 version;		/* PRAGMA user_version */
	int		 busy_ms;		/* sqlite3_busy_timeout */
	sqlite3_stmt	*stmt[STMT_COUNT];	/* prepared lazily */
	uint64_t	 busy_writes;		/* busy rows changed so far */
	char		*path;			/* as opened */
	bool		 writer;		/* holds writer_lock */
};

/*
 * One write transaction at a time per process, waiting in line on a
 * mutex.  SQLite's busy handler would make a waiting writer sleep 1, 2,
 * 5 ... 100 ms between tries, so under load one connection wins again
 * and again while another waits for hundreds of milliseconds.  Other
 * processes (imipctl) still meet the busy handler.  Error-checking, so a
 * thread that begins while inside already does not wait for itself.
 */
static pthread_mutex_t writer_lock = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;

/* Let the next writer of this process in, if st is the one inside. */
static void
writer_release(struct imip_store *st)
{
	if (!st->writer)
		return;
	st->writer = false;
	pthread_mutex_unlock(&writer_lock);
}

/* store_busy_done - store_exec_done for a write to busy rows, counted */
int
store_busy_done(struct imip_store *st, sqlite3_stmt *stmt, const char *what,
    struct imip_err *err)
{
	int rc = store_exec_done(st, stmt, what, err);

	if (rc == IMIP_OK && sqlite3_changes(st->db) > 0)
		st->busy_writes++;
	return rc;
}

/* imip_store_busy_writes - how often busy rows changed through st */
uint64_t
imip_store_busy_writes(const struct imip_store *st)
{
	return st->busy_writes;
}

/* store_db - the connection behind st (borrowed) */
sqlite3 *
store_db(struct imip_store *st)
{
	return st->db;
}

/* store_busy_ms - how long st waits for a lock, in milliseconds */
int
store_busy_ms(struct imip_store *st)
{
	return st->busy_ms;
}

/* store_fail - an IMIP code and message for SQLite result rc */
int
store_fail(struct imip_store *st, int rc, const char *what,
    struct imip_err *err)
{
	return store_fail_db(st->db, rc, what, err);
}

/* store_fail_db - the same for any connection db (may be NULL) */
int
store_fail_db(sqlite3 *db, int rc, const char *what, struct imip_err *err)
{
	const char *msg;

	msg = db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		/* the busy timeout has already run out */
		return imip_err_set(err, IMIP_EBUSY, "%s: database busy: %s",
		    what, msg);
	case SQLITE_NOMEM:
		return imip_err_set(err, IMIP_ENOMEM, "%s: %s", what, msg);
	default:
		return imip_err_set(err, IMIP_ERR, "%s: %s", what, msg);
	}
}

/* store_bind_failed - the error of a failed sqlite3_bind_* */
int
store_bind_failed(struct imip_store *st, const char *what,
    struct imip_err *err)
{
	return store_fail(st, sqlite3_errcode(st->db), what, err);
}

/* store_stmt - the cached statement id, prepared on first use */
int
store_stmt(struct imip_store *st, enum store_stmt_id id, const char *sql,
    sqlite3_stmt **out, struct imip_err *err)
{
	int rc;

	assert(id >= 0 && id < STMT_COUNT);
	*out = NULL;
	if (st->stmt[id] == NULL) {
		rc = sqlite3_prepare_v3(st->db, sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[id], NULL);
		if (rc != SQLITE_OK)
			return store_fail(st, rc, "prepare", err);
	}
	/* A callback re-entering the query that called it is a bug. */
	assert(!sqlite3_stmt_busy(st->stmt[id]));
	*out = st->stmt[id];
	return IMIP_OK;
}

/* store_done - reset s and clear its bindings; NULL-safe */
void
store_done(sqlite3_stmt *s)
{
	if (s == NULL)
		return;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* store_bind_text - bind s, or SQL NULL for NULL */
int
store_bind_text(sqlite3_stmt *stmt, int idx, const char *s)
{
	/* SQLITE_STATIC: every caller clears the bindings before returning */
	if (s == NULL)
		return sqlite3_bind_null(stmt, idx);
	return sqlite3_bind_text(stmt, idx, s, -1, SQLITE_STATIC);
}

/* store_exec_done - step a write statement through, then reset it */
int
store_exec_done(struct imip_store *st, sqlite3_stmt *stmt, const char *what,
    struct imip_err *err)
{
	int rc;

	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		rc = IMIP_OK;
	else
		rc = store_fail(st, rc, what, err);
	store_done(stmt);
	return rc;
}

/* store_col_text - column col as borrowed text, NULL for SQL NULL */
const char *
store_col_text(sqlite3_stmt *stmt, int col)
{
	return (const char *)sqlite3_column_text(stmt, col);
}

/* store_col_dup - column col copied into *out, NULL for SQL NULL */
int
store_col_dup(char **out, sqlite3_stmt *stmt, int col, struct imip_err *err)
{
	const char *s = store_col_text(stmt, col);

	*out = NULL;
	if (s == NULL)
		return IMIP_OK;
	if ((*out = strdup(s)) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "column copy");
	return IMIP_OK;
}

/* Run sql once without caching it (pragmas and migrations). */
static int
store_exec(struct imip_store *st, const char *sql, const char *what,
    struct imip_err *err)
{
	int rc;

	rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, what, err);
	return IMIP_OK;
}

/* Run a pragma that answers one row; copy its first column into buf. */
static int
store_pragma(struct imip_store *st, const char *sql, char *buf, size_t len,
    const char *what, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	const char *v;
	int rc;

	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		rc = store_fail(st, rc, what, err);
		goto out;
	}
	v = store_col_text(s, 0);
	snprintf(buf, len, "%s", v != NULL ? v : "");
	rc = IMIP_OK;
out:
	sqlite3_finalize(s);
	return rc;
}

/* Read PRAGMA user_version into *out. */
static int
schema_version(struct imip_store *st, int *out, const char *what,
    struct imip_err *err)
{
	char buf[24];
	int rc;

	*out = 0;
	rc = store_pragma(st, "PRAGMA user_version", buf, sizeof(buf), what,
	    err);
	if (rc == IMIP_OK)
		*out = atoi(buf);
	return rc;
}

/* Refuse a schema this program does not know. */
static int
schema_newer(int v, struct imip_err *err)
{
	if (v <= imip_schema_count)
		return IMIP_OK;
	return imip_err_set(err, IMIP_ECONFIG,
	    "database schema %d is newer than this program (%d)", v,
	    imip_schema_count);
}

/*
 * WAL lets readers go on while one connection writes.  The mode is stored
 * in the file, so it is set once, when the schema is first created; doing
 * it before the migration transaction means a crash in between is repaired
 * by the next open, which still sees user_version 0.
 */
static int
schema_wal(struct imip_store *st, const char *path, struct imip_err *err)
{
	char mode[16];
	int rc;

	rc = store_pragma(st, "PRAGMA journal_mode=WAL", mode, sizeof(mode),
	    path, err);
	if (rc == IMIP_OK && strcmp(mode, "wal") != 0)
		imip_log_warn("%s: journal_mode is %s, not wal", path, mode);
	return rc;
}

/* Apply the migrations this file lacks, in one BEGIN IMMEDIATE. */
static int
schema_migrate(struct imip_store *st, int v, const char *path,
    struct imip_err *err)
{
	char what[64], sql[48];
	int rc;

	if (v == 0 && (rc = schema_wal(st, path, err)) < 0)
		goto out;
	if ((rc = store_exec(st, "BEGIN IMMEDIATE", path, err)) < 0)
		goto out;
	/* Another process may have migrated while we waited for the lock. */
	if ((rc = schema_version(st, &v, path, err)) < 0 ||
	    (rc = schema_newer(v, err)) < 0)
		goto out;
	for (; v < imip_schema_count; v++) {
		snprintf(what, sizeof(what), "%s: migration %03d", path,
		    v + 1);
		rc = store_exec(st, imip_schema_migrations[v], what, err);
		if (rc < 0)
			goto out;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    imip_schema_count);
	if ((rc = store_exec(st, sql, path, err)) < 0 ||
	    (rc = store_exec(st, "COMMIT", path, err)) < 0)
		goto out;
	st->version = imip_schema_count;
out:
	if (rc < 0)
		imip_store_rollback(st);	/* no-op if none is open */
	return rc;
}

/* Check the schema version; migrate unless the handle is read-only. */
static int
schema_init(struct imip_store *st, int flags, const char *path,
    struct imip_err *err)
{
	int rc, v;

	if ((rc = schema_version(st, &v, path, err)) < 0 ||
	    (rc = schema_newer(v, err)) < 0)
		return rc;
	st->version = v;
	if (v == imip_schema_count)
		return IMIP_OK;
	if (flags & IMIP_STORE_READONLY)
		return imip_err_set(err, IMIP_ECONFIG,
		    "%s: database schema %d is older than this program (%d);"
		    " open it read-write once to migrate", path, v,
		    imip_schema_count);
	return schema_migrate(st, v, path, err);
}

/* Open flags for sqlite3_open_v2 from ours. */
static int
open_flags(int flags)
{
	int oflags = SQLITE_OPEN_NOMUTEX;

	if (flags & IMIP_STORE_READONLY)
		return oflags | SQLITE_OPEN_READONLY;
	oflags |= SQLITE_OPEN_READWRITE;
	if (flags & IMIP_STORE_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	return oflags;
}

/* imip_store_open - open (and create or migrate) the database at path */
int
imip_store_open(struct imip_store **out, const char *path, int flags,
    int busy_ms, struct imip_err *err)
{
	struct imip_store *st = NULL;
	int rc;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		rc = imip_err_set(err, IMIP_ENOMEM, "store");
		goto out;
	}
	if ((st->path = strdup(path)) == NULL) {
		rc = imip_err_set(err, IMIP_ENOMEM, "store");
		goto out;
	}
	rc = sqlite3_open_v2(path, &st->db, open_flags(flags), NULL);
	if (rc != SQLITE_OK) {
		rc = store_fail(st, rc, path, err);
		goto out;
	}
	sqlite3_busy_timeout(st->db, busy_ms);
	st->busy_ms = busy_ms;
	/*
	 * synchronous=FULL: in WAL mode NORMAL survives a process crash but
	 * may lose the last commits on power failure, and a decision (with
	 * the reply it owes in the outbox) is committed before the MTA is
	 * told to go on, so it must survive both.
	 */
	if ((rc = store_exec(st, "PRAGMA foreign_keys=ON", path, err)) < 0 ||
	    (rc = store_exec(st, "PRAGMA synchronous=FULL", path, err)) < 0 ||
	    (rc = schema_init(st, flags, path, err)) < 0)
		goto out;
	*out = st;
	st = NULL;
	rc = IMIP_OK;
out:
	imip_store_close(st);
	return rc;
}

/* imip_store_close - finalize every cached statement and close; NULL-safe */
void
imip_store_close(struct imip_store *st)
{
	if (st == NULL)
		return;
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);		/* rolls back an open one */
	writer_release(st);
	free(st->path);
	free(st);
}

/* imip_store_opened_as - was st opened on path with busy_ms? */
bool
imip_store_opened_as(const struct imip_store *st, const char *path,
    int busy_ms)
{
	return st->busy_ms == busy_ms && strcmp(st->path, path) == 0;
}

/* imip_store_version - the schema version of the open database */
int
imip_store_version(struct imip_store *st)
{
	return st->version;
}

/* imip_store_begin - BEGIN IMMEDIATE: take the write lock now or EBUSY */
int
imip_store_begin(struct imip_store *st, struct imip_err *err)
{
	sqlite3_stmt *s;
	bool took;
	int rc;

	if ((rc = store_stmt(st, STMT_BEGIN, "BEGIN IMMEDIATE", &s, err)) < 0)
		return rc;
	/*
	 * This thread inside already (through another handle, or a second
	 * BEGIN on this one): SQLite alone decides, and says busy once the
	 * timeout ran out, or that a transaction is open.
	 */
	rc = pthread_mutex_lock(&writer_lock);
	if (rc != 0 && rc != EDEADLK)
		return imip_err_set(err, IMIP_ERR, "begin: %s", strerror(rc));
	if ((took = rc == 0))
		st->writer = true;
	if ((rc = store_exec_done(st, s, "begin", err)) < 0 && took)
		writer_release(st);
	return rc;
}

/*
 * imip_store_commit - COMMIT; on failure the transaction is still open and
 * the caller rolls it back
 */
int
imip_store_commit(struct imip_store *st, struct imip_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = store_stmt(st, STMT_COMMIT, "COMMIT", &s, err)) < 0)
		return rc;
	if ((rc = store_exec_done(st, s, "commit", err)) == IMIP_OK)
		writer_release(st);
	return rc;
}

/* imip_store_rollback - ROLLBACK if a transaction is open; never fails */
void
imip_store_rollback(struct imip_store *st)
{
	if (st == NULL)
		return;
	/* SQLite may have rolled back by itself (SQLITE_FULL, ...). */
	if (st->db != NULL && !sqlite3_get_autocommit(st->db) &&
	    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
		imip_log_debug("rollback: %s", sqlite3_errmsg(st->db));
	writer_release(st);
}

/* Bind the int64 values v[0..n) to s from index 1; an SQLite code. */
static int
bind_ints(sqlite3_stmt *s, const int64_t *v, int n)
{
	int rc = SQLITE_OK;

	for (int i = 0; i < n && rc == SQLITE_OK; i++)
		rc = sqlite3_bind_int64(s, i + 1, (sqlite3_int64)v[i]);
	return rc;
}

/* store_update_ints - run the cached statement id with n integers */
int
store_update_ints(struct imip_store *st, enum store_stmt_id id,
    const char *sql, const int64_t *v, int n, const char *what,
    struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = store_stmt(st, id, sql, &s, err)) < 0)
		return rc;
	if (bind_ints(s, v, n) != SQLITE_OK)
		rc = store_bind_failed(st, what, err);
	else
		rc = store_exec_done(st, s, what, err);
	store_done(s);
	return rc;
}
