/*
 * main.c - imip-milter: options, configuration, start-up and shutdown.
 *
 * Libraries are initialized here, before libmilter starts any thread.
 * Start-up runs as root only as long as it must: bind the socket, create
 * or migrate the database, hand both to the -u user, become that user,
 * and only then go to the background and start threads.
 * Fatal exits happen only here, never after smfi_main() has started.
 * SIGTERM, SIGINT and SIGHUP belong to libmilter, which ends smfi_main();
 * SIGUSR1 to the reload thread (confsnap.c).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "itip.h"
#include "log.h"
#include "mf.h"
#include "mime.h"
#include "store.h"

#define DEFAULT_CONF	"/etc/imip-milter/imip-milter.conf"

struct opts {
	const char	*conf_path;
	const char	*socket;
	const char	*test_file;
	const char	*from;
	const char	*user;
	char		**rcpts;
	int		 nrcpts;
	bool		 foreground;
	bool		 check_only;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: imip-milter [-fn] [-c config] [-p socket] "
	    "[-u user[:group]]\n"
	    "       imip-milter [-c config] -t message.eml [--from ADDR] "
	    "--rcpt ADDR [--rcpt ADDR ...]\n"
	    "  -c FILE   configuration file (default " DEFAULT_CONF ")\n"
	    "  -f        stay in the foreground and log to stderr\n"
	    "  -n        check the configuration and exit\n"
	    "  -p SOCKET milter socket, overrides 'socket' (unix:/path, "
	    "inet:port@host)\n"
	    "  -t FILE   offline: decide for one message, print, store "
	    "nothing\n"
	    "  -u USER[:GROUP] run as USER once the socket and the database "
	    "are set up\n");
}

static int
add_rcpt(struct opts *o, const char *addr)
{
	char **v = realloc(o->rcpts, (size_t)(o->nrcpts + 1) * sizeof(*v));

	if (v == NULL)
		return -1;
	o->rcpts = v;
	o->rcpts[o->nrcpts++] = (char *)addr;
	return 0;
}

/* 0: go on; 1: exit 0 (help); 2: usage error. */
static int
parse_opts(struct opts *o, int argc, char **argv)
{
	static const struct option longs[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "rcpt", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	o->conf_path = DEFAULT_CONF;
	while ((ch = getopt_long(argc, argv, "c:fhnp:t:u:", longs,
	    NULL)) != -1) {
		switch (ch) {
		case 'c': o->conf_path = optarg; break;
		case 'f': o->foreground = true; break;
		case 'n': o->check_only = true; break;
		case 'p': o->socket = optarg; break;
		case 't': o->test_file = optarg; break;
		case 'u': o->user = optarg; break;
		case 'F': o->from = optarg; break;
		case 'R':
			if (add_rcpt(o, optarg) < 0)
				return 2;
			break;
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || (o->test_file != NULL && o->nrcpts == 0) ||
	    (o->test_file == NULL && (o->nrcpts > 0 || o->from != NULL))) {
		usage(stderr);
		return 2;
	}
	return 0;
}

static struct imip_conf *
load_conf(const struct opts *o)
{
	struct imip_conf *conf = NULL;
	struct imip_err err = { 0 };

	if (mf_conf_load(&conf, o->conf_path, o->socket, &err) < 0)
		fprintf(stderr, "imip-milter: %s\n", err.msg);
	return conf;
}

static int
lookup_user(struct mf_user *u, const char *spec)
{
	struct imip_err err = { 0 };

	if (mf_user_lookup(u, spec, &err) < 0) {
		fprintf(stderr, "imip-milter: %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* A daemon that parses mail from anyone does not run as root by default. */
static int
refuse_root(const struct opts *o, const struct imip_conf *conf,
    const struct mf_user *u)
{
	bool root = u != NULL ? u->uid == 0 : getuid() == 0 || geteuid() == 0;

	if (!root || conf->allow_root)
		return 0;
	fprintf(stderr, "imip-milter: refusing to run as root: start it with "
	    "-u user[:group], or set allow_root = yes in %s\n", o->conf_path);
	return -1;
}

/* Create or migrate the database now, so a bad path fails at start. */
static int
prepare_db(const struct imip_conf *conf)
{
	struct imip_store *st = NULL;
	struct imip_err err = { 0 };

	if (imip_store_open(&st, conf->database, IMIP_STORE_CREATE,
	    conf->db_busy_ms, &err) < 0) {
		fprintf(stderr, "imip-milter: database %s: %s\n",
		    conf->database, err.msg);
		return -1;
	}
	imip_store_close(st);
	return 0;
}

static int
write_pid(const char *path)
{
	FILE *f;

	if (path == NULL || *path == '\0')
		return 0;
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f);
}

/*
 * Bind with socket_mode: the umask makes bind() create the socket with
 * exactly those bits, so it is never reachable with looser ones
 * (mf_socket_handover checks them afterwards).
 */
static int
open_socket(const struct imip_conf *conf)
{
	mode_t old;
	int rc;

	if (smfi_setconn((char *)conf->socket) != MI_SUCCESS ||
	    smfi_register(mf_desc) != MI_SUCCESS)
		rc = MI_FAILURE;
	else {
		old = umask(~conf->socket_mode & 0777);
		rc = smfi_opensocket(true);
		umask(old);
	}
	if (rc != MI_SUCCESS) {
		fprintf(stderr, "imip-milter: cannot listen on %s\n",
		    conf->socket);
		return -1;
	}
	return 0;
}

/* Everything root must do, then -u; the database is tried as the user. */
static int
setup(const struct imip_conf *conf, const struct mf_user *u)
{
	struct imip_err err = { 0 };

	if (open_socket(conf) < 0 || prepare_db(conf) < 0)
		return -1;
	if (mf_db_handover(conf->database, conf->database_mode, u, &err) < 0 ||
	    mf_socket_handover(conf->socket, conf->socket_mode, u, &err) < 0 ||
	    (u != NULL && mf_privs_drop(u, &err) < 0)) {
		fprintf(stderr, "imip-milter: %s\n", err.msg);
		return -1;
	}
	/* A directory the user cannot write (-wal, -shm) fails now. */
	if (u != NULL && prepare_db(conf) < 0) {
		fprintf(stderr, "imip-milter: user %s must be able to write "
		    "the database and its directory\n", u->name);
		return -1;
	}
	return 0;
}

/* Go to the background, start the threads, serve until a signal. */
static int
serve(const struct opts *o, const struct imip_conf *conf)
{
	char *path = realpath(o->conf_path, NULL);	/* before daemon() */
	struct imip_err err = { 0 };
	int status = 1;

	if (!o->foreground && daemon(0, 0) < 0) {
		fprintf(stderr, "imip-milter: daemon: %s\n", strerror(errno));
		free(path);
		return 1;
	}
	if (write_pid(conf->pid_file) < 0)
		imip_log_warn_errno("cannot write pid file %s", conf->pid_file);
	if (mf_pool_start(&err) < 0) {
		imip_log_err("%s", err.msg);
		goto out;
	}
	if (mf_outbox_start() < 0 ||
	    mf_reload_start(path != NULL ? path : o->conf_path,
	    o->socket) < 0) {
		imip_log_err("cannot start the outbox or the reload thread");
		goto out;
	}
	imip_log_info("started on %s, database %s, uid %ld gid %ld",
	    conf->socket, conf->database, (long)getuid(), (long)getgid());
	if (smfi_main() == MI_SUCCESS)
		status = 0;
	imip_log_info("stopped");
out:
	mf_reload_stop();
	mf_outbox_stop();
	mf_pool_stop();
	if (conf->pid_file != NULL && *conf->pid_file != '\0')
		unlink(conf->pid_file);
	free(path);
	return status;
}

/* The daemon; it owns conf, which becomes the first snapshot. */
static int
run(const struct opts *o, struct imip_conf *conf, const struct mf_user *u)
{
	const struct imip_conf *snap;
	int status;

	if (refuse_root(o, conf, u) < 0 || setup(conf, u) < 0) {
		imip_conf_free(conf);
		return 1;
	}
	if (mf_conf_install(conf) < 0) {
		fprintf(stderr, "imip-milter: out of memory\n");
		return 1;
	}
	snap = mf_conf_acquire();
	status = serve(o, snap);
	mf_conf_release(snap);
	mf_conf_fini();
	return status;
}

int
main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct mf_user user = { 0 };
	struct imip_conf *conf = NULL;
	int status = 2;

	mf_reload_block();	/* before any library can start a thread */
	if ((status = parse_opts(&o, argc, argv)) != 0) {
		status = status == 1 ? 0 : 2;
		goto out;
	}
	status = 1;
	imip_mime_init();
	imip_itip_init();
	if ((conf = load_conf(&o)) == NULL ||
	    (o.user != NULL && lookup_user(&user, o.user) < 0))
		goto out;
	if (o.check_only) {
		status = 0;
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);	/* a dying sendmail must not kill us */
	imip_log_init("imip-milter", conf->facility,
	    o.foreground || o.test_file != NULL);
	imip_log_set_level(conf->level);
	if (o.test_file != NULL) {
		status = mf_offline_run(conf, o.test_file, o.from, o.rcpts,
		    o.nrcpts);
	} else {
		status = run(&o, conf, o.user != NULL ? &user : NULL);
		conf = NULL;		/* run() owned it */
	}
out:
	imip_conf_free(conf);
	mf_user_fini(&user);
	free(o.rcpts);
	return status;
}
