/*
 * verdict.c - turn a core decision into libmilter calls at end of message.
 *
 * Forged copies of our result header are removed before ours are added,
 * so a header seen downstream was always written by this filter.  The
 * SMTP codes of a failure action depend on its class (msg.h): the policy
 * refused it (x.7.1), the calendar data was bad (x.6.0), or we failed.
 */
#include <stdio.h>

#include "log.h"
#include "mf.h"

/* The enhanced status code of a tempfail (4.x.x) or reject (5.x.x). */
static char *
xcode(const struct imip_decision *d, bool reject)
{
	switch (d->fail_class) {
	case IMIP_CLASS_POLICY:
		return reject ? "5.7.1" : "4.7.1";
	case IMIP_CLASS_BAD_DATA:
		return reject ? "5.6.0" : "4.6.0";
	default:
		return reject ? "5.7.0" : "4.3.0";
	}
}

/*
 * Recipients of delivery = consume calendars leave the message.  The MTA
 * matches the text it gave in RCPT (Postfix drops the angle brackets
 * itself), so it goes back exactly as received.
 */
static void
delete_recipients(SMFICTX *ctx, const struct imip_decision *d)
{
	for (size_t i = 0; i < d->ndelrcpts; i++)
		if (smfi_delrcpt(ctx, d->delrcpts[i]) != MI_SUCCESS)
			imip_log_warn("cannot delete recipient %s (consume)",
			    d->delrcpts[i]);
}

/*
 * summary_part: the note goes in front as a new multipart/mixed.  The
 * body is replaced first: if that fails, the headers still describe
 * the body the MTA has.  The old top-level Content-Transfer-Encoding
 * and Content-Disposition now belong to the inner part (gmime copied
 * them there), so they leave the top.
 */
static void
replace_body(SMFICTX *ctx, const struct imip_body_change *b)
{
	size_t off, n;

	if (b->content_type == NULL)
		return;
	for (off = 0; off < b->len; off += n) {
		n = b->len - off < 65536 ? b->len - off : 65536;
		if (smfi_replacebody(ctx, (unsigned char *)b->body + off,
		    (int)n) != MI_SUCCESS) {
			imip_log_warn("cannot replace the body (summary_part)");
			return;
		}
	}
	smfi_chgheader(ctx, "Content-Type", 1, b->content_type);
	smfi_chgheader(ctx, "Content-Transfer-Encoding", 1, NULL);
	smfi_chgheader(ctx, "Content-Disposition", 1, NULL);
	if (b->add_mime_version)
		smfi_addheader(ctx, "MIME-Version", "1.0");
}

sfsistat
mf_verdict_apply(SMFICTX *ctx, const struct imip_decision *d)
{
	char *text = (char *)(d->smtp_text != NULL ? d->smtp_text :
	    "calendar processing failed");
	char *why = d->reason != NULL ? d->reason : "imip-milter";

	if (d->action == IMIP_ACTION_DISCARD)
		return SMFIS_DISCARD;
	/* Deleting from the last keeps the indexes of the others valid. */
	for (int h = 0; h < IMIP_OWN_NHEADERS; h++)
		for (int i = d->strip[h]; i >= 1; i--)
			smfi_chgheader(ctx, (char *)imip_own_headers[h], i,
			    NULL);
	for (size_t i = 0; i < d->nheaders; i++)
		smfi_addheader(ctx, d->headers[i].name, d->headers[i].value);
	delete_recipients(ctx, d);
	replace_body(ctx, &d->body);
	switch (d->action) {
	case IMIP_ACTION_TEMPFAIL:
		smfi_setreply(ctx, "451", xcode(d, false), text);
		return SMFIS_TEMPFAIL;
	case IMIP_ACTION_REJECT:
		smfi_setreply(ctx, "554", xcode(d, true), text);
		return SMFIS_REJECT;
	case IMIP_ACTION_QUARANTINE:
		if (smfi_quarantine(ctx, why) != MI_SUCCESS)
			imip_log_warn("cannot quarantine: %s", why);
		return SMFIS_CONTINUE;
	default:
		return SMFIS_CONTINUE;
	}
}
