/*
 * imipctl_check.c - imipctl check: is this installation ready to serve?
 * The configuration file loads, the database opens with the schema this
 * program knows and passes PRAGMA integrity_check, and the milter socket
 * of the configuration accepts a connection.
 *
 * One line per check on stdout ("NAME TARGET: ok ..." or "...: FAIL:
 * why"); every check runs even after one failed, and the exit status is
 * CTL_OK only when all passed.  The socket is only connected to and
 * closed: no milter protocol is spoken.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "imipctl.h"

#define CONNECT_MS	3000	/* how long a connection may take */

/* Print the line of one check; count it in *failed if err says so. */
static void
report(int *failed, const char *what, const char *target,
    const struct imip_err *err, const char *ok_detail)
{
	printf("%s ", what);
	ctl_put_clean(stdout, target);
	if (err->code != IMIP_OK) {
		fputs(": FAIL: ", stdout);
		ctl_put_clean(stdout, err->msg);
		(*failed)++;
	} else
		printf(": ok%s%s", *ok_detail != '\0' ? " " : "", ok_detail);
	putchar('\n');
}

/* Wait for a non-blocking connect on fd; 0 or an errno value. */
static int
connect_wait(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int n, soerr = 0;

	if ((n = poll(&p, 1, CONNECT_MS)) == 0)
		return ETIMEDOUT;
	if (n < 0)
		return errno;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		return errno;
	return soerr;
}

/* Connect to sa within CONNECT_MS and close again; 0 or an errno value. */
static int
try_connect(int family, const struct sockaddr *sa, socklen_t len)
{
	int fd, rc = 0;

	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (connect(fd, sa, len) < 0)
		rc = errno == EINPROGRESS ? connect_wait(fd) : errno;
	close(fd);
	return rc;
}

/* unix:/path or local:/path */
static int
connect_unix(const char *path, struct imip_err *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int e;

	if (*path != '/' || strlen(path) >= sizeof(sun.sun_path))
		return imip_err_set(err, IMIP_ECONFIG, "want an absolute path "
		    "shorter than %zu bytes", sizeof(sun.sun_path));
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((e = try_connect(AF_UNIX, (struct sockaddr *)&sun,
	    sizeof(sun))) != 0)
		return imip_err_set(err, IMIP_ERR, "connect %s: %s", path,
		    strerror(e));
	return IMIP_OK;
}

/*
 * inet:PORT@HOST or inet6:PORT@HOST, as libmilter reads them; without
 * @HOST the filter listens on every address, so the loopback one is
 * tried.  Each address HOST resolves to is tried in turn.
 */
static int
connect_inet(int family, const char *spec, struct imip_err *err)
{
	struct addrinfo hints = { .ai_family = family,
	    .ai_socktype = SOCK_STREAM }, *res = NULL, *ai;
	const char *at = strchr(spec, '@'), *host;
	size_t plen = at != NULL ? (size_t)(at - spec) : strlen(spec);
	char port[64];
	int e = 0, g;

	host = at != NULL ? at + 1 : family == AF_INET6 ? "::1" : "127.0.0.1";
	if (plen == 0 || plen >= sizeof(port) || *host == '\0')
		return imip_err_set(err, IMIP_ECONFIG, "want PORT@HOST");
	memcpy(port, spec, plen);
	port[plen] = '\0';
	if ((g = getaddrinfo(host, port, &hints, &res)) != 0)
		return imip_err_set(err, IMIP_ERR, "%s port %s: %s", host,
		    port, gai_strerror(g));
	for (ai = res; ai != NULL; ai = ai->ai_next)
		if ((e = try_connect(ai->ai_family, ai->ai_addr,
		    ai->ai_addrlen)) == 0)
			break;
	freeaddrinfo(res);
	if (e != 0)
		return imip_err_set(err, IMIP_ERR, "connect %s port %s: %s",
		    host, port, strerror(e));
	return IMIP_OK;
}

/* Does the milter socket spec accept a connection? */
static int
check_socket(const char *spec, struct imip_err *err)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return connect_unix(spec + 5, err);
	if (strncmp(spec, "local:", 6) == 0)
		return connect_unix(spec + 6, err);
	if (strncmp(spec, "inet:", 5) == 0)
		return connect_inet(AF_INET, spec + 5, err);
	if (strncmp(spec, "inet6:", 6) == 0)
		return connect_inet(AF_INET6, spec + 6, err);
	return imip_err_set(err, IMIP_ECONFIG, "want unix:/path or "
	    "inet:port@host");
}

/* The database opens read-only with our schema and checks out. */
static void
check_db(const struct ctl *ctl, int *failed)
{
	struct imip_err err = { 0 };
	struct imip_store *st = NULL;
	char detail[64] = "";

	if (access(ctl->db, F_OK) < 0)
		imip_err_set(&err, IMIP_ERR, "%s", strerror(errno));
	else if (imip_store_open(&st, ctl->db, IMIP_STORE_READONLY,
	    ctl->busy_ms, &err) == IMIP_OK &&
	    imip_store_integrity(st, &err) == IMIP_OK)
		snprintf(detail, sizeof(detail), "(schema version %d, "
		    "integrity ok)", imip_store_version(st));
	report(failed, "database", ctl->db, &err, detail);
	imip_store_close(st);
}

/* Run the checks; the number that failed. */
static int
check_all(const struct ctl *ctl)
{
	const char *path = ctl->conf_path != NULL ? ctl->conf_path :
	    CTL_DEFAULT_CONF;
	struct imip_conf *conf = NULL;
	struct imip_err err = { 0 };
	struct ctl c = *ctl;
	int failed = 0;

	imip_conf_load(&conf, path, &err);
	report(&failed, "config", path, &err, "");
	if (conf != NULL)
		ctl_conf_use(&c, conf);	/* database and busy timeout */
	check_db(&c, &failed);
	imip_err_clear(&err);
	if (conf == NULL)
		imip_err_set(&err, IMIP_ECONFIG, "not checked: no "
		    "configuration");
	else
		check_socket(conf->socket, &err);
	report(&failed, "socket", conf != NULL ? conf->socket : "-", &err,
	    "(accepts connections)");
	imip_conf_free(conf);
	return failed;
}

/* ctl_cmd_check - is the configuration, database and socket usable? */
int
ctl_cmd_check(const struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	int failed, rc;

	if ((rc = ctl_plain_args(cmd, argc, argv, 0, "")) != CTL_OK)
		return rc < 0 ? CTL_OK : rc;
	if ((failed = check_all(ctl)) == 0)
		return CTL_OK;
	return ctl_fail("check: %d of 3 checks failed", failed);
}
