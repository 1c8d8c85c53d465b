/*
 * fuzz.h - what the libFuzzer targets in tests/fuzz share: library set-up
 * once per process, a fixed clock, quiet logging and a NUL-terminated copy
 * of the input.  Header-only like tests/unit's fixtures: tests/fuzz/
 * meson.build builds one .c file per target.
 */
#ifndef IMIP_TEST_FUZZ_H
#define IMIP_TEST_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "itip.h"
#include "log.h"
#include "mime.h"

/* A fixed "now" keeps every run of an input the same. */
#define FUZZ_NOW	((int64_t)1803888000)	/* 2027-03-01 08:00:00 UTC */
#define FUZZ_TZ		"Europe/Berlin"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Log lines are dropped: formatting them still runs, writing them not. */
static inline void
fuzz_log_drop(int prio, const char *line, void *arg)
{
	(void)prio;
	(void)line;
	(void)arg;
}

/*
 * libFuzzer calls this once, before any input: gmime and libical ready,
 * logging silenced.  Defined here because every target wants the same;
 * each includes this header once.
 */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	imip_mime_init();
	imip_itip_init();
	imip_log_set_sink(fuzz_log_drop, NULL);
	return 0;
}

/*
 * fuzz_end - after each input: libical keeps results of its own string
 * calls in a ring of temporary buffers, freed only as the ring wraps.
 * Emptied here, an input frees what it allocated, and libFuzzer's leak
 * check (run when an input allocates more than it frees) stays quiet.
 */
static inline void
fuzz_end(void)
{
	icalmemory_free_ring();
}

/* fuzz_text - data[0..size) as a NUL-terminated string (caller frees) */
static inline char *
fuzz_text(const uint8_t *data, size_t size)
{
	char *text;

	if ((text = malloc(size + 1)) == NULL)
		return NULL;
	memcpy(text, data, size);
	text[size] = '\0';
	return text;
}

#endif
