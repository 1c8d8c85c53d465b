/*
 * recur_helpers.h - shared by the imip_itip_expand tests (test_recur.c,
 * test_recur_bounds.c): series text built from string literals, the
 * instances a case wants, and run_series(), which expands each inline
 * series with its rules both after DTSTART and before.  Include after
 * <cmocka.h>.
 *
 * Expected instants were computed outside libical (Python zoneinfo and
 * date -u -d) and are written next to the UTC time they stand for.
 * A case showing exactly the symptom of a known core bug is reported and
 * skipped, so it runs in full once the bug is fixed:
 *  BUG-1 recur.c rule() resets the master's property iterator (via
 *        get_first_property(m, DTSTART), get_duration(m)), so series()
 *        finds the same RRULE again when DTSTART precedes it: IMIP_ELIMIT,
 *        or an endless loop if the rule has no instance before until.
 *  BUG-2 recur.c rule() cuts at a UTC r.until that libical compares with
 *        floating and DATE instances as wall time: east of UTC the last
 *        instance before until is lost.
 *  BUG-3 recur.c rule() ends an instance at icaltime_add(t, DTEND-DTSTART)
 *        in wall time, not the exact duration of RFC 5545 3.8.5.3.
 *  BUG-4 recur.c override() adds overrides that start at or after until.
 */
#ifndef IMIP_TEST_RECUR_HELPERS_H
#define IMIP_TEST_RECUR_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "itip.h"

/* One content line of a test calendar. */
#define L(s)	s "\r\n"

#define HEAD								\
	L("BEGIN:VCALENDAR") L("VERSION:2.0")				\
	L("PRODID:-//imip-milter//tests//EN") L("METHOD:REQUEST")
#define IDS								\
	L("UID:series@example.org") L("DTSTAMP:20270215T120000Z")	\
	L("ORGANIZER:mailto:alice@example.org")
#define ONE_EVENT(a, b)							\
	HEAD L("BEGIN:VEVENT") IDS a b L("END:VEVENT") L("END:VCALENDAR")
/* Close the master and open an override of it at RECURRENCE-ID rid. */
#define OVERRIDE(rid)							\
	L("END:VEVENT") L("BEGIN:VEVENT") IDS L("RECURRENCE-ID" rid)
#define BERLIN_10_11							\
	L("DTSTART;TZID=Europe/Berlin:20270301T100000")			\
	L("DTEND;TZID=Europe/Berlin:20270301T110000")
#define UTC_09_10							\
	L("DTSTART:20270301T090000Z") L("DTEND:20270301T100000Z")
#define WEEKLY_4	L("RRULE:FREQ=WEEKLY;COUNT=4")

#define T_20270301_0900Z	INT64_C(1803891600)
#define T_20270320_0000Z	INT64_C(1805500800)
#define T_20280101_0000Z	INT64_C(1830297600)
#define MAX_INST		1000

struct want {
	int64_t	 rid, start, end;
	bool	 override, cancelled;
};
#define I(s, e)		{ (s), (s), (e), false, false }	/* from the master */
#define OV(r, s, e)	{ (r), (s), (e), true, false }	/* overridden */
#define CX(r, s, e)	{ (r), (s), (e), true, true }	/* cancelled */
#define WANT(a)		(a), sizeof(a) / sizeof((a)[0])
#define NCASES(a)	(sizeof(a) / sizeof((a)[0]))

/* A master VEVENT (times and rules), maybe overrides after it. */
struct series_case {
	const char		*what;
	const char		*tz;		/* default_tz */
	const char		*times;		/* DTSTART, DTEND lines */
	const char		*rules;		/* RRULE, RDATE, EXDATE lines */
	const char		*more;		/* override components or "" */
	int64_t			 until;
	bool			 clipped;
	const struct want	*want;
	size_t			 nwant;
	const char		*bug;		/* known: a mismatch skips */
};

/* Berlin 10:00-11:00 on the Mondays from 2027-03-01; CEST from 03-28. */
static const struct want BERLIN_MONDAYS[] = {
	I(1803891600, 1803895200),	/* 2027-03-01T09:00Z .. 10:00Z */
	I(1804496400, 1804500000),	/* 2027-03-08T09:00Z .. 10:00Z */
	I(1805101200, 1805104800),	/* 2027-03-15T09:00Z .. 10:00Z */
	I(1805706000, 1805709600),	/* 2027-03-22T09:00Z .. 10:00Z */
	I(1806307200, 1806310800),	/* 2027-03-29T08:00Z .. 09:00Z */
	I(1806912000, 1806915600),	/* 2027-04-05T08:00Z .. 09:00Z */
	I(1807516800, 1807520400),	/* 2027-04-12T08:00Z .. 09:00Z */
	I(1808121600, 1808125200),	/* 2027-04-19T08:00Z .. 09:00Z */
	I(1808726400, 1808730000),	/* 2027-04-26T08:00Z .. 09:00Z */
	I(1809331200, 1809334800),	/* 2027-05-03T08:00Z .. 09:00Z */
};

static inline void
dump(const struct imip_itip *it)
{
	for (size_t i = 0; i < it->ninst; i++)
		print_message("  [%zu] rid %lld [%lld, %lld)%s%s\n", i,
		    (long long)it->inst[i].rid, (long long)it->inst[i].start,
		    (long long)it->inst[i].end,
		    it->inst[i].override ? " override" : "",
		    it->inst[i].cancelled ? " cancelled" : "");
}

/* Whether it holds exactly want; if not, why says how (and dumps it). */
static inline bool
same_instances(const struct imip_itip *it, const struct want *want,
    size_t n, bool clipped, char *why, size_t len)
{
	const struct imip_instance *g;

	why[0] = '\0';
	if (it->ninst != n)
		snprintf(why, len, "got %zu instances, want %zu", it->ninst,
		    n);
	else if (it->clipped != clipped)
		snprintf(why, len, "got clipped %d, want %d", it->clipped,
		    clipped);
	for (size_t i = 0; it->ninst == n && i < n; i++) {
		g = &it->inst[i];
		if (g->rid == want[i].rid && g->start == want[i].start &&
		    g->end == want[i].end && g->override == want[i].override &&
		    g->cancelled == want[i].cancelled)
			continue;
		snprintf(why, len, "instance %zu: got {rid %lld, [%lld, %lld),"
		    " override %d, cancelled %d}, want {rid %lld, [%lld, %lld),"
		    " override %d, cancelled %d}", i, (long long)g->rid,
		    (long long)g->start, (long long)g->end, g->override,
		    g->cancelled, (long long)want[i].rid,
		    (long long)want[i].start, (long long)want[i].end,
		    want[i].override, want[i].cancelled);
		break;
	}
	if (why[0] != '\0')
		dump(it);
	return why[0] == '\0';
}

static inline struct imip_itip *
parse_ok(const char *what, const char *text, const char *tz)
{
	struct imip_itip *it = NULL;
	struct imip_err err;
	int rc;

	imip_err_clear(&err);
	if ((rc = imip_itip_parse(&it, text, NULL, tz, &err)) != IMIP_OK)
		fail_msg("%s: parse got rc %d (%s: %s), want IMIP_OK", what,
		    rc, imip_err_name(rc), err.msg);
	return it;
}

/*
 * Expand c with its rules after DTSTART, then before.  Returns true when
 * a known bug showed (reported); fails the test on any other difference.
 */
static inline bool
run_series(const struct series_case *c)
{
	static const char *const order[] = { "DTSTART first", "RRULE first" };
	char text[8192], why[512];
	struct imip_itip *it;
	struct imip_err err;
	bool known = false;
	int rc, n;

	for (int rf = 0; rf < 2; rf++) {
		n = snprintf(text, sizeof(text), HEAD L("BEGIN:VEVENT") IDS
		    "%s%s%s" L("END:VEVENT") L("END:VCALENDAR"),
		    rf ? c->rules : c->times, rf ? c->times : c->rules,
		    c->more);
		assert_true(n > 0 && (size_t)n < sizeof(text));
		it = parse_ok(c->what, text, c->tz);
		imip_err_clear(&err);
		rc = imip_itip_expand(it, c->until, MAX_INST, c->tz, &err);
		if (rc == IMIP_ELIMIT && !rf && strstr(c->rules, "RRULE")) {
			print_message("%s (%s): BUG-1: got %s, want IMIP_OK\n",
			    c->what, order[rf], err.msg);
			known = true;
		} else if (rc != IMIP_OK) {
			fail_msg("%s (%s): got rc %d (%s: %s), want IMIP_OK",
			    c->what, order[rf], rc, imip_err_name(rc),
			    err.msg);
		} else if (!same_instances(it, c->want, c->nwant, c->clipped,
		    why, sizeof(why))) {
			if (c->bug == NULL)
				fail_msg("%s (%s): %s", c->what, order[rf],
				    why);
			print_message("%s (%s): %s: %s\n", c->what, order[rf],
			    c->bug, why);
			known = true;
		}
		imip_itip_free(it);
	}
	return known;
}

static inline void
run_series_cases(const struct series_case *cases, size_t n)
{
	bool known = false;

	for (size_t i = 0; i < n; i++)
		known |= run_series(&cases[i]);
	if (known)
		skip();
}

#endif
