/*
 * outbox_thread.c - one thread that sends queued replies through the MTA.
 *
 * It wakes when a decision queued a reply, and every few seconds for
 * retries and for what an earlier run left pending.  It owns its own
 * SQLite handle, and takes the current configuration snapshot for each
 * run, so a reload (SIGUSR1) applies from the next one.
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>

#include "log.h"
#include "mf.h"
#include "outbox.h"
#include "store.h"

#define OUTBOX_POLL_S	10

static pthread_t outbox_tid;
static pthread_mutex_t outbox_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t outbox_cond = PTHREAD_COND_INITIALIZER;
static bool outbox_stop, outbox_kick, outbox_running;

/* Wait for a kick, a stop or the poll interval; true means stop. */
static bool
outbox_wait(void)
{
	struct timespec until;
	bool stop;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += OUTBOX_POLL_S;
	pthread_mutex_lock(&outbox_lock);
	while (!outbox_stop && !outbox_kick)
		if (pthread_cond_timedwait(&outbox_cond, &outbox_lock,
		    &until) != 0)
			break;
	outbox_kick = false;
	stop = outbox_stop;
	pthread_mutex_unlock(&outbox_lock);
	return stop;
}

/* One run under conf; st is opened when needed and closed on failure. */
static int
outbox_pass(struct imip_store **st, const struct imip_conf *conf, int *sent)
{
	struct imip_err err = { 0 };
	int rc;

	*sent = 0;
	if (*st == NULL && (rc = imip_store_open(st, conf->database, 0,
	    conf->db_busy_ms, &err)) < 0) {
		imip_log_err("outbox: %s", err.msg);
		return rc;
	}
	rc = imip_outbox_run(*st, conf, (int64_t)time(NULL), sent, &err);
	if (rc < 0) {
		imip_log_err("outbox: %s", err.msg);
		imip_store_close(*st);	/* reopen on the next round */
		*st = NULL;
	}
	return rc;
}

static void *
outbox_main(void *arg)
{
	const struct imip_conf *conf;
	struct imip_store *st = NULL;
	int sent, rc;

	(void)arg;
	do {
		conf = mf_conf_acquire();
		rc = outbox_pass(&st, conf, &sent);
		mf_conf_release(conf);
		/* A run that sent something may have left a full batch. */
	} while ((rc >= 0 && sent > 0) || !outbox_wait());
	imip_store_close(st);
	return NULL;
}

int
mf_outbox_start(void)
{
	sigset_t stop, old;
	int rc;

	/*
	 * libmilter waits for SIGTERM, SIGINT and SIGHUP with sigwait(); a
	 * thread that does not block them could take the signal and die
	 * with the whole process instead.  The new thread inherits the mask.
	 */
	sigemptyset(&stop);
	sigaddset(&stop, SIGHUP);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, &old);
	outbox_kick = true;		/* send what a previous run left */
	rc = pthread_create(&outbox_tid, NULL, outbox_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return -1;
	outbox_running = true;
	return 0;
}

void
mf_outbox_wake(void)
{
	pthread_mutex_lock(&outbox_lock);
	outbox_kick = true;
	pthread_cond_signal(&outbox_cond);
	pthread_mutex_unlock(&outbox_lock);
}

void
mf_outbox_stop(void)
{
	if (!outbox_running)
		return;
	pthread_mutex_lock(&outbox_lock);
	outbox_stop = true;
	pthread_cond_signal(&outbox_cond);
	pthread_mutex_unlock(&outbox_lock);
	pthread_join(outbox_tid, NULL);
	outbox_running = false;
}
