/*
 * err.c - the error record every core function can fill.
 *
 * Only formatting lives here; deciding what an error means for the message
 * in flight is the milter's business.
 */
#include <stdarg.h>
#include <stdio.h>

#include "err.h"

int
imip_err_set(struct imip_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void
imip_err_clear(struct imip_err *err)
{
	if (err == NULL)
		return;
	err->code = IMIP_OK;
	err->msg[0] = '\0';
}

const char *
imip_err_name(int code)
{
	switch (code) {
	case IMIP_OK:		return "ok";
	case IMIP_ENOMEM:	return "out of memory";
	case IMIP_EPARSE:	return "parse";
	case IMIP_ENOTFOUND:	return "not found";
	case IMIP_EBUSY:	return "busy";
	case IMIP_ECONFIG:	return "config";
	case IMIP_ELIMIT:	return "limit";
	case IMIP_EUNSUPPORTED:	return "unsupported";
	default:		return "error";
	}
}
