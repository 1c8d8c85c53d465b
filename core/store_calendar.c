/*
 * store_calendar.c - the calendars imip-milter manages: add, find, list,
 * rename and remove them (their settings: store_settings.c).
 *
 * Removing a calendar removes what hangs off it through ON DELETE CASCADE
 * (events, busy time, approvals, replies, counter-proposals); the journal
 * names calendars by address and keeps its rows.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "addr.h"
#include "store_int.h"
#include "tz.h"

#define CAL_COLUMNS	"id, address, kind, name, tz, share_freebusy, " \
	"delivery = 'consume', booking = 'approval', delegates, capacity, " \
	"window_days, min_minutes, max_minutes, recurring, " \
	"IFNULL(conflict_max_instances, -1), " \
	"IFNULL(conflict_max_percent, -1), working_hours, allow, deny, " \
	"external, block_pending, accept_if_free, answer_refresh, " \
	"store_publish, publish_freebusy"

/* The columns of CAL_COLUMNS holding text policy values. */
enum { COL_DELEGATES = 8, COL_HOURS = 16, COL_ALLOW = 17, COL_DENY = 18 };

static const char sql_cal_add[] =
	"INSERT INTO calendar (address, kind, name, tz, created)"
	" VALUES (?1, ?2, ?3, IFNULL(?4, 'UTC'), ?5)";
static const char sql_cal_find[] =
	"SELECT " CAL_COLUMNS " FROM calendar WHERE address = ?1";
static const char sql_cal_managed[] =
	"SELECT 1 FROM calendar WHERE address = ?1";
static const char sql_cal_list[] =
	"SELECT " CAL_COLUMNS " FROM calendar ORDER BY address";
static const char sql_cal_future[] =
	"SELECT count(DISTINCT event_id) FROM busy"
	" WHERE calendar_id = ?1 AND end > ?2";
static const char sql_cal_remove[] =
	"DELETE FROM calendar WHERE id = ?1";
static const char sql_cal_rename[] =
	"UPDATE calendar SET address = ?2 WHERE id = ?1";

/* imip_cal_kind_name - "resource" or "person" */
const char *
imip_cal_kind_name(enum imip_cal_kind kind)
{
	return kind == IMIP_CAL_PERSON ? "person" : "resource";
}

/* imip_cal_kind_parse - the kind named name, or IMIP_EPARSE */
int
imip_cal_kind_parse(const char *name, enum imip_cal_kind *out)
{
	if (name != NULL && strcmp(name, "resource") == 0)
		*out = IMIP_CAL_RESOURCE;
	else if (name != NULL && strcmp(name, "person") == 0)
		*out = IMIP_CAL_PERSON;
	else
		return IMIP_EPARSE;
	return IMIP_OK;
}

/* Step an INSERT or UPDATE that writes address addr into the calendar. */
static int
address_step(struct imip_store *st, sqlite3_stmt *s, const char *addr,
    const char *what, struct imip_err *err)
{
	int rc;

	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return IMIP_OK;
	if (sqlite3_extended_errcode(store_db(st)) == SQLITE_CONSTRAINT_UNIQUE)
		return imip_err_set(err, IMIP_ERR, "calendar %s exists already",
		    addr);
	return store_fail(st, rc, what, err);
}

/* imip_store_calendar_add - manage address as a calendar of this kind */
int
imip_store_calendar_add(struct imip_store *st, const char *address,
    enum imip_cal_kind kind, const char *name, const char *tz, time_t now,
    struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	char *addr = NULL;
	int rc;

	if ((rc = imip_addr_norm(&addr, address, err)) < 0 ||
	    (rc = store_stmt(st, STMT_CAL_ADD, sql_cal_add, &s, err)) < 0)
		goto out;
	if (store_bind_text(s, 1, addr) != SQLITE_OK ||
	    store_bind_text(s, 2, imip_cal_kind_name(kind)) != SQLITE_OK ||
	    store_bind_text(s, 3, name) != SQLITE_OK ||
	    store_bind_text(s, 4, tz) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, (sqlite3_int64)now) != SQLITE_OK) {
		rc = store_bind_failed(st, "calendar add", err);
		goto out;
	}
	rc = address_step(st, s, addr, "calendar add", err);
out:
	store_done(s);
	free(addr);
	return rc;
}

/* The policy columns of the current row; text borrowed. */
static void
policy_view(struct imip_policy *p, sqlite3_stmt *s)
{
	p->approval = sqlite3_column_int(s, 7) != 0;
	p->delegates = (char *)store_col_text(s, COL_DELEGATES);
	p->capacity = sqlite3_column_int(s, 9);
	p->window_days = sqlite3_column_int(s, 10);
	p->min_minutes = sqlite3_column_int(s, 11);
	p->max_minutes = sqlite3_column_int(s, 12);
	p->recurring = sqlite3_column_int(s, 13) != 0;
	p->conflict_max_instances = sqlite3_column_int(s, 14);
	p->conflict_max_percent = sqlite3_column_int(s, 15);
	p->working_hours = (char *)store_col_text(s, COL_HOURS);
	p->allow = (char *)store_col_text(s, COL_ALLOW);
	p->deny = (char *)store_col_text(s, COL_DENY);
	p->external = sqlite3_column_int(s, 19) != 0;
	p->block_pending = sqlite3_column_int(s, 20) != 0;
	p->accept_if_free = sqlite3_column_int(s, 21) != 0;
	p->answer_refresh = sqlite3_column_int(s, 22) != 0;
	p->store_publish = sqlite3_column_int(s, 23) != 0;
}

/* Point cal at the current row (borrowed until the next step). */
static void
cal_view(struct imip_calendar *cal, sqlite3_stmt *s)
{
	cal->id = sqlite3_column_int64(s, 0);
	cal->address = (char *)store_col_text(s, 1);
	if (imip_cal_kind_parse(store_col_text(s, 2), &cal->kind) < 0)
		cal->kind = IMIP_CAL_RESOURCE;	/* CHECK forbids it */
	cal->name = (char *)store_col_text(s, 3);
	cal->tz = (char *)store_col_text(s, 4);
	cal->share_freebusy = sqlite3_column_int(s, 5) != 0;
	cal->consume = sqlite3_column_int(s, 6) != 0;
	cal->publish_freebusy = sqlite3_column_int(s, 24) != 0;
	policy_view(&cal->policy, s);
}

/* Copy the current row into a new calendar. */
static int
cal_copy(struct imip_calendar **out, sqlite3_stmt *s, struct imip_err *err)
{
	struct imip_calendar *cal = NULL, view;
	int rc;

	*out = NULL;
	if ((cal = calloc(1, sizeof(*cal))) == NULL) {
		rc = imip_err_set(err, IMIP_ENOMEM, "calendar");
		goto out;
	}
	/* Every plain field as viewed; the text gets copies of its own. */
	cal_view(&view, s);
	*cal = view;
	cal->address = cal->name = cal->tz = NULL;
	cal->policy.delegates = cal->policy.working_hours = NULL;
	cal->policy.allow = cal->policy.deny = NULL;
	if ((rc = store_col_dup(&cal->address, s, 1, err)) < 0 ||
	    (rc = store_col_dup(&cal->name, s, 3, err)) < 0 ||
	    (rc = store_col_dup(&cal->tz, s, 4, err)) < 0 ||
	    (rc = store_col_dup(&cal->policy.delegates, s, COL_DELEGATES,
	    err)) < 0 ||
	    (rc = store_col_dup(&cal->policy.working_hours, s, COL_HOURS,
	    err)) < 0 ||
	    (rc = store_col_dup(&cal->policy.allow, s, COL_ALLOW, err)) < 0 ||
	    (rc = store_col_dup(&cal->policy.deny, s, COL_DENY, err)) < 0)
		goto out;
	*out = cal;
	cal = NULL;
out:
	imip_calendar_free(cal);
	return rc;
}

/* imip_store_calendar_find - the calendar of address (*out, caller frees) */
int
imip_store_calendar_find(struct imip_store *st, const char *address,
    struct imip_calendar **out, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	char *addr = NULL;
	int rc;

	*out = NULL;
	if ((rc = imip_addr_norm(&addr, address, err)) < 0 ||
	    (rc = store_stmt(st, STMT_CAL_FIND, sql_cal_find, &s, err)) < 0)
		goto out;
	if (store_bind_text(s, 1, addr) != SQLITE_OK) {
		rc = store_bind_failed(st, "calendar find", err);
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rc = cal_copy(out, s, err);
	else if (rc == SQLITE_DONE)
		rc = imip_err_set(err, IMIP_ENOTFOUND, "no calendar %s", addr);
	else
		rc = store_fail(st, rc, "calendar find", err);
out:
	store_done(s);
	free(addr);
	return rc;
}

/*
 * imip_store_calendar_is_managed - is address one of our calendars?  An
 * address that does not normalize (the null sender "<>") is not.
 */
int
imip_store_calendar_is_managed(struct imip_store *st, const char *address,
    bool *out, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	char *addr = NULL;
	int rc;

	*out = false;
	if ((rc = imip_addr_norm(&addr, address, NULL)) == IMIP_EPARSE) {
		rc = IMIP_OK;
		goto out;
	}
	if (rc < 0) {
		rc = imip_err_set(err, rc, "address");
		goto out;
	}
	if ((rc = store_stmt(st, STMT_CAL_MANAGED, sql_cal_managed, &s,
	    err)) < 0)
		goto out;
	if (store_bind_text(s, 1, addr) != SQLITE_OK) {
		rc = store_bind_failed(st, "calendar lookup", err);
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		*out = rc == SQLITE_ROW;
		rc = IMIP_OK;
	} else
		rc = store_fail(st, rc, "calendar lookup", err);
out:
	store_done(s);
	free(addr);
	return rc;
}

/*
 * imip_store_calendar_foreach - call cb for each calendar by address; the
 * strings it sees are borrowed for the call
 */
int
imip_store_calendar_foreach(struct imip_store *st, imip_calendar_cb cb,
    void *arg, struct imip_err *err)
{
	struct imip_calendar cal;
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = store_stmt(st, STMT_CAL_LIST, sql_cal_list, &s, err)) < 0)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		cal_view(&cal, s);
		if ((rc = cb(&cal, arg)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? IMIP_OK : store_fail(st, rc, "calendars",
	    err);
out:
	store_done(s);
	return rc;
}

/*
 * imip_store_calendar_future - how many events of the calendar hold busy
 * time ending after now (*n): the bookings removing it would drop
 */
int
imip_store_calendar_future(struct imip_store *st, int64_t calendar_id,
    int64_t now, int64_t *n, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*n = 0;
	if ((rc = store_stmt(st, STMT_CAL_FUTURE, sql_cal_future, &s,
	    err)) < 0)
		return rc;
	if (sqlite3_bind_int64(s, 1, calendar_id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, now) != SQLITE_OK)
		rc = store_bind_failed(st, "calendar bookings", err);
	else if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*n = sqlite3_column_int64(s, 0);
		rc = IMIP_OK;
	} else
		rc = store_fail(st, rc, "calendar bookings", err);
	store_done(s);
	return rc;
}

/*
 * imip_store_calendar_remove - forget the calendar and everything it
 * holds; IMIP_ENOTFOUND if there is no such calendar
 */
int
imip_store_calendar_remove(struct imip_store *st, int64_t calendar_id,
    struct imip_err *err)
{
	int rc;

	rc = store_update_ints(st, STMT_CAL_REMOVE, sql_cal_remove,
	    &calendar_id, 1, "calendar remove", err);
	if (rc == IMIP_OK && sqlite3_changes(store_db(st)) == 0)
		rc = imip_err_set(err, IMIP_ENOTFOUND, "no calendar %lld",
		    (long long)calendar_id);
	return rc;
}

/*
 * imip_store_calendar_rename - move the calendar to address, with its
 * events, busy time and settings.  An address that is a calendar already
 * fails, one that does not normalize is IMIP_EPARSE.
 */
int
imip_store_calendar_rename(struct imip_store *st, int64_t calendar_id,
    const char *address, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	char *addr = NULL;
	int rc;

	if ((rc = imip_addr_norm(&addr, address, err)) < 0 ||
	    (rc = store_stmt(st, STMT_CAL_RENAME, sql_cal_rename, &s,
	    err)) < 0)
		goto out;
	if (sqlite3_bind_int64(s, 1, calendar_id) != SQLITE_OK ||
	    store_bind_text(s, 2, addr) != SQLITE_OK) {
		rc = store_bind_failed(st, "calendar rename", err);
		goto out;
	}
	rc = address_step(st, s, addr, "calendar rename", err);
	if (rc == IMIP_OK && sqlite3_changes(store_db(st)) == 0)
		rc = imip_err_set(err, IMIP_ENOTFOUND, "no calendar %lld",
		    (long long)calendar_id);
out:
	store_done(s);
	free(addr);
	return rc;
}

/* imip_calendar_free - release a calendar from calendar_find; NULL-safe */
void
imip_calendar_free(struct imip_calendar *cal)
{
	if (cal == NULL)
		return;
	free(cal->address);
	free(cal->name);
	free(cal->tz);
	imip_policy_fini(&cal->policy);
	free(cal);
}
