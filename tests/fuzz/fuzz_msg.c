/*
 * fuzz_msg.c - libFuzzer target: the whole decision pipeline on one
 * message, against a fresh SQLite database.
 *
 * The input is a whole message.  It is fed the way milter/callbacks.c
 * feeds core (envelope, header by header, the checks at the end of the
 * headers, body in chunks, end of message at a fixed time) to a store
 * with one room and one person.  The parity of the input's length picks
 * the envelope: even, an outside sender to the room, the person and a
 * stranger; odd, the person sending with a login (their own calendar is
 * written).  Every input starts from the same database, so a crash
 * replays alone.
 */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "err.h"
#include "fuzz.h"
#include "msg.h"
#include "store.h"

#define ROOM		"room-a@example.org"
#define PERSON		"carol@example.org"
#define CHUNK		4093	/* odd, so chunks split lines */

struct envelope {
	const char	*from;
	const char	*client;
	const char	*login;
	const char	*rcpt[3];
};

static const struct envelope envelopes[2] = {
	{ "<alice@example.com>", "192.0.2.10", NULL,
	    { "<" ROOM ">", "<" PERSON ">", "<bob@example.net>" } },
	{ "<" PERSON ">", "127.0.0.1", "carol",
	    { "<" ROOM ">", "<dave@example.com>", NULL } },
};

static struct imip_conf *conf;

/*
 * The database: made once in a temporary directory ($TMPDIR, else
 * /dev/shm, where commits cost no disk flush), kept in memory (template)
 * and written back over the file before each input.  That is much faster
 * than applying the schema every time, and every input still starts from
 * the same bytes.
 */
static char dir[256], path[320];
static char *template;
static size_t template_len;

/*
 * A calendar with one meeting held: 2027-04-26 07:00-07:30 UTC, the
 * second Monday of the weekly series in the seed
 * clients/google-03-weekly-series.eml, so clashes, declined instances
 * and the replies that name them are reached from the seeds.
 */
static int
calendar_add(struct imip_store *st, const char *addr,
    enum imip_cal_kind kind, const char *name, struct imip_err *err)
{
	struct imip_event_rec ev = { .uid = "held@example.org",
	    .organizer = "bob@example.org", .summary = "Held",
	    .dtstamp = FUZZ_NOW, .partstat = "ACCEPTED",
	    .status = "CONFIRMED" };
	struct imip_calendar *cal = NULL;
	int rc;

	if ((rc = imip_store_calendar_add(st, addr, kind, name, FUZZ_TZ,
	    FUZZ_NOW, err)) < 0 ||
	    (rc = imip_store_calendar_find(st, addr, &cal, err)) < 0)
		goto out;
	ev.calendar_id = cal->id;
	if ((rc = imip_store_event_put(st, &ev, FUZZ_NOW, err)) < 0)
		goto out;
	rc = imip_store_busy_set(st, cal->id, ev.id, 0, 1808722800,
	    1808724600, "BUSY", err);
out:
	imip_calendar_free(cal);
	return rc;
}

/* A new database at path: the room (open to outsiders), the person. */
static int
store_create(struct imip_err *err)
{
	struct imip_store *st = NULL;
	int rc;

	if ((rc = imip_store_open(&st, path, IMIP_STORE_CREATE, 0,
	    err)) < 0 ||
	    (rc = calendar_add(st, ROOM, IMIP_CAL_RESOURCE, "Room A",
	    err)) < 0 ||
	    (rc = imip_store_calendar_set(st, ROOM, "external", "yes",
	    err)) < 0)
		goto out;
	rc = calendar_add(st, PERSON, IMIP_CAL_PERSON, "Carol", err);
out:
	imip_store_close(st);	/* the last close folds the WAL in */
	return rc;
}

/* The whole file at path into template; false on any failure. */
static bool
template_read(void)
{
	FILE *f;
	long n;

	if ((f = fopen(path, "rb")) == NULL)
		return false;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (template = malloc((size_t)n)) != NULL)
		template_len = fread(template, 1, (size_t)n, f);
	fclose(f);
	return template_len > 0;
}

/* Remove the database and its directory at exit. */
static void
store_cleanup(void)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char p[340];

	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		unlink(p);
	}
	rmdir(dir);
	free(template);
}

/* The template written back to path, then opened. */
static int
store_reset(struct imip_store **out, struct imip_err *err)
{
	char wal[340];
	FILE *f;

	snprintf(wal, sizeof(wal), "%s-wal", path);
	unlink(wal);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(template, 1, template_len, f) != template_len) {
		if (f != NULL)
			fclose(f);
		return imip_err_set(err, IMIP_ERR, "%s: cannot write", path);
	}
	fclose(f);
	return imip_store_open(out, path, 0, 0, err);
}

/* Envelope and headers, as far as the end of headers; false: fast path. */
static bool
feed_head(struct imip_msg *m, struct imip_store *st,
    const struct envelope *env, const char *data, size_t size, size_t *body)
{
	struct imip_err err = { 0 };
	bool duplicate = false;
	const char *r;

	if (imip_msg_envfrom(m, env->from, &err) < 0)
		return false;
	imip_msg_client(m, env->client);
	if (imip_msg_login(m, env->login, &err) < 0)
		return false;
	for (size_t i = 0; i < 3 && (r = env->rcpt[i]) != NULL; i++)
		if (imip_msg_envrcpt(m, imip_msg_rcpt_may_be_managed(m, r) ?
		    st : NULL, r, &err) < 0)
			return false;
	if (imip_mime_split(data, size, imip_msg_header_raw, m, body,
	    &err) < 0)
		return false;
	/* Our own reply passing again (it claims its outbox row)? */
	if (imip_msg_is_generated(m) &&
	    (imip_msg_claim_generated(m, st, &duplicate, &err) < 0 ||
	    duplicate))
		return false;
	if (imip_msg_sender_may_be_managed(m) &&
	    imip_msg_sender_calendar(m, st, &err) < 0)
		return false;
	return imip_msg_eoh(m);
}

/* The body in CHUNK-byte pieces; false when the message passes as is. */
static bool
feed_body(struct imip_msg *m, const char *data, size_t size)
{
	struct imip_err err = { 0 };
	size_t n;

	for (size_t off = 0; off < size; off += n) {
		n = size - off < CHUNK ? size - off : CHUNK;
		if (imip_msg_body(m, data + off, n, &err) < 0)
			return false;
	}
	return true;
}

/*
 * A header value goes to the MTA as it is: a line break that does not
 * start a continuation line would let the message forge a header.
 */
static void
check_header_value(const char *v)
{
	for (const char *p = v; *p != '\0'; p++)
		assert(*p != '\r' &&
		    (*p != '\n' || p[1] == ' ' || p[1] == '\t'));
}

/* What milter/verdict.c relies on in a decision. */
static void
check_decision(const struct imip_decision *d)
{
	assert(d->action >= IMIP_ACTION_ACCEPT &&
	    d->action <= IMIP_ACTION_DISCARD);
	for (size_t i = 0; i < d->nheaders; i++) {
		assert(d->headers[i].name != NULL);
		check_header_value(d->headers[i].value);
	}
	for (size_t i = 0; i < d->ndelrcpts; i++)
		assert(d->delrcpts[i] != NULL);
	if (d->body.content_type != NULL) {
		check_header_value(d->body.content_type);
		assert(d->body.body != NULL);
	}
}

/* Once, before the first input: the configuration and the template. */
static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");
	struct imip_err err = { 0 };

	snprintf(dir, sizeof(dir), "%s/imip-fuzz-msg.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp :
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/imip.db", dir);
	atexit(store_cleanup);
	if (store_create(&err) < 0 || !template_read())
		abort();
	/* summary_part: the body rewrite is part of the pipeline too */
	if (imip_conf_parse_buf(&conf, "local_domains = example.org\n"
	    "summary_part = yes\n", "fuzz", &err) < 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct imip_decision d = { 0 };
	struct imip_store *st = NULL;
	struct imip_msg *m = NULL;
	struct imip_err err = { 0 };
	size_t body = size;

	if (conf == NULL)
		setup();
	if (store_reset(&st, &err) < 0 || imip_msg_new(&m, conf, &err) < 0)
		abort();
	imip_msg_queue_id(m, "FUZZ");
	if (feed_head(m, st, &envelopes[size % 2], text, size, &body) &&
	    feed_body(m, text + body, size - body) &&
	    imip_msg_finish(m, st, FUZZ_NOW, &d, &err) >= 0)
		check_decision(&d);
	imip_decision_fini(&d);
	imip_msg_free(m);
	imip_store_close(st);
	fuzz_end();
	return 0;
}
