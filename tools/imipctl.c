/*
 * imipctl.c - the admin command of imip-milter: global options, usage,
 * opening the database, and dispatch to the commands (imipctl.h says
 * which file holds which).
 *
 * Exit status: 0 done, 1 failed or refused, 2 bad command line (every
 * command keeps to it).  Messages go to stderr as "imipctl: ..."; listings
 * and help go to stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"
#include "imipctl.h"

#define USAGE_HEAD	"usage: imipctl [--db PATH | -c CONFIG] "

static const struct ctl_cmd commands[] = {
	{ "init", "",
	    "create the database or bring its schema up to date",
	    ctl_cmd_init, NULL, 0 },
	{ "backup", "DEST",
	    "copy the database to DEST, safely while the filter writes "
	    "(through DEST.tmp, checked, then renamed)",
	    ctl_cmd_backup, NULL, 0 },
	{ "check", "",
	    "check that CONFIG (default " CTL_DEFAULT_CONF ") loads, the "
	    "database is sound and the milter socket accepts connections",
	    ctl_cmd_check, NULL, CTL_OWN_CONF },
	{ "calendar add",
	    "ADDRESS --kind resource|person [--name NAME] [--tz ZONE]",
	    "manage ADDRESS as a calendar (ZONE defaults to UTC)",
	    ctl_cmd_cal_add, NULL, 0 },
	{ "calendar remove", "ADDRESS [--force]",
	    "stop managing ADDRESS and forget its events (--force: even with "
	    "bookings ahead)",
	    ctl_cmd_cal_remove, NULL, 0 },
	{ "calendar rename", "ADDRESS NEW-ADDRESS",
	    "move a calendar to a new address with its events and settings",
	    ctl_cmd_cal_rename, NULL, 0 },
	{ "calendar set", "ADDRESS KEY VALUE",
	    "change a setting or policy key (imipctl(8) says what each means)",
	    ctl_cmd_cal_set, ctl_setting_keys, 0 },
	{ "calendar list", "[--json]",
	    "list the managed calendars and what their policy changes",
	    ctl_cmd_cal_list, NULL, 0 },
	{ "schedule", "ADDRESS [--from TIME] [--to TIME] [--json | --ics]",
	    "busy periods of a calendar, in its own time zone (--ics: as "
	    "iCalendar events)",
	    ctl_cmd_schedule, NULL, 0 },
	{ "events", "ADDRESS [--json]",
	    "the events a calendar knows, most recently updated first",
	    ctl_cmd_events, NULL, 0 },
	{ "freebusy", "ADDRESS --from TIME --to TIME [--json | --ics]",
	    "merged busy periods of a calendar, times only (--ics: as an "
	    "iCalendar VFREEBUSY)",
	    ctl_cmd_freebusy, NULL, 0 },
	{ "freebusy", "ADDRESS --ifb [--days N]",
	    "the file published for Outlook's \"Internet free/busy\" address:"
	    " a day back to N days ahead (freebusy_days)",
	    ctl_cmd_freebusy, NULL, 0 },
	{ "journal",
	    "[ADDRESS] [--uid UID] [--from TIME] [--to TIME] [--limit N] "
	    "[--json]",
	    "the filter's decisions, newest first (TIME in UTC here)",
	    ctl_cmd_journal, NULL, 0 },
	{ "outbox list", "[--all] [--json]",
	    "replies waiting to be sent (--all: also sent and failed ones)",
	    ctl_cmd_outbox_list, NULL, 0 },
	{ "outbox retry", "ID|--all",
	    "make a waiting or failed message (--all: every unsent one) due "
	    "now",
	    ctl_cmd_outbox_retry, NULL, 0 },
	{ "outbox purge", "ID|--older-than DAYS [--force]",
	    "delete a sent message, or those sent more than DAYS ago "
	    "(--force: unsent ones too)",
	    ctl_cmd_outbox_purge, NULL, 0 },
	{ "expand", "[--days N] [--dry-run]",
	    "book open-ended series N days ahead (default "
	    "recurrence_horizon_days)",
	    ctl_cmd_expand, NULL, 0 },
};
#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

/* ctl_fail - print "imipctl: message" on stderr; returns CTL_FAIL */
int
ctl_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("imipctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	putc('\n', stderr);
	return CTL_FAIL;
}

static void
usage_line(FILE *f, const struct ctl_cmd *cmd)
{
	fprintf(f, USAGE_HEAD "%s%s%s\n", cmd->name,
	    *cmd->args != '\0' ? " " : "", cmd->args);
}

/* Does cmd belong to prefix ("" all, "calendar" its group, or itself)? */
static bool
cmd_in(const struct ctl_cmd *cmd, const char *prefix)
{
	size_t len = strlen(prefix);

	return len == 0 || (strncmp(cmd->name, prefix, len) == 0 &&
	    (cmd->name[len] == '\0' || cmd->name[len] == ' '));
}

/* The usage lines of the commands under prefix ("" for all). */
static void
ctl_usage(FILE *f, const char *prefix)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (cmd_in(&commands[i], prefix))
			usage_line(f, &commands[i]);
}

/* The full help of imipctl --help. */
static void
help(FILE *f)
{
	const struct ctl_cmd *cmd;

	fputs(USAGE_HEAD "COMMAND [ARGUMENTS]\n\ncommands:\n", f);
	for (size_t i = 0; i < NCOMMANDS; i++) {
		cmd = &commands[i];
		fprintf(f, "  %s%s%s\n\t%s\n", cmd->name,
		    *cmd->args != '\0' ? " " : "", cmd->args, cmd->what);
		if (cmd->more != NULL)
			cmd->more(f);
	}
	fputs("\nTIME is YYYY-MM-DD or YYYY-MM-DDTHH:MM in the calendar's"
	    " time zone (journal: UTC).\nThe database is --db PATH, else the"
	    " \"database\" key of CONFIG,\nelse " CTL_DEFAULT_DB ".\n"
	    "COMMAND --help shows the usage of one command.\n"
	    "Exit status: 0 done, 1 failed, 2 bad command line.\n", f);
}

/*
 * Print "imipctl: [command: ]message" and the usage of prefix; returns
 * CTL_USAGE.
 */
static int __attribute__((format(printf, 3, 0)))
usage_error_v(const char *prefix, bool named, const char *fmt, va_list ap)
{
	fputs("imipctl: ", stderr);
	if (named)
		fprintf(stderr, "%s: ", prefix);
	vfprintf(stderr, fmt, ap);
	putc('\n', stderr);
	if (prefix != NULL)
		ctl_usage(stderr, prefix);
	else
		fputs(USAGE_HEAD "COMMAND [ARGUMENTS]\n"
		    "(imipctl --help lists the commands)\n", stderr);
	return CTL_USAGE;
}

static int
usage_error(const char *prefix, bool named, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
usage_error(const char *prefix, bool named, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = usage_error_v(prefix, named, fmt, ap);
	va_end(ap);
	return rc;
}

/* ctl_usage_error - "imipctl: CMD: message" and its usage; CTL_USAGE */
int
ctl_usage_error(const struct ctl_cmd *cmd, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = usage_error_v(cmd->name, true, fmt, ap);
	va_end(ap);
	return rc;
}

/* The message for getopt's ':' (missing argument) or '?' (unknown). */
static int
bad_option(const char *prefix, int c, char **argv)
{
	char shortopt[3] = { '-', (char)optopt, '\0' };
	const char *opt = argv[optind - 1];

	if (optopt != 0 && strncmp(opt, "--", 2) != 0)
		opt = shortopt;		/* maybe inside a cluster like -xc */
	if (c == ':')
		return usage_error(prefix, prefix != NULL,
		    "option %s needs an argument", opt);
	return usage_error(prefix, prefix != NULL, "unknown option %s", opt);
}

/*
 * ctl_opt_other - handle what a command's getopt loop does not: --help
 * (usage on stdout, CTL_OK) and errors (CTL_USAGE)
 */
int
ctl_opt_other(const struct ctl_cmd *cmd, int c, char **argv)
{
	if (c == 'h') {
		/* every form of the command: freebusy has two */
		ctl_usage(stdout, cmd->name);
		for (size_t i = 0; i < NCOMMANDS; i++) {
			if (strcmp(commands[i].name, cmd->name) != 0)
				continue;
			printf("\n%s\n", commands[i].what);
			if (commands[i].more != NULL)
				commands[i].more(stdout);
		}
		return CTL_OK;
	}
	return bad_option(cmd->name, c, argv);
}

/* ctl_open - open the database or say why not; a CTL_ exit code */
int
ctl_open(const struct ctl *ctl, int flags, struct imip_store **out)
{
	struct imip_err err = { 0 };
	struct stat sb;

	*out = NULL;
	if (!(flags & IMIP_STORE_CREATE) && stat(ctl->db, &sb) < 0 &&
	    errno == ENOENT)
		return ctl_fail("%s: no database (create it with imipctl init)",
		    ctl->db);
	if (imip_store_open(out, ctl->db, flags, ctl->busy_ms, &err) < 0)
		return ctl_fail("%s", err.msg);
	return CTL_OK;
}

/*
 * The command argv names, by its one or two words (*words: how many), or
 * NULL with *rc set when there is none: an unknown command, a group
 * without a good subcommand (CTL_USAGE), or a group's --help (CTL_OK).
 */
static const struct ctl_cmd *
find_cmd(int argc, char **argv, int *words, int *rc)
{
	const struct ctl_cmd *cmd;
	bool group = false;

	for (size_t i = 0; i < NCOMMANDS; i++) {
		cmd = &commands[i];
		*words = 1;
		if (strcmp(cmd->name, argv[0]) == 0)
			return cmd;
		if (!cmd_in(cmd, argv[0]))
			continue;
		group = true;
		*words = 2;
		if (argc > 1 && strcmp(cmd->name + strlen(argv[0]) + 1,
		    argv[1]) == 0)
			return cmd;
	}
	if (!group)
		*rc = usage_error(NULL, false, "unknown command '%s'", argv[0]);
	else if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		ctl_usage(stdout, argv[0]);
		*rc = CTL_OK;
	} else if (argc < 2)
		*rc = usage_error(argv[0], true, "missing subcommand");
	else
		*rc = usage_error(argv[0], true, "unknown subcommand '%s'",
		    argv[1]);
	return NULL;
}

/* ctl_conf_use - take the database and busy timeout from conf too */
void
ctl_conf_use(struct ctl *ctl, const struct imip_conf *conf)
{
	if (!ctl->db_given)
		ctl->db = conf->database;	/* --db wins over the file */
	ctl->busy_ms = conf->db_busy_ms;
	ctl->conf = conf;
}

/*
 * Take the database path and busy timeout from the config file, and keep
 * the whole snapshot for the commands that schedule (expand).
 */
static int
load_conf(struct ctl *ctl, struct imip_conf **conf)
{
	struct imip_err err = { 0 };

	if (imip_conf_load(conf, ctl->conf_path, &err) < 0)
		return ctl_fail("%s", err.msg);
	ctl_conf_use(ctl, *conf);
	return CTL_OK;
}

/* Find the command, load -c CONFIG unless it does that itself, run it. */
static int
dispatch(struct ctl *ctl, int argc, char **argv)
{
	struct imip_conf *conf = NULL;
	const struct ctl_cmd *cmd;
	int rc, words;

	if ((cmd = find_cmd(argc, argv, &words, &rc)) == NULL)
		return rc;
	if (ctl->conf_path != NULL && !(cmd->flags & CTL_OWN_CONF) &&
	    (rc = load_conf(ctl, &conf)) != CTL_OK)
		goto out;
	/* the command sees its last word as argv[0], as getopt wants */
	rc = cmd->run(ctl, cmd, argc - words + 1, argv + words - 1);
out:
	imip_conf_free(conf);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl ctl = { .db = CTL_DEFAULT_DB, .busy_ms = 5000 };
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:c:h", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			ctl.db = optarg;
			ctl.db_given = true;
			break;
		case 'c':
			ctl.conf_path = optarg;
			break;
		case 'h':
			help(stdout);
			rc = CTL_OK;
			goto out;
		default:
			rc = bad_option(NULL, c, argv);
			goto out;
		}
	}
	if (optind >= argc) {
		rc = usage_error(NULL, false, "no command given");
		goto out;
	}
	argc -= optind;
	argv += optind;
	optind = 0;			/* glibc: rescan from a new argv */
	rc = dispatch(&ctl, argc, argv);
out:
	if (fflush(stdout) == EOF && rc == CTL_OK)
		rc = ctl_fail("standard output: %s", strerror(errno));
	return rc;
}
