/*
 * fixture.h - read a test fixture from $IMIP_TESTDATA (tests/data).
 *
 * meson sets IMIP_TESTDATA for every unit test; run by hand without it, a
 * test that needs a fixture is skipped rather than failed.  Include after
 * <cmocka.h>.
 */
#ifndef IMIP_TEST_FIXTURE_H
#define IMIP_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include <gmime/gmime.h>

#include "itip.h"
#include "mime.h"

/* fixture_group_setup - cmocka group setup: gmime and libical ready */
static inline int
fixture_group_setup(void **state)
{
	(void)state;
	imip_mime_init();
	imip_itip_init();
	return 0;
}

/* fixture_group_teardown - release what gmime holds, for valgrind */
static inline int
fixture_group_teardown(void **state)
{
	(void)state;
	g_mime_shutdown();
	return 0;
}

/*
 * fixture_read - the whole file tests/data/name as a NUL-terminated string
 * (caller frees) with its length in *len (may be NULL).  Skips the test
 * when IMIP_TESTDATA is unset; fails it when the file cannot be read.
 */
static inline char *
fixture_read(const char *name, size_t *len)
{
	const char *dir = getenv("IMIP_TESTDATA");
	char path[4096];
	FILE *fp = NULL;
	char *buf = NULL;
	long size = 0;

	if (dir == NULL || *dir == '\0') {
		print_message("IMIP_TESTDATA unset, skipping\n");
		skip();
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "rb")) == NULL)
		fail_msg("cannot open fixture %s", path);
	if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0)
		fail_msg("cannot size fixture %s", path);
	if ((buf = malloc((size_t)size + 1)) == NULL)
		fail_msg("out of memory for %s", path);
	if (fread(buf, 1, (size_t)size, fp) != (size_t)size)
		fail_msg("short read on %s", path);
	buf[size] = '\0';
	fclose(fp);
	if (len != NULL)
		*len = (size_t)size;
	return buf;
}

#endif
