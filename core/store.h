/*
 * store.h - everything imip-milter keeps, behind one SQLite handle.
 *
 * All SQL lives in store*.c so another backend could replace it without
 * touching scheduling code.  A handle is used by one thread at a time (a
 * milter callback borrows one from store_pool.h, a tool opens its own).
 * Writes happen between imip_store_begin() (BEGIN IMMEDIATE) and
 * imip_store_commit().
 */
#ifndef IMIP_STORE_H
#define IMIP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"
#include "policy.h"

struct imip_store;

enum imip_cal_kind {
	IMIP_CAL_RESOURCE,
	IMIP_CAL_PERSON
};

struct imip_calendar {
	int64_t			 id;
	char			*address;	/* normalized */
	enum imip_cal_kind	 kind;
	char			*name;		/* may be NULL */
	char			*tz;		/* IANA zone name */
	bool			 share_freebusy; /* answer VFREEBUSY requests */
	bool			 publish_freebusy; /* write ADDRESS.vfb */
	bool			 consume;	/* delivery = consume */
	struct imip_policy	 policy;
};

/* One stored event as the scheduler needs it. */
struct imip_event_rec {
	int64_t		 id;		/* 0 until stored */
	int64_t		 calendar_id;
	char		*uid;
	char		*organizer;	/* normalized, may be NULL */
	char		*summary;
	int		 sequence;
	int64_t		 dtstamp;
	char		*partstat;	/* "ACCEPTED", "DECLINED", ... */
	char		*status;	/* "CONFIRMED", "CANCELLED", ... */
	char		*ical;		/* the VEVENT as received */
};

/* A busy period with what it belongs to, as listed for people. */
struct imip_busy_rec {
	int64_t		 start, end;	/* UTC epoch seconds, [start, end) */
	int64_t		 rid;		/* its instance's RECURRENCE-ID, or 0 */
	const char	*fbtype;	/* borrowed for the callback's duration */
	const char	*uid;
	const char	*summary;
	const char	*organizer;
};

struct imip_journal_rec {
	int64_t		 at;
	const char	*queue_id;
	const char	*calendar;
	const char	*uid;
	const char	*method;
	const char	*sender;
	const char	*decision;
	const char	*reason;
	const char	*trust;		/* the originator's evidence */
};

/* One event as imipctl events lists it; strings borrowed for the call. */
struct imip_event_entry {
	int64_t		 id;
	const char	*uid;
	int64_t		 recurrence_id;	/* UTC epoch seconds; 0 = master */
	const char	*organizer;	/* may be NULL */
	const char	*summary;	/* may be NULL */
	int		 sequence;
	const char	*partstat;
	const char	*status;
	int64_t		 updated;
};

/* Which journal rows imip_store_journal_query returns; NULL/0: any. */
struct imip_journal_filter {
	const char	*calendar;	/* normalized address */
	const char	*uid;
	int64_t		 from, to;	/* at in [from, to) */
	int		 limit;		/* newest limit rows */
};

struct imip_outbox_rec {
	int64_t		 id;
	int64_t		 created;
	const char	*env_from;
	const char	*env_to;
	const char	*message;	/* RFC 5322 text, LF line ends */
	int		 attempts;
	int64_t		 next_attempt;
	const char	*last_error;
	int64_t		 sent;		/* 0 = not sent */
	int64_t		 failed;	/* 0 = not given up */
	const char	*message_id;	/* of message, for add; may be NULL */
	const char	*in_reply_to;	/* the request's, for add; or NULL */
};

/* What became of an outbox message. */
enum imip_outbox_state {
	IMIP_OUTBOX_WAITING,		/* for its next attempt */
	IMIP_OUTBOX_FAILED,		/* given up after the last attempt */
	IMIP_OUTBOX_SENT
};

enum imip_store_flags {
	IMIP_STORE_CREATE = 1 << 0,	/* create the file if missing */
	IMIP_STORE_READONLY = 1 << 1
};

/* A booked series that imipctl expand may extend. */
struct imip_series_rec {
	int64_t		 event_id;
	const char	*calendar;	/* its address */
	const char	*uid;
	const char	*ical;		/* the object as stored */
	int64_t		 expanded_until;
};

/* A booking waiting for a delegate (approval table). */
struct imip_approval_rec {
	int64_t		 id;
	int64_t		 event_id;
	char		*uid;		/* of the event */
	int		 sequence;	/* the version asked about */
	int64_t		 dtstamp;
	char		*decision;	/* NULL while open */
	char		*decided_by;
};

/* An attendee's answer to an event a person organizes. */
struct imip_reply_rec {
	int64_t		 event_id;
	const char	*attendee;
	int64_t		 rid;		/* 0: the whole event */
	const char	*partstat;
	int		 sequence;
	int64_t		 dtstamp;
};

/* A counter-proposal: a new time an attendee asks the organizer for. */
struct imip_counter_rec {
	int64_t		 event_id;
	const char	*attendee;
	int64_t		 rid;		/* 0: the whole event */
	const char	*direction;	/* "received" or "sent" */
	int64_t		 start, end;	/* the proposed time, UTC */
	const char	*comment;	/* may be NULL */
	int		 sequence;
	int64_t		 dtstamp;
	const char	*ical;		/* the COUNTER as received */
};

/* Callbacks return 0 to go on, non-zero to stop (that value is returned). */
typedef int (*imip_calendar_cb)(const struct imip_calendar *, void *);
typedef int (*imip_busy_cb)(const struct imip_busy_rec *, void *);
typedef int (*imip_outbox_cb)(const struct imip_outbox_rec *, void *);
typedef int (*imip_journal_cb)(const struct imip_journal_rec *, void *);
typedef int (*imip_series_cb)(const struct imip_series_rec *, void *);
typedef int (*imip_event_entry_cb)(const struct imip_event_entry *, void *);

/* store.c: handle, schema, transactions */
int	imip_store_open(struct imip_store **out, const char *path, int flags,
	    int busy_ms, struct imip_err *err);
void	imip_store_close(struct imip_store *st);
bool	imip_store_opened_as(const struct imip_store *st, const char *path,
	    int busy_ms);
int	imip_store_version(struct imip_store *st);
int	imip_store_begin(struct imip_store *st, struct imip_err *err);
int	imip_store_commit(struct imip_store *st, struct imip_err *err);
void	imip_store_rollback(struct imip_store *st);

/*
 * store_file.c: the file as a whole.  backup copies it to dest (through
 * dest.tmp, checked, then renamed) while others may write.
 */
int	imip_store_integrity(struct imip_store *st, struct imip_err *err);
int	imip_store_backup(struct imip_store *st, const char *dest,
	    struct imip_err *err);

/* store_calendar.c: calendars (calendar_set, setting_key: store_settings.c) */
int	imip_store_calendar_add(struct imip_store *st, const char *address,
	    enum imip_cal_kind kind, const char *name, const char *tz,
	    time_t now, struct imip_err *err);
int	imip_store_calendar_find(struct imip_store *st, const char *address,
	    struct imip_calendar **out, struct imip_err *err);
int	imip_store_calendar_is_managed(struct imip_store *st,
	    const char *address, bool *out, struct imip_err *err);
int	imip_store_calendar_foreach(struct imip_store *st,
	    imip_calendar_cb cb, void *arg, struct imip_err *err);
int	imip_store_calendar_set(struct imip_store *st, const char *address,
	    const char *key, const char *value, struct imip_err *err);
const char *imip_store_setting_key(size_t i);
int	imip_store_calendar_future(struct imip_store *st, int64_t calendar_id,
	    int64_t now, int64_t *n, struct imip_err *err);
int	imip_store_calendar_remove(struct imip_store *st, int64_t calendar_id,
	    struct imip_err *err);
int	imip_store_calendar_rename(struct imip_store *st, int64_t calendar_id,
	    const char *address, struct imip_err *err);
void	imip_calendar_free(struct imip_calendar *cal);

/* store_approval.c: delegate approvals */
int	imip_store_approval_add(struct imip_store *st, int64_t calendar_id,
	    int64_t event_id, const char *token, int sequence,
	    int64_t dtstamp, time_t now, struct imip_err *err);
int	imip_store_approval_find(struct imip_store *st, int64_t calendar_id,
	    const char *token, struct imip_approval_rec **out,
	    struct imip_err *err);
int	imip_store_approval_decide(struct imip_store *st, int64_t id,
	    const char *decision, const char *by, time_t now,
	    struct imip_err *err);
void	imip_approval_rec_free(struct imip_approval_rec *a);
int	imip_store_event_partstat(struct imip_store *st, int64_t event_id,
	    const char *partstat, time_t now, struct imip_err *err);
int	imip_store_busy_fbtype(struct imip_store *st, int64_t event_id,
	    const char *fbtype, struct imip_err *err);
int	imip_store_reply_put(struct imip_store *st,
	    const struct imip_reply_rec *r, time_t now, bool *kept,
	    struct imip_err *err);
const char *imip_cal_kind_name(enum imip_cal_kind kind);
int	imip_cal_kind_parse(const char *name, enum imip_cal_kind *out);

/*
 * store_counter.c: counter-proposals.  put keeps c unless a newer
 * proposal of that attendee for that instance is stored (*kept says);
 * close moves event_id's open proposals in direction (of attendee, or
 * every attendee for NULL) to state, *n of them.
 */
int	imip_store_counter_put(struct imip_store *st,
	    const struct imip_counter_rec *c, time_t now, bool *kept,
	    struct imip_err *err);
int	imip_store_counter_close(struct imip_store *st, int64_t event_id,
	    const char *direction, const char *attendee, const char *state,
	    time_t now, int *n, struct imip_err *err);

/*
 * imip_store_busy_writes - a count of the changes to busy rows made
 * through st: compared before and after a transaction, it tells whether
 * a calendar's free/busy changed (and its published file is stale).
 */
uint64_t imip_store_busy_writes(const struct imip_store *st);

/*
 * store_seen.c: exactly once.  outbox_handover counts a hand-over of row
 * id before it happens (*copy: its number).  outbox_seen notes the copy
 * of a generated message from calendar from that passes the filter;
 * *duplicate when another copy passed before.  outbox_answered says
 * whether from already queued an answer to the request in_reply_to.
 */
int	imip_store_outbox_handover(struct imip_store *st, int64_t id,
	    int64_t *copy, struct imip_err *err);
int	imip_store_outbox_seen(struct imip_store *st, const char *message_id,
	    const char *from, int64_t copy, bool *duplicate,
	    struct imip_err *err);
int	imip_store_outbox_answered(struct imip_store *st, const char *from,
	    const char *in_reply_to, bool *yes, struct imip_err *err);

/* store_event.c: events and busy time */
int	imip_store_event_find(struct imip_store *st, int64_t calendar_id,
	    const char *uid, struct imip_event_rec **out,
	    struct imip_err *err);
int	imip_store_event_put(struct imip_store *st, struct imip_event_rec *ev,
	    time_t now, struct imip_err *err);
int	imip_store_busy_set(struct imip_store *st, int64_t calendar_id,
	    int64_t event_id, int64_t rid, int64_t start, int64_t end,
	    const char *fbtype, struct imip_err *err);
int	imip_store_busy_clear(struct imip_store *st, int64_t event_id,
	    struct imip_err *err);
int	imip_store_busy_clear_instance(struct imip_store *st,
	    int64_t event_id, int64_t rid, bool and_after,
	    struct imip_err *err);
int	imip_store_busy_overlapping(struct imip_store *st,
	    int64_t calendar_id, int64_t start, int64_t end,
	    const char *exclude_uid, imip_busy_cb cb, void *arg,
	    struct imip_err *err);
void	imip_event_rec_free(struct imip_event_rec *ev);

/* store_series.c: versions and expansion of series */
int	imip_store_event_version(struct imip_store *st, int64_t id,
	    int sequence, int64_t dtstamp, time_t now, struct imip_err *err);
int	imip_store_event_expanded(struct imip_store *st, int64_t id,
	    int64_t until, struct imip_err *err);
int	imip_store_instance_cancel(struct imip_store *st, int64_t cal,
	    const char *uid, const char *organizer, int64_t rid,
	    bool and_after, time_t now, struct imip_err *err);
int	imip_store_instance_cancelled(struct imip_store *st, int64_t cal,
	    const char *uid, int64_t rid, bool *out, struct imip_err *err);
int	imip_store_instances_forget(struct imip_store *st, int64_t cal,
	    const char *uid, struct imip_err *err);
int	imip_store_series_due(struct imip_store *st, int64_t until,
	    imip_series_cb cb, void *arg, struct imip_err *err);

/* store_outbox.c: journal and outbox */
int	imip_store_journal_add(struct imip_store *st,
	    const struct imip_journal_rec *j, struct imip_err *err);
int	imip_store_outbox_add(struct imip_store *st,
	    const struct imip_outbox_rec *o, int64_t *id_out,
	    struct imip_err *err);
int	imip_store_outbox_recent(struct imip_store *st, const char *env_to,
	    int64_t since, int64_t *n, struct imip_err *err);
int	imip_store_outbox_due(struct imip_store *st, int64_t now, int limit,
	    imip_outbox_cb cb, void *arg, struct imip_err *err);
int	imip_store_outbox_foreach(struct imip_store *st, bool pending_only,
	    imip_outbox_cb cb, void *arg, struct imip_err *err);
int	imip_store_outbox_mark_sent(struct imip_store *st, int64_t id,
	    int64_t now, struct imip_err *err);
int	imip_store_outbox_mark_retry(struct imip_store *st, int64_t id,
	    int64_t now, int64_t next_attempt, bool give_up,
	    const char *error, struct imip_err *err);
int	imip_store_outbox_state(struct imip_store *st, int64_t id,
	    enum imip_outbox_state *out, struct imip_err *err);
int	imip_store_outbox_due_now(struct imip_store *st, int64_t id,
	    int64_t now, int64_t *n, struct imip_err *err);
int	imip_store_outbox_purge(struct imip_store *st, int64_t id,
	    int64_t before, bool unsent, int64_t *n, struct imip_err *err);

/* store_list.c: listings for imipctl */
int	imip_store_event_foreach(struct imip_store *st, int64_t calendar_id,
	    imip_event_entry_cb cb, void *arg, struct imip_err *err);
int	imip_store_journal_query(struct imip_store *st,
	    const struct imip_journal_filter *f, imip_journal_cb cb,
	    void *arg, struct imip_err *err);

#endif
