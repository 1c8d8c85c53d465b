/*
 * main.c - imip-milter: options, configuration, start-up and shutdown.
 *
 * Libraries are initialized here, before libmilter starts any thread.
 * Fatal exits happen only here, never after smfi_main() has started.
 * SIGTERM, SIGINT and SIGHUP belong to libmilter, which ends smfi_main().
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

const struct imip_conf *mf_conf;

struct opts {
	const char	*conf_path;
	const char	*socket;
	const char	*test_file;
	const char	*from;
	char		**rcpts;
	int		 nrcpts;
	bool		 foreground;
	bool		 check_only;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: imip-milter [-fn] [-c config] [-p socket]\n"
	    "       imip-milter [-c config] -t message.eml [--from ADDR] "
	    "--rcpt ADDR [--rcpt ADDR ...]\n"
	    "  -c FILE   configuration file (default " DEFAULT_CONF ")\n"
	    "  -f        stay in the foreground and log to stderr\n"
	    "  -n        check the configuration and exit\n"
	    "  -p SOCKET milter socket, overrides 'socket' (unix:/path, "
	    "inet:port@host)\n"
	    "  -t FILE   offline: decide for one message, print, store "
	    "nothing\n");
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
	while ((ch = getopt_long(argc, argv, "c:fhnp:t:", longs, NULL)) != -1) {
		switch (ch) {
		case 'c': o->conf_path = optarg; break;
		case 'f': o->foreground = true; break;
		case 'n': o->check_only = true; break;
		case 'p': o->socket = optarg; break;
		case 't': o->test_file = optarg; break;
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

/* Whatever can be checked before serving: -n runs exactly this. */
static int
check_conf(const struct imip_conf *conf)
{
	const char *prog = conf->sendmail_argv != NULL ?
	    conf->sendmail_argv[0] : NULL;

	if (prog == NULL || access(prog, X_OK) != 0) {
		fprintf(stderr, "imip-milter: sendmail_path %s: not an "
		    "executable program\n", prog != NULL ? prog : "(empty)");
		return -1;
	}
	if (strncmp(conf->socket, "unix:", 5) != 0 &&
	    strncmp(conf->socket, "local:", 6) != 0 &&
	    strncmp(conf->socket, "inet:", 5) != 0 &&
	    strncmp(conf->socket, "inet6:", 6) != 0) {
		fprintf(stderr, "imip-milter: socket %s: want unix:/path or "
		    "inet:port@host\n", conf->socket);
		return -1;
	}
	return 0;
}

static struct imip_conf *
load_conf(const struct opts *o)
{
	struct imip_conf *conf = NULL;
	struct imip_err err = { 0 };

	if (imip_conf_load(&conf, o->conf_path, &err) < 0 ||
	    (o->socket != NULL && imip_conf_set(conf, "socket", o->socket,
	    &err) < 0)) {
		fprintf(stderr, "imip-milter: %s\n", err.msg);
		imip_conf_free(conf);
		return NULL;
	}
	if (check_conf(conf) < 0) {
		imip_conf_free(conf);
		return NULL;
	}
	return conf;
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

/* Bind, go to the background, start the outbox, serve until a signal. */
static int
serve(const struct imip_conf *conf, bool foreground)
{
	int status = 1;

	if (smfi_setconn((char *)conf->socket) != MI_SUCCESS ||
	    smfi_register(mf_desc) != MI_SUCCESS ||
	    smfi_opensocket(true) != MI_SUCCESS) {
		fprintf(stderr, "imip-milter: cannot listen on %s\n",
		    conf->socket);
		return 1;
	}
	if (!foreground && daemon(0, 0) < 0) {
		fprintf(stderr, "imip-milter: daemon: %s\n", strerror(errno));
		return 1;
	}
	if (write_pid(conf->pid_file) < 0)
		imip_log_warn_errno("cannot write pid file %s", conf->pid_file);
	if (mf_outbox_start(conf) < 0) {
		imip_log_err("cannot start the outbox thread");
		return 1;
	}
	imip_log_info("started on %s, database %s", conf->socket,
	    conf->database);
	if (smfi_main() == MI_SUCCESS)
		status = 0;
	mf_outbox_stop();
	imip_log_info("stopped");
	if (conf->pid_file != NULL && *conf->pid_file != '\0')
		unlink(conf->pid_file);
	return status;
}

int
main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct imip_conf *conf = NULL;
	int status = 2;

	if ((status = parse_opts(&o, argc, argv)) != 0) {
		status = status == 1 ? 0 : 2;
		goto out;
	}
	status = 1;
	imip_mime_init();
	imip_itip_init();
	if ((conf = load_conf(&o)) == NULL)
		goto out;
	if (o.check_only) {
		status = 0;
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);	/* a dying sendmail must not kill us */
	imip_log_init("imip-milter", conf->facility,
	    o.foreground || o.test_file != NULL);
	imip_log_set_level(conf->level);
	mf_conf = conf;
	if (o.test_file != NULL)
		status = mf_offline_run(conf, o.test_file, o.from, o.rcpts,
		    o.nrcpts);
	else if (prepare_db(conf) == 0)
		status = serve(conf, o.foreground);
out:
	imip_conf_free(conf);
	free(o.rcpts);
	return status;
}
