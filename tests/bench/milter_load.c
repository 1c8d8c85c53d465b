/*
 * milter_load.c - a load driver speaking the milter protocol to a filter's
 * unix socket, the way an MTA would, from many connections at once.
 *
 *     milter-load -s SOCKET -t TEMPLATE [-n N] [-c CONNS] [-m PER_CONN] ...
 *
 * Each of CONNS threads opens a connection (negotiation, connect, HELO),
 * sends up to PER_CONN messages on it (MAIL, RCPT, DATA, headers, end of
 * headers, body, end of message), quits and opens the next, until N
 * messages are through.  Message n is TEMPLATE filled in by load_msg.c:
 * its own UID, room and time slot.  It prints one JSON object: messages
 * per second over the whole run, latency from MAIL to the filter's final
 * reply (p50, p99, max), the verdicts and modifications seen, and the
 * decision= words of the filter's result headers.  It is a benchmark
 * tool, not a test, and not installed (tests/bench/README.md).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libmilter/mfdef.h>

#include "load_msg.h"
#include "milter_wire.h"
#include "milter_load.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Remember the first error of the run (later ones are only counted). */
static void
note_error(struct worker *w, const char *what, const char *why)
{
	struct shared *sh = w->sh;

	w->t.errors++;
	pthread_mutex_lock(&sh->lock);
	if (sh->first_err[0] == '\0')
		snprintf(sh->first_err, sizeof(sh->first_err), "%s: %s",
		    what, why);
	pthread_mutex_unlock(&sh->lock);
}

/*
 * --hold: every connection waits at the end of its first message's
 * headers until all of them are there, so the filter has CONNS messages
 * in flight at once.  A thread that ends without getting there (no
 * message left, or failures) breaks the wait for the others.
 */
static void
hold_wait(struct shared *sh, bool broken)
{
	pthread_mutex_lock(&sh->lock);
	if (broken)
		sh->hold_broken = true;
	else
		sh->held++;
	pthread_cond_broadcast(&sh->cond);
	while (!sh->hold_broken && sh->held < sh->o->conns)
		pthread_cond_wait(&sh->cond, &sh->lock);
	pthread_mutex_unlock(&sh->lock);
}

/* A result header of the filter: count its decision=WORD. */
static void
on_header(const char *name, const char *value, void *arg)
{
	struct tally *t = arg;
	const char *p;
	size_t n, i;

	if (strcasecmp(name, t->header) != 0 ||
	    (p = strstr(value, "decision=")) == NULL)
		return;
	p += strlen("decision=");
	n = strcspn(p, " \t\r\n;");
	if (n >= sizeof(t->dec[0].word))
		n = sizeof(t->dec[0].word) - 1;
	for (i = 0; i < t->ndec; i++)
		if (strlen(t->dec[i].word) == n &&
		    strncmp(t->dec[i].word, p, n) == 0)
			break;
	if (i == t->ndec) {
		if (t->ndec == LOAD_MAX_DECISIONS)
			return;
		memcpy(t->dec[i].word, p, n);
		t->dec[i].word[n] = '\0';
		t->ndec++;
	}
	t->dec[i].n++;
}

/* The body in chunks, until the filter says it has seen enough. */
static int
send_body(struct mw_conn *c, const struct lm_msg *m, enum mw_verdict *v)
{
	size_t off = 0, n;

	*v = MW_CONTINUE;
	while (off < m->bodylen && *v == MW_CONTINUE) {
		n = m->bodylen - off;
		if (n > MILTER_CHUNK_SIZE)
			n = MILTER_CHUNK_SIZE;
		if (mw_step(c, MW_BODY, m->body + off, n, v) < 0)
			return -1;
		off += n;
	}
	if (*v == MW_SKIP)
		*v = MW_CONTINUE;
	return 0;
}

/* The envelope, as far as the filter lets it go: MAIL, RCPT, DATA. */
static int
send_envelope(struct mw_conn *c, const struct lm_msg *m, enum mw_verdict *v)
{
	const char *rcpt_macros[] = { "i", m->qid, "{rcpt_addr}", m->rcpt,
	    NULL };
	const char *from[] = { m->from, NULL }, *rcpt[] = { m->rcpt, NULL };

	if (mw_step_strs(c, MW_MAIL, from, v) < 0 || *v != MW_CONTINUE)
		return *v != MW_CONTINUE ? 0 : -1;
	if (mw_macros(c, MW_RCPT, rcpt_macros) < 0 ||
	    mw_step_strs(c, MW_RCPT, rcpt, v) < 0)
		return -1;
	if (*v != MW_CONTINUE)
		return 0;
	return mw_step(c, MW_DATA, NULL, 0, v);
}

/*
 * One message from MAIL to the filter's last word: *v is the verdict
 * that ended it, *at the step where it came.
 */
static int
send_message(struct worker *w, struct mw_conn *c, const struct lm_msg *m,
    enum mw_verdict *v, enum mw_step *at)
{
	*at = MW_MAIL;
	if (send_envelope(c, m, v) < 0 || *v != MW_CONTINUE)
		return *v != MW_CONTINUE ? 0 : -1;
	*at = MW_HEADER;
	for (size_t i = 0; i < m->nhdr; i++)
		if (mw_header(c, m->hname[i], m->hvalue[i], v) < 0 ||
		    *v != MW_CONTINUE)
			return *v != MW_CONTINUE ? 0 : -1;
	*at = MW_EOH;
	if (mw_step(c, MW_EOH, NULL, 0, v) < 0)
		return -1;
	if (w->sh->o->hold && !w->held) {
		hold_wait(w->sh, false);
		w->held = true;
	}
	if (*v != MW_CONTINUE)
		return 0;
	*at = MW_BODY;
	if (send_body(c, m, v) < 0 || *v != MW_CONTINUE)
		return *v != MW_CONTINUE ? 0 : -1;
	*at = MW_EOM;
	return mw_step(c, MW_EOM, NULL, 0, v);
}

/* Keep one latency sample. */
static int
add_latency(struct tally *t, double ms)
{
	double *p;

	if (t->nlat == t->cap) {
		t->cap = t->cap > 0 ? 2 * t->cap : 1024;
		if ((p = realloc(t->lat, t->cap * sizeof(*p))) == NULL)
			return -1;
		t->lat = p;
	}
	t->lat[t->nlat++] = ms;
	return 0;
}

/* Message n on c: fill, send, time and count it. */
static int
run_message(struct worker *w, struct mw_conn *c, uint64_t n)
{
	const struct load_opts *o = w->sh->o;
	struct lm_msg m;
	enum mw_verdict v;
	enum mw_step at;
	double t0;
	int rc;

	if (lm_fill(&m, o->tmpl, o->from, o->rcpt, &o->plan, n) < 0) {
		note_error(w, "message", "cannot fill in the template");
		return -1;
	}
	t0 = now_ms();
	rc = send_message(w, c, &m, &v, &at);
	if (rc == 0 && add_latency(&w->t, now_ms() - t0) < 0)
		rc = -1;
	/* A filter done before end of message: the MTA aborts it. */
	if (rc == 0 && at != MW_EOM)
		rc = mw_abort(c);
	if (rc < 0) {
		note_error(w, m.qid, c->err[0] != '\0' ? c->err : "failed");
	} else {
		w->t.done++;
		w->t.verdicts[v]++;
		w->t.early_accept += at == MW_EOH && v == MW_ACCEPT;
	}
	lm_fini(&m);
	return rc;
}

/* Take the next message number; false when all are taken. */
static bool
take(struct shared *sh, uint64_t *n)
{
	uint64_t i = atomic_fetch_add(&sh->next, 1);

	*n = sh->o->first + i;
	return i < sh->o->n;
}

/* Open, negotiate, connect and HELO. */
static int
open_conn(struct worker *w, struct mw_conn *c)
{
	const char *conn_macros[] = { "j", "mta.example.org",
	    "{daemon_name}", "milter-load", "v", "milter-load", NULL };
	const char *helo[] = { "bench.example.net", NULL };
	const struct load_opts *o = w->sh->o;
	enum mw_verdict v;

	memset(c, 0, sizeof(*c));
	c->on_header = on_header;
	c->arg = &w->t;
	if (mw_open(c, o->sock, o->timeout) < 0 || mw_negotiate(c) < 0 ||
	    mw_macros(c, MW_CONNECT, conn_macros) < 0 ||
	    mw_connect(c, "localhost", "127.0.0.1", 25000, &v) < 0)
		return -1;
	if (v != MW_CONTINUE)
		return snprintf(c->err, sizeof(c->err), "connect refused"),
		    -1;
	if (mw_step_strs(c, MW_HELO, helo, &v) < 0)
		return -1;
	if (v != MW_CONTINUE)
		return snprintf(c->err, sizeof(c->err), "HELO refused"), -1;
	pthread_mutex_lock(&w->sh->lock);
	w->sh->actions = c->actions;
	w->sh->proto = c->proto;
	pthread_mutex_unlock(&w->sh->lock);
	return 0;
}

/* One connection: up to per_conn messages; false when none was left. */
static bool
run_connection(struct worker *w)
{
	const struct load_opts *o = w->sh->o;
	struct mw_conn c;
	uint64_t n;
	int rc = 0;

	if (!take(w->sh, &n))
		return false;
	if (open_conn(w, &c) < 0) {
		note_error(w, "connection", c.err);
		rc = -1;
	}
	for (unsigned k = 0; rc == 0; k++) {
		rc = run_message(w, &c, n);
		if (rc < 0 || k + 1 >= o->per_conn || !take(w->sh, &n))
			break;
	}
	if (rc == 0)
		mw_quit(&c);
	for (int i = 0; i < MW_NMODS; i++)
		w->t.mods[i] += c.mods[i];
	mw_close(&c);
	return true;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	while (run_connection(w))
		;
	/* Never got to the end of headers: nobody waits for it. */
	if (w->sh->o->hold && !w->held)
		hold_wait(w->sh, true);
	return NULL;
}

/* Run every worker; the wall time in *secs. */
static int
run_all(struct shared *sh, struct worker *ws, double *secs)
{
	unsigned started = 0;
	double t0 = now_ms();
	int rc = 0;

	for (; started < sh->o->conns; started++) {
		ws[started].sh = sh;
		ws[started].t.header = sh->o->header;
		if ((errno = pthread_create(&ws[started].tid, NULL,
		    worker_main, &ws[started])) != 0) {
			perror("milter-load: pthread_create");
			rc = -1;
			break;
		}
	}
	if (rc < 0 && sh->o->hold)
		hold_wait(sh, true);
	for (unsigned i = 0; i < started; i++)
		pthread_join(ws[i].tid, NULL);
	*secs = (now_ms() - t0) / 1e3;
	return rc;
}

int
main(int argc, char **argv)
{
	struct load_opts o;
	struct shared sh = { .o = &o, .lock = PTHREAD_MUTEX_INITIALIZER,
	    .cond = PTHREAD_COND_INITIALIZER };
	struct worker *ws = NULL;
	struct tally sum = { 0 };
	double secs = 0;
	int rc;

	if (!load_opts_parse(&o, argc, argv, &rc))
		return rc;
	if ((ws = calloc(o.conns, sizeof(*ws))) == NULL) {
		fprintf(stderr, "milter-load: out of memory\n");
		rc = 1;
		goto out;
	}
	rc = run_all(&sh, ws, &secs) < 0 ? 1 : 0;
	if (load_report(&sum, ws, &sh, secs) < 0)
		rc = 1;
	if (sh.first_err[0] != '\0')
		fprintf(stderr, "milter-load: first error: %s\n",
		    sh.first_err);
	rc = rc != 0 || sum.errors > 0 || sum.done < o.n;
out:
	for (unsigned i = 0; ws != NULL && i < o.conns; i++)
		free(ws[i].t.lat);
	free(ws);
	free(sum.lat);
	free(o.tmpl);
	return rc;
}
