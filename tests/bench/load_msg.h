/*
 * load_msg.h - the load driver's messages: a template with ${NAME}
 * placeholders, filled in for message number n, split into what the MTA
 * sends a filter (envelope, headers, body with CRLF line ends).
 */
#ifndef IMIP_BENCH_LOAD_MSG_H
#define IMIP_BENCH_LOAD_MSG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * Where message n goes: room room_first + n % rooms, in that room's slot
 * k = n / rooms (k % wrap when wrap > 0), which starts at base + k * step
 * and lasts length seconds.  Rooms never share a slot, so as long as
 * step >= length and k stays below wrap (if any), no two messages ask
 * for the same time in the same room.
 */
struct lm_plan {
	const char	*run_id;	/* part of every UID */
	unsigned	 rooms, room_first;
	int64_t		 base, step, length;
	unsigned	 wrap;
	time_t		 now;		/* DTSTAMP and Date */
};

/* One filled-in message; every pointer is into memory it owns. */
struct lm_msg {
	char		 from[256], rcpt[256], qid[24];
	char		**hname, **hvalue;
	size_t		 nhdr;
	char		*body;		/* CRLF line ends */
	size_t		 bodylen;
	char		*text;		/* the headers, split in place */
};

/*
 * lm_check - 0 if every placeholder in s is known; else -1 with the bad
 * name in why
 */
int	lm_check(const char *s, char *why, size_t whylen);
/*
 * lm_fill - message n from tmpl (from_t and rcpt_t are templates too);
 * 0, or -1 when out of memory or a line is not a header
 */
int	lm_fill(struct lm_msg *m, const char *tmpl, const char *from_t,
	    const char *rcpt_t, const struct lm_plan *p, uint64_t n);
/* lm_fini - release what lm_fill allocated; safe on a zeroed struct */
void	lm_fini(struct lm_msg *m);

#endif
