/*
 * outbox.h - hand queued replies to the MTA through sendmail(1).
 *
 * One call sends what is due and records the result; the thread that calls
 * it again and again lives in milter/.  The caller must ignore SIGPIPE.
 */
#ifndef IMIP_OUTBOX_H
#define IMIP_OUTBOX_H

#include <stdint.h>

#include "conf.h"
#include "err.h"
#include "store.h"

/*
 * imip_outbox_send - run argv plus "-i -f FROM -- TO" with message on its
 * standard input; IMIP_ERR (with the exit status) unless it exits 0.
 */
int	imip_outbox_send(char *const *argv, const char *from, const char *to,
	    const char *message, struct imip_err *err);

/*
 * imip_outbox_run - send up to a batch of due messages; *sent counts the
 * successes.  A failed send is rescheduled with doubling delay, and given
 * up (marked failed) after outbox_max_attempts.
 */
int	imip_outbox_run(struct imip_store *st, const struct imip_conf *conf,
	    int64_t now, int *sent, struct imip_err *err);

/* imip_outbox_retry_at - when attempt number attempts (1..) may run again */
int64_t	imip_outbox_retry_at(const struct imip_conf *conf, int attempts,
	    int64_t now);

#endif
