/*
 * schedule_policy.c - a resource's policy at work: who may book, which
 * bookings it takes, and bookings that wait for a delegate's approval.
 *
 * Approval: the booking is held TENTATIVE (its busy time BUSY-TENTATIVE,
 * so nobody else gets the slot meanwhile) and each delegate gets an
 * invitation from room+approve-TOKEN@domain.  The token is 128 random
 * bits, stored with the version it asks about: only a REPLY to that
 * address, from a delegate the message's evidence vouches for, about the
 * version still stored, decides.  The decision answers the organizer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "addr.h"
#include "schedule_int.h"

#define APPROVE_TAG	"+approve-"
#define TOKEN_BYTES	16

const char *
sched_fbtype(const struct job *j)
{
	return j->pending ? "BUSY-TENTATIVE" : "BUSY";
}

/* The DECLINED answer to a request the policy does not take. */
static int
queue_policy_reply(struct job *j, const char *reason)
{
	struct imip_reply_spec spec = {
		.request = j->it, .partstat = "DECLINED",
		.status_major = 3, .status_minor = 8,
		.status_text = "No authority", .status_data = reason,
	};
	char *human, *text = NULL;

	if (!j->ctx->may_reply || j->it->organizer == NULL)
		return IMIP_OK;
	human = sched_human_text(j, "DECLINED", NULL);
	if (human != NULL && asprintf(&text, "%sReason: %s.\n", human,
	    reason) < 0)
		text = NULL;
	free(human);
	return sched_queue(j, &spec, text);
}

static bool
refusal_answered_in_smtp(const struct job *j)
{
	return j->ctx->conf != NULL &&
	    (j->ctx->conf->on_policy_refusal == IMIP_FAIL_REJECT ||
	    j->ctx->conf->on_policy_refusal == IMIP_FAIL_TEMPFAIL);
}

/*
 * sched_policy_gate - check the request against the policy; when it
 * fails, decide (DECLINED 3.8 with the reason), answer and set *stop.
 * Who may not book here leaves no event behind, only the journal row.
 */
int
sched_policy_gate(struct job *j, bool *stop)
{
	const struct imip_policy *p = &j->cal->policy;
	struct imip_policy_verdict v;
	int64_t id;
	int rc;

	*stop = false;
	/* A person accepting when free has no booking policy. */
	if (j->cal->kind == IMIP_CAL_PERSON)
		return IMIP_OK;
	imip_policy_check_who(p, j->ctx->conf, j->it->organizer, &v);
	if (v.result == IMIP_POLICY_OK)
		imip_policy_check_what(p, j->cal->tz, j->it, j->ctx->now, &v);
	if (v.result == IMIP_POLICY_OK)
		return IMIP_OK;
	*stop = true;
	if ((rc = sched_decide(j, "DECLINED", v.major, v.minor, "policy: %s",
	    v.reason)) < 0)
		return rc;
	if (v.result == IMIP_POLICY_REFUSED) {
		j->out->refused = true;
		/* No answer to an address nothing vouches for. */
		if (!imip_trust_vouches(j->ctx->trust, j->ctx->conf,
		    j->it->organizer))
			return sched_note(j, "; no answer: organizer not "
			    "verified");
		/* A rejected or deferred message is its own answer. */
		if (refusal_answered_in_smtp(j))
			return sched_note(j, "; no answer: on_policy_refusal "
			    "answers in SMTP");
	} else if ((rc = sched_put_event(j, &id, "DECLINED",
	    "CONFIRMED")) < 0)
		return rc;
	return queue_policy_reply(j, v.reason);
}

/* room+approve-TOKEN@domain for cal's room@domain, token in hex. */
static char *
ask_address(const struct job *j, const char *token)
{
	const char *at = strrchr(j->cal->address, '@');
	char *s = NULL;

	if (at == NULL || asprintf(&s, "%.*s" APPROVE_TAG "%s%s",
	    (int)(at - j->cal->address), j->cal->address, token, at) < 0)
		return NULL;
	return s;
}

/* The token of an approval answer's ORGANIZER, if it is ours. */
static bool
token_of(const struct job *j, const char *org, char *token, size_t size)
{
	const char *at = strrchr(j->cal->address, '@');
	size_t local, n;

	if (org == NULL || at == NULL)
		return false;
	local = (size_t)(at - j->cal->address);
	if (strncmp(org, j->cal->address, local) != 0 ||
	    strncmp(org + local, APPROVE_TAG, strlen(APPROVE_TAG)) != 0)
		return false;
	org += local + strlen(APPROVE_TAG);
	n = strspn(org, "0123456789abcdef");
	if (n != 2 * TOKEN_BYTES || n >= size || strcmp(org + n, at) != 0)
		return false;
	memcpy(token, org, n);
	token[n] = '\0';
	return true;
}

static int
new_token(struct job *j, char *hex)
{
	unsigned char b[TOKEN_BYTES];

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return imip_err_set(j->err, IMIP_ERR, "no random bytes for "
		    "an approval token");
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(hex + 2 * i, 3, "%02x", b[i]);
	return IMIP_OK;
}

/* Queue the question for one delegate; the outcome keeps the reply. */
static int
ask_one(struct job *j, const char *from, const char *token,
    const char *delegate, const char *human)
{
	struct imip_approval_spec spec = {
		.request = j->it, .calendar_name = j->cal->name != NULL ?
		    j->cal->name : j->cal->address,
		.ask_from = from, .token = token, .delegate = delegate,
		.human = human, .hostname = j->ctx->hostname,
		.now = j->ctx->now,
	};
	struct imip_outbox_rec o = { 0 };
	char *msg = NULL;
	int64_t id;
	int rc;

	if ((rc = imip_approval_build(&msg, &spec, j->err)) < 0)
		return rc;
	o.created = o.next_attempt = j->ctx->now;
	o.env_from = j->cal->address;
	o.env_to = delegate;
	o.message = msg;
	rc = imip_store_outbox_add(j->st, &o, &id, j->err);
	free(msg);
	return rc;
}

/* What the delegates read. */
static char *
ask_text(const struct job *j)
{
	char *booking = sched_human_text(j, "TENTATIVE", NULL), *text = NULL;

	if (booking == NULL || asprintf(&text, "%s asks to book this:\n%s\n"
	    "Accept this invitation to approve the booking, decline it to "
	    "refuse.\n", j->it->organizer, booking) < 0)
		text = NULL;
	free(booking);
	return text;
}

/* Each delegate by address, blank-separated in the policy. */
static int
ask_each(struct job *j, const char *from, const char *token,
    const char *human, size_t *asked)
{
	const char *p = j->cal->policy.delegates;
	char addr[256];
	size_t n;
	int rc = IMIP_OK;

	*asked = 0;
	while (p != NULL && *p != '\0' && rc == IMIP_OK) {
		p += strspn(p, " ");
		if ((n = strcspn(p, " ")) > 0 && n < sizeof(addr)) {
			memcpy(addr, p, n);
			addr[n] = '\0';
			rc = ask_one(j, from, token, addr, human);
			(*asked)++;
		}
		p += n;
	}
	return rc;
}

/*
 * sched_ask_delegates - the booking just held TENTATIVE: store the
 * question and send it to every delegate.
 */
int
sched_ask_delegates(struct job *j, int64_t event_id)
{
	char token[2 * TOKEN_BYTES + 1], *from = NULL, *human = NULL;
	size_t asked = 0;
	int rc;

	if ((rc = new_token(j, token)) < 0)
		return rc;
	if ((from = ask_address(j, token)) == NULL ||
	    (human = ask_text(j)) == NULL) {
		rc = imip_err_set(j->err, IMIP_ENOMEM, "approval");
		goto out;
	}
	if ((rc = imip_store_approval_add(j->st, j->cal->id, event_id, token,
	    j->it->sequence, j->it->dtstamp, j->ctx->now, j->err)) < 0 ||
	    (rc = ask_each(j, from, token, human, &asked)) < 0)
		goto out;
	j->out->decision = "TENTATIVE";
	if (asked == 0)
		rc = sched_note(j, "; awaiting approval, but no delegates "
		    "are set");
	else
		rc = sched_note(j, "; awaiting approval, %zu delegate%s asked",
		    asked, asked == 1 ? "" : "s");
out:
	free(from);
	free(human);
	return rc;
}

/* The organizer's answer, now that a delegate decided. */
static int
answer_organizer(struct job *j, const struct imip_event_rec *ev,
    const char *partstat, const char *delegate)
{
	struct imip_itip *req = NULL;
	struct imip_err why = { 0 };
	struct job asked = *j;
	char reason[320];
	int rc;

	/* The stored object is what was asked about; it parsed before. */
	if (ev->ical == NULL || imip_itip_parse(&req, ev->ical, NULL,
	    j->cal->tz, &why) < 0)
		return sched_note(j, "; no answer: stored request unreadable");
	asked.it = req;
	asked.pending = false;
	if (strcmp(partstat, "ACCEPTED") == 0)
		rc = sched_queue_reply(&asked, "ACCEPTED", "Success", NULL);
	else {
		snprintf(reason, sizeof(reason), "declined by %s, who "
		    "approves bookings of %s", delegate, j->cal->address);
		rc = queue_policy_reply(&asked, reason);
	}
	imip_itip_free(req);
	return rc;
}

/* Apply a delegate's ACCEPTED or DECLINED to the waiting booking. */
static int
apply_answer(struct job *j, const struct imip_approval_rec *a,
    const struct imip_event_rec *ev, const char *partstat, const char *who)
{
	int rc;

	if ((rc = imip_store_approval_decide(j->st, a->id, partstat, who,
	    j->ctx->now, j->err)) < 0 ||
	    (rc = imip_store_event_partstat(j->st, ev->id, partstat,
	    j->ctx->now, j->err)) < 0)
		return rc;
	if (strcmp(partstat, "ACCEPTED") == 0) {
		if ((rc = imip_store_busy_fbtype(j->st, ev->id, "BUSY",
		    j->err)) < 0 || (rc = sched_decide(j, "ACCEPTED", 2, 0,
		    "approved by %s: %s", who, ev->uid)) < 0)
			return rc;
	} else if ((rc = imip_store_busy_clear(j->st, ev->id, j->err)) < 0 ||
	    (rc = sched_decide(j, "DECLINED", 3, 8, "refused by %s: %s", who,
	    ev->uid)) < 0)
		return rc;
	return answer_organizer(j, ev, partstat, who);
}

/* Is the booking still the version the delegates were asked about? */
static bool
still_asked(const struct imip_approval_rec *a, const struct imip_event_rec *ev)
{
	return ev->sequence == a->sequence && ev->dtstamp == a->dtstamp &&
	    strcmp(ev->status, "CANCELLED") != 0 &&
	    strcmp(ev->partstat, "TENTATIVE") == 0;
}

static int
decide_answer(struct job *j, const struct imip_approval_rec *a,
    const struct imip_attendee *who)
{
	struct imip_event_rec *ev = NULL;
	int rc;

	if (a->decision != NULL)
		return sched_decide(j, "IGNORED", 0, 0, "approval already "
		    "answered: %s by %s", a->decision, a->decided_by != NULL ?
		    a->decided_by : "(nobody)");
	if ((rc = imip_store_event_find(j->st, j->cal->id, a->uid, &ev,
	    j->err)) < 0)
		return rc;
	if (!still_asked(a, ev)) {
		if ((rc = imip_store_approval_decide(j->st, a->id,
		    "SUPERSEDED", who->address, j->ctx->now, j->err)) == 0)
			rc = sched_decide(j, "IGNORED", 0, 0, "approval of %s "
			    "came after the booking changed", a->uid);
	} else if (strcmp(who->partstat, "ACCEPTED") == 0 ||
	    strcmp(who->partstat, "DECLINED") == 0)
		rc = apply_answer(j, a, ev, who->partstat, who->address);
	else
		rc = sched_decide(j, "IGNORED", 0, 0, "delegate %s answered "
		    "%s; still waiting", who->address, who->partstat);
	imip_event_rec_free(ev);
	return rc;
}

/*
 * sched_approval_answer - a REPLY to room+approve-TOKEN@: a delegate
 * decides.  Anything else sent there is refused and changes nothing.
 */
int
sched_approval_answer(struct job *j)
{
	struct imip_approval_rec *a = NULL;
	const struct imip_attendee *who;
	char token[2 * TOKEN_BYTES + 1];
	int rc;

	if (!token_of(j, j->it->organizer, token, sizeof(token)))
		return sched_decide(j, "IGNORED", 0, 0, "REPLY is not handled "
		    "for resources");
	if (j->it->nattendees != 1)
		return sched_decide(j, "REFUSED", 3, 8, "approval answers for "
		    "%zu attendees, not one delegate", j->it->nattendees);
	who = &j->it->attendees[0];
	if (!imip_policy_is_delegate(&j->cal->policy, who->address))
		return sched_decide(j, "REFUSED", 3, 8, "approval from %s, not "
		    "a delegate", who->address);
	if (!sched_sent_by(j->ctx, who->address))
		return sched_decide(j, "REFUSED", 3, 8, "approval for delegate "
		    "%s not sent by that delegate", who->address);
	rc = imip_store_approval_find(j->st, j->cal->id, token, &a, j->err);
	if (rc == IMIP_ENOTFOUND) {
		imip_err_clear(j->err);
		return sched_decide(j, "REFUSED", 3, 8, "unknown approval "
		    "token");
	}
	if (rc == IMIP_OK)
		rc = decide_answer(j, a, who);
	imip_approval_rec_free(a);
	return rc;
}
