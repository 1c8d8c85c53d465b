/*
 * test_msg_trust.c - the originator's evidence through the streaming API:
 * client address, SASL login and Authentication-Results fed as the milter
 * feeds them, against a real SQLite store (msg_feed.h).
 *
 * example.org is local, mx.example.org's Authentication-Results are
 * believed, and Room A takes external organizers.  Messages are built
 * here from one template: a top-level text/calendar REQUEST or CANCEL.
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

#define ALICE		"alice@example.org"	/* local */
#define BOB		"bob@example.com"	/* external */
#define OUTSIDE		"203.0.113.9"
#define TRUSTED_AR	"mx.example.org; "

/* One message: zero fields take the defaults. */
struct msgin {
	const char	*method;	/* NULL: REQUEST */
	const char	*organizer;	/* NULL: ALICE; also From and sender */
	const char	*client;	/* NULL: not fed (offline) */
	const char	*login;		/* NULL: none */
	const char	*ar;		/* Authentication-Results value */
	bool		 own;		/* sender's calendar looked up */
};

static const char template[] =
	"From: <%s>\n"
	"To: <" ROOM_A ">\n"
	"Subject: Planning\n"
	"Message-ID: <%s.trust@example.net>\n"
	"MIME-Version: 1.0\n"
	"Content-Type: text/calendar; charset=utf-8; method=%s\n"
	"\n"
	"BEGIN:VCALENDAR\n"
	"PRODID:-//test//EN\n"
	"VERSION:2.0\n"
	"METHOD:%s\n"
	"BEGIN:VEVENT\n"
	"UID:trust-1@example.net\n"
	"SEQUENCE:%d\n"
	"DTSTAMP:20270215T120000Z\n"
	"DTSTART:20270301T090000Z\n"
	"DTEND:20270301T100000Z\n"
	"SUMMARY:Planning\n"
	"%s"
	"ORGANIZER:mailto:%s\n"
	"ATTENDEE;CUTYPE=ROOM;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:"
	    ROOM_A "\n"
	"END:VEVENT\n"
	"END:VCALENDAR\n";

static int
setup_trust(void **state)
{
	struct imip_err err = { 0 };
	struct fx *fx;

	setup(state);
	fx = *state;
	assert_int_equal(imip_conf_set(fx->db->conf, "local_domains",
	    "example.org", &err), IMIP_OK);
	assert_int_equal(imip_conf_set(fx->db->conf, "trusted_authserv_ids",
	    "mx.example.org", &err), IMIP_OK);
	assert_int_equal(imip_store_calendar_set(fx->db->st, ROOM_A,
	    "external", "yes", &err), IMIP_OK);
	return 0;
}

/* Feed in as the milter would and finish; the decision is in fx->d. */
static void
send_msg(struct fx *fx, const struct msgin *in)
{
	const char *method = in->method != NULL ? in->method : "REQUEST";
	const char *org = in->organizer != NULL ? in->organizer : ALICE;
	bool cancel = strcmp(method, "CANCEL") == 0;
	char sender[128];

	imip_decision_fini(&fx->d);
	imip_msg_free(fx->m);
	free(fx->text);
	assert_true(asprintf(&fx->text, template, org, method, method,
	    method, cancel ? 1 : 0, cancel ? "STATUS:CANCELLED\n" : "",
	    org) > 0);
	assert_int_equal(imip_msg_new(&fx->m, fx->db->conf, &fx->err),
	    IMIP_OK);
	imip_msg_queue_id(fx->m, "QID1");
	snprintf(sender, sizeof(sender), "<%s>", org);
	assert_int_equal(imip_msg_envfrom(fx->m, sender, &fx->err), IMIP_OK);
	if (in->client != NULL)
		imip_msg_client(fx->m, in->client);
	if (in->login != NULL)
		assert_int_equal(imip_msg_login(fx->m, in->login, &fx->err),
		    IMIP_OK);
	assert_int_equal(imip_msg_envrcpt(fx->m, fx->db->st, "<" ROOM_A ">",
	    &fx->err), IMIP_OK);
	if (in->ar != NULL)
		header(fx, "Authentication-Results", 22, in->ar);
	fx->body = feed_headers(fx, fx->text);
	if (in->own) {
		assert_true(imip_msg_sender_may_be_managed(fx->m));
		assert_int_equal(imip_msg_sender_calendar(fx->m, fx->db->st,
		    &fx->err), IMIP_OK);
	}
	assert_true(imip_msg_eoh(fx->m));
	assert_int_equal(feed_body(fx, false), IMIP_OK);
	if (imip_msg_finish(fx->m, fx->db->st, NOW, &fx->d, &fx->err) < 0)
		fail_msg("imip_msg_finish: %s", fx->err.msg);
	assert_int_equal(fx->d.noutcomes, in->own ? 2 : 1);
}

static void
assert_decision(const struct fx *fx, const char *want)
{
	if (strcmp(fx->d.outcomes[0].decision, want) != 0)
		fail_msg("decision: got %s (%s), want %s",
		    fx->d.outcomes[0].decision,
		    fx->d.outcomes[0].reason != NULL ?
		    fx->d.outcomes[0].reason : "", want);
}

/* The trust column of the newest journal row. */
static void
assert_trust(const struct fx *fx, const char *want)
{
	char *s = dbfx_text(fx->db, "SELECT trust FROM journal "
	    "ORDER BY id DESC LIMIT 1");

	if (strcmp(s, want) != 0)
		fail_msg("journal trust: got \"%s\", want \"%s\"", s, want);
	free(s);
}

/* Alice's booking, made while logged in: the event all CANCELs aim at. */
static void
book_as_alice(struct fx *fx)
{
	send_msg(fx, &(struct msgin){ .client = OUTSIDE, .login = "alice" });
	assert_decision(fx, "ACCEPTED");
	dbfx_assert_rows(fx->db, 1, 1, 1, 1);
}

static void
test_forged_local_organizer_is_refused(void **state)
{
	struct fx *fx = *state;

	send_msg(fx, &(struct msgin){ .client = OUTSIDE });
	assert_decision(fx, "REFUSED");
	assert_true(fx->d.outcomes[0].refused);
	assert_int_equal(fx->d.replies, 0);
	assert_null(fx->d.outcomes[0].reply);
	dbfx_assert_rows(fx->db, 0, 0, 1, 0);
	assert_trust(fx, "none");
	/* Delivered (on_policy_refusal = accept) with the reason. */
	assert_int_equal(fx->d.action, IMIP_ACTION_ACCEPT);
	assert_non_null(strstr(fx->d.headers[0].value, " decision=REFUSED"));
	assert_non_null(strstr(fx->d.headers[0].value,
	    " reason=\"local organizer " ALICE));
}

static void
test_logged_in_local_organizer_is_booked(void **state)
{
	struct fx *fx = *state;

	book_as_alice(fx);
	assert_trust(fx, "login=alice");
	assert_null(strstr(fx->d.headers[0].value, "reason="));
}

static void
test_login_for_another_address_is_refused(void **state)
{
	struct fx *fx = *state;

	send_msg(fx, &(struct msgin){ .client = OUTSIDE,
	    .login = "mallory" });
	assert_decision(fx, "REFUSED");
	dbfx_assert_rows(fx->db, 0, 0, 1, 0);
	assert_trust(fx, "login=mallory");
}

static void
test_internal_client_is_booked(void **state)
{
	struct fx *fx = *state;

	send_msg(fx, &(struct msgin){ .client = "127.0.0.1" });
	assert_decision(fx, "ACCEPTED");
	dbfx_assert_rows(fx->db, 1, 1, 1, 1);
	assert_trust(fx, "internal=127.0.0.1");
}

static void
test_trusted_dkim_pass_vouches_for_local_organizer(void **state)
{
	struct fx *fx = *state;

	send_msg(fx, &(struct msgin){ .client = OUTSIDE,
	    .ar = "other.example; dkim=pass header.d=example.org" });
	assert_decision(fx, "REFUSED");
	send_msg(fx, &(struct msgin){ .client = OUTSIDE,
	    .ar = TRUSTED_AR "dkim=pass (ok) header.d=example.org" });
	assert_decision(fx, "ACCEPTED");
	assert_trust(fx, "dkim=example.org");
}

static void
test_message_without_evidence_believes_addresses(void **state)
{
	struct fx *fx = *state;

	/* Nothing fed by an MTA (offline mode): addresses are believed. */
	send_msg(fx, &(struct msgin){ 0 });
	assert_decision(fx, "ACCEPTED");
	assert_trust(fx, "unchecked");
}

static void
test_forged_cancel_keeps_the_booking(void **state)
{
	struct fx *fx = *state;

	book_as_alice(fx);
	send_msg(fx, &(struct msgin){ .method = "CANCEL",
	    .client = OUTSIDE });
	assert_decision(fx, "REFUSED");
	assert_int_equal(fx->d.replies, 0);
	dbfx_assert_rows(fx->db, 1, 1, 2, 1);
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM event "
	    "WHERE status = 'CONFIRMED' AND partstat = 'ACCEPTED'"), 1);
	/* The real Alice can. */
	send_msg(fx, &(struct msgin){ .method = "CANCEL", .client = OUTSIDE,
	    .login = "alice" });
	assert_decision(fx, "CANCELLED");
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM busy"), 0);
}

static void
test_forged_cancel_of_an_unknown_uid_leaves_no_tombstone(void **state)
{
	struct fx *fx = *state;

	/* A tombstone would make Alice's real invitation look stale. */
	send_msg(fx, &(struct msgin){ .method = "CANCEL",
	    .client = OUTSIDE });
	assert_decision(fx, "REFUSED");
	assert_int_equal(dbfx_rows(fx->db, "event"), 0);
	send_msg(fx, &(struct msgin){ .client = OUTSIDE, .login = "alice" });
	assert_decision(fx, "ACCEPTED");
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM busy"), 1);
}

static void
test_managed_sender_records_her_own_meeting(void **state)
{
	struct fx *fx = *state;

	/* Carol, logged in, invites the room: both calendars record it. */
	send_msg(fx, &(struct msgin){ .organizer = "carol@example.org",
	    .client = OUTSIDE, .login = "carol", .own = true });
	assert_decision(fx, "ACCEPTED");
	assert_string_equal(fx->d.outcomes[1].calendar, "carol@example.org");
	assert_string_equal(fx->d.outcomes[1].decision, "RECORDED");
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM busy b JOIN "
	    "calendar c ON c.id = b.calendar_id WHERE c.address = "
	    "'carol@example.org' AND b.fbtype = 'BUSY'"), 1);
	/* From outside without a login: neither calendar believes it. */
	send_msg(fx, &(struct msgin){ .organizer = "carol@example.org",
	    .client = OUTSIDE, .own = true, .method = "CANCEL" });
	assert_decision(fx, "REFUSED");
	assert_string_equal(fx->d.outcomes[1].decision, "REFUSED");
	assert_int_equal(dbfx_rows(fx->db, "busy"), 2);
}

/* Bob (external) books from outside; then a CANCEL with evidence ar. */
static void
cancel_external(struct fx *fx, const char *ar, const char *want,
    int64_t busy)
{
	send_msg(fx, &(struct msgin){ .organizer = BOB, .client = OUTSIDE });
	assert_decision(fx, "ACCEPTED");
	send_msg(fx, &(struct msgin){ .method = "CANCEL", .organizer = BOB,
	    .client = OUTSIDE, .ar = ar });
	assert_decision(fx, want);
	assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM busy"), busy);
}

static void
test_cancel_with_trusted_dkim_fail_is_refused(void **state)
{
	cancel_external(*state, TRUSTED_AR "dkim=fail header.d=example.com",
	    "REFUSED", 1);
	assert_trust(*state, "dkim-fail=example.com");
}

static void
test_cancel_with_trusted_dmarc_fail_is_refused(void **state)
{
	cancel_external(*state, TRUSTED_AR "dmarc=fail header.from=example.com",
	    "REFUSED", 1);
}

static void
test_cancel_with_trusted_dkim_pass_is_cancelled(void **state)
{
	cancel_external(*state, TRUSTED_AR "dkim=pass header.d=example.com",
	    "CANCELLED", 0);
	assert_trust(*state, "dkim=example.com");
}

static void
test_cancel_with_untrusted_dkim_fail_is_cancelled(void **state)
{
	cancel_external(*state, "relay.example; dkim=fail "
	    "header.d=example.com", "CANCELLED", 0);
}

static void
test_external_organizer_with_dkim_fail_cannot_book(void **state)
{
	struct fx *fx = *state;

	send_msg(fx, &(struct msgin){ .organizer = BOB, .client = OUTSIDE,
	    .ar = TRUSTED_AR "dkim=fail header.d=example.com" });
	assert_decision(fx, "REFUSED");
	dbfx_assert_rows(fx->db, 0, 0, 1, 0);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup_trust, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_forged_local_organizer_is_refused),
		T(test_logged_in_local_organizer_is_booked),
		T(test_login_for_another_address_is_refused),
		T(test_internal_client_is_booked),
		T(test_trusted_dkim_pass_vouches_for_local_organizer),
		T(test_message_without_evidence_believes_addresses),
		T(test_forged_cancel_keeps_the_booking),
		T(test_managed_sender_records_her_own_meeting),
		T(test_forged_cancel_of_an_unknown_uid_leaves_no_tombstone),
		T(test_cancel_with_trusted_dkim_fail_is_refused),
		T(test_cancel_with_trusted_dmarc_fail_is_refused),
		T(test_cancel_with_trusted_dkim_pass_is_cancelled),
		T(test_cancel_with_untrusted_dkim_fail_is_cancelled),
		T(test_external_organizer_with_dkim_fail_cannot_book),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup, NULL);
}
