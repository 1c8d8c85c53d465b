/*
 * test_msg_actions.c - what the decision tells the MTA to do: the failure
 * classes (policy refusal, bad data, internal error) with each configured
 * action, the refusal's reason in the result header, and consume delivery
 * (which recipients leave the message, discard when none is left).
 *
 * Messages are fed like the milter feeds them, every recipient through
 * imip_msg_envrcpt, against a real SQLite store (msg_feed.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "msg_feed.h"
#include "store.h"

#define MALLORY		"<mallory@evil.example>"

/* A broken calendar part next to a forged REQUEST: both classes at once. */
static const char two_classes[] =
	"From: <mallory@evil.example>\n"
	"To: <" ROOM_A ">\n"
	"Subject: Planning\n"
	"Message-ID: <two-classes@example.net>\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/mixed; boundary=\"b\"\n"
	"\n"
	"--b\n"
	"Content-Type: text/calendar; method=REQUEST\n"
	"\n"
	"BEGIN:VCALENDAR\n"
	"METHOD:REQUEST\n"
	"BEGIN:VEVENT\n"
	"UID:broken@example.net\n"
	"\n"
	"--b\n"
	"Content-Type: text/calendar; method=REQUEST\n"
	"\n"
	"BEGIN:VCALENDAR\n"
	"PRODID:-//test//EN\n"
	"VERSION:2.0\n"
	"METHOD:REQUEST\n"
	"BEGIN:VEVENT\n"
	"UID:forged@example.net\n"
	"SEQUENCE:0\n"
	"DTSTAMP:20270215T120000Z\n"
	"DTSTART:20270301T090000Z\n"
	"DTEND:20270301T100000Z\n"
	"ORGANIZER:mailto:%s@example.org\n"
	"ATTENDEE;CUTYPE=ROOM;RSVP=TRUE:mailto:" ROOM_A "\n"
	"END:VEVENT\n"
	"END:VCALENDAR\n"
	"\n"
	"--b--\n";

static void
set(struct fx *fx, const char *key, const char *value)
{
	assert_int_equal(imip_conf_set(fx->db->conf, key, value, &fx->err),
	    IMIP_OK);
}

static void
delivery(struct fx *fx, const char *room, const char *how)
{
	assert_int_equal(imip_store_calendar_set(fx->db->st, room, "delivery",
	    how, &fx->err), IMIP_OK);
}

/*
 * Feed text (or, if text is NULL, the fixture file) from sender to the
 * recipients rcpt (NULL-terminated, as the MTA gives them) and finish.
 */
static void
run(struct fx *fx, const char *file, const char *text, const char *sender,
    const char *const *rcpt)
{
	imip_decision_fini(&fx->d);
	imip_msg_free(fx->m);
	free(fx->text);
	fx->text = text != NULL ? strdup(text) : slurp(file);
	assert_non_null(fx->text);
	assert_int_equal(imip_msg_new(&fx->m, fx->db->conf, &fx->err),
	    IMIP_OK);
	imip_msg_queue_id(fx->m, "QID1");
	assert_int_equal(imip_msg_envfrom(fx->m, sender, &fx->err), IMIP_OK);
	for (; *rcpt != NULL; rcpt++)
		assert_int_equal(imip_msg_envrcpt(fx->m, fx->db->st, *rcpt,
		    &fx->err), IMIP_OK);
	fx->body = feed_headers(fx, fx->text);
	assert_true(imip_msg_eoh(fx->m));
	assert_int_equal(feed_body(fx, false), IMIP_OK);
	if (imip_msg_finish(fx->m, fx->db->st, NOW, &fx->d, &fx->err) < 0)
		fail_msg("imip_msg_finish: %s", fx->err.msg);
}

static const char *const to_room_a[] = { "<" ROOM_A ">", NULL };

static void
assert_action(const struct fx *fx, enum imip_action want,
    enum imip_fail_class cls, const char *reason)
{
	if (fx->d.action != want)
		fail_msg("action: got %d, want %d (%s)", fx->d.action, want,
		    fx->d.reason != NULL ? fx->d.reason : "no reason");
	if (want == IMIP_ACTION_ACCEPT) {
		assert_null(fx->d.reason);
		return;
	}
	assert_int_equal(fx->d.fail_class, cls);
	assert_non_null(fx->d.reason);
	if (strncmp(fx->d.reason, reason, strlen(reason)) != 0)
		fail_msg("reason: got \"%s\", want \"%s...\"", fx->d.reason,
		    reason);
	if (want == IMIP_ACTION_TEMPFAIL || want == IMIP_ACTION_REJECT)
		assert_non_null(fx->d.smtp_text);
}

static const struct {
	const char		*setting;
	enum imip_action	 want;
} actions[] = {
	{ "accept", IMIP_ACTION_ACCEPT },
	{ "tempfail", IMIP_ACTION_TEMPFAIL },
	{ "reject", IMIP_ACTION_REJECT },
	{ "quarantine", IMIP_ACTION_QUARANTINE },
};
#define NACTIONS	(sizeof(actions) / sizeof(actions[0]))

static void
test_policy_refusal_takes_on_policy_refusal(void **state)
{
	struct fx *fx = *state;

	set(fx, "local_domains", "example.org");
	for (size_t i = 0; i < NACTIONS; i++) {
		set(fx, "on_policy_refusal", actions[i].setting);
		run(fx, "msg-spoofed-local-organizer.eml", NULL, MALLORY,
		    to_room_a);
		assert_string_equal(fx->d.outcomes[0].decision, "REFUSED");
		assert_action(fx, actions[i].want, IMIP_CLASS_POLICY,
		    "refused: " ROOM_A " REQUEST uid=inv-16@example.com: local "
		    "organizer boss@example.org");
		/* Whatever the MTA is told, the refusal changed nothing. */
		assert_int_equal(fx->d.replies, 0);
		assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM "
		    "event"), 0);
	}
}

static void
test_policy_decline_counts_as_refusal(void **state)
{
	struct fx *fx = *state;

	/* An external organizer, and Room A takes none by default. */
	set(fx, "local_domains", "example.org");
	set(fx, "on_policy_refusal", "reject");
	run(fx, "msg-invite.eml", NULL, "<alice@example.com>", to_room_a);
	assert_string_equal(fx->d.outcomes[0].decision, "DECLINED");
	assert_true(fx->d.outcomes[0].refused);
	assert_action(fx, IMIP_ACTION_REJECT, IMIP_CLASS_POLICY,
	    "refused: " ROOM_A " REQUEST uid=inv-1@example.com: policy: ");
	assert_non_null(strstr(fx->d.headers[0].value, " reason=\"policy: "));
}

static void
test_bad_data_takes_on_bad_data(void **state)
{
	struct fx *fx = *state;

	for (size_t i = 0; i < NACTIONS; i++) {
		set(fx, "on_bad_data", actions[i].setting);
		run(fx, "msg-truncated-calendar.eml", NULL,
		    "<alice@example.com>", to_room_a);
		assert_int_equal(fx->d.noutcomes, 0);
		assert_action(fx, actions[i].want, IMIP_CLASS_BAD_DATA,
		    "bad calendar data: not iCalendar data");
	}
}

static void
test_accept_by_default_for_bad_data_and_refusal(void **state)
{
	struct fx *fx = *state;
	char *text = NULL;

	set(fx, "local_domains", "example.org");
	assert_true(asprintf(&text, two_classes, "boss") > 0);
	run(fx, NULL, text, MALLORY, to_room_a);
	free(text);
	assert_action(fx, IMIP_ACTION_ACCEPT, IMIP_CLASS_NONE, NULL);
	assert_int_equal(fx->d.noutcomes, 1);
}

/* Both classes: the stronger action wins, whichever class chose it. */
static void
test_stronger_action_wins(void **state)
{
	static const struct {
		const char		*bad, *policy;
		enum imip_action	 want;
		enum imip_fail_class	 cls;
	} cases[] = {
		{ "quarantine", "reject", IMIP_ACTION_REJECT,
		    IMIP_CLASS_POLICY },
		{ "reject", "quarantine", IMIP_ACTION_REJECT,
		    IMIP_CLASS_BAD_DATA },
		{ "tempfail", "quarantine", IMIP_ACTION_TEMPFAIL,
		    IMIP_CLASS_BAD_DATA },
		{ "accept", "quarantine", IMIP_ACTION_QUARANTINE,
		    IMIP_CLASS_POLICY },
	};
	struct fx *fx = *state;
	char *text = NULL;

	set(fx, "local_domains", "example.org");
	assert_true(asprintf(&text, two_classes, "boss") > 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		set(fx, "on_bad_data", cases[i].bad);
		set(fx, "on_policy_refusal", cases[i].policy);
		run(fx, NULL, text, MALLORY, to_room_a);
		assert_action(fx, cases[i].want, cases[i].cls,
		    cases[i].cls == IMIP_CLASS_POLICY ? "refused: " :
		    "bad calendar data: ");
	}
	free(text);
}

static void
test_internal_error_quarantines_when_configured(void **state)
{
	struct fx *fx = *state;
	struct imip_store *locker;
	int rc;

	set(fx, "on_internal_error", "quarantine");
	assert_true(begin(fx, &(struct feed){ .file = "msg-invite.eml" }));
	assert_int_equal(feed_body(fx, false), IMIP_OK);
	locker = dbfx_locker(fx->db);
	rc = imip_msg_finish(fx->m, fx->db->st, NOW, &fx->d, &fx->err);
	dbfx_unlock(locker);
	assert_int_equal(rc, IMIP_EBUSY);
	assert_action(fx, IMIP_ACTION_QUARANTINE, IMIP_CLASS_INTERNAL,
	    "internal error: ");
	dbfx_assert_rows(fx->db, 0, 0, 0, 0);
}

static void
test_refusal_reason_in_header_is_sanitized_and_bounded(void **state)
{
	struct fx *fx = *state;
	char local[301], *text = NULL;
	const char *v, *q;

	set(fx, "local_domains", "example.org");
	memset(local, 'x', 300);
	local[0] = '"';
	local[5] = '"';
	local[300] = '\0';
	assert_true(asprintf(&text, two_classes, local) > 0);
	run(fx, NULL, text, MALLORY, to_room_a);
	free(text);
	assert_int_equal(fx->d.nheaders, 1);
	v = fx->d.headers[0].value;
	assert_non_null(q = strstr(v, " reason=\""));
	q += strlen(" reason=\"");
	assert_string_equal(q + strlen(q) - 1, "\"");
	assert_int_equal(strchr(q, '"'), q + strlen(q) - 1);
	assert_true(strlen(q) - 1 <= 200);
	assert_int_equal(strncmp(q, "local organizer 'xxxx'xxx", 25), 0);
	for (const char *p = v; *p != '\0'; p++)
		assert_true((unsigned char)*p >= 0x20);
}

/* Room A consumes; what each recipient list comes to. */
static void
test_consumed_room_leaves_the_message(void **state)
{
	static const char *const with_bob[] = { "<bob@example.net>",
	    "<" ROOM_A ">", NULL };
	struct fx *fx = *state;

	delivery(fx, ROOM_A, "consume");
	run(fx, "msg-invite.eml", NULL, "<alice@example.com>", with_bob);
	assert_string_equal(fx->d.outcomes[0].decision, "ACCEPTED");
	assert_int_equal(fx->d.action, IMIP_ACTION_ACCEPT);
	assert_int_equal(fx->d.ndelrcpts, 1);
	assert_string_equal(fx->d.delrcpts[0], "<" ROOM_A ">");
	assert_logged(fx, "QID1: <" ROOM_A "> consumed");
}

static void
test_message_for_consumed_rooms_only_is_discarded(void **state)
{
	static const char *const twice[] = { "<" ROOM_A ">",
	    "<Room-A@Example.ORG>", NULL };
	struct fx *fx = *state;

	delivery(fx, ROOM_A, "consume");
	run(fx, "msg-invite.eml", NULL, "<alice@example.com>", twice);
	assert_int_equal(fx->d.action, IMIP_ACTION_DISCARD);
	assert_int_equal(fx->d.ndelrcpts, 2);
	assert_string_equal(fx->d.delrcpts[0], "<" ROOM_A ">");
	assert_string_equal(fx->d.delrcpts[1], "<Room-A@Example.ORG>");
	/* Consumed, but booked and answered all the same. */
	assert_int_equal(fx->d.replies, 1);
	dbfx_assert_rows(fx->db, 1, 1, 1, 1);
}

static void
test_only_consuming_rooms_are_deleted(void **state)
{
	static const char *const rooms[] = { "<" ROOM_A ">", "<" ROOM_B ">",
	    NULL };
	struct fx *fx = *state;

	delivery(fx, ROOM_B, "consume");
	run(fx, "msg-invite-two-rooms.eml", NULL, "<alice@example.com>",
	    rooms);
	assert_int_equal(fx->d.noutcomes, 2);
	assert_int_equal(fx->d.action, IMIP_ACTION_ACCEPT);
	assert_int_equal(fx->d.ndelrcpts, 1);
	assert_string_equal(fx->d.delrcpts[0], "<" ROOM_B ">");
}

static void
test_refused_or_bad_data_is_not_consumed(void **state)
{
	struct fx *fx = *state;

	delivery(fx, ROOM_A, "consume");
	run(fx, "msg-truncated-calendar.eml", NULL, "<alice@example.com>",
	    to_room_a);
	assert_int_equal(fx->d.action, IMIP_ACTION_ACCEPT);
	assert_int_equal(fx->d.ndelrcpts, 0);
	set(fx, "local_domains", "example.org");
	run(fx, "msg-spoofed-local-organizer.eml", NULL, MALLORY, to_room_a);
	assert_string_equal(fx->d.outcomes[0].decision, "REFUSED");
	assert_int_equal(fx->d.action, IMIP_ACTION_ACCEPT);
	assert_int_equal(fx->d.ndelrcpts, 0);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_policy_refusal_takes_on_policy_refusal),
		T(test_policy_decline_counts_as_refusal),
		T(test_bad_data_takes_on_bad_data),
		T(test_accept_by_default_for_bad_data_and_refusal),
		T(test_stronger_action_wins),
		T(test_internal_error_quarantines_when_configured),
		T(test_refusal_reason_in_header_is_sanitized_and_bounded),
		T(test_consumed_room_leaves_the_message),
		T(test_message_for_consumed_rooms_only_is_discarded),
		T(test_only_consuming_rooms_are_deleted),
		T(test_refused_or_bad_data_is_not_consumed),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup, NULL);
}
