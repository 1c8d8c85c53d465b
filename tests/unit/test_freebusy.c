/*
 * test_freebusy.c - half-open period logic and its iCalendar rendering.
 *
 * Periods are [start, end): back-to-back meetings must not collide, and a
 * zero-length period never blocks anything.  Epoch values are written out
 * with the UTC instant they stand for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "freebusy.h"

#define T0900	INT64_C(1803891600)	/* 2027-03-01T09:00:00Z */
#define T0930	INT64_C(1803893400)	/* 2027-03-01T09:30:00Z */
#define T1000	INT64_C(1803895200)	/* 2027-03-01T10:00:00Z */
#define T1030	INT64_C(1803897000)	/* 2027-03-01T10:30:00Z */
#define T1100	INT64_C(1803898800)	/* 2027-03-01T11:00:00Z */

struct overlap_case {
	const char		*what;
	struct imip_period	 a, b;
	bool			 want;
};

static void
test_fb_overlap_is_half_open(void **state)
{
	static const struct overlap_case cases[] = {
		{ "identical", { T0900, T1000 }, { T0900, T1000 }, true },
		{ "adjacent, a first", { T0900, T1000 }, { T1000, T1100 },
		    false },
		{ "adjacent, b first", { T1000, T1100 }, { T0900, T1000 },
		    false },
		{ "disjoint", { T0900, T0930 }, { T1030, T1100 }, false },
		{ "b inside a", { T0900, T1100 }, { T0930, T1030 }, true },
		{ "a inside b", { T0930, T1030 }, { T0900, T1100 }, true },
		{ "b overlaps a's end", { T0900, T1000 }, { T0930, T1030 },
		    true },
		{ "b overlaps a's start", { T0930, T1030 }, { T0900, T1000 },
		    true },
		{ "one second shared", { T0900, T1000 },
		    { T1000 - 1, T1100 }, true },
		{ "same start", { T0900, T0930 }, { T0900, T1100 }, true },
		{ "same end", { T0930, T1100 }, { T0900, T1100 }, true },
		{ "zero-length a inside b", { T0930, T0930 },
		    { T0900, T1000 }, false },
		{ "zero-length b inside a", { T0900, T1000 },
		    { T0930, T0930 }, false },
		{ "zero-length at a's start", { T0900, T1000 },
		    { T0900, T0900 }, false },
		{ "both zero-length, same instant", { T0930, T0930 },
		    { T0930, T0930 }, false },
		{ "inverted a over b", { T1100, T0900 }, { T0930, T1030 },
		    false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = imip_period_overlaps(&cases[i].a, &cases[i].b);

		if (got != cases[i].want)
			fail_msg("%s: got %s, want %s", cases[i].what,
			    got ? "overlap" : "no overlap",
			    cases[i].want ? "overlap" : "no overlap");
	}
}

static void
test_fb_valid_needs_positive_length(void **state)
{
	const struct imip_period ok = { T0900, T1000 };
	const struct imip_period second = { T0900, T0900 + 1 };
	const struct imip_period empty = { T0900, T0900 };
	const struct imip_period inverted = { T1000, T0900 };

	(void)state;
	assert_true(imip_period_valid(&ok));
	assert_true(imip_period_valid(&second));
	assert_false(imip_period_valid(&empty));
	assert_false(imip_period_valid(&inverted));
}

struct ical_case {
	struct imip_period	 p;
	const char		*want;
};

static void
test_fb_period_ical_is_utc_period(void **state)
{
	static const struct ical_case cases[] = {
		{ { T0900, T1000 }, "20270301T090000Z/20270301T100000Z" },
		{ { 0, 86400 }, "19700101T000000Z/19700102T000000Z" },
		/* 2027-12-31T23:59:59Z to 2028-01-01T00:00:01Z */
		{ { INT64_C(1830297599), INT64_C(1830297601) },
		    "20271231T235959Z/20280101T000001Z" },
		/* leap day 2028-02-29T12:34:56Z, one hour */
		{ { INT64_C(1835440496), INT64_C(1835444096) },
		    "20280229T123456Z/20280229T133456Z" },
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(buf, 'x', sizeof(buf));
		if (!imip_period_ical(buf, sizeof(buf), &cases[i].p))
			fail_msg("%lld/%lld: got false, want \"%s\"",
			    (long long)cases[i].p.start,
			    (long long)cases[i].p.end, cases[i].want);
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("got \"%s\", want \"%s\"", buf,
			    cases[i].want);
	}
}

static void
test_fb_period_ical_exact_fit(void **state)
{
	const struct imip_period p = { T0900, T1000 };
	/* 33 characters plus the NUL: the smallest buffer that works. */
	char buf[34];

	(void)state;
	assert_true(imip_period_ical(buf, sizeof(buf), &p));
	assert_string_equal(buf, "20270301T090000Z/20270301T100000Z");
}

static void
test_fb_period_ical_too_small_is_false(void **state)
{
	const struct imip_period p = { T0900, T1000 };
	const size_t sizes[] = { 33, 20, 17, 16, 1 };
	char buf[34];

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (imip_period_ical(buf, sizes[i], &p))
			fail_msg("size %zu: got true (\"%s\"), want false",
			    sizes[i], buf);
}

static void
test_fb_list_clips_and_merges_by_type(void **state)
{
	struct imip_fb_list l = { .range = { 100, 1000 } };

	(void)state;
	assert_true(imip_fb_add(&l, (struct imip_period){ 50, 200 },
	    IMIP_FB_BUSY));
	assert_true(imip_fb_add(&l, (struct imip_period){ 150, 300 },
	    imip_fbtype_parse("BUSY-TENTATIVE")));
	assert_true(imip_fb_add(&l, (struct imip_period){ 200, 250 },
	    IMIP_FB_BUSY));			/* touches the first */
	assert_true(imip_fb_add(&l, (struct imip_period){ 260, 270 },
	    imip_fbtype_parse("X-UNKNOWN")));	/* counts as BUSY */
	assert_true(imip_fb_add(&l, (struct imip_period){ 900, 2000 },
	    IMIP_FB_TENTATIVE));
	assert_int_equal(l.n, 4);
	assert_int_equal(l.v[0].period.start, 100);
	assert_int_equal(l.v[0].period.end, 250);
	assert_string_equal(imip_fbtype_name(l.v[1].type), "BUSY-TENTATIVE");
	assert_int_equal(l.v[2].period.start, 260);
	assert_int_equal(l.v[3].period.end, 1000);
	free(l.v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fb_list_clips_and_merges_by_type),
		cmocka_unit_test(test_fb_overlap_is_half_open),
		cmocka_unit_test(test_fb_valid_needs_positive_length),
		cmocka_unit_test(test_fb_period_ical_is_utc_period),
		cmocka_unit_test(test_fb_period_ical_exact_fit),
		cmocka_unit_test(test_fb_period_ical_too_small_is_false),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
