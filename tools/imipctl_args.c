/*
 * imipctl_args.c - what the commands of imipctl share in reading their
 * arguments: operand counts, time ranges, the calendar's zone, the options
 * of list commands, and opening the calendar a command is about.
 *
 * Each helper returns a CTL_ exit code and has printed the message when
 * that is not CTL_OK.  The clock is read here, never in core.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "imipctl.h"

#define DAY	86400

/* ctl_operands - require exactly want operands after the options */
int
ctl_operands(const struct ctl_cmd *cmd, int argc, char **argv, int want,
    const char *what)
{
	if (argc - optind < want)
		return ctl_usage_error(cmd, "missing %s", what);
	if (argc - optind > want)
		return ctl_usage_error(cmd, "unexpected argument '%s'",
		    argv[optind + want]);
	return CTL_OK;
}

/*
 * ctl_plain_args - the arguments of a command without options of its own:
 * --help (then -1), and exactly want operands
 */
int
ctl_plain_args(const struct ctl_cmd *cmd, int argc, char **argv, int want,
    const char *what)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, rc;

	if ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1)
		return (rc = ctl_opt_other(cmd, c, argv)) != CTL_OK ? rc : -1;
	return ctl_operands(cmd, argc, argv, want, what);
}

/* ctl_time_arg - the TIME of option opt, read in the zone now set */
int
ctl_time_arg(const struct ctl_cmd *cmd, const char *opt, const char *s,
    bool end_of_day, time_t *out)
{
	if (ctl_time_parse(s, end_of_day, out) < 0)
		return ctl_usage_error(cmd, "%s: want YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM, not '%s'", opt, s);
	return CTL_OK;
}

/* ctl_num_arg - s as a whole number from min to max, else CTL_USAGE */
int
ctl_num_arg(const struct ctl_cmd *cmd, const char *what, const char *s,
    long long min, long long max, long long *out)
{
	char *end = NULL;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s >= '0' && *s <= '9' && *end == '\0' && errno == 0 &&
	    v >= min && v <= max) {
		*out = v;
		return CTL_OK;
	}
	if (max == LLONG_MAX)
		return ctl_usage_error(cmd, "%s: want a whole number from %lld "
		    "up, not '%s'", what, min, s);
	return ctl_usage_error(cmd, "%s: want a whole number from %lld to "
	    "%lld, not '%s'", what, min, max, s);
}

/*
 * ctl_range - read --from/--to (or the defaults: a day ago to 90 days
 * ahead) in the zone now set; CTL_USAGE if bad or out of order
 */
int
ctl_range(const struct ctl_cmd *cmd, const char *from_s,
    const char *to_s, time_t *from, time_t *to)
{
	time_t now = time(NULL);
	int rc;

	*from = now - DAY;
	*to = now + 90 * DAY;
	if ((from_s != NULL &&
	    (rc = ctl_time_arg(cmd, "--from", from_s, false, from)) != 0) ||
	    (to_s != NULL &&
	    (rc = ctl_time_arg(cmd, "--to", to_s, true, to)) != CTL_OK))
		return rc;
	if (*from >= *to)
		return ctl_usage_error(cmd, "--from must be before --to");
	return CTL_OK;
}

/* ctl_use_zone - make tz the local time of this process */
int
ctl_use_zone(const char *tz)
{
	char buf[256];

	snprintf(buf, sizeof(buf), ":%s", tz);
	if (setenv("TZ", buf, 1) < 0)
		return ctl_fail("setenv TZ: %s", strerror(errno));
	tzset();
	return CTL_OK;
}

/*
 * ctl_list_opts - the options of a list command: --json, and --all if all
 * is not NULL; *done once --help is printed or on error
 */
int
ctl_list_opts(const struct ctl_cmd *cmd, int argc, char **argv, bool *json,
    bool *all, bool *done)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	*done = true;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (c == 'j')
			*json = true;
		else if (c == 'a' && all != NULL)
			*all = true;
		else if (c == 'a')
			return ctl_usage_error(cmd, "unknown option --all");
		else
			return ctl_opt_other(cmd, c, argv);
	}
	*done = false;
	return ctl_operands(cmd, argc, argv, 0, "");
}

/* ctl_list_failed - a listing's failure: the store's message, or ENOMEM */
int
ctl_list_failed(const struct imip_err *err)
{
	return ctl_fail("%s", err->msg[0] != '\0' ? err->msg :
	    "out of memory");
}

/*
 * ctl_store_fail - the exit for a failed store call: CTL_USAGE for what
 * the command line got wrong (IMIP_EPARSE: not an address, a bad value),
 * else CTL_FAIL
 */
int
ctl_store_fail(const struct ctl_cmd *cmd, const struct imip_err *err)
{
	if (err->code == IMIP_EPARSE)
		return ctl_usage_error(cmd, "%s", err->msg);
	return ctl_list_failed(err);
}

/*
 * ctl_open_cal - open the database (imip_store_open flags) and find the
 * calendar of address
 */
int
ctl_open_cal(const struct ctl *ctl, const struct ctl_cmd *cmd, int flags,
    const char *address, struct imip_store **st, struct imip_calendar **cal)
{
	struct imip_err err = { 0 };
	int rc;

	if ((rc = ctl_open(ctl, flags, st)) != CTL_OK)
		return rc;
	if (imip_store_calendar_find(*st, address, cal, &err) < 0)
		return ctl_store_fail(cmd, &err);
	return CTL_OK;
}
