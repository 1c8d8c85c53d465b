/*
 * store_pool.c - a stack of idle store handles behind a mutex.
 *
 * The most recently returned handle is handed out first: its statements
 * and pages are the warmest.  There is no upper bound on handles in use
 * (each borrower is a thread doing work, and blocking it would only
 * queue work the database could do); only idle ones are bounded.  No
 * handle is opened or closed while the lock is held.
 */
#include <pthread.h>
#include <stdlib.h>

#include "store_pool.h"

struct imip_store_pool {
	pthread_mutex_t		 lock;
	struct imip_store	**idle;
	int			 n, max;
};

/* imip_store_pool_new - an empty pool keeping at most max_idle handles */
int
imip_store_pool_new(struct imip_store_pool **out, int max_idle,
    struct imip_err *err)
{
	struct imip_store_pool *p = NULL;
	int rc = IMIP_OK;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->idle = calloc((size_t)(max_idle > 0 ? max_idle : 1),
	    sizeof(*p->idle))) == NULL) {
		rc = imip_err_set(err, IMIP_ENOMEM, "store pool");
		goto out;
	}
	if (pthread_mutex_init(&p->lock, NULL) != 0) {
		rc = imip_err_set(err, IMIP_ERR, "store pool: mutex");
		goto out;
	}
	p->max = max_idle;
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
	for (int i = 0; i < p->n; i++)
		imip_store_close(p->idle[i]);
	pthread_mutex_destroy(&p->lock);
	free(p->idle);
	free(p);
}

/* The most recently returned idle handle, or NULL. */
static struct imip_store *
pop(struct imip_store_pool *p)
{
	struct imip_store *st = NULL;

	pthread_mutex_lock(&p->lock);
	if (p->n > 0)
		st = p->idle[--p->n];
	pthread_mutex_unlock(&p->lock);
	return st;
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
	p->max = 0;
	pthread_mutex_unlock(&p->lock);
	while ((st = pop(p)) != NULL)
		imip_store_close(st);
}

/*
 * imip_store_pool_get - an idle handle opened on path with busy_ms, or a
 * new one (*out is the caller's until imip_store_pool_put); idle handles
 * opened otherwise (the configuration changed) are closed on the way
 */
int
imip_store_pool_get(struct imip_store_pool *p, const char *path,
    int busy_ms, struct imip_store **out, struct imip_err *err)
{
	struct imip_store *st;

	*out = NULL;
	while ((st = pop(p)) != NULL) {
		if (imip_store_opened_as(st, path, busy_ms)) {
			*out = st;
			return IMIP_OK;
		}
		imip_store_close(st);
	}
	return imip_store_open(out, path, 0, busy_ms, err);
}

/*
 * imip_store_pool_put - take st back (NULL: nothing), rolling back a
 * transaction left open; closed instead when max_idle are idle already
 */
void
imip_store_pool_put(struct imip_store_pool *p, struct imip_store *st)
{
	if (st == NULL)
		return;
	imip_store_rollback(st);	/* no-op without a transaction */
	pthread_mutex_lock(&p->lock);
	if (p->n < p->max) {
		p->idle[p->n++] = st;
		st = NULL;
	}
	pthread_mutex_unlock(&p->lock);
	imip_store_close(st);		/* NULL-safe */
}
