/*
 * reply.h - build the iMIP REPLY a managed calendar sends its organizer.
 *
 * The result is a complete RFC 5322 message: multipart/alternative with a
 * short human text and a text/calendar; method=REPLY part holding only the
 * answering ATTENDEE.  It is marked so the filter never answers it.
 */
#ifndef IMIP_REPLY_H
#define IMIP_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "freebusy.h"
#include "itip.h"

/* The header every generated message carries (see BEHAVIOUR.md, loops). */
#define IMIP_GENERATED_HEADER	"X-iMIP-Generated"
/* Which hand-over to the MTA a copy of a generated message is (outbox). */
#define IMIP_COPY_HEADER	"X-iMIP-Copy"

/* One instance of a series answered apart from the rest. */
struct imip_reply_instance {
	int64_t			 rid;		/* its RECURRENCE-ID, UTC */
	struct imip_period	 conflict;	/* what it clashed with */
};

/*
 * What to answer.  For a VFREEBUSY request (request->freebusy) the reply is
 * a VFREEBUSY over [request->start, request->end) listing busy; the
 * partstat and instance fields are not used.  A REFRESH (refresh) asks the
 * organizer to send the whole object again and carries no answer.
 */
struct imip_reply_spec {
	const struct imip_itip	*request;
	const char		*attendee;	/* the answering calendar */
	const char		*attendee_name;	/* may be NULL */
	const char		*partstat;	/* ACCEPTED, DECLINED, ... */
	int			 status_major;	/* REQUEST-STATUS 2.0 ... */
	int			 status_minor;
	const char		*status_text;	/* its description */
	const char		*status_data;	/* extra data or NULL */
	int64_t			 rid;		/* answers this instance; 0: all */
	const struct imip_reply_instance *declined; /* DECLINED instances */
	size_t			 ndeclined;
	bool			 refresh;	/* METHOD:REFRESH */
	const struct imip_fb_period *busy;	/* free/busy answer */
	size_t			 nbusy;
	const char		*human;		/* text/plain body */
	const char		*in_reply_to;	/* request Message-ID or NULL */
	const char		*hostname;	/* right side of Message-ID */
	int64_t			 now;
};

/* imip_reply_build - the reply message text in *out (caller frees) */
int	imip_reply_build(char **out, const struct imip_reply_spec *spec,
	    struct imip_err *err);

/*
 * What a delegate is asked when a booking needs approval: an invitation
 * (METHOD:REQUEST) from ask_from, the per-request address
 * room+approve-TOKEN@domain, so the delegate's calendar answers there.
 */
struct imip_approval_spec {
	const struct imip_itip	*request;	/* the organizer's request */
	const char		*calendar_name;	/* the resource's name */
	const char		*ask_from;	/* ORGANIZER and From */
	const char		*token;		/* makes the UID */
	const char		*delegate;
	const char		*human;		/* text/plain and DESCRIPTION */
	const char		*hostname;
	int64_t			 now;
};

/* imip_approval_build - the question to one delegate (caller frees) */
int	imip_approval_build(char **out, const struct imip_approval_spec *spec,
	    struct imip_err *err);

/*
 * The answer to an attendee's REFRESH (RFC 5546 3.2.6): the organizer's
 * stored object sent again to that attendee as METHOD:REQUEST.
 */
struct imip_resend_spec {
	const char	*stored;	/* the VCALENDAR as stored */
	const char	*summary;	/* for the Subject, may be NULL */
	const char	*from;		/* the organizing calendar */
	const char	*from_name;	/* may be NULL */
	const char	*to;		/* the attendee who asked */
	const char	*human;		/* text/plain body */
	const char	*in_reply_to;	/* the REFRESH's Message-ID or NULL */
	const char	*hostname;
	int64_t		 now;
};

/* imip_resend_build - the REQUEST again (caller frees *out) */
int	imip_resend_build(char **out, const struct imip_resend_spec *spec,
	    struct imip_err *err);

#endif
