/*
 * dbfixture.h - a fresh SQLite store in its own temporary directory.
 *
 * Shared by the unit tests that need real rows (schedule, msg, outbox):
 * setup makes a mkdtemp directory, opens imip.db with IMIP_STORE_CREATE and
 * adds the calendars; teardown closes and removes everything.  Rows are
 * counted through a separate raw sqlite3 handle, so the checks never go
 * through the code under test.  Header-only (static inline) on purpose:
 * tests/meson.build builds one .c file per test.
 */
#ifndef IMIP_TEST_DBFIXTURE_H
#define IMIP_TEST_DBFIXTURE_H

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "conf.h"
#include "err.h"
#include "store.h"

struct dbfx {
	char			 dir[256];
	char			 path[320];
	struct imip_store	*st;
	struct imip_conf	*conf;
	char			*str;		/* the last dbfx_str */
};

/* dbfx_new - temp dir, fresh database (busy timeout busy_ms), defaults */
static inline struct dbfx *
dbfx_new(const char *name, int busy_ms)
{
	const char *tmp = getenv("TMPDIR");
	struct imip_err err = { 0 };
	struct dbfx *fx;

	fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "%s/%s.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp", name);
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof(fx->path), "%s/imip.db", fx->dir);
	if (imip_store_open(&fx->st, fx->path, IMIP_STORE_CREATE, busy_ms,
	    &err) != IMIP_OK)
		fail_msg("imip_store_open: %s", err.msg);
	if (imip_conf_defaults(&fx->conf, &err) != IMIP_OK)
		fail_msg("imip_conf_defaults: %s", err.msg);
	return fx;
}

/* dbfx_free - close the store, free the conf, remove the directory */
static inline void
dbfx_free(struct dbfx *fx)
{
	struct dirent *de;
	char p[600];
	DIR *d;

	if (fx == NULL)
		return;
	imip_store_close(fx->st);
	imip_conf_free(fx->conf);
	free(fx->str);
	if ((d = opendir(fx->dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", fx->dir, de->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(fx->dir);
	free(fx);
}

/* dbfx_calendar - add a calendar and return it (caller frees) */
static inline struct imip_calendar *
dbfx_calendar(struct dbfx *fx, const char *addr, enum imip_cal_kind kind,
    const char *name, const char *tz)
{
	struct imip_calendar *cal = NULL;
	struct imip_err err = { 0 };

	if (imip_store_calendar_add(fx->st, addr, kind, name, tz, 1700000000,
	    &err) != IMIP_OK)
		fail_msg("calendar add %s: %s", addr, err.msg);
	if (imip_store_calendar_find(fx->st, addr, &cal, &err) != IMIP_OK)
		fail_msg("calendar find %s: %s", addr, err.msg);
	return cal;
}

/* dbfx_path - a file name inside the fixture directory */
static inline void
dbfx_path(const struct dbfx *fx, char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", fx->dir, name);
}

/* dbfx_int - the first column of the first row of sql, read raw */
static inline int64_t
dbfx_int(const struct dbfx *fx, const char *sql)
{
	sqlite3_stmt *s = NULL;
	sqlite3 *db = NULL;
	int64_t v;

	assert_int_equal(sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* dbfx_text - the first column of the first row of sql (caller frees) */
static inline char *
dbfx_text(const struct dbfx *fx, const char *sql)
{
	sqlite3_stmt *s = NULL;
	sqlite3 *db = NULL;
	const unsigned char *t;
	char *v = NULL;

	assert_int_equal(sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW &&
	    (t = sqlite3_column_text(s, 0)) != NULL)
		v = strdup((const char *)t);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/*
 * dbfx_str - dbfx_text, borrowed: valid until the next dbfx_str or
 * dbfx_free, so it can go straight into assert_string_equal
 */
static inline const char *
dbfx_str(struct dbfx *fx, const char *sql)
{
	free(fx->str);
	fx->str = dbfx_text(fx, sql);
	return fx->str;
}

/* dbfx_exec - run sql on a raw handle (triggers, direct inserts) */
static inline void
dbfx_exec(const struct dbfx *fx, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg != NULL ? msg : "?");
	sqlite3_free(msg);
	sqlite3_close(db);
}

/* dbfx_rows - rows in one table */
static inline int64_t
dbfx_rows(const struct dbfx *fx, const char *table)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	return dbfx_int(fx, sql);
}

/* dbfx_assert_rows - the rows of event, busy, journal and outbox */
static inline void
dbfx_assert_rows(const struct dbfx *fx, int64_t event, int64_t busy,
    int64_t journal, int64_t outbox)
{
	int64_t got[4] = { dbfx_rows(fx, "event"), dbfx_rows(fx, "busy"),
	    dbfx_rows(fx, "journal"), dbfx_rows(fx, "outbox") };
	int64_t want[4] = { event, busy, journal, outbox };

	if (memcmp(got, want, sizeof(got)) != 0)
		fail_msg("rows event/busy/journal/outbox: got %lld/%lld/%lld/"
		    "%lld, want %lld/%lld/%lld/%lld", (long long)got[0],
		    (long long)got[1], (long long)got[2], (long long)got[3],
		    (long long)want[0], (long long)want[1],
		    (long long)want[2], (long long)want[3]);
}

/* dbfx_locker - a second store handle holding BEGIN IMMEDIATE */
static inline struct imip_store *
dbfx_locker(const struct dbfx *fx)
{
	struct imip_store *st = NULL;
	struct imip_err err = { 0 };

	if (imip_store_open(&st, fx->path, 0, 0, &err) != IMIP_OK)
		fail_msg("second handle: %s", err.msg);
	if (imip_store_begin(st, &err) != IMIP_OK)
		fail_msg("second handle begin: %s", err.msg);
	return st;
}

/* dbfx_unlock - roll back and close a dbfx_locker handle */
static inline void
dbfx_unlock(struct imip_store *st)
{
	imip_store_rollback(st);
	imip_store_close(st);
}

#endif
