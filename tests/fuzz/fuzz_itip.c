/*
 * fuzz_itip.c - libFuzzer target: iTIP parsing and expansion of arbitrary
 * text.
 *
 * The input is iCalendar text (cut at its first NUL, as a MIME part
 * would be).  What imip_itip_parse accepts is expanded over a short
 * horizon with a small instance cap, so one input stays fast however many
 * instances its rules describe.  Parsing must fail with a code, never
 * crash, leak or hang; expansion must keep its cap and its order.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "err.h"
#include "fuzz.h"
#include "itip.h"

#define FUZZ_UNTIL	(FUZZ_NOW + (int64_t)400 * 86400)
#define FUZZ_MAX_INST	64

/* The instances are sorted by RECURRENCE-ID, without repeats. */
static void
check_instances(const struct imip_itip *it)
{
	assert(it->ninst <= FUZZ_MAX_INST);
	for (size_t i = 1; i < it->ninst; i++)
		assert(it->inst[i - 1].rid < it->inst[i].rid);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imip_itip *it = NULL;
	struct imip_err err = { 0 };
	char *text;

	if ((text = fuzz_text(data, size)) == NULL)
		return 0;
	if (imip_itip_parse(&it, text, NULL, FUZZ_TZ, &err) == IMIP_OK &&
	    imip_itip_expand(it, FUZZ_UNTIL, FUZZ_MAX_INST, FUZZ_TZ,
	    &err) == IMIP_OK)
		check_instances(it);
	imip_itip_free(it);
	free(text);
	fuzz_end();
	return 0;
}
