/*
 * test_store_pool.c - handles shared by the threads of one process: the
 * pool that lends them out (store_pool.c) and the line writers wait in
 * (store.c), on a fresh database from dbfixture.h.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

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

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
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
test_pool_lends_no_more_than_max(void **state)
{
	struct pfx *fx = *state;
	struct imip_store *a = get(fx, fx->db->path);
	struct imip_store *b = get(fx, fx->db->path);
	struct imip_store *c = NULL;
	struct imip_err err = { 0 };
	double t0 = now_ms();

	/* both lent: a third borrower waits its busy timeout, then busy */
	assert_int_equal(imip_store_pool_get(fx->pool, fx->db->path, 100,
	    &c, &err), IMIP_EBUSY);
	assert_null(c);
	assert_true(now_ms() - t0 >= 90.0);
	imip_store_pool_put(fx->pool, a);
	imip_store_pool_put(fx->pool, b);
	imip_store_pool_put(fx->pool, NULL);	/* nothing */
}

/* A borrower on its own thread: hold the handle a while, give it back. */
struct lender {
	struct pfx		*fx;
	struct imip_store	*st;
};

static void *
give_back_later(void *arg)
{
	struct lender *l = arg;
	struct timespec pause = { .tv_nsec = 200 * 1000000L };

	nanosleep(&pause, NULL);
	imip_store_pool_put(l->fx->pool, l->st);
	return NULL;
}

static void
test_pool_borrower_waits_for_a_handle_to_come_back(void **state)
{
	struct pfx *fx = *state;
	struct imip_store *a = get(fx, fx->db->path);
	struct lender l = { .fx = fx, .st = get(fx, fx->db->path) };
	struct imip_store *c;
	pthread_t tid;
	double t0 = now_ms();

	assert_int_equal(pthread_create(&tid, NULL, give_back_later, &l), 0);
	c = get(fx, fx->db->path);	/* waits for the lender */
	assert_ptr_equal(c, l.st);
	assert_true(now_ms() - t0 >= 150.0);
	pthread_join(tid, NULL);
	imip_store_pool_put(fx->pool, c);
	imip_store_pool_put(fx->pool, a);
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

/* A writer on its own thread: begin, hold the lock a while, commit. */
struct holder {
	struct imip_store	*st;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	bool			 inside;
	int			 rc;
};

static void *
hold_then_commit(void *arg)
{
	struct holder *h = arg;
	struct imip_err err = { 0 };
	struct timespec pause = { .tv_nsec = 300 * 1000000L };

	h->rc = imip_store_begin(h->st, &err);
	pthread_mutex_lock(&h->lock);
	h->inside = true;
	pthread_cond_signal(&h->cond);
	pthread_mutex_unlock(&h->lock);
	nanosleep(&pause, NULL);
	if (h->rc == IMIP_OK)
		h->rc = imip_store_commit(h->st, &err);
	return NULL;
}

static void
test_writers_of_one_process_wait_in_line(void **state)
{
	struct pfx *fx = *state;
	struct holder h = { .lock = PTHREAD_MUTEX_INITIALIZER,
	    .cond = PTHREAD_COND_INITIALIZER };
	struct imip_store *mine = NULL;
	struct imip_err err = { 0 };
	pthread_t tid;
	double t0;

	/* a busy timeout far shorter than the other writer's transaction */
	assert_int_equal(imip_store_open(&h.st, fx->db->path, 0, 50, &err),
	    IMIP_OK);
	assert_int_equal(imip_store_open(&mine, fx->db->path, 0, 50, &err),
	    IMIP_OK);
	assert_int_equal(pthread_create(&tid, NULL, hold_then_commit, &h), 0);
	pthread_mutex_lock(&h.lock);
	while (!h.inside)
		pthread_cond_wait(&h.cond, &h.lock);
	pthread_mutex_unlock(&h.lock);
	t0 = now_ms();
	assert_int_equal(imip_store_begin(mine, &err), IMIP_OK);
	assert_true(now_ms() - t0 >= 100.0);	/* waited, was not busy */
	assert_int_equal(imip_store_commit(mine, &err), IMIP_OK);
	pthread_join(tid, NULL);
	assert_int_equal(h.rc, IMIP_OK);
	imip_store_close(mine);
	imip_store_close(h.st);
}

static void *
begin_commit(void *arg)
{
	struct holder *h = arg;
	struct imip_err err = { 0 };

	if ((h->rc = imip_store_begin(h->st, &err)) == IMIP_OK)
		h->rc = imip_store_commit(h->st, &err);
	return NULL;
}

static void
test_second_begin_on_one_handle_leaves_the_line_free(void **state)
{
	struct pfx *fx = *state;
	struct holder h = { .rc = -1 };
	struct imip_store *mine = NULL;
	struct imip_err err = { 0 };
	struct timespec until;
	pthread_t tid;

	assert_int_equal(imip_store_open(&mine, fx->db->path, 0, 50, &err),
	    IMIP_OK);
	assert_int_equal(imip_store_open(&h.st, fx->db->path, 0, 50, &err),
	    IMIP_OK);
	assert_int_equal(imip_store_begin(mine, &err), IMIP_OK);
	assert_int_equal(imip_store_begin(mine, &err), IMIP_ERR);
	assert_int_equal(imip_store_commit(mine, &err), IMIP_OK);
	/* another thread's writer gets in: the line was left free */
	assert_int_equal(pthread_create(&tid, NULL, begin_commit, &h), 0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	assert_int_equal(pthread_timedjoin_np(tid, NULL, &until), 0);
	assert_int_equal(h.rc, IMIP_OK);
	imip_store_close(mine);
	imip_store_close(h.st);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_pool_lends_the_handle_returned_last),
		T(test_pool_lends_no_more_than_max),
		T(test_pool_borrower_waits_for_a_handle_to_come_back),
		T(test_pool_closes_handles_of_another_database),
		T(test_pool_rolls_back_what_a_borrower_left_open),
		T(test_drained_pool_still_lends),
		T(test_writers_of_one_process_wait_in_line),
		T(test_second_begin_on_one_handle_leaves_the_line_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
