/*
 * store_pool.c - at most N open store handles, lent out one at a time.
 *
 * Idle handles wait on a stack behind a mutex; the most recently returned
 * one is lent first, its statements and pages the warmest.  No more than
 * N handles exist at once: a borrower finding all of them lent waits for
 * one to come back, up to its busy timeout, and then fails with
 * IMIP_EBUSY as a locked database would.  Writes take turns anyway, so a
 * few handles do the work of many, and a burst of connections ending
 * their messages at once does not open a handle (and a page cache) each.
 * No handle is opened or closed while the lock is held.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "store_pool.h"

struct imip_store_pool {
	pthread_mutex_t		 lock;
	pthread_cond_t		 back;		/* a handle is back or gone */
	struct imip_store	**idle;
	int			 nidle;
	int			 open;		/* idle and lent */
	int			 max;
	bool			 draining;	/* keep none from now on */
};

/* Lock and condition variable, the condition on the monotonic clock. */
static int
pool_sync_init(struct imip_store_pool *p)
{
	pthread_condattr_t ca;
	int rc;

	if (pthread_condattr_init(&ca) != 0)
		return -1;
	rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&p->back, &ca) != 0 ? -1 : 0;
	pthread_condattr_destroy(&ca);
	if (rc == 0 && pthread_mutex_init(&p->lock, NULL) != 0) {
		pthread_cond_destroy(&p->back);
		rc = -1;
	}
	return rc;
}

/* imip_store_pool_new - an empty pool that opens at most max handles */
int
imip_store_pool_new(struct imip_store_pool **out, int max,
    struct imip_err *err)
{
	struct imip_store_pool *p = NULL;
	int rc = IMIP_OK;

	*out = NULL;
	if (max < 1)
		return imip_err_set(err, IMIP_ERR, "store pool of %d", max);
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->idle = calloc((size_t)max, sizeof(*p->idle))) == NULL) {
		rc = imip_err_set(err, IMIP_ENOMEM, "store pool");
		goto out;
	}
	if (pool_sync_init(p) < 0) {
		rc = imip_err_set(err, IMIP_ERR, "store pool: mutex");
		goto out;
	}
	p->max = max;
	*out = p;
	p = NULL;
out:
	if (p != NULL)
		free(p->idle);
	free(p);
	return rc;
}

/* imip_store_pool_free - close every idle handle; NULL-safe */
void
imip_store_pool_free(struct imip_store_pool *p)
{
	if (p == NULL)
		return;
	for (int i = 0; i < p->nidle; i++)
		imip_store_close(p->idle[i]);
	pthread_cond_destroy(&p->back);
	pthread_mutex_destroy(&p->lock);
	free(p->idle);
	free(p);
}

/*
 * imip_store_pool_drain - close every idle handle and keep none from now
 * on: for a daemon's shutdown, while borrowers may still be finishing
 */
void
imip_store_pool_drain(struct imip_store_pool *p)
{
	struct imip_store *st;

	pthread_mutex_lock(&p->lock);
	p->draining = true;
	pthread_mutex_unlock(&p->lock);
	for (;;) {
		pthread_mutex_lock(&p->lock);
		st = p->nidle > 0 ? p->idle[--p->nidle] : NULL;
		p->open -= st != NULL;
		pthread_cond_broadcast(&p->back);
		pthread_mutex_unlock(&p->lock);
		if (st == NULL)
			break;
		imip_store_close(st);
	}
}

/* The monotonic clock ms from now. */
static struct timespec
deadline(int ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

/*
 * An idle handle into *st, or room for a new one (*st NULL), waiting up
 * to busy_ms for either.
 */
static int
take(struct imip_store_pool *p, int busy_ms, struct imip_store **st,
    struct imip_err *err)
{
	struct timespec until = deadline(busy_ms);
	int rc = IMIP_OK, w = 0;

	*st = NULL;
	pthread_mutex_lock(&p->lock);
	while (p->nidle == 0 && p->open >= p->max && w == 0)
		w = pthread_cond_timedwait(&p->back, &p->lock, &until);
	if (p->nidle > 0)
		*st = p->idle[--p->nidle];
	else if (p->open < p->max)
		p->open++;
	else
		rc = imip_err_set(err, IMIP_EBUSY, "no database handle came "
		    "free in %d ms", busy_ms);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

/* One handle fewer: closed, or never opened. */
static void
gone(struct imip_store_pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->open--;
	pthread_cond_signal(&p->back);
	pthread_mutex_unlock(&p->lock);
}

/*
 * imip_store_pool_get - an idle handle opened on path with busy_ms, or a
 * new one (*out is the caller's until imip_store_pool_put); waits up to
 * busy_ms while all handles are lent, then IMIP_EBUSY.  An idle handle
 * opened otherwise (the configuration changed) is closed on the way.
 */
int
imip_store_pool_get(struct imip_store_pool *p, const char *path,
    int busy_ms, struct imip_store **out, struct imip_err *err)
{
	struct imip_store *st = NULL;
	int rc;

	*out = NULL;
	if ((rc = take(p, busy_ms, &st, err)) < 0)
		return rc;
	if (st != NULL && !imip_store_opened_as(st, path, busy_ms)) {
		imip_store_close(st);	/* its place is taken by the new one */
		st = NULL;
	}
	if (st == NULL && (rc = imip_store_open(&st, path, 0, busy_ms,
	    err)) < 0) {
		gone(p);
		return rc;
	}
	*out = st;
	return IMIP_OK;
}

/*
 * imip_store_pool_put - take st back (NULL: nothing), rolling back a
 * transaction left open; closed instead when the pool is draining
 */
void
imip_store_pool_put(struct imip_store_pool *p, struct imip_store *st)
{
	if (st == NULL)
		return;
	imip_store_rollback(st);	/* no-op without a transaction */
	pthread_mutex_lock(&p->lock);
	if (!p->draining) {
		p->idle[p->nidle++] = st;
		st = NULL;
	} else {
		p->open--;
	}
	pthread_cond_signal(&p->back);
	pthread_mutex_unlock(&p->lock);
	imip_store_close(st);		/* NULL-safe */
}
