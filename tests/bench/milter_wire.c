/*
 * milter_wire.c - the MTA's side of the milter protocol for the load
 * driver (milter_load.c).
 *
 * A packet is a 4-byte big-endian length (command byte included), the
 * command byte and its data; strings in the data end with a NUL.  The MTA
 * offers every action and every protocol step in SMFIC_OPTNEG; the
 * filter's answer says which steps it does not want (SMFIP_NO*) and which
 * it will not answer (SMFIP_NR_*), and this file honours both.  Blocking
 * I/O with a timeout: one connection belongs to one driver thread.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <libmilter/mfdef.h>

#include "milter_wire.h"

#define MW_PACKET_MAX	(16u << 20)	/* far above any real reply */

/* Each step's command and the filter's "skip it" and "no reply" bits. */
static const struct {
	char		 cmd;
	uint32_t	 no, nr;
} steps[MW_NSTEPS] = {
	[MW_CONNECT] = { SMFIC_CONNECT, SMFIP_NOCONNECT, SMFIP_NR_CONN },
	[MW_HELO] = { SMFIC_HELO, SMFIP_NOHELO, SMFIP_NR_HELO },
	[MW_MAIL] = { SMFIC_MAIL, SMFIP_NOMAIL, SMFIP_NR_MAIL },
	[MW_RCPT] = { SMFIC_RCPT, SMFIP_NORCPT, SMFIP_NR_RCPT },
	[MW_DATA] = { SMFIC_DATA, SMFIP_NODATA, SMFIP_NR_DATA },
	[MW_HEADER] = { SMFIC_HEADER, SMFIP_NOHDRS, SMFIP_NR_HDR },
	[MW_EOH] = { SMFIC_EOH, SMFIP_NOEOH, SMFIP_NR_EOH },
	[MW_BODY] = { SMFIC_BODY, SMFIP_NOBODY, SMFIP_NR_BODY },
	[MW_EOM] = { SMFIC_BODYEOB, 0, 0 },
};

/* What the MTA offers: every step may be skipped or left unanswered. */
#define MW_OFFER_PROTO	SMFI_CURR_PROT
#define MW_OFFER_ACTS	SMFI_CURR_ACTS

static int
fail(struct mw_conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -1;
}

static int
io_fail(struct mw_conn *c, const char *what, ssize_t n)
{
	if (n == 0)
		return fail(c, "%s: the filter closed the connection", what);
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return fail(c, "%s: timed out", what);
	return fail(c, "%s: %s", what, strerror(errno));
}

/* Room for n bytes in *buf. */
static int
reserve(struct mw_conn *c, char **buf, size_t *cap, size_t n)
{
	char *p;

	if (n <= *cap)
		return 0;
	if ((p = realloc(*buf, n)) == NULL)
		return fail(c, "out of memory for a %zu-byte packet", n);
	*buf = p;
	*cap = n;
	return 0;
}

/* mw_open - connect to the unix socket path; 0 or -1 (c->err says why) */
int
mw_open(struct mw_conn *c, const char *path, int timeout_s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_s };

	c->fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path))
		return fail(c, "socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return fail(c, "socket: %s", strerror(errno));
	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fail(c, "%s: %s", path, strerror(errno));
		mw_close(c);
		return -1;
	}
	return 0;
}

/* mw_close - close the connection, free its buffers; safe twice */
void
mw_close(struct mw_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	free(c->out);
	c->buf = c->out = NULL;
	c->cap = c->outcap = c->len = 0;
}

/* Start a packet for cmd in c->out; append() adds its data. */
static void
begin(struct mw_conn *c, char cmd)
{
	c->outlen = 5;
	c->outcmd = cmd;
}

static int
append(struct mw_conn *c, const void *data, size_t len)
{
	if (reserve(c, &c->out, &c->outcap, c->outlen + len) < 0)
		return -1;
	if (len > 0)
		memcpy(c->out + c->outlen, data, len);
	c->outlen += len;
	return 0;
}

/* Send the packet begun: length, command, data. */
static int
flush(struct mw_conn *c)
{
	uint32_t n = htonl((uint32_t)c->outlen - 4);
	size_t done = 0;
	ssize_t w;

	if (reserve(c, &c->out, &c->outcap, c->outlen) < 0)
		return -1;
	memcpy(c->out, &n, 4);
	c->out[4] = c->outcmd;
	while (done < c->outlen) {
		w = write(c->fd, c->out + done, c->outlen - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return io_fail(c, "send", w);
		done += (size_t)w;
	}
	return 0;
}

/* Send one packet: length, command, data. */
static int
send_packet(struct mw_conn *c, char cmd, const void *data, size_t len)
{
	begin(c, cmd);
	if (append(c, data, len) < 0)
		return -1;
	return flush(c);
}

/* Read exactly len bytes into p. */
static int
read_full(struct mw_conn *c, void *p, size_t len)
{
	size_t done = 0;
	ssize_t r;

	while (done < len) {
		r = read(c->fd, (char *)p + done, len - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return io_fail(c, "reply", r);
		done += (size_t)r;
	}
	return 0;
}

/* Read one packet: its command into *cmd, the data into c->buf/len. */
static int
recv_packet(struct mw_conn *c, char *cmd)
{
	uint32_t n;

	if (read_full(c, &n, 4) < 0)
		return -1;
	n = ntohl(n);
	if (n == 0 || n > MW_PACKET_MAX)
		return fail(c, "reply of impossible length %u", n);
	if (reserve(c, &c->buf, &c->cap, n) < 0 ||
	    read_full(c, c->buf, n) < 0)
		return -1;
	*cmd = c->buf[0];
	c->len = n - 1;
	memmove(c->buf, c->buf + 1, c->len);
	return 0;
}

/* A 32-bit big-endian number at p. */
static uint32_t
get32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

/* mw_negotiate - SMFIC_OPTNEG offering every action and protocol step */
int
mw_negotiate(struct mw_conn *c)
{
	uint32_t v[3] = { htonl(SMFI_PROT_VERSION), htonl(MW_OFFER_ACTS),
	    htonl(MW_OFFER_PROTO) };
	uint32_t version;
	char cmd;

	if (send_packet(c, SMFIC_OPTNEG, v, sizeof(v)) < 0 ||
	    recv_packet(c, &cmd) < 0)
		return -1;
	/* Anything past the three numbers is a macro list; not needed. */
	if (cmd != SMFIC_OPTNEG || c->len < MILTER_OPTLEN)
		return fail(c, "negotiation: reply '%c' of %zu bytes", cmd,
		    c->len);
	version = get32(c->buf);
	c->actions = get32(c->buf + 4);
	c->proto = get32(c->buf + 8);
	if (version < 2 || version > SMFI_PROT_VERSION)
		return fail(c, "negotiation: protocol version %u", version);
	if ((c->actions & ~MW_OFFER_ACTS) != 0 ||
	    (c->proto & ~MW_OFFER_PROTO) != 0)
		return fail(c, "negotiation: the filter wants more than "
		    "offered (actions %#x, protocol %#x)", c->actions,
		    c->proto);
	return 0;
}

/* mw_wanted - does the filter want step at all? */
int
mw_wanted(const struct mw_conn *c, enum mw_step step)
{
	return (c->proto & steps[step].no) == 0;
}

/*
 * mw_macros - SMFIC_MACRO for step: kv is NULL-terminated name, value,
 * name, value...; nothing is sent for a step the filter does not want
 */
int
mw_macros(struct mw_conn *c, enum mw_step step, const char *const *kv)
{
	if (!mw_wanted(c, step))
		return 0;
	begin(c, SMFIC_MACRO);
	if (append(c, &steps[step].cmd, 1) < 0)
		return -1;
	for (; *kv != NULL; kv++)
		if (append(c, *kv, strlen(*kv) + 1) < 0)
			return -1;
	return flush(c);
}

/* The NUL-terminated string at *p within end, or NULL; *p moves past. */
static const char *
take_str(const char **p, const char *end)
{
	const char *s = *p, *z = memchr(s, '\0', (size_t)(end - s));

	if (z == NULL)
		return NULL;
	*p = z + 1;
	return s;
}

/* A header added, inserted (index first) or changed (index first). */
static int
header_mod(struct mw_conn *c, int indexed)
{
	const char *p = c->buf, *end = c->buf + c->len, *name, *value;

	if (indexed && c->len < 4)
		return fail(c, "header change without an index");
	p += indexed ? 4 : 0;
	if ((name = take_str(&p, end)) == NULL ||
	    (value = take_str(&p, end)) == NULL)
		return fail(c, "header change without name or value");
	if (c->on_header != NULL)
		c->on_header(name, value, c->arg);
	return 0;
}

/* Count one modification action; 1 if cmd is none. */
static int
modification(struct mw_conn *c, char cmd)
{
	switch (cmd) {
	case SMFIR_ADDHEADER:
		c->mods[MW_MOD_ADDHDR]++;
		return header_mod(c, 0);
	case SMFIR_INSHEADER:
		c->mods[MW_MOD_ADDHDR]++;
		return header_mod(c, 1);
	case SMFIR_CHGHEADER:
		c->mods[MW_MOD_CHGHDR]++;
		return header_mod(c, 1);
	case SMFIR_ADDRCPT:
	case SMFIR_ADDRCPT_PAR:
	case SMFIR_DELRCPT:
		c->mods[MW_MOD_RCPT]++;
		return 0;
	case SMFIR_REPLBODY:
		c->mods[MW_MOD_BODY]++;
		return 0;
	case SMFIR_QUARANTINE:
	case SMFIR_CHGFROM:
		c->mods[MW_MOD_OTHER]++;
		return 0;
	default:
		return 1;
	}
}

/* A final reply's verdict; -1 if cmd is not one. */
static int
verdict(const struct mw_conn *c, char cmd)
{
	switch (cmd) {
	case SMFIR_CONTINUE:
		return MW_CONTINUE;
	case SMFIR_ACCEPT:
		return MW_ACCEPT;
	case SMFIR_REJECT:
		return MW_REJECT;
	case SMFIR_TEMPFAIL:
		return MW_TEMPFAIL;
	case SMFIR_DISCARD:
		return MW_DISCARD;
	case SMFIR_SKIP:
		return MW_SKIP;
	case SMFIR_REPLYCODE:
		return c->len > 0 && c->buf[0] == '4' ? MW_TEMPFAIL :
		    MW_REJECT;
	default:
		return -1;
	}
}

/* Read replies up to the final one; modifications only at EOM. */
static int
read_verdict(struct mw_conn *c, enum mw_step step, enum mw_verdict *out)
{
	char cmd;
	int v, rc;

	for (;;) {
		if (recv_packet(c, &cmd) < 0)
			return -1;
		if (cmd == SMFIR_PROGRESS)
			continue;
		if ((v = verdict(c, cmd)) >= 0) {
			*out = (enum mw_verdict)v;
			return 0;
		}
		if (step != MW_EOM)
			return fail(c, "reply '%c' to command '%c'", cmd,
			    steps[step].cmd);
		if ((rc = modification(c, cmd)) < 0)
			return -1;
		if (rc > 0)
			return fail(c, "unknown reply '%c' at end of "
			    "message", cmd);
	}
}

/* Send the packet begun for step; read the reply unless there is none. */
static int
answer(struct mw_conn *c, enum mw_step step, enum mw_verdict *out)
{
	if (flush(c) < 0)
		return -1;
	if ((c->proto & steps[step].nr) != 0)
		return 0;
	return read_verdict(c, step, out);
}

/*
 * mw_step - send step's command with data and read what the filter says:
 * *out is MW_CONTINUE without a round trip for a step the filter skips or
 * does not answer; at MW_EOM the modifications before the final reply
 * are counted in c->mods and headers passed to c->on_header
 */
int
mw_step(struct mw_conn *c, enum mw_step step, const void *data, size_t len,
    enum mw_verdict *out)
{
	*out = MW_CONTINUE;
	if (!mw_wanted(c, step))
		return 0;
	begin(c, steps[step].cmd);
	if (append(c, data, len) < 0)
		return -1;
	return answer(c, step, out);
}

/* mw_step_strs - mw_step with NUL-terminated strings, NULL-terminated */
int
mw_step_strs(struct mw_conn *c, enum mw_step step, const char *const *strs,
    enum mw_verdict *out)
{
	*out = MW_CONTINUE;
	if (!mw_wanted(c, step))
		return 0;
	begin(c, steps[step].cmd);
	for (; *strs != NULL; strs++)
		if (append(c, *strs, strlen(*strs) + 1) < 0)
			return -1;
	return answer(c, step, out);
}

/* mw_connect - the connect step: client host name and IPv4 address */
int
mw_connect(struct mw_conn *c, const char *host, const char *addr,
    unsigned port, enum mw_verdict *out)
{
	uint16_t p = htons((uint16_t)port);
	char family = SMFIA_INET;

	*out = MW_CONTINUE;
	if (!mw_wanted(c, MW_CONNECT))
		return 0;
	begin(c, SMFIC_CONNECT);
	if (append(c, host, strlen(host) + 1) < 0 ||
	    append(c, &family, 1) < 0 || append(c, &p, 2) < 0 ||
	    append(c, addr, strlen(addr) + 1) < 0)
		return -1;
	return answer(c, MW_CONNECT, out);
}

/* mw_header - one header (the leading space if the filter asked for it) */
int
mw_header(struct mw_conn *c, const char *name, const char *value,
    enum mw_verdict *out)
{
	const char *v[] = { name, value, NULL };
	char *spaced = NULL;
	int rc;

	if ((c->proto & SMFIP_HDR_LEADSPC) != 0) {
		if (asprintf(&spaced, " %s", value) < 0)
			return fail(c, "out of memory for a header");
		v[1] = spaced;
	}
	rc = mw_step_strs(c, MW_HEADER, v, out);
	free(spaced);
	return rc;
}

/* mw_abort - SMFIC_ABORT: the message ends here (no reply) */
int
mw_abort(struct mw_conn *c)
{
	return send_packet(c, SMFIC_ABORT, NULL, 0);
}

/* mw_quit - SMFIC_QUIT: the connection ends (no reply) */
int
mw_quit(struct mw_conn *c)
{
	return send_packet(c, SMFIC_QUIT, NULL, 0);
}
