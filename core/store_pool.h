/*
 * store_pool.h - a few open store handles, lent for one piece of work.
 *
 * Opening a handle reads the schema and every statement is prepared
 * again, which costs about as much as deciding half a message, and each
 * open handle holds its own page cache.  A daemon serving many
 * connections therefore borrows a handle for the duration of one piece
 * of work and gives it back, instead of keeping one per connection, and
 * no more than a fixed number exist.  Thread-safe; a borrowed handle
 * belongs to the borrower alone.
 */
#ifndef IMIP_STORE_POOL_H
#define IMIP_STORE_POOL_H

#include "err.h"
#include "store.h"

struct imip_store_pool;

/* imip_store_pool_new - an empty pool that opens at most max handles */
int	imip_store_pool_new(struct imip_store_pool **out, int max,
	    struct imip_err *err);
/* imip_store_pool_free - close every idle handle; NULL-safe */
void	imip_store_pool_free(struct imip_store_pool *p);
/*
 * imip_store_pool_drain - close every idle handle and keep none from now
 * on: for a daemon's shutdown, while borrowers may still be finishing
 */
void	imip_store_pool_drain(struct imip_store_pool *p);
/*
 * imip_store_pool_get - an idle handle opened on path with busy_ms, or a
 * new one (*out is the caller's until imip_store_pool_put); waits up to
 * busy_ms while all handles are lent, then IMIP_EBUSY.  An idle handle
 * opened otherwise (the configuration changed) is closed on the way.
 */
int	imip_store_pool_get(struct imip_store_pool *p, const char *path,
	    int busy_ms, struct imip_store **out, struct imip_err *err);
/*
 * imip_store_pool_put - take st back (NULL: nothing), rolling back a
 * transaction left open; closed instead when the pool is draining
 */
void	imip_store_pool_put(struct imip_store_pool *p, struct imip_store *st);

#endif
