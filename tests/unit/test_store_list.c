/*
 * test_store_list.c - the store's listings for imipctl: events of one
 * calendar, newest first, and the journal with each filter, on a fresh
 * database per test (store_fx.h) with a constant clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store.h"
#include "store_fx.h"

/* Store the master event uid on calendar cal, updated at now. */
static void
put_event(struct fx *fx, int64_t cal, const char *uid, int sequence,
    int64_t now)
{
	struct imip_event_rec ev = { 0 };
	struct imip_err err = { 0 };

	ev.calendar_id = cal;
	ev.uid = (char *)uid;
	ev.summary = (char *)"meeting";
	ev.organizer = (char *)"alice@example.org";
	ev.sequence = sequence;
	ev.partstat = (char *)"ACCEPTED";
	assert_int_equal(imip_store_event_put(fx->st, &ev, now, &err),
	    IMIP_OK);
}

/* Append "uid[@rid-T0]:sequence:status" for each event. */
static int
collect_event(const struct imip_event_entry *e, void *arg)
{
	char *buf = arg;
	size_t n = strlen(buf);

	snprintf(buf + n, 256 - n, "%s%s", n > 0 ? " " : "", e->uid);
	n = strlen(buf);
	if (e->recurrence_id != 0)
		snprintf(buf + n, 256 - n, "@%lld",
		    (long long)(e->recurrence_id - T0));
	n = strlen(buf);
	snprintf(buf + n, 256 - n, ":%d:%s", e->sequence, e->status);
	return 0;
}

static void
test_event_foreach_newest_first_one_calendar(void **state)
{
	struct fx *fx = *state;
	struct imip_calendar *other = NULL;
	struct imip_err err = { 0 };
	char buf[256] = "";

	assert_int_equal(imip_store_calendar_add(fx->st, "room-b@example.org",
	    IMIP_CAL_RESOURCE, NULL, "UTC", T0, &err), IMIP_OK);
	assert_int_equal(imip_store_calendar_find(fx->st,
	    "room-b@example.org", &other, &err), IMIP_OK);
	put_event(fx, fx->cal, "old@example.org", 0, T0);
	put_event(fx, fx->cal, "new@example.org", 3, T0 + HOUR);
	put_event(fx, other->id, "elsewhere@example.org", 0, T0 + DAY);
	assert_int_equal(imip_store_instance_cancel(fx->st, fx->cal,
	    "old@example.org", "alice@example.org", T0 + DAY, false,
	    T0 + 2 * HOUR, &err), IMIP_OK);

	assert_int_equal(imip_store_event_foreach(fx->st, fx->cal,
	    collect_event, buf, &err), IMIP_OK);
	assert_string_equal(buf, "old@example.org@86400:0:CANCELLED "
	    "new@example.org:3:CONFIRMED old@example.org:0:CONFIRMED");
	buf[0] = '\0';
	assert_int_equal(imip_store_event_foreach(fx->st, other->id,
	    collect_event, buf, &err), IMIP_OK);
	assert_string_equal(buf, "elsewhere@example.org:0:CONFIRMED");
	imip_calendar_free(other);
}

/* Append "queue_id" for each journal row. */
static int
collect_qid(const struct imip_journal_rec *j, void *arg)
{
	char *buf = arg;
	size_t n = strlen(buf);

	snprintf(buf + n, 256 - n, "%s%s", n > 0 ? " " : "", j->queue_id);
	return 0;
}

/* Journal rows q1..q4 at T0 + 10, 20, 30, 40 on two calendars. */
static void
journal_rows(struct fx *fx)
{
	static const struct {
		int64_t		 at;
		const char	*qid, *cal, *uid;
	} rows[] = {
		{ 10, "q1", "room-a@example.org", "a@example.org" },
		{ 20, "q2", "room-b@example.org", "a@example.org" },
		{ 30, "q3", "room-a@example.org", "b@example.org" },
		{ 40, "q4", "room-a@example.org", "a@example.org" },
	};
	struct imip_journal_rec j = { 0 };
	struct imip_err err = { 0 };

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		j.at = T0 + rows[i].at;
		j.queue_id = rows[i].qid;
		j.calendar = rows[i].cal;
		j.uid = rows[i].uid;
		j.decision = "ACCEPTED";
		assert_int_equal(imip_store_journal_add(fx->st, &j, &err),
		    IMIP_OK);
	}
}

static void
test_journal_query_filters(void **state)
{
	static const struct {
		struct imip_journal_filter	 f;
		const char			*want;
	} cases[] = {
		{ { 0 }, "q4 q3 q2 q1" },
		{ { .calendar = "room-a@example.org" }, "q4 q3 q1" },
		{ { .uid = "a@example.org" }, "q4 q2 q1" },
		{ { .calendar = "room-a@example.org", .uid = "a@example.org" },
		    "q4 q1" },
		{ { .from = T0 + 20 }, "q4 q3 q2" },
		{ { .to = T0 + 30 }, "q2 q1" },
		{ { .from = T0 + 20, .to = T0 + 40 }, "q3 q2" },
		{ { .limit = 2 }, "q4 q3" },
		{ { .uid = "a@example.org", .limit = 1 }, "q4" },
		{ { .uid = "nobody@example.org" }, "" },
		{ { .calendar = "' OR 1 = 1 --" }, "" },
	};
	struct fx *fx = *state;
	struct imip_err err = { 0 };
	char buf[256];

	journal_rows(fx);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf[0] = '\0';
		assert_int_equal(imip_store_journal_query(fx->st, &cases[i].f,
		    collect_qid, buf, &err), IMIP_OK);
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, buf,
			    cases[i].want);
	}
}

/* Stop after the first row: the callback's value comes back. */
static int
stop_at_first(const struct imip_journal_rec *j, void *arg)
{
	(void)j;
	(*(int *)arg)++;
	return 7;
}

static void
test_journal_query_callback_stops(void **state)
{
	struct imip_journal_filter f = { 0 };
	struct fx *fx = *state;
	struct imip_err err = { 0 };
	char buf[256] = "";
	int seen = 0;

	journal_rows(fx);
	assert_int_equal(imip_store_journal_query(fx->st, &f, stop_at_first,
	    &seen, &err), 7);
	assert_int_equal(seen, 1);
	/* the statement was reset: the same query runs again */
	assert_int_equal(imip_store_journal_query(fx->st, &f, collect_qid,
	    buf, &err), IMIP_OK);
	assert_string_equal(buf, "q4 q3 q2 q1");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_event_foreach_newest_first_one_calendar),
		T(test_journal_query_filters),
		T(test_journal_query_callback_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
