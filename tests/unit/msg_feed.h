/*
 * msg_feed.h - the shared fixture of test_msg.c and test_msg_bad.c: a fresh
 * store with two rooms and a person, one message fed the way the milter
 * callbacks feed it (envelope, header by header, body in CRLF chunks), and
 * log lines captured with imip_log_set_sink.  Header-only (static inline)
 * because tests/meson.build builds one .c file per test.
 */
#ifndef IMIP_TEST_MSG_FEED_H
#define IMIP_TEST_MSG_FEED_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <cmocka.h>

#include "dbfixture.h"
#include "fixture.h"
#include "itip.h"
#include "log.h"
#include "mime.h"
#include "msg.h"

#define NOW	((int64_t)1803888000)	/* 2027-03-01 08:00:00 UTC */
#define T09	((int64_t)1803891600)	/* 2027-03-01 09:00:00 UTC */
#define CHUNK	97			/* odd, so chunks split lines */

#define ROOM_A	"room-a@example.org"
#define ROOM_B	"room-b@example.org"
#define RESULT_1 ROOM_A " method=REQUEST uid=inv-1@example.com" \
	" decision=ACCEPTED status=2.0"

/* How to feed one message; zero fields take the defaults. */
struct feed {
	const char	*file;
	const char	*sender;	/* NULL: <alice@example.com> */
	const char	*rcpt[3];	/* none given: <room-a@example.org> */
	const char	*extra[3];	/* "Name: value" fed before the file's */
	bool		 lf;		/* body with LF, not the MTA's CRLF */
	bool		 dry_run;
};

struct fx {
	struct dbfx		*db;
	struct imip_msg		*m;
	struct imip_decision	 d;
	struct imip_err		 err;
	char			*text;		/* the fixture being fed */
	size_t			 body;		/* where its body starts */
	size_t			 fed;		/* bytes the filter captured */
	char			 log[8192];
	int			 nwarn;
};

static inline void
capture(int prio, const char *line, void *arg)
{
	struct fx *fx = arg;
	size_t len = strlen(fx->log);

	if (prio == LOG_WARNING)
		fx->nwarn++;
	snprintf(fx->log + len, sizeof(fx->log) - len, "%d %s\n", prio, line);
}

static inline int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->db = dbfx_new("test_msg", 50);
	imip_calendar_free(dbfx_calendar(fx->db, ROOM_A, IMIP_CAL_RESOURCE,
	    "Room A", "Europe/Berlin"));
	imip_calendar_free(dbfx_calendar(fx->db, ROOM_B, IMIP_CAL_RESOURCE,
	    "Room B", "Europe/Berlin"));
	imip_calendar_free(dbfx_calendar(fx->db, "carol@example.org",
	    IMIP_CAL_PERSON, "Carol", "Europe/Berlin"));
	imip_log_set_sink(capture, fx);
	*state = fx;
	return 0;
}

static inline int
teardown(void **state)
{
	struct fx *fx = *state;

	imip_log_set_sink(NULL, NULL);
	imip_decision_fini(&fx->d);
	imip_msg_free(fx->m);
	free(fx->text);
	dbfx_free(fx->db);
	free(fx);
	return 0;
}

/* The contents of fixture name, NUL-terminated (caller frees). */
static inline char *
slurp(const char *name)
{
	const char *dir = getenv("IMIP_TESTDATA");
	char path[512];
	char *buf;
	long n;
	FILE *f;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* One "Name: value" header, value without the blank after the colon. */
static inline void
header(struct fx *fx, const char *name, size_t nlen, const char *value)
{
	char n[128];

	assert_true(nlen < sizeof(n));
	memcpy(n, name, nlen);
	n[nlen] = '\0';
	while (*value == ' ' || *value == '\t')
		value++;
	if (imip_msg_header(fx->m, n, value, &fx->err) != IMIP_OK)
		fail_msg("header %s: %s", n, fx->err.msg);
	fx->fed += nlen + 2 + strlen(value) + 2;
}

/*
 * Feed the header section of text as the MTA does: one call per field,
 * folded lines kept with "\n".  Returns the offset of the body.
 */
static inline size_t
feed_headers(struct fx *fx, const char *text)
{
	const char *p = text, *eol, *colon = NULL, *start = NULL;
	char value[2048] = "";
	size_t vlen = 0;

	for (; *p != '\0' && *p != '\n'; p = eol + 1) {
		eol = strchr(p, '\n');
		assert_non_null(eol);
		if (*p != ' ' && *p != '\t') {
			if (start != NULL)
				header(fx, start, (size_t)(colon - start),
				    value);
			start = p;
			assert_non_null(colon = memchr(p, ':', eol - p));
			vlen = 0;
			p = colon + 1;
		} else
			value[vlen++] = '\n';
		assert_true(vlen + (size_t)(eol - p) < sizeof(value));
		memcpy(value + vlen, p, (size_t)(eol - p));
		vlen += (size_t)(eol - p);
		value[vlen] = '\0';
	}
	if (start != NULL)
		header(fx, start, (size_t)(colon - start), value);
	return *p == '\n' ? (size_t)(p + 1 - text) : (size_t)(p - text);
}

/* A new message: envelope and headers of f; the result of imip_msg_eoh. */
static inline bool
begin(struct fx *fx, const struct feed *f)
{
	const char *sender = f->sender != NULL ? f->sender :
	    "<alice@example.com>";

	imip_decision_fini(&fx->d);
	imip_msg_free(fx->m);
	free(fx->text);
	fx->text = slurp(f->file);
	fx->fed = 0;
	assert_int_equal(imip_msg_new(&fx->m, fx->db->conf, &fx->err),
	    IMIP_OK);
	imip_msg_queue_id(fx->m, "QID1");
	imip_msg_dry_run(fx->m, f->dry_run);
	assert_int_equal(imip_msg_envfrom(fx->m, sender,
	    &fx->err), IMIP_OK);
	if (f->rcpt[0] == NULL)
		assert_int_equal(imip_msg_rcpt(fx->m, fx->db->st,
		    "<" ROOM_A ">", &fx->err), IMIP_OK);
	for (size_t i = 0; i < 3 && f->rcpt[i] != NULL; i++)
		assert_int_equal(imip_msg_rcpt(fx->m, fx->db->st, f->rcpt[i],
		    &fx->err), IMIP_OK);
	for (size_t i = 0; i < 3 && f->extra[i] != NULL; i++)
		header(fx, f->extra[i], strcspn(f->extra[i], ":"),
		    strchr(f->extra[i], ':') + 1);
	fx->body = feed_headers(fx, fx->text);
	fx->fed += 2;
	return imip_msg_eoh(fx->m);
}

/* The body, in CHUNK-byte pieces; the first failure's code. */
static inline int
feed_body(struct fx *fx, bool lf)
{
	const char *text = fx->text + fx->body;
	size_t len = strlen(text), n = 0;
	char *buf = malloc(2 * len + 1);
	int rc = IMIP_OK;

	assert_non_null(buf);
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '\n' && !lf)
			buf[n++] = '\r';
		buf[n++] = *p;
	}
	for (size_t off = 0; off < n && rc == IMIP_OK; off += CHUNK) {
		rc = imip_msg_body(fx->m, buf + off,
		    n - off < CHUNK ? n - off : CHUNK, &fx->err);
		if (rc == IMIP_OK)
			fx->fed += n - off < CHUNK ? n - off : CHUNK;
	}
	free(buf);
	return rc;
}

/* A whole message past the fast path, finished with success and ACCEPT. */
static inline void
deliver_ok(struct fx *fx, const struct feed *f)
{
	if (!begin(fx, f))
		fail_msg("%s: fast path taken", f->file);
	if (feed_body(fx, f->lf) != IMIP_OK)
		fail_msg("%s: body: %s", f->file, fx->err.msg);
	if (imip_msg_finish(fx->m, fx->db->st, NOW, &fx->d, &fx->err) < 0)
		fail_msg("%s: imip_msg_finish: %s", f->file, fx->err.msg);
	assert_int_equal(fx->d.action, IMIP_ACTION_ACCEPT);
}

static inline void
assert_logged(struct fx *fx, const char *needle)
{
	if (strstr(fx->log, needle) == NULL)
		fail_msg("log lacks \"%s\":\n%s", needle, fx->log);
}

#endif
