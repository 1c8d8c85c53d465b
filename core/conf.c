/*
 * conf.c - turn imip-milter.conf into an immutable struct imip_conf.
 *
 * One table lists every key with its type, target field, default and range;
 * the defaults, the parser and imip_conf_set all walk it, so a new key is one
 * table line plus its field in conf.h.  Nothing here logs or keeps state:
 * errors go back as "name:line: why" in the caller's struct imip_err.
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "trust.h"

enum conf_type {
	CONF_STR,	/* char *; min is the shortest length accepted */
	CONF_ARGV,	/* CONF_STR, also split on blanks into sendmail_argv */
	CONF_INT,	/* int within [min, max] */
	CONF_SIZE,	/* size_t within [min, max], K/M/G suffix (1024) */
	CONF_ENUM,	/* int, the index of the value in names[] */
	CONF_FACILITY,	/* char *, also sets facility */
	CONF_LEVEL,	/* char *, also sets level */
	CONF_DOMAINS,	/* char **, lower-case, NULL-terminated */
	CONF_BOOL,	/* bool: yes/no, true/false, on/off, 1/0 */
	CONF_MODE,	/* mode_t, octal permission bits within [min, max] */
	CONF_NETS,	/* internal_networks: struct imip_cidr array */
	CONF_MAP	/* login_map: char * path, read into login_map_data */
};

struct conf_def {
	const char		*name;
	enum conf_type		 type;
	size_t			 off;
	const char		*def;
	long long		 min;
	long long		 max;
	const char *const	*names;	/* CONF_ENUM only, NULL-terminated */
};

#define OFF(f)	offsetof(struct imip_conf, f)
#define KIB	1024LL
#define MIB	(1024 * KIB)
#define GIB	(1024 * MIB)

/* CONF_ENUM writes through an int *; the enum must be that wide. */
_Static_assert(sizeof(enum imip_failure_action) == sizeof(int),
    "on_internal_error is stored as an int");

static const char *const failure_names[] = {
	[IMIP_FAIL_ACCEPT] = "accept",
	[IMIP_FAIL_TEMPFAIL] = "tempfail",
	[IMIP_FAIL_REJECT] = "reject",
	[IMIP_FAIL_QUARANTINE] = "quarantine",
	NULL
};

static const struct conf_def conf_table[] = {
	{ "socket", CONF_STR, OFF(socket),
	    "unix:/run/imip-milter/imip-milter.sock", 1, 0, NULL },
	{ "database", CONF_STR, OFF(database),
	    "/var/lib/imip-milter/imip.db", 1, 0, NULL },
	{ "sendmail_path", CONF_ARGV, OFF(sendmail_path),
	    "/usr/sbin/sendmail", 1, 0, NULL },
	{ "local_domains", CONF_DOMAINS, OFF(local_domains), "", 0, 0, NULL },
	/* trust of the originator (trust.c) and the failure classes */
	{ "internal_networks", CONF_NETS, OFF(internal_networks),
	    "127.0.0.0/8 ::1", 0, 0, NULL },
	{ "trusted_authserv_ids", CONF_DOMAINS, OFF(trusted_authserv_ids),
	    "", 0, 0, NULL },
	{ "login_map", CONF_MAP, OFF(login_map), "", 0, 0, NULL },
	{ "on_bad_data", CONF_ENUM, OFF(on_bad_data), "accept",
	    0, 0, failure_names },
	{ "on_policy_refusal", CONF_ENUM, OFF(on_policy_refusal), "accept",
	    0, 0, failure_names },
	{ "log_facility", CONF_FACILITY, OFF(log_facility), "mail",
	    0, 0, NULL },
	{ "log_level", CONF_LEVEL, OFF(log_level), "info", 0, 0, NULL },
	{ "max_message_size", CONF_SIZE, OFF(max_message_size), "10M",
	    KIB, GIB, NULL },
	{ "db_busy_timeout_ms", CONF_INT, OFF(db_busy_ms), "5000",
	    0, 60000, NULL },
	{ "on_internal_error", CONF_ENUM, OFF(on_internal_error), "tempfail",
	    0, 0, failure_names },
	{ "outbox_max_attempts", CONF_INT, OFF(outbox_max_attempts), "10",
	    1, 1000, NULL },
	{ "outbox_retry_seconds", CONF_INT, OFF(outbox_retry_s), "60",
	    1, 86400, NULL },
	{ "recurrence_horizon_days", CONF_INT, OFF(horizon_days), "365",
	    1, 3660, NULL },
	{ "max_instances", CONF_INT, OFF(max_instances), "1000",
	    1, 100000, NULL },
	{ "reply_rate_limit", CONF_INT, OFF(reply_rate_limit), "100",
	    0, 1000000, NULL },
	{ "max_calendar_size", CONF_SIZE, OFF(max_calendar_size), "1M",
	    KIB, GIB, NULL },
	{ "max_components", CONF_INT, OFF(max_components), "1000",
	    1, 100000, NULL },
	{ "max_attendees", CONF_INT, OFF(max_attendees), "1000",
	    1, 100000, NULL },
	{ "conflict_max_instances", CONF_INT, OFF(conflict_max_instances),
	    "10", 0, 100000, NULL },
	{ "conflict_max_percent", CONF_INT, OFF(conflict_max_percent), "25",
	    0, 100, NULL },
	{ "summary_part", CONF_BOOL, OFF(summary_part), "no", 0, 0, NULL },
	{ "freebusy_dir", CONF_STR, OFF(freebusy_dir), "", 0, 0, NULL },
	{ "freebusy_days", CONF_INT, OFF(freebusy_days), "60", 1, 3660,
	    NULL },
	{ "hostname", CONF_STR, OFF(hostname), "", 0, 0, NULL },
	{ "pid_file", CONF_STR, OFF(pid_file), "", 0, 0, NULL },
	/* process hardening: read by imip-milter at start only */
	{ "allow_root", CONF_BOOL, OFF(allow_root), "no", 0, 0, NULL },
	{ "socket_mode", CONF_MODE, OFF(socket_mode), "0660", 0, 0777, NULL },
	{ "database_mode", CONF_MODE, OFF(database_mode), "0640",
	    0, 0777, NULL },
};

#define CONF_NKEYS	(sizeof(conf_table) / sizeof(conf_table[0]))

static int	read_file(char **, const char *, struct imip_err *);

static void *
conf_field(struct imip_conf *c, const struct conf_def *d)
{
	return (char *)c + d->off;
}

static const struct conf_def *
conf_lookup(const char *key)
{
	for (size_t i = 0; i < CONF_NKEYS; i++)
		if (strcmp(conf_table[i].name, key) == 0)
			return &conf_table[i];
	return NULL;
}

static void
vec_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p != NULL; p++)
		free(*p);
	free(v);
}

static bool
is_sep(int ch, bool comma)
{
	return isspace((unsigned char)ch) || (comma && ch == ',');
}

/*
 * Split s on blanks (and commas if comma is set) into a NULL-terminated
 * vector; empty words are dropped, so "a,, b" is two words.
 */
static int
split_words(char ***out, const char *s, bool comma, bool lower)
{
	char **v = NULL;
	size_t n = 0, i = 0, len;
	const char *p;
	int rc = IMIP_ENOMEM;

	*out = NULL;
	for (p = s; *p != '\0'; p += len) {
		while (is_sep(*p, comma))
			p++;
		for (len = 0; p[len] != '\0' && !is_sep(p[len], comma); len++)
			;
		n += len > 0;
	}
	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		goto out;
	for (p = s; i < n; p += len) {
		while (is_sep(*p, comma))
			p++;
		for (len = 0; p[len] != '\0' && !is_sep(p[len], comma); len++)
			;
		if ((v[i] = strndup(p, len)) == NULL)
			goto out;
		for (char *q = v[i]; lower && *q != '\0'; q++)
			*q = (char)tolower((unsigned char)*q);
		i++;
	}
	*out = v;
	v = NULL;
	rc = IMIP_OK;
out:
	vec_free(v);
	return rc;
}

/* Replace the string at field by a copy of val. */
static int
set_string(char **field, const struct conf_def *d, const char *val,
    struct imip_err *err)
{
	char *s;

	if (strlen(val) < (size_t)d->min)
		return imip_err_set(err, IMIP_ECONFIG, "%s: must not be empty",
		    d->name);
	if ((s = strdup(val)) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "%s: out of memory",
		    d->name);
	free(*field);
	*field = s;
	return IMIP_OK;
}

/* sendmail_path: keep the text and its split form in step. */
static int
set_argv(struct imip_conf *c, const struct conf_def *d, const char *val,
    struct imip_err *err)
{
	char **argv = NULL;
	int rc;

	if (split_words(&argv, val, false, false) < 0) {
		rc = imip_err_set(err, IMIP_ENOMEM, "%s: out of memory",
		    d->name);
		goto out;
	}
	if (argv[0] == NULL) {
		rc = imip_err_set(err, IMIP_ECONFIG, "%s: no program given",
		    d->name);
		goto out;
	}
	if ((rc = set_string(conf_field(c, d), d, val, err)) < 0)
		goto out;
	vec_free(c->sendmail_argv);
	c->sendmail_argv = argv;
	argv = NULL;
out:
	vec_free(argv);
	return rc;
}

static int
set_domains(struct imip_conf *c, const struct conf_def *d, const char *val,
    struct imip_err *err)
{
	char ***field = conf_field(c, d);
	char **v;

	if (split_words(&v, val, true, true) < 0)
		return imip_err_set(err, IMIP_ENOMEM, "%s: out of memory",
		    d->name);
	vec_free(*field);
	*field = v;
	return IMIP_OK;
}

/* Render n for a message, with the largest exact suffix for sizes. */
static const char *
fmt_num(char *buf, size_t size, const struct conf_def *d, long long n)
{
	if (d->type == CONF_SIZE && n != 0 && n % GIB == 0)
		snprintf(buf, size, "%lldG", n / GIB);
	else if (d->type == CONF_SIZE && n != 0 && n % MIB == 0)
		snprintf(buf, size, "%lldM", n / MIB);
	else if (d->type == CONF_SIZE && n != 0 && n % KIB == 0)
		snprintf(buf, size, "%lldK", n / KIB);
	else
		snprintf(buf, size, "%lld", n);
	return buf;
}

/* Parse a decimal integer, with a K/M/G suffix for CONF_SIZE. */
static int
parse_number(long long *out, const struct conf_def *d, const char *val,
    struct imip_err *err)
{
	char *end, lo[24], hi[24];
	long long n, mult = 1;

	errno = 0;
	n = strtoll(val, &end, 10);
	if (end == val || !(isdigit((unsigned char)*val) || *val == '-'))
		goto bad;
	if (d->type == CONF_SIZE && *end != '\0' && end[1] == '\0') {
		switch (*end++) {
		case 'k': case 'K':	mult = KIB; break;
		case 'm': case 'M':	mult = MIB; break;
		case 'g': case 'G':	mult = GIB; break;
		default:		goto bad;
		}
	}
	if (*end != '\0')
		goto bad;
	if (errno == ERANGE || n > d->max / mult || n < d->min / mult ||
	    n * mult > d->max || n * mult < d->min)
		return imip_err_set(err, IMIP_ECONFIG,
		    "%s: %s out of range %s..%s", d->name, val,
		    fmt_num(lo, sizeof(lo), d, d->min),
		    fmt_num(hi, sizeof(hi), d, d->max));
	*out = n * mult;
	return IMIP_OK;
bad:
	return imip_err_set(err, IMIP_ECONFIG, "%s: bad number \"%s\"",
	    d->name, val);
}

static int
set_number(struct imip_conf *c, const struct conf_def *d, const char *val,
    struct imip_err *err)
{
	long long n = 0;
	int rc;

	if ((rc = parse_number(&n, d, val, err)) < 0)
		return rc;
	if (d->type == CONF_SIZE)
		*(size_t *)conf_field(c, d) = (size_t)n;
	else
		*(int *)conf_field(c, d) = (int)n;
	return IMIP_OK;
}

static int
set_enum(struct imip_conf *c, const struct conf_def *d, const char *val,
    struct imip_err *err)
{
	char want[96] = "";
	size_t len = 0;
	int i;

	for (i = 0; d->names[i] != NULL; i++) {
		if (strcasecmp(val, d->names[i]) == 0) {
			*(int *)conf_field(c, d) = i;
			return IMIP_OK;
		}
	}
	for (i = 0; d->names[i] != NULL && len < sizeof(want); i++)
		len += (size_t)snprintf(want + len, sizeof(want) - len,
		    "%s%s", i == 0 ? "" : d->names[i + 1] == NULL ? " or " :
		    ", ", d->names[i]);
	return imip_err_set(err, IMIP_ECONFIG,
	    "%s: bad value \"%s\" (want %s)", d->name, val, want);
}

/* log_facility and log_level: the name as written plus its LOG_* value. */
static int
set_syslog(struct imip_conf *c, const struct conf_def *d, const char *val,
    struct imip_err *err)
{
	bool fac = d->type == CONF_FACILITY;
	int v, rc;

	v = fac ? imip_log_facility_parse(val) : imip_log_level_parse(val);
	if (v < 0)
		return imip_err_set(err, IMIP_ECONFIG, "%s: unknown %s \"%s\"",
		    d->name, fac ? "facility" : "level", val);
	if ((rc = set_string(conf_field(c, d), d, val, err)) < 0)
		return rc;
	if (fac)
		c->facility = v;
	else
		c->level = v;
	return IMIP_OK;
}

static int
set_bool(struct imip_conf *c, const struct conf_def *d, const char *val,
    struct imip_err *err)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(val, yes[i]) == 0) {
			*(bool *)conf_field(c, d) = true;
			return IMIP_OK;
		}
		if (strcasecmp(val, no[i]) == 0) {
			*(bool *)conf_field(c, d) = false;
			return IMIP_OK;
		}
	}
	return imip_err_set(err, IMIP_ECONFIG,
	    "%s: bad value \"%s\" (want yes or no)", d->name, val);
}

/* Permission bits in octal, as chmod(1) takes them: "0660" or "660". */
static int
set_mode(struct imip_conf *c, const struct conf_def *d, const char *val,
    struct imip_err *err)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(val, &end, 8);
	if (*val < '0' || *val > '7' || *end != '\0' || errno == ERANGE)
		return imip_err_set(err, IMIP_ECONFIG,
		    "%s: bad mode \"%s\" (want octal, such as 0640)", d->name,
		    val);
	if (n < d->min || n > d->max)
		return imip_err_set(err, IMIP_ECONFIG,
		    "%s: %s out of range %04llo..%04llo", d->name, val,
		    (unsigned long long)d->min, (unsigned long long)d->max);
	*(mode_t *)conf_field(c, d) = (mode_t)n;
	return IMIP_OK;
}

static int
set_nets(struct imip_conf *c, const struct conf_def *d, const char *val,
    struct imip_err *err)
{
	struct imip_cidr *nets = NULL;
	size_t n = 0;
	int rc;

	if ((rc = imip_trust_nets_parse(&nets, &n, val, err)) < 0)
		return rc;
	free(*(struct imip_cidr **)conf_field(c, d));
	*(struct imip_cidr **)conf_field(c, d) = nets;
	c->ninternal_networks = n;
	return IMIP_OK;
}

/* login_map: the file is read now, so a snapshot never changes later. */
static int
set_login_map(struct imip_conf *c, const struct conf_def *d, const char *val,
    struct imip_err *err)
{
	struct imip_err sub = { IMIP_OK, "" };
	struct imip_login_map *map = NULL;
	char *buf = NULL;
	int rc = IMIP_OK;

	if (*val != '\0' && ((rc = read_file(&buf, val, &sub)) < 0 ||
	    (rc = imip_trust_map_parse(&map, buf, val, &sub)) < 0)) {
		imip_err_set(err, rc, "%s: %s", d->name, sub.msg);
		goto out;
	}
	if ((rc = set_string(conf_field(c, d), d, val, err)) < 0)
		goto out;
	imip_trust_map_free(c->login_map_data);
	c->login_map_data = map;
	map = NULL;
out:
	imip_trust_map_free(map);
	free(buf);
	return rc;
}

/* Store val in the field of d; on failure *c is left as it was. */
static int
conf_apply(struct imip_conf *c, const struct conf_def *d, const char *val,
    struct imip_err *err)
{
	switch (d->type) {
	case CONF_STR:
		return set_string(conf_field(c, d), d, val, err);
	case CONF_ARGV:
		return set_argv(c, d, val, err);
	case CONF_INT:
	case CONF_SIZE:
		return set_number(c, d, val, err);
	case CONF_ENUM:
		return set_enum(c, d, val, err);
	case CONF_FACILITY:
	case CONF_LEVEL:
		return set_syslog(c, d, val, err);
	case CONF_DOMAINS:
		return set_domains(c, d, val, err);
	case CONF_BOOL:
		return set_bool(c, d, val, err);
	case CONF_MODE:
		return set_mode(c, d, val, err);
	case CONF_NETS:
		return set_nets(c, d, val, err);
	case CONF_MAP:
		return set_login_map(c, d, val, err);
	}
	assert(!"unknown conf_type");
	return imip_err_set(err, IMIP_ERR, "%s: unknown type", d->name);
}

/* Fill in what is derived rather than read: an empty hostname. */
static int
conf_finish(struct imip_conf *c, struct imip_err *err)
{
	char host[256];
	char *s;

	if (c->hostname != NULL && c->hostname[0] != '\0')
		return IMIP_OK;
	if (gethostname(host, sizeof(host)) < 0 || host[0] == '\0')
		return imip_err_set(err, IMIP_ERR,
		    "hostname: not set and gethostname() failed");
	host[sizeof(host) - 1] = '\0';	/* truncation need not terminate */
	if ((s = strdup(host)) == NULL)
		return imip_err_set(err, IMIP_ENOMEM,
		    "hostname: out of memory");
	free(c->hostname);
	c->hostname = s;
	return IMIP_OK;
}

/* imip_conf_defaults - a snapshot holding every default; caller frees */
int
imip_conf_defaults(struct imip_conf **out, struct imip_err *err)
{
	struct imip_conf *c = NULL;
	int rc = IMIP_OK;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		rc = imip_err_set(err, IMIP_ENOMEM,
		    "configuration: out of memory");
		goto out;
	}
	for (size_t i = 0; i < CONF_NKEYS; i++)
		if ((rc = conf_apply(c, &conf_table[i], conf_table[i].def,
		    err)) < 0)
			goto out;
	if ((rc = conf_finish(c, err)) < 0)
		goto out;
	*out = c;
	c = NULL;
out:
	imip_conf_free(c);
	return rc;
}

/*
 * Split one line (len bytes at p, no newline) into key and value and apply
 * it.  '#' starts a comment only at the start of the line or after a blank,
 * so "a#b" stays a value.  Blank and comment-only lines are accepted.
 */
static int
parse_line(struct imip_conf *c, const char *p, size_t len,
    const char *name, unsigned line, struct imip_err *err)
{
	struct imip_err sub = { IMIP_OK, "" };
	const struct conf_def *d;
	char *s = NULL, *key, *val, *e;
	int rc = IMIP_OK;

	if ((s = strndup(p, len)) == NULL) {
		rc = imip_err_set(err, IMIP_ENOMEM, "%s:%u: out of memory",
		    name, line);
		goto out;
	}
	for (e = s; *e != '\0'; e++)
		if (*e == '#' && (e == s || e[-1] == ' ' || e[-1] == '\t'))
			*e = '\0';
	for (e = s + strlen(s); e > s && isspace((unsigned char)e[-1]); e--)
		e[-1] = '\0';
	for (key = s; isspace((unsigned char)*key); key++)
		;
	if (*key == '\0')
		goto out;
	for (e = key; *e != '\0' && *e != '=' && !isspace((unsigned char)*e);)
		e++;
	for (val = e; isspace((unsigned char)*val); val++)
		;
	if (e == key) {
		rc = imip_err_set(err, IMIP_ECONFIG,
		    "%s:%u: missing key before '='", name, line);
		goto out;
	}
	if (*val != '=') {
		rc = imip_err_set(err, IMIP_ECONFIG,
		    "%s:%u: missing '=' after \"%.*s\"", name, line,
		    (int)(e - key), key);
		goto out;
	}
	*e = '\0';
	for (val++; isspace((unsigned char)*val); val++)
		;
	if ((d = conf_lookup(key)) == NULL) {
		rc = imip_err_set(err, IMIP_ECONFIG,
		    "%s:%u: unknown key \"%s\"", name, line, key);
		goto out;
	}
	if ((rc = conf_apply(c, d, val, &sub)) < 0)
		imip_err_set(err, rc, "%s:%u: %s", name, line, sub.msg);
out:
	free(s);
	return rc;
}

/*
 * imip_conf_parse_buf - parse text named name (for messages) into a new
 * snapshot; unknown keys and out-of-range values fail as "name:line: why".
 */
int
imip_conf_parse_buf(struct imip_conf **out, const char *buf,
    const char *name, struct imip_err *err)
{
	struct imip_conf *c = NULL;
	const char *p, *eol;
	unsigned line = 0;
	int rc;

	*out = NULL;
	if ((rc = imip_conf_defaults(&c, err)) < 0)
		goto out;
	for (p = buf; *p != '\0'; p = *eol == '\0' ? eol : eol + 1) {
		eol = p + strcspn(p, "\n");
		if ((rc = parse_line(c, p, (size_t)(eol - p), name, ++line,
		    err)) < 0)
			goto out;
	}
	if ((rc = conf_finish(c, err)) < 0)
		goto out;
	*out = c;
	c = NULL;
out:
	imip_conf_free(c);
	return rc;
}

/* Record "path: cannot read: strerror(errno)"; call before errno changes. */
static int
read_error(struct imip_err *err, const char *path)
{
	locale_t loc = uselocale((locale_t)0);
	int saved = errno;

	/*
	 * strerror_l, not strerror_r: the latter returns int or char *
	 * depending on _GNU_SOURCE, and "!= 0" compiles silently either way.
	 */
	return imip_err_set(err, IMIP_ECONFIG, "%s: cannot read: %s", path,
	    strerror_l(saved, loc));
}

/* Read all of path into a NUL-terminated buffer the caller frees. */
static int
read_file(char **out, const char *path, struct imip_err *err)
{
	char *buf = NULL, *nbuf;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd = -1, rc = IMIP_OK;

	*out = NULL;
	/* O_CLOEXEC: the outbox thread may be forking sendmail right now */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = read_error(err, path);
		goto out;
	}
	for (;;) {
		if (cap - len < 2) {
			cap = cap == 0 ? 4096 : cap * 2;
			if ((nbuf = realloc(buf, cap)) == NULL) {
				rc = imip_err_set(err, IMIP_ENOMEM,
				    "%s: out of memory", path);
				goto out;
			}
			buf = nbuf;
		}
		if ((n = read(fd, buf + len, cap - len - 1)) < 0) {
			if (errno == EINTR)
				continue;
			rc = read_error(err, path);
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len) != NULL) {
		rc = imip_err_set(err, IMIP_ECONFIG,
		    "%s: cannot read: contains a NUL byte", path);
		goto out;
	}
	*out = buf;
	buf = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

/* imip_conf_load - imip_conf_parse_buf on the contents of path */
int
imip_conf_load(struct imip_conf **out, const char *path,
    struct imip_err *err)
{
	char *buf = NULL;
	int rc;

	*out = NULL;
	if ((rc = read_file(&buf, path, err)) < 0)
		goto out;
	rc = imip_conf_parse_buf(out, buf, path, err);
out:
	free(buf);
	return rc;
}

/* imip_conf_set - override one key as if it appeared last in the file */
int
imip_conf_set(struct imip_conf *conf, const char *key, const char *value,
    struct imip_err *err)
{
	const struct conf_def *d;
	int rc;

	assert(conf != NULL && key != NULL && value != NULL);
	if ((d = conf_lookup(key)) == NULL)
		return imip_err_set(err, IMIP_ECONFIG, "unknown key \"%s\"",
		    key);
	if ((rc = conf_apply(conf, d, value, err)) < 0)
		return rc;
	return conf_finish(conf, err);
}

/* imip_conf_is_local - is addr (user@domain) in one of local_domains? */
bool
imip_conf_is_local(const struct imip_conf *conf, const char *addr)
{
	const char *at;

	if (conf == NULL || addr == NULL || conf->local_domains == NULL)
		return false;
	if ((at = strrchr(addr, '@')) == NULL || at[1] == '\0')
		return false;
	for (char **d = conf->local_domains; *d != NULL; d++)
		if (strcasecmp(at + 1, *d) == 0)
			return true;
	return false;
}

/* imip_conf_free - release a snapshot; NULL is a no-op */
void
imip_conf_free(struct imip_conf *conf)
{
	if (conf == NULL)
		return;
	free(conf->socket);
	free(conf->database);
	free(conf->sendmail_path);
	vec_free(conf->sendmail_argv);
	vec_free(conf->local_domains);
	free(conf->internal_networks);
	vec_free(conf->trusted_authserv_ids);
	free(conf->login_map);
	imip_trust_map_free(conf->login_map_data);
	free(conf->log_facility);
	free(conf->log_level);
	free(conf->hostname);
	free(conf->pid_file);
	free(conf->freebusy_dir);
	free(conf);
}
