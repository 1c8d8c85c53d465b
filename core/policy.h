/*
 * policy.h - what a resource allows, checked before anything is booked.
 *
 * A policy is plain data loaded with the calendar; the checks here are
 * pure functions of the policy, the request and the time, so they are
 * tested without a database.  Two kinds of "no": refused (who asks is not
 * allowed to book here at all) and declined (this booking breaks a rule:
 * its length, its time, how far ahead, a series).  Both carry a
 * REQUEST-STATUS and a reason a person can read.
 */
#ifndef IMIP_POLICY_H
#define IMIP_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "err.h"
#include "itip.h"

struct imip_policy {
	bool	 approval;		/* delegates decide each booking */
	char	*delegates;		/* addresses, blank-separated */
	int	 capacity;		/* concurrent bookings, >= 1 */
	int	 window_days;		/* how far ahead; 0: no limit */
	int	 min_minutes;		/* 0: no limit */
	int	 max_minutes;		/* 0: no limit */
	bool	 recurring;		/* series may be booked */
	int	 conflict_max_instances; /* -1: the configured value */
	int	 conflict_max_percent;	/* -1: the configured value */
	char	*working_hours;		/* "mon-fri 08:00-18:00", or NULL */
	char	*allow;			/* addresses and @domains, or NULL */
	char	*deny;
	bool	 external;		/* organizers outside local_domains */
	bool	 block_pending;		/* people: unanswered blocks time */
	bool	 accept_if_free;	/* people: answered like a resource */
	bool	 answer_refresh;	/* people: REFRESH gets the REQUEST */
	bool	 store_publish;		/* people: PUBLISH is recorded */
};

/* Working hours, parsed: days (bit 0 Sunday) and minutes of the day. */
struct imip_hours {
	unsigned	 days;
	int		 from, to;	/* [from, to), minutes after midnight */
};

enum imip_policy_result {
	IMIP_POLICY_OK,
	IMIP_POLICY_REFUSED,	/* not allowed to book here */
	IMIP_POLICY_DECLINED	/* allowed, but not this booking */
};

struct imip_policy_verdict {
	enum imip_policy_result	 result;
	int			 major, minor;	/* REQUEST-STATUS */
	char			 reason[192];
};

/* imip_policy_default - the safe defaults every new calendar starts with */
void	imip_policy_default(struct imip_policy *p);

/* imip_policy_fini - release what p owns; p is then the default */
void	imip_policy_fini(struct imip_policy *p);

/*
 * imip_policy_check_who - may organizer book here?  deny first, then
 * allow (an allowed address or domain may book even when external), then
 * external organizers only if external is on.
 */
void	imip_policy_check_who(const struct imip_policy *p,
	    const struct imip_conf *conf, const char *organizer,
	    struct imip_policy_verdict *v);

/*
 * imip_policy_check_what - does the booking keep the rules?  it must be
 * expanded; every instance is checked in the calendar's zone tz.
 */
void	imip_policy_check_what(const struct imip_policy *p, const char *tz,
	    const struct imip_itip *it, int64_t now,
	    struct imip_policy_verdict *v);

/* imip_policy_is_delegate - is addr one of p's delegates? */
bool	imip_policy_is_delegate(const struct imip_policy *p, const char *addr);

/* imip_hours_parse - "mon-fri 08:00-18:00", "sat,sun 10:00-14:00" */
int	imip_hours_parse(const char *text, struct imip_hours *out,
	    struct imip_err *err);

/*
 * imip_policy_list_norm - check and normalize an address list (lower
 * case, one blank between entries) into *out (caller frees).
 */
int	imip_policy_list_norm(const char *text, char **out,
	    struct imip_err *err);

#endif
