/*
 * msg_int.h - what msg.c and decision.c share (internal to core).
 *
 * msg.c follows one message through the milter callbacks; decision.c
 * turns what was decided into the headers and the action for the MTA.
 */
#ifndef IMIP_MSG_INT_H
#define IMIP_MSG_INT_H

#include <stdbool.h>

#include "msg.h"

/* msg_add_outcome - move *o into d, with its X-iMIP-Schedule header */
int	msg_add_outcome(struct imip_decision *d, struct imip_outcome *o,
	    struct imip_err *err);

/* msg_seen_before - did an earlier part give cal this UID and method? */
bool	msg_seen_before(const struct imip_decision *d, const char *cal,
	    const struct imip_itip *it);

/*
 * msg_take_action - failure action a for class cls, unless d has a
 * stronger one already; the formatted reason goes with it.
 */
int	msg_take_action(struct imip_decision *d, enum imip_fail_class cls,
	    enum imip_failure_action a, struct imip_err *err,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * msg_annotate - summary_part: the notes of d's outcomes for people
 * (clashes, proposals) as a text/plain part in front of the message
 * data[0..len), in d->body.  Signed, encrypted or unparsable mail keeps
 * its body (the headers still say it all); that is logged, not failed.
 */
int	msg_annotate(struct imip_decision *d, const char *qid,
	    const char *data, size_t len, struct imip_err *err);

#endif
