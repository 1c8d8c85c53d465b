/*
 * sched_fx.h - a fixture for scheduling tests: one room in Europe/Berlin
 * on a real SQLite file, and helpers that parse, expand and schedule a
 * calendar object the way the pipeline does.
 */
#ifndef IMIP_TEST_SCHED_FX_H
#define IMIP_TEST_SCHED_FX_H

#include <stdio.h>
#include <stdlib.h>

#include "dbfixture.h"
#include "fixture.h"
#include "itip.h"
#include "schedule.h"

#define ROOM		"room-a@example.org"
#define ALICE		"alice@example.com"
#define NOW		INT64_C(1795000000)	/* 2026-11-18T09:46:40Z */
#define HORIZON		(NOW + INT64_C(365) * 86400)
/* Mondays 10:00 Europe/Berlin: 2027-03-01 09:00Z .. after DST 08:00Z */
#define MAR01		INT64_C(1803891600)	/* 2027-03-01T09:00:00Z */
#define MAR08		INT64_C(1804496400)	/* 2027-03-08T09:00:00Z */
#define MAR15		INT64_C(1805101200)	/* 2027-03-15T09:00:00Z */
#define MAR22		INT64_C(1805706000)	/* 2027-03-22T09:00:00Z */
#define MAR29		INT64_C(1806307200)	/* 2027-03-29T08:00:00Z */
#define HOUR		3600

struct fx {
	struct dbfx		*db;
	struct imip_calendar	*room;
	struct imip_sched_ctx	 ctx;
	struct imip_outcome	 out;
	struct imip_err		 err;
};

static inline int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->db = dbfx_new("test_sched", 50);
	fx->room = dbfx_calendar(fx->db, ROOM, IMIP_CAL_RESOURCE, "Room A",
	    "Europe/Berlin");
	fx->ctx = (struct imip_sched_ctx){ .conf = fx->db->conf,
	    .queue_id = "QID", .sender = ALICE, .hostname = "test.example",
	    .now = NOW, .may_reply = true };
	*state = fx;
	return 0;
}

static inline int
teardown(void **state)
{
	struct fx *fx = *state;

	imip_outcome_fini(&fx->out);
	imip_calendar_free(fx->room);
	dbfx_free(fx->db);
	free(fx);
	return 0;
}

/* A calendar object around body (VEVENT lines, CRLF added). */
static inline char *
calendar(const char *method, const char *body)
{
	char *text = NULL;

	assert_true(asprintf(&text, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//imip-milter//tests//EN\r\nMETHOD:%s\r\n%s"
	    "END:VCALENDAR\r\n", method, body) > 0);
	return text;
}

/* A weekly series, Mondays 10:00-11:00 in Berlin, from 1 March 2027. */
#define SERIES(rule)							\
	"BEGIN:VEVENT\r\nUID:series@example.com\r\n"			\
	"DTSTAMP:20261101T120000Z\r\nSEQUENCE:0\r\n"			\
	"DTSTART;TZID=Europe/Berlin:20270301T100000\r\n"		\
	"DTEND;TZID=Europe/Berlin:20270301T110000\r\n"			\
	"RRULE:" rule "\r\nSUMMARY:Weekly\r\n"				\
	"ORGANIZER:mailto:" ALICE "\r\n"				\
	"ATTENDEE;RSVP=TRUE:mailto:" ROOM "\r\nEND:VEVENT\r\n"

/* Parse, expand like the pipeline, schedule; returns the decision. */
static inline const char *
run(struct fx *fx, const char *method, const char *body)
{
	struct imip_itip *it = NULL;
	char *text = calendar(method, body);

	imip_outcome_fini(&fx->out);
	if (imip_itip_parse(&it, text, NULL, fx->room->tz, &fx->err) < 0 ||
	    imip_itip_expand(it, HORIZON, 1000, fx->room->tz, &fx->err) < 0 ||
	    imip_schedule_resource(fx->db->st, &fx->ctx, fx->room, it,
	    &fx->out, &fx->err) < 0)
		fail_msg("scheduling failed: %s", fx->err.msg);
	imip_itip_free(it);
	free(text);
	return fx->out.decision;
}

/* Another event's busy period [start, end) in the room. */
static inline void
occupy(struct fx *fx, const char *uid, int64_t start, int64_t end)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "INSERT INTO event (calendar_id, uid, "
	    "organizer, partstat, updated) VALUES (%lld, '%s', "
	    "'bob@example.com', 'ACCEPTED', 0); INSERT INTO busy "
	    "(calendar_id, event_id, start, end) VALUES (%lld, "
	    "last_insert_rowid(), %lld, %lld); UPDATE calendar SET "
	    "busy_span_max = max(busy_span_max, %lld)",
	    (long long)fx->room->id, uid, (long long)fx->room->id,
	    (long long)start, (long long)end, (long long)(end - start));
	dbfx_exec(fx->db, sql);
}

#endif
