/*
 * test_store_outbox.c - the store's outbox queue and decision journal, on
 * a fresh database per test (store_fx.h) with a constant clock.
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

static void
test_outbox_due_retry_sent_failed(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };
	int64_t a, b, c;

	a = queue(fx, T0, 0);
	b = queue(fx, T0 + 10, 0);
	c = queue(fx, T0 + 20, T0 + 100);
	assert_true(a < b && b < c);
	assert_string_equal(due(fx, T0 - 1, 0), "");
	assert_string_equal(due(fx, T0 + 50, 0), "1 2");
	assert_string_equal(due(fx, T0 + 50, 1), "1");
	assert_string_equal(due(fx, T0 + 100, 0), "1 2 3");

	assert_int_equal(imip_store_outbox_mark_retry(fx->st, a, T0 + 50,
	    T0 + 500, false, "421 try later", &err), IMIP_OK);
	assert_string_equal(due(fx, T0 + 100, 0), "2 3");
	assert_string_equal(due(fx, T0 + 500, 0), "1 2 3");
	assert_int_equal(raw_int(fx->path, "SELECT attempts FROM outbox"
	    " WHERE id = 1 AND last_error = '421 try later'"), 1);

	assert_int_equal(imip_store_outbox_mark_sent(fx->st, b, T0 + 60, &err),
	    IMIP_OK);
	assert_int_equal(imip_store_outbox_mark_retry(fx->st, c, T0 + 70,
	    T0 + 700, true, "550 no such user", &err), IMIP_OK);
	assert_string_equal(due(fx, T0 + DAY, 0), "1");
	assert_int_equal(raw_int(fx->path, "SELECT failed FROM outbox"
	    " WHERE id = 3"), T0 + 70);
	assert_int_equal(imip_store_outbox_mark_sent(fx->st, 99, T0, &err),
	    IMIP_ENOTFOUND);
}

static void
test_outbox_foreach_all_or_pending(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };
	char buf[256] = "";

	queue(fx, T0, 0);
	queue(fx, T0 + 1, 0);
	queue(fx, T0 + 2, 0);
	assert_int_equal(imip_store_outbox_mark_sent(fx->st, 1, T0 + 5, &err),
	    IMIP_OK);
	assert_int_equal(imip_store_outbox_mark_retry(fx->st, 3, T0 + 5,
	    T0 + 5, true, "gave up", &err), IMIP_OK);
	assert_int_equal(imip_store_outbox_foreach(fx->st, true,
	    collect_outbox, buf, &err), IMIP_OK);
	assert_string_equal(buf, "2");
	buf[0] = '\0';
	assert_int_equal(imip_store_outbox_foreach(fx->st, false,
	    collect_outbox, buf, &err), IMIP_OK);
	assert_string_equal(buf, "1:sent 2 3:failed");
}

/* Stop after the first row by returning a distinct value. */
static int
stop_first(const struct imip_outbox_rec *o, void *arg)
{
	*(int64_t *)arg = o->id;
	return 42;
}

static void
test_outbox_callback_stops_walk(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };
	int64_t seen = 0;

	queue(fx, T0, 0);
	queue(fx, T0, 0);
	assert_int_equal(imip_store_outbox_foreach(fx->st, false, stop_first,
	    &seen, &err), 42);
	assert_int_equal(seen, 1);
	/* the statement was reset: the same query runs again */
	assert_string_equal(due(fx, T0, 0), "1 2");
}

/* Append "decision@at" for each journal row. */
static int
collect_journal(const struct imip_journal_rec *j, void *arg)
{
	char *buf = arg;
	size_t n = strlen(buf);

	snprintf(buf + n, 256 - n, "%s%s@%lld", n > 0 ? " " : "",
	    j->decision, (long long)(j->at - T0));
	return 0;
}

static void
test_journal_newest_first_with_limit(void **state)
{
	static const struct {
		int64_t		 at;
		const char	*decision;
	} rows[] = {
		{ 10, "accept" }, { 30, "decline" }, { 20, "counter" },
		{ 30, "tentative" },
	};
	struct fx *fx = *state;
	struct imip_journal_rec j = { 0 };
	struct imip_err err = { 0 };
	char buf[256] = "";

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		j.at = T0 + rows[i].at;
		j.queue_id = "4XyZ1";
		j.calendar = "room-a@example.org";
		j.decision = rows[i].decision;
		assert_int_equal(imip_store_journal_add(fx->st, &j, &err),
		    IMIP_OK);
	}
	assert_int_equal(imip_store_journal_query(fx->st,
	    &(struct imip_journal_filter){ .limit = 3 }, collect_journal, buf,
	    &err), IMIP_OK);
	assert_string_equal(buf, "tentative@30 decline@30 counter@20");
	buf[0] = '\0';
	assert_int_equal(imip_store_journal_query(fx->st,
	    &(struct imip_journal_filter){ 0 }, collect_journal, buf, &err),
	    IMIP_OK);
	assert_string_equal(buf,
	    "tentative@30 decline@30 counter@20 accept@10");
}

/*
 * A generated message: each hand-over numbered; the first copy to pass
 * the filter is noted, the same copy again (postsuper -r) passes, another
 * copy (handed over again after a crash) is a duplicate.
 */
static void
test_outbox_copies_and_duplicates(void **state)
{
	struct fx *fx = *state;
	struct imip_outbox_rec o = {
		.created = T0, .env_from = "room-a@example.org",
		.env_to = "alice@example.com", .message = "Subject: x\n\nx\n",
		.message_id = "<r1@host>", .in_reply_to = "<req1@example.com>",
	};
	struct imip_err err = { 0 };
	int64_t id, copy;
	bool dup, yes;

	assert_int_equal(imip_store_outbox_add(fx->st, &o, &id, &err),
	    IMIP_OK);
	assert_int_equal(imip_store_outbox_handover(fx->st, id, &copy, &err),
	    IMIP_OK);
	assert_int_equal(copy, 1);
	assert_int_equal(imip_store_outbox_seen(fx->st, "<r1@host>",
	    "room-a@example.org", 1, &dup, &err), IMIP_OK);
	assert_false(dup);
	assert_int_equal(imip_store_outbox_seen(fx->st, "<r1@host>",
	    "room-a@example.org", 1, &dup, &err), IMIP_OK);
	assert_false(dup);			/* the same copy requeued */
	assert_int_equal(imip_store_outbox_handover(fx->st, id, &copy, &err),
	    IMIP_OK);
	assert_int_equal(copy, 2);
	assert_int_equal(imip_store_outbox_seen(fx->st, "<r1@host>",
	    "room-a@example.org", 2, &dup, &err), IMIP_OK);
	assert_true(dup);			/* handed over twice */
	/* No row of that sender, or no such row: never a duplicate. */
	assert_int_equal(imip_store_outbox_seen(fx->st, "<r1@host>",
	    "mallory@example.net", 2, &dup, &err), IMIP_OK);
	assert_false(dup);
	assert_int_equal(imip_store_outbox_seen(fx->st, "<other@host>",
	    "room-a@example.org", 1, &dup, &err), IMIP_OK);
	assert_false(dup);
	assert_int_equal(imip_store_outbox_handover(fx->st, 99, &copy, &err),
	    IMIP_ENOTFOUND);

	assert_int_equal(imip_store_outbox_answered(fx->st,
	    "room-a@example.org", "<req1@example.com>", &yes, &err), IMIP_OK);
	assert_true(yes);
	assert_int_equal(imip_store_outbox_answered(fx->st,
	    "room-b@example.org", "<req1@example.com>", &yes, &err), IMIP_OK);
	assert_false(yes);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_outbox_due_retry_sent_failed),
		T(test_outbox_foreach_all_or_pending),
		T(test_outbox_callback_stops_walk),
		T(test_journal_newest_first_with_limit),
		T(test_outbox_copies_and_duplicates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
