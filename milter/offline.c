/*
 * offline.c - "imip-milter -t FILE": one message through the whole pipeline.
 *
 * The message is fed to core exactly as the callbacks would feed it, the
 * decision is made against the configured database and then rolled back,
 * and what the filter would do is printed.  Nothing is stored or sent.
 * No client address or login is known here, so originator addresses are
 * believed as they stand (trust.h with no evidence fed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mf.h"
#include "mime.h"
#include "store.h"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

static void
print_decision(const struct imip_decision *d)
{
	static const char *const action[] = {
		[IMIP_ACTION_ACCEPT] = "accept",
		[IMIP_ACTION_TEMPFAIL] = "tempfail",
		[IMIP_ACTION_REJECT] = "reject",
		[IMIP_ACTION_QUARANTINE] = "quarantine",
		[IMIP_ACTION_DISCARD] = "discard",
	};

	printf("verdict: %s\n", action[d->action]);
	if (d->reason != NULL)
		printf("reason: %s\n", d->reason);
	for (size_t i = 0; i < d->ndelrcpts; i++)
		printf("delete recipient: %s\n", d->delrcpts[i]);
	for (int h = 0; h < IMIP_OWN_NHEADERS; h++)
		for (int i = 0; i < d->strip[h]; i++)
			printf("remove header: %s\n", imip_own_headers[h]);
	for (size_t i = 0; i < d->nheaders; i++)
		printf("add header: %s: %s\n", d->headers[i].name,
		    d->headers[i].value);
	if (d->body.content_type != NULL)
		printf("replace body: Content-Type: %s\n\n%.*s\n",
		    d->body.content_type, (int)d->body.len, d->body.body);
	for (size_t i = 0; i < d->noutcomes; i++) {
		const struct imip_outcome *o = &d->outcomes[i];

		if (o->reply == NULL)
			continue;
		printf("\nreply from <%s> to <%s>:\n%s", o->calendar,
		    o->reply_to, o->reply);
	}
	printf("\n(offline mode: nothing was stored or sent)\n");
}

/* Feed headers and body as the callbacks would, then decide. */
static int
feed(struct imip_msg *m, struct imip_store *st, const char *buf, size_t len,
    struct imip_decision *d, struct imip_err *err)
{
	size_t body;
	int rc;

	if ((rc = imip_mime_split(buf, len, imip_msg_header_raw, m, &body,
	    err)) < 0 ||
	    (rc = imip_msg_sender_calendar(m, st, err)) < 0)
		return rc;
	if (!imip_msg_eoh(m)) {
		printf("fast path: nothing to schedule (no managed recipient "
		    "or no calendar-capable Content-Type)\n");
		return IMIP_OK;
	}
	rc = imip_msg_body(m, buf + body, len - body, err);
	if (rc == IMIP_ELIMIT) {
		printf("passed untouched: %s\n", err->msg);
		return IMIP_OK;
	}
	if (rc < 0)
		return rc;
	imip_msg_finish(m, st, (int64_t)time(NULL), d, err);
	print_decision(d);
	return IMIP_OK;
}

int
mf_offline_run(const struct imip_conf *conf, const char *path,
    const char *from, char **rcpts, int nrcpts)
{
	struct imip_decision d = { 0 };
	struct imip_store *st = NULL;
	struct imip_msg *m = NULL;
	struct imip_err err = { 0 };
	char *buf = NULL;
	size_t len = 0;
	int rc, status = 1;

	if ((buf = slurp(path, &len)) == NULL) {
		fprintf(stderr, "imip-milter: %s: cannot read\n", path);
		goto out;
	}
	if ((rc = imip_store_open(&st, conf->database, 0, conf->db_busy_ms,
	    &err)) < 0 || (rc = imip_msg_new(&m, conf, &err)) < 0)
		goto fail;
	imip_msg_queue_id(m, "offline");
	imip_msg_dry_run(m, true);
	if ((rc = imip_msg_envfrom(m, from != NULL ? from : "", &err)) < 0)
		goto fail;
	for (int i = 0; i < nrcpts; i++)
		if ((rc = imip_msg_envrcpt(m, st, rcpts[i], &err)) < 0)
			goto fail;
	if ((rc = feed(m, st, buf, len, &d, &err)) < 0)
		goto fail;
	status = d.action == IMIP_ACTION_ACCEPT ||
	    d.action == IMIP_ACTION_DISCARD ? 0 : 1;
	goto out;
fail:
	fprintf(stderr, "imip-milter: %s\n", err.msg);
out:
	imip_decision_fini(&d);
	imip_msg_free(m);
	imip_store_close(st);
	free(buf);
	return status;
}
