/*
 * callbacks.c - the libmilter callbacks, each a short dispatcher into core.
 *
 * Per connection: struct mf_conn (priv), holding the message in flight
 * with its reference to the configuration snapshot (taken in envfrom,
 * dropped with the message, so a reload never changes a message
 * half-way).  libmilter runs one connection's callbacks one at a time,
 * possibly on different threads, so nothing here is thread-local and
 * nothing needs a lock.  A callback that needs the database borrows a
 * handle from the process's pool and gives it back before it returns
 * (store_pool.h): one handle per connection cost an open per connection
 * and a page cache per connection.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "mf.h"
#include "store.h"
#include "store_pool.h"

/*
 * Database handles at most: writes take turns anyway, so more would only
 * hold more page caches while their callbacks wait in line (200
 * connections ending messages at once held 200; tests/bench/README.md).
 * A callback waits up to db_busy_timeout_ms for one.
 */
#define MF_POOL_SIZE	8

/*
 * Made before smfi_main() starts any thread; drained, never freed, after
 * it returned, as a session may still be finishing then.
 */
static struct imip_store_pool *pool;

struct mf_conn {
	struct imip_msg		*msg;
	const struct imip_conf	*conf;	/* from envfrom, dropped with msg */
	char			 client[INET6_ADDRSTRLEN];	/* "" unknown */
	bool			 hold;	/* quarantine at end of message */
	struct imip_err		 rcpt_err; /* failed at RCPT: act at EOM */
};

static struct mf_conn *
conn(SMFICTX *ctx)
{
	return smfi_getpriv(ctx);
}

/* Free the message in flight and drop its configuration reference. */
static void
msg_drop(struct mf_conn *c)
{
	imip_msg_free(c->msg);
	c->msg = NULL;
	mf_conf_release(c->conf);
	c->conf = NULL;
	imip_err_clear(&c->rcpt_err);
}

/* on_internal_error of the message's snapshot, else the current one. */
static enum imip_failure_action
failure_action(const struct mf_conn *c)
{
	const struct imip_conf *conf;
	enum imip_failure_action a;

	if (c->conf != NULL)
		return c->conf->on_internal_error;
	conf = mf_conf_acquire();
	a = conf->on_internal_error;
	mf_conf_release(conf);
	return a;
}

/* Copy the queue id as soon as the MTA has one (Postfix: after RCPT). */
static void
note_qid(SMFICTX *ctx, struct mf_conn *c)
{
	const char *qid;

	if (c->msg != NULL && strcmp(imip_msg_get_queue_id(c->msg),
	    "NOQUEUE") == 0 && (qid = smfi_getsymval(ctx, "i")) != NULL)
		imip_msg_queue_id(c->msg, qid);
}

/* What the MTA hears when we cannot decide (on_internal_error). */
static sfsistat
internal_error(SMFICTX *ctx, struct mf_conn *c, const struct imip_err *err)
{
	imip_log_err("%s: internal error (%s): %s",
	    c->msg != NULL ? imip_msg_get_queue_id(c->msg) : "NOQUEUE",
	    imip_err_name(err->code), err->msg);
	switch (failure_action(c)) {
	case IMIP_FAIL_ACCEPT:
		return SMFIS_ACCEPT;
	case IMIP_FAIL_QUARANTINE:
		/* Only end of message may quarantine: drop it, go on. */
		msg_drop(c);
		c->hold = true;
		return SMFIS_CONTINUE;
	case IMIP_FAIL_REJECT:
		smfi_setreply(ctx, "554", "5.7.0", "calendar processing failed");
		return SMFIS_REJECT;
	default:
		smfi_setreply(ctx, "451", "4.3.0",
		    "calendar database unavailable, try again later");
		return SMFIS_TEMPFAIL;
	}
}

/* After header or body capture: past max_message_size the mail passes. */
static sfsistat
captured(SMFICTX *ctx, struct mf_conn *c, int rc, const struct imip_err *err)
{
	if (rc == IMIP_ELIMIT) {
		imip_log_info("%s: %s; passed untouched",
		    imip_msg_get_queue_id(c->msg), err->msg);
		return SMFIS_ACCEPT;
	}
	return rc < 0 ? internal_error(ctx, c, err) : SMFIS_CONTINUE;
}

/* No message in flight: accept, unless it is to be held at its end. */
static sfsistat
no_msg(const struct mf_conn *c)
{
	return c != NULL && c->hold ? SMFIS_CONTINUE : SMFIS_ACCEPT;
}

static sfsistat
held(SMFICTX *ctx, struct mf_conn *c)
{
	c->hold = false;
	if (smfi_quarantine(ctx, "imip-milter: internal error") != MI_SUCCESS)
		imip_log_warn("cannot quarantine after an internal error");
	return SMFIS_CONTINUE;
}

/* The client's address as text for internal_networks; "" if unknown. */
static void
client_addr(char *buf, size_t size, const _SOCK_ADDR *sa)
{
	const void *a = NULL;

	buf[0] = '\0';
	if (sa != NULL && sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa != NULL && sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (a == NULL || inet_ntop(sa->sa_family, a, buf, size) == NULL)
		buf[0] = '\0';
}

/* mf_pool_start - the store pool, before smfi_main() */
int
mf_pool_start(struct imip_err *err)
{
	return imip_store_pool_new(&pool, MF_POOL_SIZE, err);
}

/* mf_pool_stop - close the idle handles, after smfi_main() */
void
mf_pool_stop(void)
{
	if (pool != NULL)
		imip_store_pool_drain(pool);
}

/* A store handle for this callback, from the pool; store_put() it. */
static int
store_get(struct mf_conn *c, struct imip_store **out, struct imip_err *err)
{
	assert(c->conf != NULL);	/* only asked for with a message */
	return imip_store_pool_get(pool, c->conf->database,
	    c->conf->db_busy_ms, out, err);
}

static void
store_put(struct imip_store *st)
{
	imip_store_pool_put(pool, st);
}

static sfsistat
mf_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
	struct mf_conn *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		imip_log_err("out of memory for a connection from %s", host);
		return SMFIS_TEMPFAIL;
	}
	client_addr(c->client, sizeof(c->client), addr);
	smfi_setpriv(ctx, c);
	return SMFIS_CONTINUE;
}

static sfsistat
mf_envfrom(SMFICTX *ctx, char **argv)
{
	struct mf_conn *c = conn(ctx);
	struct imip_err err = { 0 };

	if (c == NULL)
		return SMFIS_ACCEPT;
	msg_drop(c);
	c->hold = false;
	c->conf = mf_conf_acquire();
	if (imip_msg_new(&c->msg, c->conf, &err) < 0 ||
	    imip_msg_envfrom(c->msg, argv[0], &err) < 0)
		return internal_error(ctx, c, &err);
	/* The evidence for the sender (trust.h): client and SASL login. */
	imip_msg_client(c->msg, c->client[0] != '\0' ? c->client : NULL);
	if (imip_msg_login(c->msg, smfi_getsymval(ctx, "{auth_authen}"),
	    &err) < 0)
		return internal_error(ctx, c, &err);
	note_qid(ctx, c);
	return SMFIS_CONTINUE;
}

static sfsistat
mf_envrcpt(SMFICTX *ctx, char **argv)
{
	struct mf_conn *c = conn(ctx);
	struct imip_store *st = NULL;
	struct imip_err err = { 0 };

	if (c == NULL || c->msg == NULL)
		return SMFIS_CONTINUE;
	note_qid(ctx, c);
	/*
	 * Only a recipient that may be managed needs the database.  A
	 * failure is acted on at end of message, never on the recipient:
	 * Postfix's non_smtpd_milters must not reject or tempfail RCPT.
	 */
	if (c->rcpt_err.code == 0 &&
	    ((imip_msg_rcpt_may_be_managed(c->msg, argv[0]) &&
	    store_get(c, &st, &err) < 0) ||
	    imip_msg_envrcpt(c->msg, st, argv[0], &err) < 0)) {
		imip_log_warn("%s: %s at RCPT %s, acted on at end of message",
		    imip_msg_get_queue_id(c->msg), err.msg, argv[0]);
		c->rcpt_err = err;
	}
	store_put(st);
	return SMFIS_CONTINUE;
}

static sfsistat
mf_header(SMFICTX *ctx, char *name, char *value)
{
	struct mf_conn *c = conn(ctx);
	struct imip_err err = { 0 };
	int rc;

	if (c == NULL || c->msg == NULL)
		return SMFIS_CONTINUE;
	rc = imip_msg_header(c->msg, name, value, &err);
	return captured(ctx, c, rc, &err);
}

/*
 * What end of headers may look up: our own reply seen before (handed
 * over twice across a crash: *duplicate), a managed person sending.
 */
static int
eoh_lookups(struct mf_conn *c, bool *duplicate, struct imip_err *err)
{
	struct imip_store *st = NULL;
	int rc = IMIP_OK;

	*duplicate = false;
	if (!imip_msg_is_generated(c->msg) &&
	    !imip_msg_sender_may_be_managed(c->msg))
		goto out;
	if ((rc = store_get(c, &st, err)) < 0)
		goto out;
	if (imip_msg_is_generated(c->msg) &&
	    (rc = imip_msg_claim_generated(c->msg, st, duplicate, err)) < 0)
		goto out;
	/* A managed person sending: looked up only for calendar mail. */
	if (!*duplicate && imip_msg_sender_may_be_managed(c->msg))
		rc = imip_msg_sender_calendar(c->msg, st, err);
out:
	store_put(st);
	return rc;
}

static sfsistat
mf_eoh(SMFICTX *ctx)
{
	struct mf_conn *c = conn(ctx);
	struct imip_err err = { 0 };
	bool duplicate;

	if (c == NULL || c->msg == NULL)
		return no_msg(c);
	note_qid(ctx, c);
	if (c->rcpt_err.code != 0)
		return SMFIS_CONTINUE;		/* to end of message */
	if (eoh_lookups(c, &duplicate, &err) < 0)
		return internal_error(ctx, c, &err);
	if (duplicate)
		return SMFIS_DISCARD;
	if (!imip_msg_eoh(c->msg)) {
		imip_log_debug("%s: nothing to schedule, accepted at end of "
		    "headers", imip_msg_get_queue_id(c->msg));
		return SMFIS_ACCEPT;
	}
	return SMFIS_CONTINUE;
}

static sfsistat
mf_body(SMFICTX *ctx, unsigned char *buf, size_t len)
{
	struct mf_conn *c = conn(ctx);
	struct imip_err err = { 0 };
	int rc;

	if (c == NULL || c->msg == NULL)
		return no_msg(c);
	rc = imip_msg_body(c->msg, buf, len, &err);
	return captured(ctx, c, rc, &err);
}

static sfsistat
mf_eom(SMFICTX *ctx)
{
	struct mf_conn *c = conn(ctx);
	struct imip_decision d = { 0 };
	struct imip_store *st = NULL;
	struct imip_err err = { 0 };
	sfsistat rv;

	if (c != NULL && c->hold)
		return held(ctx, c);
	if (c == NULL || c->msg == NULL)
		return SMFIS_CONTINUE;
	note_qid(ctx, c);
	if (c->rcpt_err.code != 0)
		err = c->rcpt_err;
	if (err.code != 0 || store_get(c, &st, &err) < 0) {
		rv = internal_error(ctx, c, &err);
		if (c->hold)
			rv = held(ctx, c);
		goto out;
	}
	/* A failure already logged and chose d.action (on_internal_error). */
	imip_msg_finish(c->msg, st, (int64_t)time(NULL), &d, &err);
	rv = mf_verdict_apply(ctx, &d);
	if (d.replies > 0)
		mf_outbox_wake();
out:
	store_put(st);
	imip_decision_fini(&d);
	msg_drop(c);
	return rv;
}

static sfsistat
mf_abort(SMFICTX *ctx)
{
	struct mf_conn *c = conn(ctx);

	if (c != NULL) {
		msg_drop(c);
		c->hold = false;
	}
	return SMFIS_CONTINUE;
}

static sfsistat
mf_close(SMFICTX *ctx)
{
	struct mf_conn *c = conn(ctx);	/* may be NULL */

	smfi_setpriv(ctx, NULL);
	if (c != NULL) {
		msg_drop(c);
		free(c);
	}
	return SMFIS_CONTINUE;
}

struct smfiDesc mf_desc = {
	.xxfi_name = "imip-milter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_DELRCPT |
	    SMFIF_QUARANTINE | SMFIF_CHGBODY,
	.xxfi_connect = mf_connect,
	.xxfi_envfrom = mf_envfrom,
	.xxfi_envrcpt = mf_envrcpt,
	.xxfi_header = mf_header,
	.xxfi_eoh = mf_eoh,
	.xxfi_body = mf_body,
	.xxfi_eom = mf_eom,
	.xxfi_abort = mf_abort,
	.xxfi_close = mf_close,
};
