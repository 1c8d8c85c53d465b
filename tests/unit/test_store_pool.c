/*
 * test_store_pool.c - handles shared by the threads of one process: the
 * pool that lends them out (store_pool.c), on a fresh database from
 * dbfixture.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dbfixture.h"
#include "store.h"
#include "store_pool.h"

#define BUSY_MS	1000

struct pfx {
	struct dbfx		*db;
	struct imip_store_pool	*pool;
};

static int
setup(void **state)
{
	struct imip_err err = { 0 };
	struct pfx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->db = dbfx_new("test_store_pool", BUSY_MS);
	assert_int_equal(imip_store_pool_new(&fx->pool, 2, &err), IMIP_OK);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct pfx *fx = *state;

	imip_store_pool_free(fx->pool);
	dbfx_free(fx->db);
	free(fx);
	return 0;
}

static struct imip_store *
get(struct pfx *fx, const char *path)
{
	struct imip_store *st = NULL;
	struct imip_err err = { 0 };

	if (imip_store_pool_get(fx->pool, path, BUSY_MS, &st, &err) !=
	    IMIP_OK)
		fail_msg("pool get %s: %s", path, err.msg);
	return st;
}

static void
test_pool_lends_the_handle_returned_last(void **state)
{
	struct pfx *fx = *state;
	struct imip_store *a = get(fx, fx->db->path);
	struct imip_store *b = get(fx, fx->db->path);

	assert_ptr_not_equal(a, b);	/* a is out: another one is opened */
	imip_store_pool_put(fx->pool, a);
	imip_store_pool_put(fx->pool, b);
	assert_ptr_equal(get(fx, fx->db->path), b);
	assert_ptr_equal(get(fx, fx->db->path), a);
	imip_store_pool_put(fx->pool, a);
	imip_store_pool_put(fx->pool, b);
}

static void
test_pool_keeps_at_most_max_idle(void **state)
{
	struct pfx *fx = *state;
	struct imip_store *a = get(fx, fx->db->path);
	struct imip_store *b = get(fx, fx->db->path);
	struct imip_store *c = get(fx, fx->db->path);

	imip_store_pool_put(fx->pool, a);
	imip_store_pool_put(fx->pool, b);
	imip_store_pool_put(fx->pool, c);	/* the third is closed */
	assert_ptr_equal(get(fx, fx->db->path), b);
	assert_ptr_equal(get(fx, fx->db->path), a);
	imip_store_pool_put(fx->pool, a);
	imip_store_pool_put(fx->pool, b);
	imip_store_pool_put(fx->pool, NULL);	/* nothing */
}

static void
test_pool_closes_handles_of_another_database(void **state)
{
	struct pfx *fx = *state;
	struct dbfx *other = dbfx_new("test_store_pool_other", BUSY_MS);
	struct imip_calendar *cal = NULL;
	struct imip_err err = { 0 };
	struct imip_store *st;

	imip_store_pool_put(fx->pool, get(fx, fx->db->path));
	cal = dbfx_calendar(other, "room-b@example.org", IMIP_CAL_RESOURCE,
	    "Room B", "UTC");
	imip_calendar_free(cal);
	st = get(fx, other->path);
	assert_true(imip_store_opened_as(st, other->path, BUSY_MS));
	assert_int_equal(imip_store_calendar_find(st, "room-b@example.org",
	    &cal, &err), IMIP_OK);
	imip_calendar_free(cal);
	imip_store_pool_put(fx->pool, st);
	imip_store_pool_drain(fx->pool);	/* before other goes away */
	dbfx_free(other);
}

static void
test_pool_rolls_back_what_a_borrower_left_open(void **state)
{
	struct pfx *fx = *state;
	struct imip_calendar *cal = NULL;
	struct imip_err err = { 0 };
	struct imip_store *st = get(fx, fx->db->path);

	assert_int_equal(imip_store_begin(st, &err), IMIP_OK);
	assert_int_equal(imip_store_calendar_add(st, "room-c@example.org",
	    IMIP_CAL_RESOURCE, NULL, NULL, 1700000000, &err), IMIP_OK);
	imip_store_pool_put(fx->pool, st);
	st = get(fx, fx->db->path);
	/* the write lock is free again, and the row is gone */
	assert_int_equal(imip_store_begin(st, &err), IMIP_OK);
	imip_store_rollback(st);
	assert_int_equal(imip_store_calendar_find(st, "room-c@example.org",
	    &cal, &err), IMIP_ENOTFOUND);
	imip_store_pool_put(fx->pool, st);
}

static void
test_drained_pool_still_lends(void **state)
{
	struct pfx *fx = *state;

	imip_store_pool_put(fx->pool, get(fx, fx->db->path));
	imip_store_pool_drain(fx->pool);
	/* a borrower finishing after the drain: opened, then closed */
	imip_store_pool_put(fx->pool, get(fx, fx->db->path));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_pool_lends_the_handle_returned_last),
		T(test_pool_keeps_at_most_max_idle),
		T(test_pool_closes_handles_of_another_database),
		T(test_pool_rolls_back_what_a_borrower_left_open),
		T(test_drained_pool_still_lends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
