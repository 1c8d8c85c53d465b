/*
 * confsnap.c - the configuration snapshots of the daemon, and SIGUSR1.
 *
 * A snapshot is immutable and refcounted: a message takes a reference when
 * it starts and drops it when it is freed, so a reload never frees a
 * snapshot under a message.  The reload thread sigwait()s for SIGUSR1,
 * reads the file again and swaps the current snapshot under snap_lock; a
 * file that does not load is logged and the old snapshot stays.  What only
 * a restart can change (socket, database) is refused, not half applied.
 */
#include <assert.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mf.h"

struct snap {
	struct imip_conf	*conf;
	unsigned		 refs;	/* the current one holds one itself */
	struct snap		*next;
};

static pthread_mutex_t snap_lock = PTHREAD_MUTEX_INITIALIZER;
static struct snap *snap_cur;		/* what mf_conf_acquire hands out */
static struct snap *snap_all;		/* every snapshot still referenced */

/* the reload thread; reload_stop is read and written under snap_lock */
static pthread_t reload_tid;
static bool reload_running, reload_stop;
static char *reload_path;
static const char *reload_socket;

/* Whatever can be checked before serving: -n runs exactly this. */
static int
conf_check(const struct imip_conf *conf, struct imip_err *err)
{
	const char *prog = conf->sendmail_argv != NULL ?
	    conf->sendmail_argv[0] : NULL;

	if (prog == NULL || access(prog, X_OK) != 0)
		return imip_err_set(err, IMIP_ECONFIG, "sendmail_path %s: not "
		    "an executable program", prog != NULL ? prog : "(empty)");
	if (strncmp(conf->socket, "unix:", 5) != 0 &&
	    strncmp(conf->socket, "local:", 6) != 0 &&
	    strncmp(conf->socket, "inet:", 5) != 0 &&
	    strncmp(conf->socket, "inet6:", 6) != 0)
		return imip_err_set(err, IMIP_ECONFIG, "socket %s: want "
		    "unix:/path or inet:port@host", conf->socket);
	return IMIP_OK;
}

/* mf_conf_load - read path, apply a -p socket (may be NULL), check */
int
mf_conf_load(struct imip_conf **out, const char *path, const char *socket,
    struct imip_err *err)
{
	struct imip_conf *conf = NULL;
	int rc;

	*out = NULL;
	if ((rc = imip_conf_load(&conf, path, err)) < 0 ||
	    (socket != NULL &&
	    (rc = imip_conf_set(conf, "socket", socket, err)) < 0) ||
	    (rc = conf_check(conf, err)) < 0)
		goto out;
	*out = conf;
	conf = NULL;
out:
	imip_conf_free(conf);
	return rc;
}

/* Drop one reference of s; the caller holds snap_lock.  True: free it. */
static bool
snap_unref(struct snap *s)
{
	struct snap **pp;

	assert(s->refs > 0);
	if (--s->refs > 0)
		return false;
	for (pp = &snap_all; *pp != s; pp = &(*pp)->next)
		assert(*pp != NULL);
	*pp = s->next;
	return true;
}

static void
snap_free(struct snap *s)
{
	if (s == NULL)
		return;
	imip_conf_free(s->conf);
	free(s);
}

/* mf_conf_install - make conf (owned from now on, even on failure) current */
int
mf_conf_install(struct imip_conf *conf)
{
	struct snap *s, *old;
	bool gone = false;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		imip_conf_free(conf);
		return IMIP_ENOMEM;
	}
	s->conf = conf;
	s->refs = 1;
	pthread_mutex_lock(&snap_lock);
	s->next = snap_all;
	snap_all = s;
	old = snap_cur;
	snap_cur = s;
	if (old != NULL)
		gone = snap_unref(old);
	pthread_mutex_unlock(&snap_lock);
	if (gone)
		snap_free(old);
	return IMIP_OK;
}

/* mf_conf_acquire - a reference to the current snapshot; never NULL */
const struct imip_conf *
mf_conf_acquire(void)
{
	const struct imip_conf *conf;

	pthread_mutex_lock(&snap_lock);
	assert(snap_cur != NULL);
	snap_cur->refs++;
	conf = snap_cur->conf;
	pthread_mutex_unlock(&snap_lock);
	return conf;
}

/* mf_conf_release - drop a reference from mf_conf_acquire; NULL-safe */
void
mf_conf_release(const struct imip_conf *conf)
{
	struct snap *s;
	bool gone = false;

	if (conf == NULL)
		return;
	pthread_mutex_lock(&snap_lock);
	for (s = snap_all; s != NULL && s->conf != conf; s = s->next)
		;
	assert(s != NULL);
	if (s != NULL)
		gone = snap_unref(s);
	pthread_mutex_unlock(&snap_lock);
	if (gone)
		snap_free(s);
}

/*
 * mf_conf_fini - free the current snapshot at shutdown, if nothing holds
 * it any more: libmilter does not join its connection threads when
 * smfi_main() returns, and one may still be finishing a message.
 */
void
mf_conf_fini(void)
{
	struct snap *old;
	bool gone = false;

	pthread_mutex_lock(&snap_lock);
	if ((old = snap_cur) != NULL && old->refs == 1) {
		gone = snap_unref(old);
		snap_cur = NULL;
	}
	pthread_mutex_unlock(&snap_lock);
	if (gone)
		snap_free(old);
}

/*
 * What only a restart applies: a changed socket or database refuses the
 * whole reload (half a configuration would be worse); the other keys are
 * taken into the snapshot, but nothing reads them after the start.
 */
static bool
reload_allowed(const struct imip_conf *o, const struct imip_conf *n)
{
	const struct {
		const char	*key;
		bool		 differs, refuse;
	} k[] = {
		{ "socket", strcmp(o->socket, n->socket) != 0, true },
		{ "database", strcmp(o->database, n->database) != 0, true },
		{ "log_facility", o->facility != n->facility, false },
		{ "pid_file", strcmp(o->pid_file, n->pid_file) != 0, false },
		{ "allow_root", o->allow_root != n->allow_root, false },
		{ "socket_mode", o->socket_mode != n->socket_mode, false },
		{ "database_mode", o->database_mode != n->database_mode,
		    false },
	};
	bool ok = true;

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		if (!k[i].differs)
			continue;
		if (k[i].refuse) {
			imip_log_err("configuration reload from %s refused: "
			    "%s changed, which needs a restart", reload_path,
			    k[i].key);
			ok = false;
		} else {
			imip_log_warn("configuration reload from %s: %s "
			    "changed, which takes effect at the next restart",
			    reload_path, k[i].key);
		}
	}
	return ok;
}

/* Read the file again and make it current, or log why not. */
static void
reload(void)
{
	const struct imip_conf *old = NULL;
	struct imip_conf *conf = NULL;
	struct imip_err err = { 0 };
	int level;

	if (mf_conf_load(&conf, reload_path, reload_socket, &err) < 0) {
		imip_log_err("cannot reload the configuration from %s, "
		    "keeping the old one: %s", reload_path, err.msg);
		goto out;
	}
	old = mf_conf_acquire();
	if (!reload_allowed(old, conf))
		goto out;
	level = conf->level;
	if (mf_conf_install(conf) < 0) {
		conf = NULL;		/* mf_conf_install freed it */
		imip_log_err("cannot reload the configuration from %s: out "
		    "of memory", reload_path);
		goto out;
	}
	conf = NULL;
	imip_log_set_level(level);
	imip_log_info("configuration reloaded from %s", reload_path);
out:
	mf_conf_release(old);
	imip_conf_free(conf);
}

static bool
reload_stopping(void)
{
	bool stop;

	pthread_mutex_lock(&snap_lock);
	stop = reload_stop;
	pthread_mutex_unlock(&snap_lock);
	return stop;
}

static void *
reload_main(void *arg)
{
	sigset_t usr1;
	int sig;

	(void)arg;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	while (sigwait(&usr1, &sig) == 0 && !reload_stopping())
		reload();
	return NULL;
}

/*
 * mf_reload_block - block SIGUSR1 in the calling thread, so that every
 * thread created later inherits the mask and only the reload thread's
 * sigwait() takes it.  Call first thing in main().
 */
void
mf_reload_block(void)
{
	sigset_t usr1;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);
}

/*
 * mf_reload_start - reload path (and keep the -p socket) on every SIGUSR1;
 * path should be absolute, as daemon() changed to /.
 */
int
mf_reload_start(const char *path, const char *socket)
{
	sigset_t stop, old;
	int rc;

	if ((reload_path = strdup(path)) == NULL)
		return IMIP_ENOMEM;
	reload_socket = socket;
	/* libmilter's signals, as in mf_outbox_start */
	sigemptyset(&stop);
	sigaddset(&stop, SIGHUP);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &stop, &old);
	rc = pthread_create(&reload_tid, NULL, reload_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		free(reload_path);
		reload_path = NULL;
		return IMIP_ERR;
	}
	reload_running = true;
	return IMIP_OK;
}

/* mf_reload_stop - end the reload thread; a no-op if it never started */
void
mf_reload_stop(void)
{
	if (!reload_running)
		return;
	pthread_mutex_lock(&snap_lock);
	reload_stop = true;
	pthread_mutex_unlock(&snap_lock);
	pthread_kill(reload_tid, SIGUSR1);
	pthread_join(reload_tid, NULL);
	reload_running = false;
	free(reload_path);
	reload_path = NULL;
}
