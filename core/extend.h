/*
 * extend.h - extend booked series past the horizon they were booked to.
 */
#ifndef IMIP_EXTEND_H
#define IMIP_EXTEND_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "schedule.h"
#include "store.h"

/* Told about each series extended (the outcome is borrowed). */
typedef void (*imip_extend_cb)(const struct imip_outcome *, void *);

/*
 * imip_extend_due - book, for every accepted series expanded only to
 * before until, its instances up to until (at most max per series), one
 * transaction per series.  cb sees each outcome: EXTENDED (IGNORED when
 * the series changed meanwhile), or NOT-EXTENDED for a stored object that
 * no longer parses or expands, which is journaled and skipped.  Fails
 * only on internal errors.
 */
int	imip_extend_due(struct imip_store *st,
	    const struct imip_sched_ctx *ctx, int64_t until, size_t max,
	    imip_extend_cb cb, void *arg, struct imip_err *err);

#endif
