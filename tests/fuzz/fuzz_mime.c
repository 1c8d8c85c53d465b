/*
 * fuzz_mime.c - libFuzzer target: MIME extraction on arbitrary bytes.
 *
 * The input is a whole message, headers and body.  imip_mime_calendars
 * must find calendar parts or fail with a code, and imip_mime_split (the
 * header walk of the offline mode) must stay inside the input; neither
 * may crash, leak or read past the end.  No iCalendar parsing here.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "err.h"
#include "fuzz.h"
#include "mime.h"

/* As many parts as core/msg.c asks for, plus one to pass the limit. */
#define FUZZ_MAX_PARTS	9

/* Each header field must come with a name and a value. */
static int
check_header(const char *name, const char *value, void *arg)
{
	size_t *count = arg;

	assert(name != NULL && value != NULL);
	if (strcasecmp(name, "Content-Type") == 0)
		(void)imip_mime_may_hold_calendar(value);
	(*count)++;
	return IMIP_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imip_calpart *parts = NULL;
	struct imip_err err = { 0 };
	size_t nparts = 0, body = 0, count = 0;

	if (imip_mime_calendars(&parts, &nparts, (const char *)data, size,
	    FUZZ_MAX_PARTS, &err) == IMIP_OK) {
		assert(nparts <= FUZZ_MAX_PARTS);
		/* mime.h promises NUL-terminated UTF-8 */
		for (size_t i = 0; i < nparts; i++)
			assert(g_utf8_validate(parts[i].text, -1, NULL));
	}
	imip_calparts_free(parts, nparts);
	if (imip_mime_split((const char *)data, size, check_header, &count,
	    &body, &err) == IMIP_OK)
		assert(body <= size);
	return 0;
}
