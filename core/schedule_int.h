/*
 * schedule_int.h - what the schedule*.c files share (internal to core).
 *
 * schedule.c decides single events and CANCELs and owns the transaction,
 * schedule_series.c handles series, their instances and ADD,
 * schedule_fb.c answers free/busy requests.
 */
#ifndef IMIP_SCHEDULE_INT_H
#define IMIP_SCHEDULE_INT_H

#include <stdbool.h>

#include "freebusy.h"
#include "reply.h"
#include "schedule.h"

/* Everything one decision needs, so helpers take one argument. */
struct job {
	struct imip_store		*st;
	const struct imip_sched_ctx	*ctx;
	const struct imip_calendar	*cal;
	const struct imip_itip		*it;
	struct imip_outcome		*out;
	struct imip_err			*err;
};

/* sched_decide - record the decision, its REQUEST-STATUS and reason */
int	sched_decide(struct job *j, const char *decision, int major,
	    int minor, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));

/* sched_sent_by - did addr send this message (envelope or From)? */
bool	sched_sent_by(const struct imip_sched_ctx *ctx, const char *addr);

/* sched_find_conflict - is want free?  *conflict gets the first clash */
int	sched_find_conflict(struct job *j, struct imip_period want,
	    bool *found, struct imip_period *conflict);

/* sched_put_event - store the event as this calendar sees it now */
int	sched_put_event(struct job *j, int64_t *id, const char *partstat,
	    const char *status);

/* sched_queue_reply* - build the REPLY and put it into the outbox */
int	sched_queue_reply_instances(struct job *j, const char *partstat,
	    const char *status_text, const struct imip_period *conflict,
	    const struct imip_reply_instance *declined, size_t ndeclined);
int	sched_queue_reply(struct job *j, const char *partstat,
	    const char *status_text, const struct imip_period *conflict);

/* schedule_series.c */
int	sched_book_series(struct job *j, const struct imip_attendee *me);
int	sched_update_instances(struct job *j,
	    const struct imip_event_rec *old);

/* schedule_fb.c */
int	sched_freebusy(struct job *j);

#endif
