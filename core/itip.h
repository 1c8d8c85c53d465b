/*
 * itip.h - one iTIP scheduling object, parsed and checked with libical.
 *
 * One object is one UID: a master VEVENT and/or RECURRENCE-ID overrides,
 * or one VFREEBUSY (a free/busy request or answer).  VTODO, VJOURNAL and
 * the other component types are IMIP_EUNSUPPORTED so the mail passes
 * untouched.  Times come out as UTC epoch seconds; imip_itip_expand turns
 * a series into its instances (an ADD: each new instance).
 */
#ifndef IMIP_ITIP_H
#define IMIP_ITIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum imip_method {
	IMIP_METHOD_UNKNOWN,
	IMIP_METHOD_PUBLISH,
	IMIP_METHOD_REQUEST,
	IMIP_METHOD_REPLY,
	IMIP_METHOD_ADD,
	IMIP_METHOD_CANCEL,
	IMIP_METHOD_REFRESH,
	IMIP_METHOD_COUNTER,
	IMIP_METHOD_DECLINECOUNTER
};

struct imip_attendee {
	char	*address;	/* normalized */
	char	*name;		/* CN, may be NULL */
	char	*partstat;	/* as sent, default "NEEDS-ACTION" */
	bool	 rsvp;
};

/* One occurrence, identified by its RECURRENCE-ID instant. */
struct imip_instance {
	int64_t	 rid;		/* original start, UTC: the identity */
	int64_t	 start, end;	/* where it is now, [start, end) */
	bool	 override;	/* a RECURRENCE-ID component says so */
	bool	 cancelled;	/* that component has STATUS:CANCELLED */
	bool	 and_after;	/* RANGE=THISANDFUTURE: it and every later */
};

struct icalcomponent_impl;	/* libical's icalcomponent */

struct imip_itip {
	enum imip_method	 method;
	char			*uid;
	int			 sequence;
	int64_t			 dtstamp;	/* 0 when absent */
	char			*organizer;	/* normalized, may be NULL */
	char			*organizer_name;
	char			*organizer_sent_by; /* normalized, or NULL */
	char			*summary;	/* may be NULL */
	char			*comment;	/* COMMENT (a COUNTER's why) */
	int64_t			 start, end;	/* UTC, [start, end) */
	bool			 all_day;
	struct imip_attendee	*attendees;
	size_t			 nattendees;
	size_t			 ncomponents;	/* in the VCALENDAR, any kind */
	char			*vevent;	/* the object as iCalendar text */
	bool			 freebusy;	/* a VFREEBUSY: start, end are
						   the asked range */
	bool			 recurring;	/* RRULE, RDATE or overrides */
	bool			 has_master;	/* false: overrides only */
	/* Filled by imip_itip_expand: */
	struct imip_instance	*inst;		/* sorted by rid */
	size_t			 ninst;
	bool			 clipped;	/* the rule goes on past until */
	int64_t			 until;		/* expanded up to here */
	struct icalcomponent_impl *root;	/* owned; for expansion */
};

/* imip_itip_init - once per process, before threads: errors never abort */
void	imip_itip_init(void);

/*
 * imip_itip_parse - parse iCalendar text into *out (caller frees).
 * method_param is the Content-Type "method" parameter or NULL; when given it
 * must agree with the METHOD property.  Floating times and dates are read in
 * default_tz (an IANA name).  Bad data fails with IMIP_EPARSE, valid data
 * this version does not handle with IMIP_EUNSUPPORTED.
 */
int	imip_itip_parse(struct imip_itip **out, const char *text,
	    const char *method_param, const char *default_tz,
	    struct imip_err *err);

/*
 * imip_itip_expand - the instances of it that start before until (at most
 * max: more is IMIP_ELIMIT), in default_tz for floating times.  RRULE,
 * RDATE and EXDATE of the master, then overrides matched by instant.  A
 * rule that can never produce an instance is IMIP_EPARSE.
 */
int	imip_itip_expand(struct imip_itip *it, int64_t until, size_t max,
	    const char *default_tz, struct imip_err *err);

/*
 * imip_itip_expand_range - the same, leaving out instances whose
 * RECURRENCE-ID is before from (they were booked by an earlier
 * expansion); max counts only the instances kept.
 */
int	imip_itip_expand_range(struct imip_itip *it, int64_t from,
	    int64_t until, size_t max, const char *default_tz,
	    struct imip_err *err);

/* imip_itip_free - release a parsed object; NULL is a no-op */
void	imip_itip_free(struct imip_itip *itip);

/* imip_itip_attendee - the ATTENDEE with address addr (borrowed), or NULL */
const struct imip_attendee *imip_itip_attendee(const struct imip_itip *itip,
	    const char *addr);

/* imip_method_name - "REQUEST", ... for method; "UNKNOWN" otherwise */
const char *imip_method_name(enum imip_method method);

/* imip_method_parse - the method named name (any case), or UNKNOWN */
enum imip_method imip_method_parse(const char *name);

#endif
