/*
 * test_publish.c - free/busy published as ADDRESS.vfb for web servers.
 *
 * Real SQLite file, real libical, a real directory: the file appears when
 * a booking changes the room's busy time, changes again on a cancel, is
 * replaced whole (a new inode, no temporary left behind) and is left
 * alone by decisions that change no busy time; what imipctl uses of it
 * (the file's text, the merged periods, forgetting a file).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <libical/ical.h>

#include "publish.h"
#include "sched_fx.h"

#define MEETING(seq)							\
	"BEGIN:VEVENT\r\nUID:pub@example.com\r\nDTSTAMP:20261101T120000Z"\
	"\r\nSEQUENCE:" seq "\r\nDTSTART:20270301T090000Z\r\n"		\
	"DTEND:20270301T100000Z\r\nSUMMARY:Secret plans\r\n"		\
	"ORGANIZER:mailto:" ALICE "\r\n"				\
	"ATTENDEE;RSVP=TRUE:mailto:" ROOM "\r\nEND:VEVENT\r\n"

/* MEETING's DTSTART, 2027-03-01 09:00 UTC */
#define MEETING_START	((int64_t)1803891600)

static int
setup_publish(void **state)
{
	struct fx *fx;
	struct imip_err err = { 0 };

	setup(state);
	fx = *state;
	assert_int_equal(imip_conf_set(fx->db->conf, "freebusy_dir",
	    fx->db->dir, &err), IMIP_OK);
	assert_int_equal(imip_conf_set(fx->db->conf, "freebusy_days", "365",
	    &err), IMIP_OK);
	assert_int_equal(imip_store_calendar_set(fx->db->st, ROOM,
	    "publish-freebusy", "yes", &err), IMIP_OK);
	imip_calendar_free(fx->room);
	assert_int_equal(imip_store_calendar_find(fx->db->st, ROOM,
	    &fx->room, &err), IMIP_OK);
	return 0;
}

/* The published file's text (caller frees), NULL when there is none. */
static char *
published(struct fx *fx, ino_t *ino)
{
	char path[512];
	struct stat sb;
	char *text;
	FILE *f;

	dbfx_path(fx->db, path, sizeof(path), ROOM ".vfb");
	if (stat(path, &sb) < 0)
		return NULL;
	assert_int_equal(sb.st_mode & 0777, 0644);
	if (ino != NULL)
		*ino = sb.st_ino;
	assert_non_null(f = fopen(path, "r"));
	assert_non_null(text = calloc(1, (size_t)sb.st_size + 1));
	assert_int_equal(fread(text, 1, (size_t)sb.st_size, f),
	    (size_t)sb.st_size);
	fclose(f);
	return text;
}

/* Only ADDRESS.vfb and the database's own files in the directory. */
static void
assert_no_temporary(struct fx *fx)
{
	char cmd[600], out[64] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -c '^\\.' || true",
	    fx->db->dir);
	assert_non_null(p = popen(cmd, "r"));
	assert_non_null(fgets(out, sizeof(out), p));
	pclose(p);
	assert_string_equal(out, "0\n");
}

static void
test_booking_and_cancel_rewrite_the_file(void **state)
{
	struct fx *fx = *state;
	icalcomponent *cal, *fb;
	ino_t first, second;
	char *text;

	assert_null(published(fx, NULL));
	assert_string_equal(run(fx, "REQUEST", MEETING("0")), "ACCEPTED");
	assert_non_null(text = published(fx, &first));
	assert_non_null(strstr(text, "METHOD:PUBLISH"));
	assert_non_null(strstr(text, "FREEBUSY;FBTYPE=BUSY:"
	    "20270301T090000Z/20270301T100000Z"));
	assert_null(strstr(text, "Secret"));	/* times only */
	/* libical reads it back: one VFREEBUSY naming the room. */
	assert_non_null(cal = icalparser_parse_string(text));
	assert_non_null(fb = icalcomponent_get_first_component(cal,
	    ICAL_VFREEBUSY_COMPONENT));
	assert_string_equal(icalproperty_get_organizer(
	    icalcomponent_get_first_property(fb, ICAL_ORGANIZER_PROPERTY)),
	    "mailto:" ROOM);
	icalcomponent_free(cal);
	free(text);
	assert_no_temporary(fx);

	assert_string_equal(run(fx, "CANCEL", MEETING("1")), "CANCELLED");
	assert_non_null(text = published(fx, &second));
	assert_int_not_equal(first, second);	/* renamed over, not edited */
	assert_null(strstr(text, "FREEBUSY;"));
	assert_non_null(strstr(text, "BEGIN:VFREEBUSY"));
	free(text);
	assert_no_temporary(fx);
}

static void
test_decisions_without_busy_change_leave_it(void **state)
{
	struct fx *fx = *state;
	ino_t before, after;

	run(fx, "REQUEST", MEETING("0"));
	free(published(fx, &before));
	/* The same version again: answered, nothing booked anew. */
	assert_string_equal(run(fx, "REQUEST", MEETING("0")), "ACCEPTED");
	free(published(fx, &after));
	assert_int_equal(before, after);
}

static void
test_only_calendars_that_opt_in_are_published(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };
	int n = -1;

	assert_int_equal(imip_store_calendar_set(fx->db->st, ROOM,
	    "publish-freebusy", "no", &err), IMIP_OK);
	imip_calendar_free(fx->room);
	assert_int_equal(imip_store_calendar_find(fx->db->st, ROOM,
	    &fx->room, &err), IMIP_OK);
	assert_string_equal(run(fx, "REQUEST", MEETING("0")), "ACCEPTED");
	assert_null(published(fx, NULL));
	assert_int_equal(imip_publish_all(fx->db->st, fx->db->conf, NOW, &n,
	    &err), IMIP_OK);
	assert_int_equal(n, 0);
	/* Opted in: imipctl expand's daily run writes it for the new day. */
	assert_int_equal(imip_store_calendar_set(fx->db->st, ROOM,
	    "publish-freebusy", "yes", &err), IMIP_OK);
	assert_int_equal(imip_publish_all(fx->db->st, fx->db->conf, NOW, &n,
	    &err), IMIP_OK);
	assert_int_equal(n, 1);
	free(published(fx, NULL));
}

static void
test_unwritable_directory_fails_the_file_not_the_booking(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };

	assert_int_equal(imip_conf_set(fx->db->conf, "freebusy_dir",
	    "/nonexistent/imip-milter/freebusy", &err), IMIP_OK);
	assert_string_equal(run(fx, "REQUEST", MEETING("0")), "ACCEPTED");
	assert_int_equal(dbfx_rows(fx->db, "busy"), 1);
	assert_int_equal(imip_publish_freebusy(fx->db->st, fx->db->conf,
	    fx->room, NOW, &err), IMIP_ERR);
	assert_non_null(strstr(err.msg, "/nonexistent/imip-milter/freebusy/."
	    ROOM ".vfb."));
}

static void
test_text_is_the_file_and_busy_list_is_merged(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };
	struct imip_fb_list l;
	char *file, *text = NULL;

	run(fx, "REQUEST", MEETING("0"));
	assert_int_equal(imip_publish_freebusy(fx->db->st, fx->db->conf,
	    fx->room, NOW, &err), IMIP_OK);
	assert_non_null(file = published(fx, NULL));
	/* what imipctl freebusy --ifb prints: the file, to the byte */
	assert_int_equal(imip_publish_text(&text, fx->db->st, fx->room, NOW,
	    fx->db->conf->freebusy_days, &err), IMIP_OK);
	assert_string_equal(text, file);
	free(text);
	free(file);

	/* the periods themselves, cut to the range asked */
	assert_int_equal(imip_fb_busy(&l, fx->db->st, fx->room,
	    MEETING_START + 1800, MEETING_START + 7200, &err), IMIP_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].period.start, MEETING_START + 1800);
	assert_int_equal(l.v[0].period.end, MEETING_START + 3600);
	assert_int_equal(l.v[0].type, IMIP_FB_BUSY);
	free(l.v);
}

static void
test_forget_removes_the_file_and_minds_no_absence(void **state)
{
	struct fx *fx = *state;
	struct imip_err err = { 0 };
	char *file;

	run(fx, "REQUEST", MEETING("0"));
	assert_non_null(file = published(fx, NULL));
	free(file);
	assert_int_equal(imip_publish_forget(fx->db->conf, ROOM, &err),
	    IMIP_OK);
	assert_null(published(fx, NULL));
	assert_int_equal(imip_publish_forget(fx->db->conf, ROOM, &err),
	    IMIP_OK);
	assert_int_equal(imip_publish_forget(fx->db->conf, "../x@example.org",
	    &err), IMIP_ERR);
	/* without a freebusy_dir there is nothing to forget */
	assert_int_equal(imip_conf_set(fx->db->conf, "freebusy_dir", "",
	    &err), IMIP_OK);
	assert_int_equal(imip_publish_forget(fx->db->conf, "../x@example.org",
	    &err), IMIP_OK);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup_publish, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_booking_and_cancel_rewrite_the_file),
		T(test_decisions_without_busy_change_leave_it),
		T(test_only_calendars_that_opt_in_are_published),
		T(test_unwritable_directory_fails_the_file_not_the_booking),
		T(test_text_is_the_file_and_busy_list_is_merged),
		T(test_forget_removes_the_file_and_minds_no_absence),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup,
	    fixture_group_teardown);
}
