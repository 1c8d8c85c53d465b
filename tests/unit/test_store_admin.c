/*
 * test_store_admin.c - the store functions behind imipctl's administration
 * commands: the list of calendar settings, removing and renaming
 * calendars, retrying and purging the outbox, backup and integrity check.
 * A fresh database per test (store_fx.h) with a constant clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"
#include "store_fx.h"

/* The calendar columns that are not settings: identity and bookkeeping. */
static bool
not_a_setting(const char *column)
{
	static const char *const skip[] = { "id", "address", "kind",
	    "created", "busy_span_max" };

	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strcmp(column, skip[i]) == 0)
			return true;
	return false;
}

/* Is key (column with '-' for '_') one of imip_store_setting_key's? */
static bool
key_listed(const char *column)
{
	char key[64];
	const char *k;

	snprintf(key, sizeof(key), "%s", column);
	for (char *p = key; *p != '\0'; p++)
		if (*p == '_')
			*p = '-';
	for (size_t i = 0; (k = imip_store_setting_key(i)) != NULL; i++)
		if (strcmp(k, key) == 0)
			return true;
	return false;
}

static void
test_setting_keys_cover_every_policy_column(void **state)
{
	struct fx *fx = *state;
	sqlite3_stmt *s = NULL;
	sqlite3 *db = NULL;
	const char *col;
	int n = 0;

	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM"
	    " pragma_table_info('calendar')", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		col = (const char *)sqlite3_column_text(s, 0);
		if (not_a_setting(col))
			continue;
		if (!key_listed(col))
			fail_msg("column %s has no setting key", col);
		n++;
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	/* and no key without a column: as many keys as columns */
	assert_non_null(imip_store_setting_key((size_t)n - 1));
	assert_null(imip_store_setting_key((size_t)n));
}

static void
test_setting_keys_are_each_accepted_by_calendar_set(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };
	const char *key;
	size_t i;
	int rc;

	for (i = 0; (key = imip_store_setting_key(i)) != NULL; i++) {
		imip_err_clear(&err);
		rc = imip_store_calendar_set(fx->st, "room-a@example.org", key,
		    "\x01?", &err);
		/* a bad value may be refused, the key never */
		if (rc != IMIP_OK && strstr(err.msg, "unknown setting") != NULL)
			fail_msg("%s: got \"%s\", want the key known", key,
			    err.msg);
	}
	assert_true(i >= 21);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_setting_keys_cover_every_policy_column),
		T(test_setting_keys_are_each_accepted_by_calendar_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
