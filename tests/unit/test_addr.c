/*
 * test_addr.c - address normalization: the SMTP and iCalendar spellings of
 * one mailbox must meet in one lower-case "local@domain" string.
 *
 * Table cases report "got X, want Y" so a failing row names itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"

struct norm_case {
	const char	*in;
	const char	*want;
};

static void
test_addr_norm_strips_decoration_and_lowercases(void **state)
{
	static const struct norm_case cases[] = {
		{ "room-a@example.org", "room-a@example.org" },
		{ "mailto:room-a@example.org", "room-a@example.org" },
		{ "MAILTO:Room-A@Example.ORG", "room-a@example.org" },
		{ "MailTo:room-a@example.org", "room-a@example.org" },
		{ "<room-a@example.org>", "room-a@example.org" },
		{ "<mailto:Room-A@example.org>", "room-a@example.org" },
		{ "  room-a@example.org\t", "room-a@example.org" },
		{ " <ROOM-A@EXAMPLE.ORG> ", "room-a@example.org" },
		{ "\tmailto:Room.B+x@Sub.Example.Org \r\n",
		    "room.b+x@sub.example.org" },
	};
	struct imip_err err;
	char *got;
	int rc;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		imip_err_clear(&err);
		rc = imip_addr_norm(&got, cases[i].in, &err);
		if (rc != IMIP_OK)
			fail_msg("\"%s\": got rc %d (%s), want IMIP_OK",
			    cases[i].in, rc, err.msg);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"",
			    cases[i].in, got, cases[i].want);
		free(got);
	}
}

static void
test_addr_norm_rejects_non_addresses(void **state)
{
	static const char *const cases[] = {
		"", "   ", "<>", " <> ", "mailto:", "MAILTO:", "<mailto:>",
		"room-a", "mailto:room-a", "<room-a.example.org>",
	};
	struct imip_err err;
	char *got;
	int rc;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		imip_err_clear(&err);
		got = (char *)"sentinel";
		rc = imip_addr_norm(&got, cases[i], &err);
		if (rc != IMIP_EPARSE)
			fail_msg("\"%s\": got rc %d, want IMIP_EPARSE (%d)",
			    cases[i], rc, IMIP_EPARSE);
		if (got != NULL)
			fail_msg("\"%s\": got out %p, want NULL", cases[i],
			    (void *)got);
		if (err.code != IMIP_EPARSE || err.msg[0] == '\0')
			fail_msg("\"%s\": got err {%d, \"%s\"}, want EPARSE "
			    "with a message", cases[i], err.code, err.msg);
	}
}

static void
test_addr_norm_null_is_parse_error(void **state)
{
	struct imip_err err;
	char *got = (char *)"sentinel";

	(void)state;
	imip_err_clear(&err);
	assert_int_equal(imip_addr_norm(&got, NULL, &err), IMIP_EPARSE);
	assert_null(got);
	assert_int_equal(err.code, IMIP_EPARSE);
}

static void
test_addr_norm_accepts_null_err(void **state)
{
	char *got = (char *)"sentinel";

	(void)state;
	assert_int_equal(imip_addr_norm(&got, "<>", NULL), IMIP_EPARSE);
	assert_null(got);
}

struct equal_case {
	const char	*a, *b;
	bool		 want;
};

static void
test_addr_equal_across_forms(void **state)
{
	static const struct equal_case cases[] = {
		{ "room-a@example.org", "room-a@example.org", true },
		{ "mailto:Room-A@Example.ORG", "<room-a@example.org>", true },
		{ "MAILTO:ROOM-A@EXAMPLE.ORG", " room-a@example.org ", true },
		{ "<mailto:room-a@example.org>", "Room-A@example.org", true },
		{ "room-a@example.org", "room-b@example.org", false },
		{ "room-a@example.org", "room-a@example.org.evil", false },
		{ "room-a@example.org", "xroom-a@example.org", false },
		{ "mailto:room-a@example.org", "room-a@example.com", false },
		{ "", "", false },
		{ "<>", "<>", false },
		{ "room-a@example.org", NULL, false },
		{ NULL, "room-a@example.org", false },
		{ NULL, NULL, false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = imip_addr_equal(cases[i].a, cases[i].b);

		if (got != cases[i].want)
			fail_msg("equal(\"%s\", \"%s\"): got %s, want %s",
			    cases[i].a ? cases[i].a : "(null)",
			    cases[i].b ? cases[i].b : "(null)",
			    got ? "true" : "false",
			    cases[i].want ? "true" : "false");
	}
}

struct domain_case {
	const char	*in;
	const char	*want;	/* NULL: no domain */
};

static void
test_addr_domain_is_text_after_last_at(void **state)
{
	static const struct domain_case cases[] = {
		{ "room-a@example.org", "example.org" },
		{ "\"a@b\"@example.org", "example.org" },
		{ "room-a@sub.example.org", "sub.example.org" },
		{ "room-a", NULL },
		{ "room-a@", NULL },
		{ "", NULL },
		{ NULL, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = imip_addr_domain(cases[i].in);
		const char *in = cases[i].in ? cases[i].in : "(null)";

		if (cases[i].want == NULL && got != NULL)
			fail_msg("\"%s\": got \"%s\", want NULL", in, got);
		if (cases[i].want != NULL &&
		    (got == NULL || strcmp(got, cases[i].want) != 0))
			fail_msg("\"%s\": got \"%s\", want \"%s\"", in,
			    got ? got : "(null)", cases[i].want);
	}
}

static void
test_addr_domain_is_borrowed_from_input(void **state)
{
	const char *in = "room-a@example.org";

	(void)state;
	/* Borrowed: a pointer into the caller's string, not a copy. */
	assert_ptr_equal(imip_addr_domain(in), in + 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_addr_norm_strips_decoration_and_lowercases),
		cmocka_unit_test(test_addr_norm_rejects_non_addresses),
		cmocka_unit_test(test_addr_norm_null_is_parse_error),
		cmocka_unit_test(test_addr_norm_accepts_null_err),
		cmocka_unit_test(test_addr_equal_across_forms),
		cmocka_unit_test(test_addr_domain_is_text_after_last_at),
		cmocka_unit_test(test_addr_domain_is_borrowed_from_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
