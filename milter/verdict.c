/*
 * verdict.c - turn a core decision into libmilter calls at end of message.
 *
 * Forged copies of our result header are removed before ours are added,
 * so a header seen downstream was always written by this filter.
 */
#include <stdio.h>

#include "mf.h"

sfsistat
mf_verdict_apply(SMFICTX *ctx, const struct imip_decision *d)
{
	/* Deleting from the last keeps the indexes of the others valid. */
	for (int i = d->strip_result; i >= 1; i--)
		smfi_chgheader(ctx, IMIP_RESULT_HEADER, i, NULL);
	for (size_t i = 0; i < d->nheaders; i++)
		smfi_addheader(ctx, d->headers[i].name, d->headers[i].value);
	switch (d->action) {
	case IMIP_ACTION_TEMPFAIL:
		smfi_setreply(ctx, "451", "4.3.0", (char *)d->smtp_text);
		return SMFIS_TEMPFAIL;
	case IMIP_ACTION_REJECT:
		smfi_setreply(ctx, "554", "5.7.0", (char *)d->smtp_text);
		return SMFIS_REJECT;
	default:
		return SMFIS_CONTINUE;
	}
}
