/*
 * store_settings.c - "imipctl calendar set": one key, checked, stored.
 *
 * Each key names a column of the calendar table and says how its value
 * reads; a value is checked here, so the filter never meets a bad one.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "addr.h"
#include "policy.h"
#include "store_int.h"
#include "tz.h"

enum setting_type {
	SET_TEXT,	/* any text; "" clears */
	SET_ZONE,	/* an IANA zone name */
	SET_BOOL,	/* yes/no */
	SET_COUNT,	/* integer >= min; with "default" NULL if nullable */
	SET_PERCENT,	/* 0..100, or "default" */
	SET_HOURS,	/* working hours; "" or "any" clears */
	SET_LIST,	/* addresses and @domains; "" clears */
	SET_WORD	/* one of two words */
};

static const struct setting {
	const char		*key;
	const char		*column;
	enum setting_type	 type;
	int			 min;	/* SET_COUNT */
	const char		*words[2]; /* SET_WORD: stored as given */
} settings[] = {
	{ "name", "name", SET_TEXT, 0, { NULL } },
	{ "tz", "tz", SET_ZONE, 0, { NULL } },
	{ "share-freebusy", "share_freebusy", SET_BOOL, 0, { NULL } },
	{ "publish-freebusy", "publish_freebusy", SET_BOOL, 0, { NULL } },
	{ "booking", "booking", SET_WORD, 0, { "automatic", "approval" } },
	{ "delegates", "delegates", SET_LIST, 0, { NULL } },
	{ "capacity", "capacity", SET_COUNT, 1, { NULL } },
	{ "window-days", "window_days", SET_COUNT, 0, { NULL } },
	{ "min-minutes", "min_minutes", SET_COUNT, 0, { NULL } },
	{ "max-minutes", "max_minutes", SET_COUNT, 0, { NULL } },
	{ "recurring", "recurring", SET_BOOL, 0, { NULL } },
	{ "conflict-max-instances", "conflict_max_instances", SET_COUNT, -1,
	    { NULL } },
	{ "conflict-max-percent", "conflict_max_percent", SET_PERCENT, 0,
	    { NULL } },
	{ "working-hours", "working_hours", SET_HOURS, 0, { NULL } },
	{ "allow", "allow", SET_LIST, 0, { NULL } },
	{ "deny", "deny", SET_LIST, 0, { NULL } },
	{ "external", "external", SET_BOOL, 0, { NULL } },
	{ "delivery", "delivery", SET_WORD, 0, { "deliver", "consume" } },
	{ "block-pending", "block_pending", SET_BOOL, 0, { NULL } },
	{ "accept-if-free", "accept_if_free", SET_BOOL, 0, { NULL } },
	{ "answer-refresh", "answer_refresh", SET_BOOL, 0, { NULL } },
	{ "store-publish", "store_publish", SET_BOOL, 0, { NULL } },
};
#define NSETTINGS	(sizeof(settings) / sizeof(settings[0]))

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

/* A whole number in [min, max]; "default" is NULL where that is allowed. */
static int
bind_number(sqlite3_stmt *s, const struct setting *set, const char *v,
    long min, long max, struct imip_err *err)
{
	char *end;
	long n;

	if (set->min < 0 && strcasecmp(v, "default") == 0)
		return sqlite3_bind_null(s, 1);
	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || n < min || n > max)
		return imip_err_set(err, IMIP_EPARSE, "%s: \"%s\" is not a "
		    "number from %ld to %ld%s", set->key, v, min, max,
		    set->min < 0 ? " or \"default\"" : "");
	return sqlite3_bind_int64(s, 1, n);
}

/* Every entry of a normalized list has a local part. */
static bool
addresses_only(const char *list)
{
	const char *p = list, *at;
	size_t n;

	while (*p != '\0') {
		n = strcspn(p, " ");
		at = memchr(p, '@', n);
		if (at == NULL || at == p)
			return false;
		p += n + (p[n] == ' ');
	}
	return true;
}

static int
bind_list(sqlite3_stmt *s, const struct setting *set, const char *v,
    struct imip_err *err)
{
	char *norm = NULL;
	int rc;
	struct imip_err why = { 0 };

	if ((rc = imip_policy_list_norm(v, &norm, &why)) < 0)
		return imip_err_set(err, rc, "%s: %s", set->key, why.msg);
	/* Delegates answer approvals: whole addresses only. */
	if (strcmp(set->key, "delegates") == 0 && !addresses_only(norm)) {
		free(norm);
		return imip_err_set(err, IMIP_EPARSE, "delegates: addresses "
		    "only, not @domains");
	}
	rc = norm[0] != '\0' ? sqlite3_bind_text(s, 1, norm, -1,
	    SQLITE_TRANSIENT) : sqlite3_bind_null(s, 1);
	free(norm);
	return rc;
}

static int
bind_setting(sqlite3_stmt *s, const struct setting *set, const char *v,
    struct imip_err *err)
{
	char buf[IMIP_TZ_NAME_MAX];
	struct imip_hours h;
	const char *zone;
	int b;

	switch (set->type) {
	case SET_BOOL:
		if (parse_bool(v, &b) < 0)
			return imip_err_set(err, IMIP_EPARSE, "%s: \"%s\" is "
			    "not yes or no", set->key, v);
		return sqlite3_bind_int(s, 1, b);
	case SET_ZONE:
		zone = imip_tz_iana_name(v, buf, sizeof(buf));
		if (zone == NULL || strcmp(zone, v) != 0)
			return imip_err_set(err, IMIP_EPARSE, "%s: \"%s\" is "
			    "not an IANA time zone", set->key, v);
		return store_bind_text(s, 1, v);
	case SET_COUNT:
		return bind_number(s, set, v, set->min < 0 ? 0 : set->min,
		    INT_MAX, err);
	case SET_PERCENT:
		return bind_number(s, &(struct setting){ set->key, NULL,
		    SET_PERCENT, -1, { NULL } }, v, 0, 100, err);
	case SET_HOURS:
		if (*v == '\0' || strcasecmp(v, "any") == 0)
			return sqlite3_bind_null(s, 1);
		if (imip_hours_parse(v, &h, err) < 0)
			return IMIP_EPARSE;
		return store_bind_text(s, 1, v);
	case SET_LIST:
		return bind_list(s, set, v, err);
	case SET_WORD:
		if (strcmp(v, set->words[0]) != 0 &&
		    strcmp(v, set->words[1]) != 0)
			return imip_err_set(err, IMIP_EPARSE, "%s: \"%s\" is "
			    "not %s or %s", set->key, v, set->words[0],
			    set->words[1]);
		return store_bind_text(s, 1, v);
	default:
		return store_bind_text(s, 1, v[0] != '\0' ? v : NULL);
	}
}

static const struct setting *
find_setting(const char *key)
{
	for (size_t i = 0; i < NSETTINGS; i++)
		if (strcmp(key, settings[i].key) == 0)
			return &settings[i];
	return NULL;
}

/*
 * imip_store_setting_key - the name of setting i of imip_store_calendar_set,
 * in the order of the table, or NULL past the last one: help text is built
 * from it, so it cannot miss a key
 */
const char *
imip_store_setting_key(size_t i)
{
	return i < NSETTINGS ? settings[i].key : NULL;
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
	const struct setting *set = find_setting(key);
	sqlite3_stmt *s = NULL;
	char *addr = NULL, sql[96];
	int rc;

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
