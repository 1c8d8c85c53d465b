/*
 * msg.c - the per-message pipeline: envelope, headers, body, decision.
 *
 * It keeps only what the decision needs: managed recipients, a few header
 * values and, once the fast path has been passed, the message text up to
 * max_message_size.  MIME, iTIP and scheduling are other modules' work.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "addr.h"
#include "itip.h"
#include "log.h"
#include "mime.h"
#include "msg_int.h"
#include "reply.h"
#include "trust.h"

#define MAX_CAL_PARTS	8	/* more in one message is not a real client */

struct rcpt {
	struct imip_calendar	*cal;
};

/* A managed recipient as the MTA gave it, for delivery = consume. */
struct envrcpt {
	char		*raw;
	int64_t		 cal_id;
};

/* What one calendar's parts came to: consumed only if all were done. */
struct tally {
	size_t		 done;		/* REQUEST, CANCEL, ADD; not refused */
	size_t		 other;		/* bad data, refused, other methods */
	bool		 outgoing;	/* the sender's own calendar */
};

struct imip_msg {
	const struct imip_conf	*conf;
	char			 qid[64];
	char			*sender;	/* normalized, "" for <> */
	bool			 sender_local;	/* may be a managed person */
	struct imip_calendar	*sender_cal;	/* a managed person sending */
	struct rcpt		*rcpts;
	size_t			 nrcpts;
	char			*ctype;
	char			*message_id;
	char			*from;		/* raw From: value */
	bool			 auto_replied;
	bool			 generated;
	int			 nown[IMIP_OWN_NHEADERS]; /* forged, seen */
	int64_t			 copy;		/* generated: IMIP_COPY_HEADER */
	bool			 capture;	/* keep the body: we schedule */
	char			*buf;		/* headers + body as received */
	size_t			 len, cap;
	bool			 dry_run;
	struct imip_trust	*trust;		/* evidence, always collected */
	bool			 checked;	/* fed by the MTA: weigh it */
	size_t			 nenvrcpt;	/* every envelope recipient */
	struct envrcpt		*managed;
	size_t			 nmanaged;
	size_t			 nbad;		/* parts passed as bad data */
	char			 bad_why[256];	/* the first one's reason */
};

int
imip_msg_new(struct imip_msg **out, const struct imip_conf *conf,
    struct imip_err *err)
{
	struct imip_msg *m;

	if ((*out = m = calloc(1, sizeof(*m))) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "message state");
	m->conf = conf;
	strcpy(m->qid, "NOQUEUE");
	if (imip_trust_new(&m->trust, err) < 0) {
		free(m);
		*out = NULL;
		return IMIP_ENOMEM;
	}
	return IMIP_OK;
}

void
imip_msg_free(struct imip_msg *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->nrcpts; i++)
		imip_calendar_free(m->rcpts[i].cal);
	free(m->rcpts);
	free(m->sender);
	imip_calendar_free(m->sender_cal);
	free(m->ctype);
	free(m->message_id);
	free(m->from);
	free(m->buf);
	imip_trust_free(m->trust);
	for (size_t i = 0; i < m->nmanaged; i++)
		free(m->managed[i].raw);
	free(m->managed);
	free(m);
}

void
imip_msg_queue_id(struct imip_msg *m, const char *qid)
{
	if (qid != NULL && *qid != '\0')
		snprintf(m->qid, sizeof(m->qid), "%s", qid);
}

const char *
imip_msg_get_queue_id(const struct imip_msg *m)
{
	return m->qid;
}

void
imip_msg_dry_run(struct imip_msg *m, bool on)
{
	m->dry_run = on;
}

void
imip_msg_client(struct imip_msg *m, const char *addr)
{
	imip_trust_set_client(m->trust, m->conf, addr);
	m->checked = true;
}

int
imip_msg_login(struct imip_msg *m, const char *login, struct imip_err *err)
{
	m->checked = true;
	return imip_trust_set_login(m->trust, login, err);
}

int
imip_msg_envfrom(struct imip_msg *m, const char *addr, struct imip_err *err)
{
	int rc;

	free(m->sender);
	m->sender = NULL;
	rc = imip_addr_norm(&m->sender, addr, err);
	if (rc == IMIP_EPARSE) {	/* <> or junk: no answer goes there */
		imip_err_clear(err);
		if ((m->sender = strdup("")) == NULL)
			return imip_err_set(err, IMIP_ENOMEM, "sender");
		return IMIP_OK;
	}
	m->sender_local = rc == IMIP_OK &&
	    imip_msg_rcpt_may_be_managed(m, m->sender);
	return rc;
}

bool
imip_msg_sender_may_be_managed(const struct imip_msg *m)
{
	return m->sender_local && m->sender_cal == NULL &&
	    imip_mime_may_hold_calendar(m->ctype);
}

int
imip_msg_sender_calendar(struct imip_msg *m, struct imip_store *st,
    struct imip_err *err)
{
	struct imip_calendar *cal = NULL;
	int rc;

	if (!imip_msg_sender_may_be_managed(m))
		return IMIP_OK;
	rc = imip_store_calendar_find(st, m->sender, &cal, err);
	if (rc == IMIP_ENOTFOUND || rc == IMIP_EPARSE) {
		imip_err_clear(err);
		return IMIP_OK;
	}
	if (rc < 0)
		return rc;
	if (cal->kind != IMIP_CAL_PERSON) {	/* rooms send no invitations */
		imip_calendar_free(cal);
		return IMIP_OK;
	}
	imip_calendar_free(m->sender_cal);
	m->sender_cal = cal;
	return IMIP_OK;
}

bool
imip_msg_rcpt_may_be_managed(const struct imip_msg *m, const char *addr)
{
	char *norm = NULL;
	bool may;

	if (m->conf->local_domains == NULL || m->conf->local_domains[0] == NULL)
		return true;
	if (imip_addr_norm(&norm, addr, NULL) < 0)
		return false;
	may = imip_conf_is_local(m->conf, norm);
	free(norm);
	return may;
}

/*
 * The calendar of a subaddress (local+detail@domain, Postfix's
 * recipient_delimiter "+"): approvals come back to room+approve-TOKEN@.
 */
static int
find_base(struct imip_store *st, const char *addr,
    struct imip_calendar **cal, struct imip_err *err)
{
	char *norm = NULL, *plus, *at;
	int rc;

	imip_err_clear(err);
	if ((rc = imip_addr_norm(&norm, addr, err)) < 0)
		return rc;
	plus = strchr(norm, '+');
	at = strrchr(norm, '@');
	if (plus == NULL || at == NULL || plus > at) {
		free(norm);
		return imip_err_set(err, IMIP_ENOTFOUND, "no subaddress");
	}
	memmove(plus, at, strlen(at) + 1);
	rc = imip_store_calendar_find(st, norm, cal, err);
	free(norm);
	return rc;
}

int
imip_msg_rcpt(struct imip_msg *m, struct imip_store *st, const char *addr,
    struct imip_err *err)
{
	struct imip_calendar *cal = NULL;
	struct rcpt *r;
	int rc;

	if (!imip_msg_rcpt_may_be_managed(m, addr))
		return IMIP_OK;
	rc = imip_store_calendar_find(st, addr, &cal, err);
	if (rc == IMIP_ENOTFOUND)	/* room+approve-TOKEN@: the room */
		rc = find_base(st, addr, &cal, err);
	if (rc == IMIP_ENOTFOUND || rc == IMIP_EPARSE) {
		imip_err_clear(err);
		return IMIP_OK;
	}
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < m->nrcpts; i++)
		if (m->rcpts[i].cal->id == cal->id) {	/* listed twice */
			imip_calendar_free(cal);
			return IMIP_OK;
		}
	r = realloc(m->rcpts, (m->nrcpts + 1) * sizeof(*r));
	if (r == NULL) {
		imip_calendar_free(cal);
		return imip_err_set(err, IMIP_ENOMEM, "recipients");
	}
	m->rcpts = r;
	m->rcpts[m->nrcpts++].cal = cal;
	return IMIP_OK;
}

int
imip_msg_envrcpt(struct imip_msg *m, struct imip_store *st,
    const char *addr, struct imip_err *err)
{
	struct envrcpt *v;
	size_t before = m->nrcpts;
	int64_t id = 0;
	int rc;

	m->nenvrcpt++;
	if (!imip_msg_rcpt_may_be_managed(m, addr))
		return IMIP_OK;
	if ((rc = imip_msg_rcpt(m, st, addr, err)) < 0)
		return rc;
	if (m->nrcpts > before)
		id = m->rcpts[m->nrcpts - 1].cal->id;
	for (size_t i = 0; id == 0 && i < m->nrcpts; i++)	/* again */
		if (imip_addr_equal(m->rcpts[i].cal->address, addr))
			id = m->rcpts[i].cal->id;
	if (id == 0)		/* not managed: it stays in any case */
		return IMIP_OK;
	if ((v = realloc(m->managed, (m->nmanaged + 1) * sizeof(*v))) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "recipients");
	m->managed = v;
	if ((v[m->nmanaged].raw = strdup(addr)) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "recipients");
	v[m->nmanaged++].cal_id = id;
	return IMIP_OK;
}

/* Append to the capture buffer; IMIP_ELIMIT past max_message_size. */
static int
append(struct imip_msg *m, const void *p, size_t n, struct imip_err *err)
{
	size_t cap;
	char *b;

	if (n > m->conf->max_message_size - m->len)
		return imip_err_set(err, IMIP_ELIMIT,
		    "message larger than max_message_size (%zu bytes)",
		    m->conf->max_message_size);
	if (m->len + n + 1 > m->cap) {
		cap = m->cap > 0 ? m->cap : 8192;
		while (cap < m->len + n + 1)
			cap *= 2;
		if ((b = realloc(m->buf, cap)) == NULL)
			return imip_err_set(err, IMIP_ENOMEM, "message buffer");
		m->buf = b;
		m->cap = cap;
	}
	memcpy(m->buf + m->len, p, n);
	m->len += n;
	m->buf[m->len] = '\0';
	return IMIP_OK;
}

static int
keep(char **slot, const char *value, struct imip_err *err)
{
	free(*slot);
	if ((*slot = strdup(value)) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "header value");
	return IMIP_OK;
}

const char *const imip_own_headers[IMIP_OWN_NHEADERS] = {
	[IMIP_OWN_RESULT] = IMIP_RESULT_HEADER,
	[IMIP_OWN_CONFLICT] = IMIP_CONFLICT_HEADER,
	[IMIP_OWN_COUNTER] = IMIP_COUNTER_HEADER,
};

/* Is name one of the headers only we write?  Count the forged copy. */
static bool
own_header(struct imip_msg *m, const char *name)
{
	for (int i = 0; i < IMIP_OWN_NHEADERS; i++)
		if (strcasecmp(name, imip_own_headers[i]) == 0)
			return m->nown[i]++, true;
	return false;
}

static bool
forged_headers(const struct imip_msg *m)
{
	for (int i = 0; i < IMIP_OWN_NHEADERS; i++)
		if (m->nown[i] > 0)
			return true;
	return false;
}

int
imip_msg_header(struct imip_msg *m, const char *name, const char *value,
    struct imip_err *err)
{
	int rc = IMIP_OK;

	if (strcasecmp(name, "Content-Type") == 0)
		rc = keep(&m->ctype, value, err);
	else if (strcasecmp(name, "Message-ID") == 0)
		rc = keep(&m->message_id, value, err);
	else if (strcasecmp(name, "From") == 0)
		rc = keep(&m->from, value, err);
	else if (strcasecmp(name, "Auto-Submitted") == 0)
		m->auto_replied = strncasecmp(value, "no", 2) != 0 &&
		    strncasecmp(value, "auto-generated", 14) != 0;
	else if (strcasecmp(name, IMIP_GENERATED_HEADER) == 0)
		m->generated = true;
	else if (strcasecmp(name, IMIP_COPY_HEADER) == 0)
		m->copy = strtoll(value, NULL, 10);
	else if (own_header(m, name))
		;
	else if (strcasecmp(name, "Authentication-Results") == 0)
		rc = imip_trust_add_auth_results(m->trust, m->conf, value,
		    err);
	/* No managed recipient: the body is never read, keep no copy. */
	if (rc < 0 || (m->nrcpts == 0 && !m->sender_local))
		return rc;
	if ((rc = append(m, name, strlen(name), err)) < 0 ||
	    (rc = append(m, ": ", 2, err)) < 0 ||
	    (rc = append(m, value, strlen(value), err)) < 0)
		return rc;
	return append(m, "\r\n", 2, err);
}

/* imip_msg_header_raw - imip_msg_header of a field as imip_mime_split saw it */
int
imip_msg_header_raw(const char *name, const char *value, void *arg)
{
	struct imip_err err;
	size_t n;
	char *v;
	int rc;

	/* A milter callback gets the value without blank and newline. */
	while (*value == ' ' || *value == '\t')
		value++;
	n = strlen(value);
	while (n > 0 && (value[n - 1] == '\n' || value[n - 1] == '\r'))
		n--;
	if ((v = strndup(value, n)) == NULL)
		return IMIP_ENOMEM;
	rc = imip_msg_header(arg, name, v, &err);
	free(v);
	return rc;
}

bool
imip_msg_is_generated(const struct imip_msg *m)
{
	return m->generated && m->message_id != NULL && m->sender != NULL &&
	    m->sender[0] != '\0';
}

int
imip_msg_claim_generated(struct imip_msg *m, struct imip_store *st,
    bool *duplicate, struct imip_err *err)
{
	char *id = NULL;
	int rc = IMIP_OK;

	*duplicate = false;
	if (!imip_msg_is_generated(m))
		return IMIP_OK;
	if ((id = imip_mime_trimmed(m->message_id)) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "Message-ID");
	if ((rc = imip_store_outbox_seen(st, id, m->sender, m->copy,
	    duplicate, err)) == IMIP_OK && *duplicate)
		imip_log_info("%s: %s is a second copy of a message already "
		    "sent: discarded", m->qid, id);
	free(id);
	return rc;
}

bool
imip_msg_eoh(struct imip_msg *m)
{
	struct imip_err err;

	m->capture = (m->nrcpts > 0 || m->sender_cal != NULL) &&
	    imip_mime_may_hold_calendar(m->ctype) &&
	    append(m, "\r\n", 2, &err) == IMIP_OK;
	/* A forged result header must reach end of message to be removed. */
	return m->capture || forged_headers(m);
}

int
imip_msg_body(struct imip_msg *m, const void *buf, size_t len,
    struct imip_err *err)
{
	if (!m->capture)
		return IMIP_OK;
	return append(m, buf, len, err);
}

/* The address of the first mailbox of the From: header, or NULL. */
static char *
from_address(const char *value)
{
	InternetAddressList *list;
	InternetAddress *ia;
	char *addr = NULL;

	if (value == NULL ||
	    (list = internet_address_list_parse(NULL, value)) == NULL)
		return NULL;
	if (internet_address_list_length(list) > 0) {
		ia = internet_address_list_get_address(list, 0);
		if (INTERNET_ADDRESS_IS_MAILBOX(ia))
			addr = strdup(internet_address_mailbox_get_addr(
			    INTERNET_ADDRESS_MAILBOX(ia)));
	}
	g_object_unref(list);
	return addr;
}

static void
log_outcome(const struct imip_msg *m, const struct imip_outcome *o)
{
	imip_log_info("%s: %s %s uid=%s from=<%s>: %s%s%s (%s)%s", m->qid,
	    o->calendar, imip_method_name(o->method), o->uid, m->sender,
	    o->decision, o->status[0] != '\0' ? " " : "", o->status,
	    o->reason != NULL ? o->reason : "",
	    o->outbox_id != 0 ? ", reply queued" : "");
}

/* Bad or unsupported calendar data: log, journal, deliver unchanged. */
static int
pass_bad_data(struct imip_msg *m, struct imip_store *st,
    const struct imip_sched_ctx *ctx, const char *cal, int code,
    const struct imip_err *why, struct imip_err *err)
{
	const char *decision = code == IMIP_EUNSUPPORTED ? "UNSUPPORTED" :
	    code == IMIP_ELIMIT ? "TOO-LARGE" : "MALFORMED";

	imip_log_warn("%s: %s: %s calendar data, delivered unchanged: %s",
	    m->qid, cal, code == IMIP_EUNSUPPORTED ? "unsupported" :
	    code == IMIP_ELIMIT ? "over-limit" : "malformed", why->msg);
	if (m->nbad++ == 0)
		snprintf(m->bad_why, sizeof(m->bad_why), "%s", why->msg);
	return imip_schedule_journal(st, ctx, cal, NULL, NULL, decision,
	    why->msg, err);
}

/* Past a configured limit, the part is not scheduled at all. */
static int
over_size(const struct imip_msg *m, const struct imip_calpart *part,
    struct imip_err *why)
{
	size_t n = strlen(part->text);

	if (n > m->conf->max_calendar_size)
		return imip_err_set(why, IMIP_ELIMIT, "calendar part of %zu "
		    "bytes, more than max_calendar_size %zu", n,
		    m->conf->max_calendar_size);
	return IMIP_OK;
}

static int
over_count(const struct imip_msg *m, const struct imip_itip *it,
    struct imip_err *why)
{
	if (it->ncomponents > (size_t)m->conf->max_components)
		return imip_err_set(why, IMIP_ELIMIT, "%zu components, more "
		    "than max_components %d", it->ncomponents,
		    m->conf->max_components);
	if (it->nattendees > (size_t)m->conf->max_attendees)
		return imip_err_set(why, IMIP_ELIMIT, "%zu attendees, more "
		    "than max_attendees %d", it->nattendees,
		    m->conf->max_attendees);
	return IMIP_OK;
}

/* Does this outcome let a delivery = consume calendar drop the mail? */
static bool
consumable(const struct imip_outcome *o)
{
	return !o->refused && (o->method == IMIP_METHOD_REQUEST ||
	    o->method == IMIP_METHOD_CANCEL || o->method == IMIP_METHOD_ADD);
}

/* One calendar part for one managed resource. */
static int
one_part(struct imip_msg *m, struct imip_store *st,
    const struct imip_sched_ctx *ctx, const struct imip_calendar *cal,
    const struct imip_calpart *part, struct imip_decision *d,
    struct tally *t, struct imip_err *err)
{
	struct imip_outcome o = { 0 };
	struct imip_itip *it = NULL;
	struct imip_err why = { 0 };
	int rc;

	if ((rc = over_size(m, part, &why)) == IMIP_OK)
		rc = imip_itip_parse(&it, part->text, part->method, cal->tz,
		    &why);
	if (rc == IMIP_OK)
		rc = over_count(m, it, &why);
	/* Instances in this calendar's zone, bounded by the horizon. */
	if (rc == IMIP_OK)
		rc = imip_itip_expand(it, ctx->now + (int64_t)
		    m->conf->horizon_days * 86400,
		    (size_t)m->conf->max_instances, cal->tz, &why);
	if (rc == IMIP_EPARSE || rc == IMIP_EUNSUPPORTED ||
	    rc == IMIP_ELIMIT) {
		t->other++;
		rc = pass_bad_data(m, st, ctx, cal->address, rc, &why, err);
		goto out;
	}
	if (rc < 0) {
		*err = why;
		goto out;
	}
	if (msg_seen_before(d, cal->address, it))
		goto out;
	if (t->outgoing)
		rc = imip_schedule_outgoing(st, ctx, cal, it, &o, err);
	else if (cal->kind == IMIP_CAL_PERSON)
		rc = imip_schedule_person(st, ctx, cal, it, &o, err);
	else
		rc = imip_schedule_resource(st, ctx, cal, it, &o, err);
	if (rc < 0)
		goto out;
	log_outcome(m, &o);
	if (consumable(&o))
		t->done++;
	else
		t->other++;
	rc = msg_add_outcome(d, &o, err);
out:
	imip_outcome_fini(&o);
	imip_itip_free(it);
	return rc;
}

/* delivery = consume: the calendar's recipients leave the message. */
static int
consume(const struct imip_msg *m, const struct imip_calendar *cal,
    struct imip_decision *d, struct imip_err *err)
{
	char **v;

	for (size_t i = 0; i < m->nmanaged; i++) {
		if (m->managed[i].cal_id != cal->id)
			continue;
		v = realloc(d->delrcpts, (d->ndelrcpts + 1) * sizeof(*v));
		if (v == NULL)
			return imip_err_set(err, IMIP_ENOMEM, "recipients");
		d->delrcpts = v;
		if ((v[d->ndelrcpts] = strdup(m->managed[i].raw)) == NULL)
			return imip_err_set(err, IMIP_ENOMEM, "recipients");
		d->ndelrcpts++;
		imip_log_info("%s: %s consumed (delivery = consume)", m->qid,
		    m->managed[i].raw);
	}
	return IMIP_OK;
}

/* Every calendar part for one managed recipient. */
static int
for_calendar(struct imip_msg *m, struct imip_store *st,
    const struct imip_sched_ctx *ctx, const struct imip_calendar *cal,
    const struct imip_calpart *parts, size_t nparts, struct imip_decision *d,
    struct imip_err *err)
{
	struct tally t = { 0 };
	int rc = IMIP_OK;

	for (size_t i = 0; i < nparts && rc == IMIP_OK; i++)
		rc = one_part(m, st, ctx, cal, &parts[i], d, &t, err);
	if (rc == IMIP_OK && cal->consume && t.done > 0 && t.other == 0)
		rc = consume(m, cal, d, err);
	return rc;
}

/* Every calendar part for the managed person who sent the message. */
static int
for_sender(struct imip_msg *m, struct imip_store *st,
    const struct imip_sched_ctx *ctx, const struct imip_calpart *parts,
    size_t nparts, struct imip_decision *d, struct imip_err *err)
{
	struct tally t = { .outgoing = true };
	int rc = IMIP_OK;

	for (size_t i = 0; i < nparts && rc == IMIP_OK; i++)
		rc = one_part(m, st, ctx, m->sender_cal, &parts[i], d, &t,
		    err);
	return rc;
}

static const char *const action_name[] = {
	[IMIP_ACTION_ACCEPT] = "delivered unchanged",
	[IMIP_ACTION_TEMPFAIL] = "tempfail", [IMIP_ACTION_REJECT] = "rejected",
	[IMIP_ACTION_QUARANTINE] = "quarantined",
	[IMIP_ACTION_DISCARD] = "discarded",
};

/* Refusals and bad data choose the action; consumed mail is discarded. */
static int
classify(const struct imip_msg *m, struct imip_decision *d,
    struct imip_err *err)
{
	const struct imip_outcome *o = NULL;
	int rc = IMIP_OK;

	for (size_t i = 0; i < d->noutcomes && o == NULL; i++)
		if (d->outcomes[i].refused)
			o = &d->outcomes[i];
	if (o != NULL)
		rc = msg_take_action(d, IMIP_CLASS_POLICY,
		    m->conf->on_policy_refusal, err, "refused: %s %s uid=%s: "
		    "%s", o->calendar, imip_method_name(o->method), o->uid,
		    o->reason != NULL ? o->reason : "");
	if (rc == IMIP_OK && m->nbad > 0)
		rc = msg_take_action(d, IMIP_CLASS_BAD_DATA, m->conf->on_bad_data,
		    err, "bad calendar data: %s", m->bad_why);
	if (rc < 0)
		return rc;
	if (d->action == IMIP_ACTION_ACCEPT && m->nenvrcpt > 0 &&
	    d->ndelrcpts == m->nenvrcpt)
		d->action = IMIP_ACTION_DISCARD;
	if (d->action != IMIP_ACTION_ACCEPT)
		imip_log_info("%s: %s%s%s", m->qid, action_name[d->action],
		    d->reason != NULL ? ": " : ", every recipient consumed",
		    d->reason != NULL ? d->reason : "");
	return IMIP_OK;
}

static void
internal_failure(const struct imip_msg *m, struct imip_decision *d,
    const struct imip_err *err)
{
	d->fail_class = IMIP_CLASS_INTERNAL;
	switch (m->conf->on_internal_error) {
	case IMIP_FAIL_ACCEPT:
		d->action = IMIP_ACTION_ACCEPT;
		break;
	case IMIP_FAIL_REJECT:
		d->action = IMIP_ACTION_REJECT;
		d->smtp_text = "calendar processing failed";
		break;
	case IMIP_FAIL_QUARANTINE:
		d->action = IMIP_ACTION_QUARANTINE;
		free(d->reason);
		if (asprintf(&d->reason, "internal error: %s", err->msg) < 0)
			d->reason = NULL;
		break;
	default:
		d->action = IMIP_ACTION_TEMPFAIL;
		d->smtp_text = "calendar database unavailable, try again later";
		break;
	}
	imip_log_err("%s: internal error (%s): %s; %s", m->qid,
	    imip_err_name(err->code), err->msg, action_name[d->action]);
}

int
imip_msg_finish(struct imip_msg *m, struct imip_store *st, int64_t now,
    struct imip_decision *d, struct imip_err *err)
{
	struct imip_calpart *parts = NULL;
	struct imip_err why = { 0 };
	size_t nparts = 0;
	char *from = NULL;
	int rc;
	struct imip_sched_ctx ctx = {
		.conf = m->conf, .queue_id = m->qid,
		.sender = m->sender != NULL ? m->sender : "",
		.message_id = m->message_id, .hostname = m->conf->hostname,
		.trust = m->checked ? m->trust : NULL,
		.now = now, .dry_run = m->dry_run,
	};

	memset(d, 0, sizeof(*d));
	memcpy(d->strip, m->nown, sizeof(d->strip));
	if (!m->capture)
		return IMIP_OK;
	ctx.from = from = from_address(m->from);
	ctx.may_reply = ctx.sender[0] != '\0' && !m->auto_replied &&
	    !m->generated;
	ctx.sole_rcpt = m->nenvrcpt == 1;
	rc = imip_mime_calendars(&parts, &nparts, m->buf, m->len,
	    MAX_CAL_PARTS, &why);
	if (rc == IMIP_EPARSE || rc == IMIP_ELIMIT) {
		int code = rc;

		rc = IMIP_OK;
		for (size_t i = 0; i < m->nrcpts && rc == IMIP_OK; i++)
			rc = pass_bad_data(m, st, &ctx,
			    m->rcpts[i].cal->address, code, &why, err);
	} else if (rc < 0) {
		*err = why;
	} else {
		if (nparts == 0)
			imip_log_debug("%s: no calendar part", m->qid);
		for (size_t i = 0; i < m->nrcpts && rc == IMIP_OK; i++)
			rc = for_calendar(m, st, &ctx, m->rcpts[i].cal, parts,
			    nparts, d, err);
		if (rc == IMIP_OK && m->sender_cal != NULL)
			rc = for_sender(m, st, &ctx, parts, nparts, d, err);
	}
	if (rc == IMIP_OK)
		rc = classify(m, d, err);
	if (rc == IMIP_OK && m->conf->summary_part &&
	    d->action == IMIP_ACTION_ACCEPT)
		rc = msg_annotate(d, m->qid, m->buf, m->len, err);
	if (rc < 0)
		internal_failure(m, d, err);
	imip_calparts_free(parts, nparts);
	free(from);
	return rc;
}
