/*
 * test_clients.c - the client corpus (tests/data/clients) row by row.
 *
 * expected.tsv lists messages shaped the way Outlook/Exchange, Google,
 * Thunderbird, Apple, Nextcloud, Zimbra, Notes and Evolution send them,
 * with the decision room-a must reach.  The rows run in file order against
 * ONE database, fed as the milter callbacks feed them (see test_msg.c).
 * Mismatches are collected and reported together, so one run shows the
 * whole gap between the code and BEHAVIOUR.md.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "dbfixture.h"
#include "fixture.h"
#include "log.h"
#include "msg.h"

#define NOW	((int64_t)1803888000)	/* 2027-03-01 08:00:00 UTC */
#define CHUNK	97			/* odd, so chunks split lines */
#define ROOM_A	"room-a@example.org"
#define SUBDIR	"clients/"

/* One line of expected.tsv (pointers into the table's text). */
struct row {
	const char	*file;
	const char	*sender;
	const char	*decision;	/* as in the header, or NONE */
	const char	*status;	/* REQUEST-STATUS or "-" */
	const char	*note;
};

struct table {
	char		*text;
	struct row	*rows;
	size_t		 n;
};

/* What one fixture did, read back from the decision and the rows. */
struct got {
	char	 decision[32];
	char	 status[16];
	char	 uid[160];
	size_t	 headers;		/* for room-a */
	char	 log[256];		/* the last log line, for context */
};

struct fx {
	struct dbfx	*db;
	struct table	 t;
	char		*gaps;		/* every mismatch, one per line */
	size_t		 ngaps, gaps_len;
	struct got	*cur;		/* the row being fed, for the sink */
};

/* Keep the last line of the row being fed; the rest is noise here. */
static void
capture(int prio, const char *line, void *arg)
{
	struct fx *fx = arg;

	(void)prio;
	if (fx->cur != NULL)
		snprintf(fx->cur->log, sizeof(fx->cur->log), "%s", line);
}

/* Split expected.tsv in place; '#' lines and blank lines are comments. */
static void
table_load(struct table *t)
{
	char *line, *next, *f[5];
	size_t cap = 0;

	t->text = fixture_read(SUBDIR "expected.tsv", NULL);
	for (line = t->text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '#' || *line == '\0')
			continue;
		f[0] = line;
		for (size_t i = 1; i < 5; i++) {
			if ((f[i] = strchr(f[i - 1], '\t')) == NULL)
				fail_msg("expected.tsv: want 5 columns: %s",
				    line);
			*f[i]++ = '\0';
		}
		if (t->n == cap) {
			cap = cap > 0 ? cap * 2 : 64;
			t->rows = realloc(t->rows, cap * sizeof(*t->rows));
			assert_non_null(t->rows);
		}
		t->rows[t->n++] = (struct row){ f[0], f[1], f[2], f[3], f[4] };
	}
	assert_true(t->n > 0);
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct imip_err err = { 0 };

	assert_non_null(fx);
	fx->db = dbfx_new("test_clients", 50);
	imip_calendar_free(dbfx_calendar(fx->db, ROOM_A, IMIP_CAL_RESOURCE,
	    "Room A", "Europe/Berlin"));
	imip_calendar_free(dbfx_calendar(fx->db, "room-b@example.org",
	    IMIP_CAL_RESOURCE, "Room B", "Europe/Berlin"));
	/*
	 * alice@example.com is an external organizer, and external booking
	 * is off by default: the corpus is about message shapes, not about
	 * who may book, so both rooms allow it.
	 */
	if (imip_conf_set(fx->db->conf, "local_domains", "example.org",
	    &err) != IMIP_OK)
		fail_msg("local_domains: %s", err.msg);
	dbfx_exec(fx->db, "UPDATE calendar SET external = 1");
	imip_log_set_sink(capture, fx);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	imip_log_set_sink(NULL, NULL);
	free(fx->t.rows);
	free(fx->t.text);
	free(fx->gaps);
	dbfx_free(fx->db);
	free(fx);
	return 0;
}

static void
gap(struct fx *fx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Record one mismatch; all are listed when the table is done. */
static void
gap(struct fx *fx, const char *fmt, ...)
{
	char line[1024];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	fx->gaps = realloc(fx->gaps, fx->gaps_len + n + 2);
	assert_non_null(fx->gaps);
	memcpy(fx->gaps + fx->gaps_len, line, n);
	fx->gaps_len += n;
	fx->gaps[fx->gaps_len++] = '\n';
	fx->gaps[fx->gaps_len] = '\0';
	fx->ngaps++;
}

/* One header field; value starts after the colon's blanks, CR dropped. */
static void
header(struct imip_msg *m, const char *name, size_t nlen, char *value,
    size_t vlen)
{
	struct imip_err err = { 0 };
	char n[128];

	assert_true(nlen < sizeof(n));
	memcpy(n, name, nlen);
	n[nlen] = '\0';
	value[vlen] = '\0';
	while (*value == ' ' || *value == '\t')
		value++;
	if (imip_msg_header(m, n, value, &err) != IMIP_OK)
		fail_msg("header %s: %s", n, err.msg);
}

/*
 * The header section as the MTA passes it: one call per field, folds kept
 * as "\n", no line ends.  Returns the offset of the body.
 */
static size_t
feed_headers(struct imip_msg *m, const char *text)
{
	const char *p = text, *eol, *colon = NULL, *start = NULL, *end;
	char value[4096];
	size_t vlen = 0;

	for (; *p != '\0' && *p != '\n' && *p != '\r'; p = eol + 1) {
		assert_non_null(eol = strchr(p, '\n'));
		end = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
		if (*p != ' ' && *p != '\t') {
			if (start != NULL)
				header(m, start, (size_t)(colon - start),
				    value, vlen);
			start = p;
			assert_non_null(colon = memchr(p, ':', end - p));
			vlen = 0;
			p = colon + 1;
		} else
			value[vlen++] = '\n';
		assert_true(vlen + (size_t)(end - p) < sizeof(value));
		memcpy(value + vlen, p, (size_t)(end - p));
		vlen += (size_t)(end - p);
	}
	if (start != NULL)
		header(m, start, (size_t)(colon - start), value, vlen);
	if (*p == '\r')
		p++;
	return *p == '\n' ? (size_t)(p + 1 - text) : (size_t)(p - text);
}

/* The value of " key=" in a header value, or "-". */
static void
token(char *out, size_t size, const char *value, const char *key)
{
	const char *p = strstr(value, key);
	size_t n;

	if (p == NULL) {
		snprintf(out, size, "-");
		return;
	}
	p += strlen(key);
	n = strcspn(p, " \t");
	snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), p);
}

/* Read room-a's answer out of d into g. */
static void
read_decision(const struct imip_decision *d, struct got *g)
{
	const char *v;

	snprintf(g->decision, sizeof(g->decision), "NONE");
	snprintf(g->status, sizeof(g->status), "-");
	for (size_t i = 0; i < d->nheaders; i++) {
		v = d->headers[i].value;
		if (strcasecmp(d->headers[i].name, IMIP_RESULT_HEADER) != 0 ||
		    strncasecmp(v, ROOM_A " ", strlen(ROOM_A " ")) != 0)
			continue;
		if (g->headers++ > 0)
			continue;
		token(g->decision, sizeof(g->decision), v, " decision=");
		token(g->status, sizeof(g->status), v, " status=");
		token(g->uid, sizeof(g->uid), v, " uid=");
	}
}

/*
 * Feed one fixture: envelope, headers, end of headers, the body byte for
 * byte as stored (a CRLF file is what an MTA passes; an LF file is the
 * LF case of test_msg.c) in odd chunks, end of message.
 */
static void
feed(struct fx *fx, size_t idx, struct imip_decision *d, struct got *g)
{
	const struct row *r = &fx->t.rows[idx];
	struct imip_err err = { 0 };
	struct imip_msg *m = NULL;
	char path[256], sender[256], qid[32];
	const char *body;
	char *text;
	size_t len;
	int rc = IMIP_OK;

	snprintf(path, sizeof(path), SUBDIR "%s", r->file);
	snprintf(sender, sizeof(sender), r->sender[0] == '<' ? "%s" : "<%s>",
	    r->sender);
	snprintf(qid, sizeof(qid), "ROW%02zu", idx + 1);
	text = fixture_read(path, NULL);
	assert_int_equal(imip_msg_new(&m, fx->db->conf, &err), IMIP_OK);
	imip_msg_queue_id(m, qid);
	assert_int_equal(imip_msg_envfrom(m, sender, &err), IMIP_OK);
	assert_int_equal(imip_msg_rcpt(m, fx->db->st, "<" ROOM_A ">", &err),
	    IMIP_OK);
	body = text + feed_headers(m, text);
	if (imip_msg_eoh(m)) {
		len = strlen(body);
		for (size_t off = 0; off < len && rc == IMIP_OK; off += CHUNK)
			rc = imip_msg_body(m, body + off,
			    len - off < CHUNK ? len - off : CHUNK, &err);
		if (rc != IMIP_OK)
			gap(fx, "%s: body: %s", r->file, err.msg);
	}
	fx->cur = g;
	if (imip_msg_finish(m, fx->db->st, NOW, d, &err) < 0)
		gap(fx, "%s: got internal error %s (%s), want %s", r->file,
		    imip_err_name(err.code), err.msg, r->decision);
	fx->cur = NULL;
	read_decision(d, g);
	imip_msg_free(m);
	free(text);
}

/* Rows of the tables a NONE fixture must leave alone. */
static void
counts(const struct dbfx *db, int64_t out[3])
{
	out[0] = dbfx_rows(db, "event");
	out[1] = dbfx_rows(db, "busy");
	out[2] = dbfx_rows(db, "outbox");
}

/* Rows of uid whose summary holds U+FFFD: text damaged on the way in. */
static int64_t
damaged(const struct dbfx *db, const char *uid)
{
	char *sql;
	int64_t n;

	sql = sqlite3_mprintf("SELECT count(*) FROM event WHERE uid = %Q"
	    " AND instr(summary, char(65533)) > 0", uid);
	assert_non_null(sql);
	n = dbfx_int(db, sql);
	sqlite3_free(sql);
	return n;
}

/* Decisions that must never send mail (BEHAVIOUR.md, Loops; Trust). */
static bool
silent(const char *decision)
{
	return strcmp(decision, "CANCELLED") == 0 ||
	    strcmp(decision, "IGNORED") == 0 ||
	    strcmp(decision, "REFUSED") == 0 || strcmp(decision, "NONE") == 0;
}

/* Compare one row's outcome with the table; every difference is a gap. */
static void
check_row(struct fx *fx, const struct row *r, const struct imip_decision *d,
    const struct got *g, const int64_t before[3])
{
	int64_t after[3];

	if (d->action != IMIP_ACTION_ACCEPT)
		gap(fx, "%s: got action %d, want ACCEPT", r->file,
		    (int)d->action);
	if (strcmp(g->decision, r->decision) != 0 ||
	    strcmp(g->status, r->status) != 0)
		gap(fx, "%s: got %s %s, want %s %s (%s) [log: %s]", r->file,
		    g->decision, g->status, r->decision, r->status, r->note,
		    g->log);
	if (g->headers > 1)
		gap(fx, "%s: got %zu headers for " ROOM_A ", want one",
		    r->file, g->headers);
	if (d->replies > 1 || (d->replies > 0 && silent(g->decision)))
		gap(fx, "%s: got %zu replies, want %s", r->file, d->replies,
		    silent(g->decision) ? "none" : "at most one");
	counts(fx->db, after);
	if (strcmp(r->decision, "NONE") == 0 && memcmp(before, after,
	    sizeof(after)) != 0)
		gap(fx, "%s: got event/busy/outbox rows %lld/%lld/%lld -> "
		    "%lld/%lld/%lld, want no change", r->file,
		    (long long)before[0], (long long)before[1],
		    (long long)before[2], (long long)after[0],
		    (long long)after[1], (long long)after[2]);
	/* Only decisions that store the event rewrite its summary. */
	if ((!silent(g->decision) || strcmp(g->decision, "CANCELLED") == 0) &&
	    damaged(fx->db, g->uid) > 0)
		gap(fx, "%s: got a summary stored with U+FFFD, want the text "
		    "intact", r->file);
}

static void
test_client_table_lists_every_fixture_once(void **state)
{
	struct fx *fx = *state;
	const char *dir = getenv("IMIP_TESTDATA");
	char path[512];
	struct dirent *de;
	size_t nfiles = 0, len;
	bool found;
	DIR *dp;

	table_load(&fx->t);
	for (size_t i = 0; i < fx->t.n; i++) {
		const struct row *r = &fx->t.rows[i];

		if (strcmp(r->decision, "NONE") != 0 &&
		    strcmp(r->decision, "ACCEPTED") != 0 &&
		    strcmp(r->decision, "DECLINED") != 0 &&
		    strcmp(r->decision, "CANCELLED") != 0 &&
		    strcmp(r->decision, "IGNORED") != 0 &&
		    strcmp(r->decision, "REFUSED") != 0)
			fail_msg("%s: unknown decision %s", r->file,
			    r->decision);
		if (r->sender[0] == '\0' || r->note[0] == '\0')
			fail_msg("%s: empty sender or note", r->file);
		for (size_t j = 0; j < i; j++)
			if (strcmp(fx->t.rows[j].file, r->file) == 0)
				fail_msg("%s: listed twice", r->file);
	}
	snprintf(path, sizeof(path), "%s/" SUBDIR, dir);
	assert_non_null(dp = opendir(path));
	while ((de = readdir(dp)) != NULL) {
		len = strlen(de->d_name);
		if (len < 4 || strcmp(de->d_name + len - 4, ".eml") != 0)
			continue;
		nfiles++;
		found = false;
		for (size_t i = 0; i < fx->t.n && !found; i++)
			found = strcmp(fx->t.rows[i].file, de->d_name) == 0;
		if (!found)
			fail_msg("%s has no row in expected.tsv", de->d_name);
	}
	closedir(dp);
	assert_int_equal(nfiles, fx->t.n);
}

static void
test_client_fixtures_reach_the_expected_decisions(void **state)
{
	struct fx *fx = *state;
	struct imip_decision d = { 0 };
	int64_t before[3];

	table_load(&fx->t);
	for (size_t i = 0; i < fx->t.n; i++) {
		struct got g = { .headers = 0 };

		counts(fx->db, before);
		feed(fx, i, &d, &g);
		check_row(fx, &fx->t.rows[i], &d, &g, before);
		imip_decision_fini(&d);
	}
	if (fx->ngaps == 0)
		return;
	/* Line by line: cmocka truncates one long failure message. */
	for (char *p = fx->gaps, *nl; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		print_message("%.*s\n", (int)(nl - p), p);
	}
	fail_msg("%zu mismatch(es) in %zu fixtures, listed above", fx->ngaps,
	    fx->t.n);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_client_table_lists_every_fixture_once),
		T(test_client_fixtures_reach_the_expected_decisions),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup,
	    fixture_group_teardown);
}
