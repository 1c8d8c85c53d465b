/*
 * decision.c - what the filter tells the MTA about one message: the
 * outcomes with their X-iMIP-Schedule headers, and the failure action
 * the strongest failure class chose.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "msg_int.h"

#define REASON_MAX	200	/* bytes of a refusal's reason in the header */

void
imip_decision_fini(struct imip_decision *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->nheaders; i++) {
		free(d->headers[i].name);
		free(d->headers[i].value);
	}
	free(d->headers);
	for (size_t i = 0; i < d->noutcomes; i++)
		imip_outcome_fini(&d->outcomes[i]);
	free(d->outcomes);
	for (size_t i = 0; i < d->ndelrcpts; i++)
		free(d->delrcpts[i]);
	free(d->delrcpts);
	free(d->reason);
	imip_body_change_fini(&d->body);
	memset(d, 0, sizeof(*d));
}

/*
 * A refusal's reason as the header shows it: no double quotes or
 * backslashes, no control characters, cut short between characters.
 */
static void
header_reason(char *buf, size_t size, const char *reason)
{
	size_t n = 0;
	unsigned char ch;

	for (; (ch = (unsigned char)*reason) != '\0' && n + 1 < size;
	    reason++)
		buf[n++] = ch < 0x20 || ch == 0x7f ? ' ' :
		    ch == '"' || ch == '\\' ? '\'' : (char)ch;
	if (((unsigned char)*reason & 0xc0) == 0x80) {	/* cut in UTF-8 */
		while (n > 0 && ((unsigned char)buf[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0)
			n--;
	}
	buf[n] = '\0';
}

/* A header value safe to add: control characters become blanks. */
static char *
result_value(const struct imip_outcome *o)
{
	char why[REASON_MAX + 1] = "";
	char *v = NULL;

	if (o->refused && o->reason != NULL)
		header_reason(why, sizeof(why), o->reason);
	if (asprintf(&v, "%s method=%s uid=%s decision=%s%s%s%s%s%s",
	    o->calendar, imip_method_name(o->method), o->uid, o->decision,
	    o->status[0] != '\0' ? " status=" : "", o->status,
	    why[0] != '\0' ? " reason=\"" : "", why,
	    why[0] != '\0' ? "\"" : "") < 0)
		return NULL;
	for (char *p = v; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return v;
}

/* "calendar: note" (what clashes, what is proposed), one safe line. */
static char *
note_value(const struct imip_outcome *o, const char *note)
{
	char *v = NULL;

	if (asprintf(&v, "%s: %s", o->calendar, note) < 0)
		return NULL;
	for (char *p = v; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return v;
}

/* Append header name: value (taken over; NULL is out of memory). */
static int
add_header(struct imip_decision *d, const char *name, char *value,
    struct imip_err *err)
{
	struct imip_header *hs;

	hs = realloc(d->headers, (d->nheaders + 1) * sizeof(*hs));
	if (hs != NULL)
		d->headers = hs;
	if (hs == NULL || value == NULL ||
	    (d->headers[d->nheaders].name = strdup(name)) == NULL) {
		free(value);
		return imip_err_set(err, IMIP_ENOMEM, "header");
	}
	d->headers[d->nheaders++].value = value;
	return IMIP_OK;
}

/* Move *o into the decision, with its headers. */
int
msg_add_outcome(struct imip_decision *d, struct imip_outcome *o,
    struct imip_err *err)
{
	struct imip_outcome *os;
	int rc;

	os = realloc(d->outcomes, (d->noutcomes + 1) * sizeof(*os));
	if (os == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "outcomes");
	d->outcomes = os;
	if ((rc = add_header(d, IMIP_RESULT_HEADER, result_value(o),
	    err)) < 0 || (o->conflicts != NULL && (rc = add_header(d,
	    IMIP_CONFLICT_HEADER, note_value(o, o->conflicts), err)) < 0) ||
	    (o->proposal != NULL && (rc = add_header(d, IMIP_COUNTER_HEADER,
	    note_value(o, o->proposal), err)) < 0))
		return rc;
	if (o->outbox_id != 0)
		d->replies++;
	d->outcomes[d->noutcomes++] = *o;
	memset(o, 0, sizeof(*o));
	return IMIP_OK;
}

/* Seen this UID and method already in an earlier part (Google sends two)? */
bool
msg_seen_before(const struct imip_decision *d, const char *cal,
    const struct imip_itip *it)
{
	for (size_t i = 0; i < d->noutcomes; i++)
		if (d->outcomes[i].method == it->method &&
		    strcmp(d->outcomes[i].uid, it->uid) == 0 &&
		    strcmp(d->outcomes[i].calendar, cal) == 0)
			return true;
	return false;
}

/*
 * Take failure action a for class cls unless d already has a stronger
 * one (reject, tempfail, quarantine, accept); the reason goes with it.
 */
int
msg_take_action(struct imip_decision *d, enum imip_fail_class cls,
    enum imip_failure_action a, struct imip_err *err, const char *fmt, ...)
{
	static const enum imip_action act[] = {
		[IMIP_FAIL_ACCEPT] = IMIP_ACTION_ACCEPT,
		[IMIP_FAIL_TEMPFAIL] = IMIP_ACTION_TEMPFAIL,
		[IMIP_FAIL_REJECT] = IMIP_ACTION_REJECT,
		[IMIP_FAIL_QUARANTINE] = IMIP_ACTION_QUARANTINE,
	};
	static const int rank[] = {
		[IMIP_ACTION_ACCEPT] = 0, [IMIP_ACTION_DISCARD] = 0,
		[IMIP_ACTION_QUARANTINE] = 1, [IMIP_ACTION_TEMPFAIL] = 2,
		[IMIP_ACTION_REJECT] = 3,
	};
	va_list ap;
	char *r = NULL;
	int n;

	if (rank[act[a]] <= rank[d->action])
		return IMIP_OK;
	va_start(ap, fmt);
	n = vasprintf(&r, fmt, ap);
	va_end(ap);
	if (n < 0)
		return imip_err_set(err, IMIP_ENOMEM, "reason");
	for (char *p = r; *p != '\0'; p++)	/* one line for the MTA */
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	free(d->reason);
	d->reason = r;
	d->action = act[a];
	d->fail_class = cls;
	d->smtp_text = cls == IMIP_CLASS_POLICY ? "calendar request refused" :
	    "calendar data not accepted";
	return IMIP_OK;
}

/* The note for one outcome appended to *text; false: out of memory. */
static bool
add_note(char **text, const struct imip_outcome *o)
{
	char *t = NULL;
	int n = 0;

	if (o->conflicts != NULL)
		n = asprintf(&t, "%s%s: this invitation clashes with %s\n",
		    *text != NULL ? *text : "", o->calendar, o->conflicts);
	else if (o->proposal != NULL)
		n = asprintf(&t, "%s%s: %s\n", *text != NULL ? *text : "",
		    o->calendar, o->proposal);
	else
		return true;
	if (n < 0)
		return false;
	free(*text);
	*text = t;
	return true;
}

int
msg_annotate(struct imip_decision *d, const char *qid, const char *data,
    size_t len, struct imip_err *err)
{
	struct imip_err why = { 0 };
	char *notes = NULL, *text = NULL;
	int rc = IMIP_OK;

	for (size_t i = 0; i < d->noutcomes; i++)
		if (!add_note(&notes, &d->outcomes[i])) {
			free(notes);
			return imip_err_set(err, IMIP_ENOMEM, "summary part");
		}
	if (notes == NULL)
		return IMIP_OK;
	if (asprintf(&text, "Calendar note (imip-milter)\n\n%s", notes) < 0)
		rc = imip_err_set(err, IMIP_ENOMEM, "summary part");
	else if ((rc = imip_annotate(&d->body, data, len, text, &why)) ==
	    IMIP_EUNSUPPORTED || rc == IMIP_EPARSE) {
		imip_log_info("%s: no summary part: %s", qid, why.msg);
		rc = IMIP_OK;
	} else if (rc < 0)
		*err = why;
	free(text);
	free(notes);
	return rc;
}
