/*
 * load_opts.c - milter-load's command line: the socket, the template and
 * the plan that gives each message its UID, room and slot.  Only parsing
 * and checking; milter_load.c runs what it says.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "milter_load.h"

#define DAY	86400

enum {
	OPT_ROOMS = 256, OPT_ROOM_FIRST, OPT_FIRST, OPT_BASE, OPT_STEP,
	OPT_LENGTH, OPT_WRAP, OPT_RUN_ID, OPT_HOLD, OPT_TIMEOUT, OPT_HEADER
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: milter-load -s SOCKET -t TEMPLATE [options]\n"
	    "  -s, --socket PATH         the filter's unix socket\n"
	    "  -t, --template FILE       message with ${N} ${UID} ${ROOM} "
	    "${START} ${END}\n"
	    "                            ${STAMP} ${DATE} placeholders\n"
	    "  -n, --messages N          messages in all (100)\n"
	    "  -c, --connections C       parallel connections (8)\n"
	    "  -m, --per-connection M    messages per connection (10)\n"
	    "  -f, --from ADDR           envelope sender "
	    "(org-${N}@example.org)\n"
	    "  -r, --rcpt ADDR           envelope recipient "
	    "(room-${ROOM}@example.org)\n"
	    "      --rooms R             rooms to spread messages over (1)\n"
	    "      --room-first F        number of the first room (0)\n"
	    "      --first I             number of the first message (0)\n"
	    "      --base EPOCH          start of every room's first slot\n"
	    "                            (default: midnight UTC, 2 days "
	    "ahead)\n"
	    "      --step SEC            from one slot of a room to the "
	    "next (3600)\n"
	    "      --length SEC          length of a slot (1800)\n"
	    "      --wrap W              slots per room before they repeat "
	    "(0: never)\n"
	    "      --run-id ID           part of every UID (pid-time)\n"
	    "      --hold                every connection waits at end of "
	    "headers of its\n"
	    "                            first message until all are there\n"
	    "      --timeout SEC         longest wait for one reply (60)\n"
	    "      --header NAME         result header with decision=WORD\n"
	    "                            (X-iMIP-Schedule)\n");
}

/* s as a number in [min, max] into *out; -1 if it is not one. */
static int
number(const char *s, long long min, long long max, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *out < min ||
	    *out > max) {
		fprintf(stderr, "milter-load: %s: not a number in [%lld, "
		    "%lld]\n", s, min, max);
		return -1;
	}
	return 0;
}

/* The whole file at path, NUL-terminated; NULL after a message. */
static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = NULL;
	size_t n = 0;
	long len;

	if (f == NULL || fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) < 0 ||
	    (s = malloc((size_t)len + 1)) == NULL ||
	    (n = fread(s, 1, (size_t)len, f)) != (size_t)len) {
		fprintf(stderr, "milter-load: %s: cannot read\n", path);
		free(s);
		s = NULL;
	} else {
		s[n] = '\0';
	}
	if (f != NULL)
		fclose(f);
	return s;
}

static void
defaults(struct load_opts *o)
{
	static char run_id[48];

	memset(o, 0, sizeof(*o));
	o->n = 100;
	o->conns = 8;
	o->per_conn = 10;
	o->from = "org-${N}@example.org";
	o->rcpt = "room-${ROOM}@example.org";
	o->header = "X-iMIP-Schedule";
	o->timeout = 60;
	o->plan.now = time(NULL);
	o->plan.rooms = 1;
	o->plan.base = (int64_t)(o->plan.now / DAY + 2) * DAY;
	o->plan.step = 3600;
	o->plan.length = 1800;
	snprintf(run_id, sizeof(run_id), "load-%ld-%lld", (long)getpid(),
	    (long long)o->plan.now);
	o->plan.run_id = run_id;
}

/* One numeric option into its field; -1 on a bad value. */
static int
numeric(struct load_opts *o, int ch, const char *arg)
{
	long long v;

	if (number(arg, ch == OPT_ROOM_FIRST || ch == OPT_FIRST ||
	    ch == OPT_WRAP ? 0 : 1, ch == OPT_BASE ? 1LL << 40 :
	    1LL << 31, &v) < 0)
		return -1;
	switch (ch) {
	case 'n': o->n = (uint64_t)v; break;
	case 'c': o->conns = (unsigned)v; break;
	case 'm': o->per_conn = (unsigned)v; break;
	case OPT_ROOMS: o->plan.rooms = (unsigned)v; break;
	case OPT_ROOM_FIRST: o->plan.room_first = (unsigned)v; break;
	case OPT_FIRST: o->first = (uint64_t)v; break;
	case OPT_BASE: o->plan.base = v; break;
	case OPT_STEP: o->plan.step = v; break;
	case OPT_LENGTH: o->plan.length = v; break;
	case OPT_WRAP: o->plan.wrap = (unsigned)v; break;
	case OPT_TIMEOUT: o->timeout = (int)v; break;
	}
	return 0;
}

static const struct option longs[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "template", required_argument, NULL, 't' },
	{ "messages", required_argument, NULL, 'n' },
	{ "connections", required_argument, NULL, 'c' },
	{ "per-connection", required_argument, NULL, 'm' },
	{ "from", required_argument, NULL, 'f' },
	{ "rcpt", required_argument, NULL, 'r' },
	{ "rooms", required_argument, NULL, OPT_ROOMS },
	{ "room-first", required_argument, NULL, OPT_ROOM_FIRST },
	{ "first", required_argument, NULL, OPT_FIRST },
	{ "base", required_argument, NULL, OPT_BASE },
	{ "step", required_argument, NULL, OPT_STEP },
	{ "length", required_argument, NULL, OPT_LENGTH },
	{ "wrap", required_argument, NULL, OPT_WRAP },
	{ "run-id", required_argument, NULL, OPT_RUN_ID },
	{ "hold", no_argument, NULL, OPT_HOLD },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "header", required_argument, NULL, OPT_HEADER },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Every option into o; 0, or the exit status. */
static int
options(struct load_opts *o, int argc, char **argv)
{
	int ch;

	while ((ch = getopt_long(argc, argv, "s:t:n:c:m:f:r:h", longs,
	    NULL)) != -1) {
		switch (ch) {
		case 's': o->sock = optarg; break;
		case 't': o->tmpl_path = optarg; break;
		case 'f': o->from = optarg; break;
		case 'r': o->rcpt = optarg; break;
		case OPT_RUN_ID: o->plan.run_id = optarg; break;
		case OPT_HOLD: o->hold = true; break;
		case OPT_HEADER: o->header = optarg; break;
		case 'h': usage(stdout); return 1;
		case '?': usage(stderr); return 2;
		default:
			if (numeric(o, ch, optarg) < 0)
				return 2;
		}
	}
	if (optind != argc || o->sock == NULL || o->tmpl_path == NULL) {
		usage(stderr);
		return 2;
	}
	return 0;
}

/*
 * load_opts_parse - the command line into o (o->tmpl read from its
 * file); true to run, else false with the exit status in *status
 */
bool
load_opts_parse(struct load_opts *o, int argc, char **argv, int *status)
{
	char why[96];

	defaults(o);
	if ((*status = options(o, argc, argv)) != 0) {
		*status = *status == 1 ? 0 : *status;	/* 1: --help */
		return false;
	}
	*status = 2;
	if (o->hold && o->n < o->conns) {
		fprintf(stderr, "milter-load: --hold needs at least one "
		    "message per connection\n");
		return false;
	}
	if ((o->tmpl = read_file(o->tmpl_path)) == NULL)
		return false;
	if (lm_check(o->tmpl, why, sizeof(why)) < 0 ||
	    lm_check(o->from, why, sizeof(why)) < 0 ||
	    lm_check(o->rcpt, why, sizeof(why)) < 0) {
		fprintf(stderr, "milter-load: %s\n", why);
		free(o->tmpl);
		o->tmpl = NULL;
		return false;
	}
	*status = 0;
	return true;
}
