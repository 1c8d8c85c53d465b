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
	const char			*stored;	/* extend: ical read */
	bool				 pending;	/* approval: book TENTATIVE */
	int64_t				 asked;		/* event held for approval */
	bool				 person;	/* record, never answer */
};

/* sched_decide - record the decision, its REQUEST-STATUS and reason */
int	sched_decide(struct job *j, const char *decision, int major,
	    int minor, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));

/* sched_transact - fn in one transaction with its journal row */
int	sched_transact(struct job *j, int (*fn)(struct job *));

/* sched_version_cmp - >0 it is newer than ev, 0 the same, <0 older */
int	sched_version_cmp(const struct imip_itip *it,
	    const struct imip_event_rec *ev);

/* sched_organizer_vouched - may this message speak for its ORGANIZER? */
bool	sched_organizer_vouched(const struct job *j);

/* sched_refuse_stranger - REFUSED unless the stored organizer sent it */
bool	sched_refuse_stranger(struct job *j,
	    const struct imip_event_rec *old, int *rc);

/* sched_local_time - "2027-03-01 10:00" of t in zone tz */
void	sched_local_time(char *buf, size_t size, int64_t t, const char *tz);

/* sched_human_text - the text/plain part of an answer (caller frees) */
char	*sched_human_text(const struct job *j, const char *partstat,
	    const struct imip_period *conflict);

/* sched_note - append to the journal reason of the decision made */
int	sched_note(struct job *j, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* sched_sent_by - did addr send this message (envelope or From)? */
bool	sched_sent_by(const struct imip_sched_ctx *ctx, const char *addr);

/* sched_find_conflict - is want free?  *conflict gets the first clash */
int	sched_find_conflict(struct job *j, struct imip_period want,
	    bool *found, struct imip_period *conflict);

/* sched_put_event - store the event as this calendar sees it now */
int	sched_put_event(struct job *j, int64_t *id, const char *partstat,
	    const char *status);

/* sched_rate_limited - true (and noted) past reply_rate_limit for to */
int	sched_rate_limited(struct job *j, const char *to, bool *limited);

/* sched_outbox - queue message (the outcome takes it) from cal to to */
int	sched_outbox(struct job *j, const char *to, char *message);

/* sched_queue - queue spec's message, text human (freed), to the organizer */
int	sched_queue(struct job *j, struct imip_reply_spec *spec, char *human);

/* sched_queue_reply* - build the REPLY and put it into the outbox */
int	sched_queue_reply_instances(struct job *j, const char *partstat,
	    const char *status_text, const struct imip_period *conflict,
	    const struct imip_reply_instance *declined, size_t ndeclined);
int	sched_queue_reply(struct job *j, const char *partstat,
	    const char *status_text, const struct imip_period *conflict);

/* schedule.c: the methods both kinds of calendar share */
int	sched_request(struct job *j);
int	sched_cancel(struct job *j);
int	sched_declinecounter(struct job *j);

/* schedule_person.c: old is the stored event, NULL for a new one */
int	sched_person_record(struct job *j, const struct imip_event_rec *old);

/* schedule_organizer.c: what attendees send a person who organizes */
int	sched_merge_reply(struct job *j);
int	sched_counter(struct job *j);
int	sched_refresh(struct job *j);
int	sched_keep_counter(struct job *j, int64_t event_id,
	    const char *attendee, const char *direction,
	    struct imip_counter_rec *c, bool *kept);

/* schedule_person.c: a DECLINECOUNTER of the person's proposal */
int	sched_counter_declined(struct job *j,
	    const struct imip_event_rec *old);

/* schedule_series.c */
int	sched_book_series(struct job *j, const struct imip_attendee *me);
int	sched_update_instances(struct job *j,
	    const struct imip_event_rec *old);
int	sched_add(struct job *j);
int	sched_repeat_answer(struct job *j);

/* schedule_policy.c */
const char *sched_fbtype(const struct job *j);	/* BUSY or BUSY-TENTATIVE */
int	sched_policy_gate(struct job *j, bool *stop);
int	sched_ask_delegates(struct job *j, int64_t event_id);
int	sched_approval_answer(struct job *j);

/* schedule_fb.c */
int	sched_freebusy(struct job *j);

#endif
