/*
 * store_calendar.c - the calendars imip-milter manages and their settings.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>


#include <sqlite3.h>

#include "addr.h"
#include "store_int.h"
#include "tz.h"

#define CAL_COLUMNS	"id, address, kind, name, tz, share_freebusy"

static const char sql_cal_add[] =
	"INSERT INTO calendar (address, kind, name, tz, created)"
	" VALUES (?1, ?2, ?3, IFNULL(?4, 'UTC'), ?5)";
static const char sql_cal_find[] =
	"SELECT " CAL_COLUMNS " FROM calendar WHERE address = ?1";
static const char sql_cal_managed[] =
	"SELECT 1 FROM calendar WHERE address = ?1";
static const char sql_cal_list[] =
	"SELECT " CAL_COLUMNS " FROM calendar ORDER BY address";

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
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		rc = IMIP_OK;
	else if (sqlite3_extended_errcode(store_db(st)) ==
	    SQLITE_CONSTRAINT_UNIQUE)
		rc = imip_err_set(err, IMIP_ERR, "calendar %s exists already",
		    addr);
	else
		rc = store_fail(st, rc, "calendar add", err);
out:
	store_done(s);
	free(addr);
	return rc;
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
	cal_view(&view, s);
	cal->id = view.id;
	cal->kind = view.kind;
	cal->share_freebusy = view.share_freebusy;
	if ((rc = store_col_dup(&cal->address, s, 1, err)) < 0 ||
	    (rc = store_col_dup(&cal->name, s, 3, err)) < 0 ||
	    (rc = store_col_dup(&cal->tz, s, 4, err)) < 0)
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

/* The settings "calendar set" may change, and how their values read. */
enum setting_type { SET_TEXT, SET_ZONE, SET_BOOL };

static const struct setting {
	const char		*key;
	const char		*column;
	enum setting_type	 type;
} settings[] = {
	{ "name", "name", SET_TEXT },
	{ "tz", "tz", SET_ZONE },
	{ "share-freebusy", "share_freebusy", SET_BOOL },
};

static int
parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "yes", "on", "true", "1" };
	static const char *const no[] = { "no", "off", "false", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *out = 1, IMIP_OK;
		if (strcasecmp(v, no[i]) == 0)
			return *out = 0, IMIP_OK;
	}
	return IMIP_EPARSE;
}

static int
bind_setting(sqlite3_stmt *s, const struct setting *set, const char *value,
    struct imip_err *err)
{
	char buf[IMIP_TZ_NAME_MAX];
	const char *zone;
	int b;

	switch (set->type) {
	case SET_BOOL:
		if (parse_bool(value, &b) < 0)
			return imip_err_set(err, IMIP_EPARSE, "%s: \"%s\" is "
			    "not yes or no", set->key, value);
		return sqlite3_bind_int(s, 1, b);
	case SET_ZONE:
		zone = imip_tz_iana_name(value, buf, sizeof(buf));
		if (zone == NULL || strcmp(zone, value) != 0)
			return imip_err_set(err, IMIP_EPARSE, "%s: \"%s\" is "
			    "not an IANA time zone", set->key, value);
		return store_bind_text(s, 1, value);
	default:
		return store_bind_text(s, 1, value[0] != '\0' ? value : NULL);
	}
}

/*
 * imip_store_calendar_set - change one setting (key as imipctl names it)
 * of calendar address.  An unknown key or a bad value is IMIP_EPARSE, an
 * unknown calendar IMIP_ENOTFOUND.
 */
int
imip_store_calendar_set(struct imip_store *st, const char *address,
    const char *key, const char *value, struct imip_err *err)
{
	const struct setting *set = NULL;
	sqlite3_stmt *s = NULL;
	char *addr = NULL, sql[96];
	int rc;

	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		if (strcmp(key, settings[i].key) == 0)
			set = &settings[i];
	if (set == NULL)
		return imip_err_set(err, IMIP_EPARSE, "unknown setting %s",
		    key);
	if ((rc = imip_addr_norm(&addr, address, err)) < 0)
		return rc;
	snprintf(sql, sizeof(sql), "UPDATE calendar SET %s = ?1 WHERE "
	    "address = ?2", set->column);
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK) {
		rc = store_fail(st, sqlite3_errcode(store_db(st)),
		    "calendar set", err);
		goto out;
	}
	if ((rc = bind_setting(s, set, value, err)) == IMIP_EPARSE)
		goto out;
	if (rc != SQLITE_OK || store_bind_text(s, 2, addr) != SQLITE_OK) {
		rc = store_bind_failed(st, "calendar set", err);
		goto out;
	}
	if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		rc = store_fail(st, rc, "calendar set", err);
	else if (sqlite3_changes(store_db(st)) == 0)
		rc = imip_err_set(err, IMIP_ENOTFOUND, "no calendar %s", addr);
	else
		rc = IMIP_OK;
out:
	sqlite3_finalize(s);
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
	free(cal);
}
