/*
 * store_fx.h - the fixture of the test_store*.c files: a fresh database
 * from dbfixture.h with room-a@example.org, a constant clock, raw reads on
 * a separate connection, a booking helper and outbox helpers.  Header-only
 * (static inline) because tests/meson.build builds one .c file per test.
 */
#ifndef IMIP_TEST_STORE_FX_H
#define IMIP_TEST_STORE_FX_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "dbfixture.h"
#include "store.h"

#define T0	((int64_t)1717200000)	/* 2024-06-01 00:00:00 UTC */
#define MIN	((int64_t)60)
#define HOUR	((int64_t)3600)
#define DAY	((int64_t)86400)

/*
 * While a test runs it owns the store handle as fx->st (it may close and
 * reopen it); teardown hands it back to fx->db, which closes it.
 */
struct fx {
	struct dbfx		*db;
	struct imip_store	*st;
	const char		*dir;
	const char		*path;
	int64_t			 cal;	/* room-a@example.org */
};

/* A fresh database (busy timeout 1000 ms) holding room-a@example.org. */
static inline int
setup(void **state)
{
	struct imip_calendar *cal = NULL;
	struct fx *fx;

	fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	fx->db = dbfx_new("test_store", 1000);
	cal = dbfx_calendar(fx->db, "room-a@example.org", IMIP_CAL_RESOURCE,
	    "Room A", "Europe/Berlin");
	fx->cal = cal->id;
	imip_calendar_free(cal);
	fx->st = fx->db->st;
	fx->db->st = NULL;
	fx->dir = fx->db->dir;
	fx->path = fx->db->path;
	*state = fx;
	return 0;
}

static inline int
teardown(void **state)
{
	struct fx *fx = *state;

	fx->db->st = fx->st;
	dbfx_free(fx->db);
	free(fx);
	return 0;
}

/* Run one pragma on a separate connection; its first column as int. */
static inline int
raw_int(const char *path, const char *sql)
{
	sqlite3_stmt *s = NULL;
	sqlite3 *db = NULL;
	int v;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* Store an event uid on calendar cal, busy over [start, end). */
static inline int64_t
book(struct fx *fx, int64_t cal, const char *uid, int64_t start,
    int64_t end)
{
	struct imip_event_rec ev = { 0 };
	struct imip_err err = { 0 };

	ev.calendar_id = cal;
	ev.uid = (char *)uid;
	ev.summary = (char *)"meeting";
	ev.partstat = (char *)"ACCEPTED";
	assert_int_equal(imip_store_event_put(fx->st, &ev, T0, &err), IMIP_OK);
	assert_int_equal(imip_store_busy_set(fx->st, cal, ev.id, 0, start, end,
	    "BUSY", &err), IMIP_OK);
	return ev.id;
}

/* Append "id" for each outbox row, plus its state when not pending. */
static inline int
collect_outbox(const struct imip_outbox_rec *o, void *arg)
{
	char *buf = arg;
	size_t n = strlen(buf);

	snprintf(buf + n, 256 - n, "%s%lld%s", n > 0 ? " " : "",
	    (long long)o->id, o->sent ? ":sent" : o->failed ? ":failed" : "");
	return 0;
}

static inline const char *
due(struct fx *fx, int64_t now, int limit)
{
	static char buf[256];
	struct imip_err err = { 0 };

	buf[0] = '\0';
	assert_int_equal(imip_store_outbox_due(fx->st, now, limit,
	    collect_outbox, buf, &err), IMIP_OK);
	return buf;
}

static inline int64_t
queue(struct fx *fx, int64_t created, int64_t next)
{
	struct imip_outbox_rec o = { 0 };
	struct imip_err err = { 0 };
	int64_t id = 0;

	o.created = created;
	o.next_attempt = next;
	o.env_from = "room-a@example.org";
	o.env_to = "bob@example.org";
	o.message = "Subject: Accepted\n\nok\n";
	assert_int_equal(imip_store_outbox_add(fx->st, &o, &id, &err),
	    IMIP_OK);
	return id;
}

#endif
