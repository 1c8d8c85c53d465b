/*
 * outbox.c - deliver outbox rows by running the configured sendmail(1).
 *
 * posix_spawn keeps this safe in a threaded daemon.  Rows are copied out of
 * the query before sending, so no statement stays open while sendmail runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "outbox.h"
#include "reply.h"

#define OUTBOX_BATCH	32

extern char **environ;

struct due {
	int64_t	 id;
	int	 attempts;
	char	*from, *to, *message;
};

struct batch {
	struct due	rows[OUTBOX_BATCH];
	size_t		n;
	bool		nomem;
};

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* argv, then "-i -f from -- to", NULL-terminated; caller frees the array. */
static char **
full_argv(char *const *argv, const char *from, const char *to)
{
	size_t n = 0;
	char **v;

	while (argv[n] != NULL)
		n++;
	if ((v = calloc(n + 6, sizeof(*v))) == NULL)
		return NULL;
	memcpy(v, argv, n * sizeof(*v));
	v[n] = "-i";
	v[n + 1] = "-f";
	v[n + 2] = (char *)from;
	v[n + 3] = "--";
	v[n + 4] = (char *)to;
	return v;
}

static int
spawn_with_stdin(pid_t *pid, char **argv, int *wfd, struct imip_err *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	int p[2], rc;

	if (pipe2(p, O_CLOEXEC) < 0)
		return imip_err_set(err, IMIP_ERR, "pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[0], STDIN_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null",
	    O_WRONLY, 0);
	/* The daemon's threads block signals; sendmail must not inherit it. */
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	rc = posix_spawn(pid, argv[0], &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(p[0]);
	if (rc != 0) {
		close(p[1]);
		return imip_err_set(err, IMIP_ERR, "cannot run %s: %s",
		    argv[0], strerror(rc));
	}
	*wfd = p[1];
	return IMIP_OK;
}

int
imip_outbox_send(char *const *argv, const char *from, const char *to,
    const char *message, struct imip_err *err)
{
	char **v;
	pid_t pid;
	int fd = -1, status, rc, werr = 0;

	if (argv == NULL || argv[0] == NULL)
		return imip_err_set(err, IMIP_ECONFIG, "no sendmail_path");
	if ((v = full_argv(argv, from, to)) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "sendmail arguments");
	if ((rc = spawn_with_stdin(&pid, v, &fd, err)) < 0)
		goto out;
	if (write_all(fd, message, strlen(message)) < 0)
		werr = errno;
	close(fd);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			rc = imip_err_set(err, IMIP_ERR, "waitpid: %s",
			    strerror(errno));
			goto out;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rc = imip_err_set(err, IMIP_ERR, "%s %s (status %d)", v[0],
		    WIFEXITED(status) ? "failed" : "was killed",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	else if (werr != 0)
		rc = imip_err_set(err, IMIP_ERR, "writing to %s: %s", v[0],
		    strerror(werr));
out:
	free(v);
	return rc;
}

int64_t
imip_outbox_retry_at(const struct imip_conf *conf, int attempts, int64_t now)
{
	int64_t delay = conf->outbox_retry_s;

	for (int i = 1; i < attempts && delay < 86400; i++)
		delay *= 2;
	return now + (delay < 86400 ? delay : 86400);
}

static int
collect_cb(const struct imip_outbox_rec *o, void *arg)
{
	struct batch *b = arg;
	struct due *d = &b->rows[b->n];

	d->id = o->id;
	d->attempts = o->attempts;
	d->from = strdup(o->env_from);
	d->to = strdup(o->env_to);
	d->message = strdup(o->message);
	b->n++;
	if (d->from == NULL || d->to == NULL || d->message == NULL) {
		b->nomem = true;
		return 1;
	}
	return 0;
}

static void
batch_fini(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->rows[i].from);
		free(b->rows[i].to);
		free(b->rows[i].message);
	}
}

/* Record one send's result; a failure to record is the run's failure. */
static int
record(struct imip_store *st, const struct imip_conf *conf,
    const struct due *d, int64_t now, const struct imip_err *why,
    struct imip_err *err)
{
	bool give_up;

	if (why->code == IMIP_OK) {
		imip_log_info("outbox: reply %lld sent to <%s>",
		    (long long)d->id, d->to);
		return imip_store_outbox_mark_sent(st, d->id, now, err);
	}
	give_up = d->attempts + 1 >= conf->outbox_max_attempts;
	imip_log_warn("outbox: reply %lld to <%s> not sent (attempt %d): "
	    "%s%s", (long long)d->id, d->to, d->attempts + 1, why->msg,
	    give_up ? "; giving up" : "");
	return imip_store_outbox_mark_retry(st, d->id, now,
	    imip_outbox_retry_at(conf, d->attempts + 1, now), give_up,
	    why->msg, err);
}

/*
 * Count the hand-over first (committed), then hand the copy over with its
 * number: a crash between the MTA taking it and record() leaves a row
 * sent again after the restart, and the filter knows that second copy
 * by its other number when it passes (store_seen.c).  why: the send.
 */
static int
hand_over(struct imip_store *st, const struct imip_conf *conf,
    const struct due *d, struct imip_err *why, struct imip_err *err)
{
	char *copy = NULL;
	int64_t n;
	int rc;

	if ((rc = imip_store_outbox_handover(st, d->id, &n, err)) < 0)
		return rc;
	if (asprintf(&copy, "%s: %lld\n%s", IMIP_COPY_HEADER, (long long)n,
	    d->message) < 0)
		return imip_err_set(err, IMIP_ENOMEM, "outbox copy");
	imip_outbox_send(conf->sendmail_argv, d->from, d->to, copy, why);
	free(copy);
	return IMIP_OK;
}

int
imip_outbox_run(struct imip_store *st, const struct imip_conf *conf,
    int64_t now, int *sent, struct imip_err *err)
{
	struct batch b = { .n = 0 };
	struct imip_err why;
	int rc;

	*sent = 0;
	rc = imip_store_outbox_due(st, now, OUTBOX_BATCH, collect_cb, &b, err);
	if (rc < 0)
		goto out;
	if (b.nomem) {
		rc = imip_err_set(err, IMIP_ENOMEM, "outbox row");
		goto out;
	}
	for (size_t i = 0; i < b.n && rc >= 0; i++) {
		imip_err_clear(&why);
		if ((rc = hand_over(st, conf, &b.rows[i], &why, err)) < 0)
			break;
		rc = record(st, conf, &b.rows[i], now, &why, err);
		if (rc >= 0 && why.code == IMIP_OK)
			(*sent)++;
	}
out:
	batch_fini(&b);
	return rc < 0 ? rc : IMIP_OK;
}
