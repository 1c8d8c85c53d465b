/*
 * test_msg_bad.c - messages the filter must not act on, fed through the
 * streaming API like test_msg.c (fixture in msg_feed.h): malformed or
 * unsupported calendar data delivered unchanged, mail with no calendar part
 * that counts left untouched, and max_message_size limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "msg_feed.h"

/*
 * Calendar data the filter cannot use: delivered unchanged with no header,
 * one journal row saying decision, one warning holding why.
 */
static void
passes_unchanged(struct fx *fx, const char *file, const char *decision,
    const char *why)
{
	char *s;

	deliver_ok(fx, &(struct feed){ .file = file });
	assert_int_equal(fx->d.nheaders, 0);
	assert_int_equal(fx->d.noutcomes, 0);
	assert_int_equal(fx->d.replies, 0);
	dbfx_assert_rows(fx->db, 0, 0, 1, 0);
	s = dbfx_text(fx->db, "SELECT calendar || ' ' || decision FROM journal");
	if (strcmp(s, decision) != 0)
		fail_msg("journal: got \"%s\", want \"%s\"", s, decision);
	free(s);
	assert_int_equal(fx->nwarn, 1);
	assert_logged(fx, why);
}

#define MALFORMED	"QID1: " ROOM_A ": malformed calendar data, " \
	"delivered unchanged: "

static void
test_truncated_calendar_is_delivered_unchanged(void **state)
{
	passes_unchanged(*state, "msg-truncated-calendar.eml",
	    ROOM_A " MALFORMED", MALFORMED "not iCalendar data");
}

static void
test_calendar_without_dtstart_is_delivered_unchanged(void **state)
{
	passes_unchanged(*state, "msg-no-dtstart.eml", ROOM_A " MALFORMED",
	    MALFORMED "VEVENT without DTSTART");
}

static void
test_broken_mime_boundary_is_delivered_unchanged(void **state)
{
	passes_unchanged(*state, "msg-broken-boundary.eml",
	    ROOM_A " MALFORMED", MALFORMED "not iCalendar data");
}

static void
test_base64_garbage_is_delivered_unchanged(void **state)
{
	passes_unchanged(*state, "msg-base64-garbage.eml",
	    ROOM_A " MALFORMED", MALFORMED "not iCalendar data");
}

static void
test_method_parameter_contradicting_method_is_malformed(void **state)
{
	passes_unchanged(*state, "msg-method-mismatch.eml",
	    ROOM_A " MALFORMED", MALFORMED "method=CANCEL parameter "
	    "contradicts METHOD:REQUEST");
}

static void
test_vtodo_is_delivered_unchanged_as_unsupported(void **state)
{
	passes_unchanged(*state, "msg-vtodo.eml", ROOM_A " UNSUPPORTED",
	    "QID1: " ROOM_A ": unsupported calendar data");
}

static void
test_too_many_calendar_parts_pass_untouched(void **state)
{
	passes_unchanged(*state, "msg-too-many-parts.eml",
	    ROOM_A " TOO-LARGE", "more than 8 calendar parts");
}

/* No calendar part that counts: no header, no row, no warning. */
static void
untouched(struct fx *fx, const struct feed *f)
{
	deliver_ok(fx, f);
	assert_int_equal(fx->d.nheaders, 0);
	assert_int_equal(fx->d.noutcomes, 0);
	assert_int_equal(fx->nwarn, 0);
	dbfx_assert_rows(fx->db, 0, 0, 0, 0);
}

static void
test_boundary_mismatch_finds_nothing_and_changes_nothing(void **state)
{
	untouched(*state, &(struct feed){ .file = "msg-boundary-mismatch.eml" });
}

static void
test_forwarded_invitation_is_not_acted_on(void **state)
{
	untouched(*state, &(struct feed){ .file = "msg-forwarded.eml",
	    .sender = "<carol@example.com>" });
}

static void
test_body_over_max_message_size_is_limit(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(imip_conf_set(fx->db->conf, "max_message_size", "1K",
	    &fx->err), IMIP_OK);
	assert_true(begin(fx, &(struct feed){ .file = "msg-invite.eml" }));
	assert_int_equal(feed_body(fx, false), IMIP_ELIMIT);
	assert_int_equal(fx->err.code, IMIP_ELIMIT);
	assert_non_null(strstr(fx->err.msg, "1024"));
	assert_true(fx->fed <= 1024);
	assert_true(fx->fed + CHUNK > 1024);
}

/* Feed msg-invite.eml with max_message_size = its size - slack. */
static void
limit_at(struct fx *fx, size_t slack, int want)
{
	size_t total;

	assert_true(begin(fx, &(struct feed){ .file = "msg-invite.eml" }));
	total = fx->fed;
	for (const char *p = fx->text + fx->body; *p != '\0'; p++)
		total += *p == '\n' ? 2 : 1;	/* fed with CRLF */
	fx->db->conf->max_message_size = total - slack;
	assert_int_equal(feed_body(fx, false), want);
	if (want == IMIP_OK)
		assert_int_equal(fx->fed, total);
}

static void
test_message_of_exactly_max_size_is_read(void **state)
{
	limit_at(*state, 0, IMIP_OK);
}

static void
test_message_one_byte_over_max_size_is_limit(void **state)
{
	limit_at(*state, 1, IMIP_ELIMIT);
}

static void
test_headers_over_max_message_size_are_limit(void **state)
{
	struct fx *fx = *state;

	fx->db->conf->max_message_size = 64;
	assert_int_equal(imip_msg_new(&fx->m, fx->db->conf, &fx->err),
	    IMIP_OK);
	/* Headers are kept only once a managed recipient is known. */
	assert_int_equal(imip_msg_rcpt(fx->m, fx->db->st, "<" ROOM_A ">",
	    &fx->err), IMIP_OK);
	assert_int_equal(imip_msg_header(fx->m, "Subject", "short",
	    &fx->err), IMIP_OK);
	assert_int_equal(imip_msg_header(fx->m, "X-Long", "0123456789"
	    "0123456789012345678901234567890123456789", &fx->err),
	    IMIP_ELIMIT);
}

static void
test_dry_run_of_malformed_data_writes_no_journal(void **state)
{
	struct fx *fx = *state;

	deliver_ok(fx, &(struct feed){ .file = "msg-no-dtstart.eml",
	    .dry_run = true });
	assert_int_equal(fx->d.nheaders, 0);
	assert_int_equal(fx->nwarn, 1);
	dbfx_assert_rows(fx->db, 0, 0, 0, 0);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

#define OVER_LIMIT	"QID1: " ROOM_A ": over-limit calendar data, " \
	"delivered unchanged: "

static void
test_calendar_part_over_max_calendar_size_passes(void **state)
{
	struct fx *fx = *state;

	fx->db->conf->max_calendar_size = 100;
	passes_unchanged(fx, "msg-invite.eml", ROOM_A " TOO-LARGE",
	    OVER_LIMIT "calendar part of ");
	assert_logged(fx, "more than max_calendar_size 100");
}

static void
test_too_many_attendees_pass(void **state)
{
	struct fx *fx = *state;

	fx->db->conf->max_attendees = 1;
	passes_unchanged(fx, "msg-invite.eml", ROOM_A " TOO-LARGE",
	    OVER_LIMIT "2 attendees, more than max_attendees 1");
}

static void
test_too_many_components_pass(void **state)
{
	struct fx *fx = *state;

	fx->db->conf->max_components = 1;
	passes_unchanged(fx, "msg-invite.eml", ROOM_A " TOO-LARGE",
	    OVER_LIMIT "2 components, more than max_components 1");
}

static void
test_calendar_at_the_limits_is_scheduled(void **state)
{
	struct fx *fx = *state;

	fx->db->conf->max_attendees = 2;
	fx->db->conf->max_components = 2;
	deliver_ok(fx, &(struct feed){ .file = "msg-invite.eml" });
	assert_int_equal(fx->d.noutcomes, 1);
	assert_string_equal(fx->d.outcomes[0].decision, "ACCEPTED");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_truncated_calendar_is_delivered_unchanged),
		T(test_calendar_without_dtstart_is_delivered_unchanged),
		T(test_broken_mime_boundary_is_delivered_unchanged),
		T(test_base64_garbage_is_delivered_unchanged),
		T(test_method_parameter_contradicting_method_is_malformed),
		T(test_vtodo_is_delivered_unchanged_as_unsupported),
		T(test_too_many_calendar_parts_pass_untouched),
		T(test_boundary_mismatch_finds_nothing_and_changes_nothing),
		T(test_forwarded_invitation_is_not_acted_on),
		T(test_body_over_max_message_size_is_limit),
		T(test_message_of_exactly_max_size_is_read),
		T(test_message_one_byte_over_max_size_is_limit),
		T(test_headers_over_max_message_size_are_limit),
		T(test_dry_run_of_malformed_data_writes_no_journal),
		T(test_calendar_part_over_max_calendar_size_passes),
		T(test_too_many_attendees_pass),
		T(test_too_many_components_pass),
		T(test_calendar_at_the_limits_is_scheduled),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup, NULL);
}
