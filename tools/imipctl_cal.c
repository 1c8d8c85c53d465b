/*
 * imipctl_cal.c - imipctl commands that change calendars: add, remove,
 * rename, and change a setting.
 *
 * Remove and rename run in one BEGIN IMMEDIATE transaction, so a booking
 * the filter makes meanwhile either comes before (and is counted) or
 * after (and finds the calendar gone or renamed).  Both leave a journal
 * row with the queue id "imipctl", as expand leaves "expand".
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "imipctl.h"
#include "publish.h"

/*
 * Accept ZONE only if it names a compiled zone file: no absolute path, no
 * "..", nothing but zone-name characters, and the file starts "TZif".
 */
static int
check_zone(const struct ctl_cmd *cmd, const char *tz)
{
	char path[512], magic[4];
	struct stat sb;
	int fd = -1, rc;

	if (*tz == '\0' || *tz == '/' || strstr(tz, "..") != NULL ||
	    strspn(tz, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789/_+-") != strlen(tz) || strlen(tz) > 200) {
		rc = ctl_usage_error(cmd, "invalid time zone name '%s'", tz);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/%s", CTL_ZONEINFO, tz);
	if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    read(fd, magic, sizeof(magic)) != sizeof(magic) ||
	    memcmp(magic, "TZif", sizeof(magic)) != 0) {
		rc = ctl_usage_error(cmd, "unknown time zone '%s' (no zone "
		    "file %s)", tz, path);
		goto out;
	}
	rc = CTL_OK;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Add the calendar once the command line is known to be good. */
static int
cal_add(const struct ctl *ctl, const struct ctl_cmd *cmd,
    const char *address, enum imip_cal_kind kind, const char *name,
    const char *tz)
{
	struct imip_err err = { 0 };
	struct imip_store *st = NULL;
	char *addr = NULL;
	int rc;

	if (imip_addr_norm(&addr, address, &err) < 0) {
		rc = ctl_store_fail(cmd, &err);
		goto out;
	}
	if ((rc = ctl_open(ctl, 0, &st)) != CTL_OK)
		goto out;
	if (imip_store_calendar_add(st, addr, kind, name, tz, time(NULL),
	    &err) < 0) {
		rc = ctl_store_fail(cmd, &err);
		goto out;
	}
	printf("calendar %s added (%s, %s)\n", addr, imip_cal_kind_name(kind),
	    tz);
	rc = CTL_OK;
out:
	imip_store_close(st);
	free(addr);
	return rc;
}

/* ctl_cmd_cal_add - manage an address as a calendar */
int
ctl_cmd_cal_add(const struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option lo[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "name", required_argument, NULL, 'n' },
		{ "tz", required_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *kind_s = NULL, *name = NULL, *tz = "UTC";
	enum imip_cal_kind kind;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (c == 'k')
			kind_s = optarg;
		else if (c == 'n')
			name = *optarg != '\0' ? optarg : NULL;
		else if (c == 'z')
			tz = optarg;
		else
			return ctl_opt_other(cmd, c, argv);
	}
	if ((rc = ctl_operands(cmd, argc, argv, 1, "ADDRESS")) != CTL_OK)
		return rc;
	if (kind_s == NULL)
		return ctl_usage_error(cmd, "--kind is required");
	if (imip_cal_kind_parse(kind_s, &kind) < 0)
		return ctl_usage_error(cmd, "--kind is resource or person, "
		    "not '%s'", kind_s);
	if ((rc = check_zone(cmd, tz)) != CTL_OK)
		return rc;
	return cal_add(ctl, cmd, argv[optind], kind, name, tz);
}

/* ctl_cmd_cal_set - change one setting of a calendar */
int
ctl_cmd_cal_set(const struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	struct imip_err err = { 0 };
	struct imip_store *st = NULL;
	int rc;

	if ((rc = ctl_plain_args(cmd, argc, argv, 3, "ADDRESS KEY VALUE")) !=
	    CTL_OK)
		return rc < 0 ? CTL_OK : rc;
	if ((rc = ctl_open(ctl, 0, &st)) != CTL_OK)
		return rc;
	if (imip_store_calendar_set(st, argv[optind], argv[optind + 1],
	    argv[optind + 2], &err) < 0)
		rc = ctl_store_fail(cmd, &err);
	else {
		printf("calendar %s: %s = %s\n", argv[optind],
		    argv[optind + 1], argv[optind + 2]);
		rc = CTL_OK;
	}
	imip_store_close(st);
	return rc;
}

/* Note a change made here in the journal, as the filter notes its own. */
static int
journal_note(struct imip_store *st, const char *address,
    const char *decision, const char *reason, time_t now,
    struct imip_err *err)
{
	struct imip_journal_rec j = { .at = now, .queue_id = "imipctl",
	    .calendar = address, .decision = decision, .reason = reason };

	return imip_store_journal_add(st, &j, err);
}

/* What calendar remove or rename was asked, and what it says it did. */
struct cal_change {
	time_t		 now;
	bool		 force;		/* remove: even with bookings ahead */
	const char	*to;		/* rename: the new address */
	char		 done[384];	/* printed once committed */
};

/*
 * With -c naming a freebusy_dir: the free/busy file of the old address
 * goes, and a renamed calendar that publishes gets one under its new one.
 */
static int
cal_files(const struct ctl *ctl, struct imip_store *st, const char *old,
    const struct cal_change *c)
{
	struct imip_calendar *cal = NULL;
	struct imip_err err = { 0 };
	int rc;

	if (ctl->conf == NULL)
		return CTL_OK;
	if ((rc = imip_publish_forget(ctl->conf, old, &err)) == IMIP_OK &&
	    c->to != NULL &&
	    (rc = imip_store_calendar_find(st, c->to, &cal, &err)) == IMIP_OK)
		rc = imip_publish_freebusy(st, ctl->conf, cal, c->now, &err);
	imip_calendar_free(cal);
	return rc < 0 ? ctl_fail("free/busy file: %s", err.msg) : CTL_OK;
}

/*
 * Change the calendar of address in one BEGIN IMMEDIATE transaction:
 * change() does it inside, or refuses with err set (exit status 1).
 * Its published free/busy file follows once that is committed.
 */
static int
cal_change(const struct ctl *ctl, const struct ctl_cmd *cmd,
    const char *address, struct cal_change *c,
    int (*change)(struct imip_store *, const struct imip_calendar *,
    struct cal_change *, struct imip_err *))
{
	struct imip_calendar *cal = NULL;
	struct imip_err err = { 0 };
	struct imip_store *st = NULL;
	int rc;

	c->now = time(NULL);
	if ((rc = ctl_open_cal(ctl, cmd, 0, address, &st, &cal)) != CTL_OK)
		goto out;
	if (imip_store_begin(st, &err) < 0 || change(st, cal, c, &err) < 0 ||
	    imip_store_commit(st, &err) < 0) {
		rc = ctl_store_fail(cmd, &err);
		goto out;
	}
	printf("%s\n", c->done);
	rc = cal_files(ctl, st, cal->address, c);
out:
	imip_store_rollback(st);	/* no-op after COMMIT */
	imip_calendar_free(cal);
	imip_store_close(st);
	return rc;
}

/*
 * Remove cal with everything it holds; refused, unless c->force, when
 * events hold busy time that has not ended yet.
 */
static int
remove_change(struct imip_store *st, const struct imip_calendar *cal,
    struct cal_change *c, struct imip_err *err)
{
	char reason[96];
	int64_t n = 0;
	int rc;

	if ((rc = imip_store_calendar_future(st, cal->id, c->now, &n,
	    err)) < 0)
		return rc;
	if (n > 0 && !c->force)
		return imip_err_set(err, IMIP_ERR, "calendar %s has %lld "
		    "event%s with bookings ahead; --force removes it with "
		    "them", cal->address, (long long)n, n == 1 ? "" : "s");
	snprintf(reason, sizeof(reason), "with %lld event%s booked ahead",
	    (long long)n, n == 1 ? "" : "s");
	snprintf(c->done, sizeof(c->done), "calendar %s removed, %s",
	    cal->address, reason);
	if ((rc = imip_store_calendar_remove(st, cal->id, err)) < 0)
		return rc;
	return journal_note(st, cal->address, "REMOVED", reason, c->now, err);
}

/* ctl_cmd_cal_remove - stop managing a calendar, forget its bookings */
int
ctl_cmd_cal_remove(const struct ctl *ctl, const struct ctl_cmd *cmd,
    int argc, char **argv)
{
	static const struct option lo[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cal_change c = { .force = false };
	int ch, rc;

	while ((ch = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (ch != 'f')
			return ctl_opt_other(cmd, ch, argv);
		c.force = true;
	}
	if ((rc = ctl_operands(cmd, argc, argv, 1, "ADDRESS")) != CTL_OK)
		return rc;
	return cal_change(ctl, cmd, argv[optind], &c, remove_change);
}

/* Move cal to the address c->to, noted in the journal under both. */
static int
rename_change(struct imip_store *st, const struct imip_calendar *cal,
    struct cal_change *c, struct imip_err *err)
{
	char was[300], now_is[300];
	int rc;

	snprintf(was, sizeof(was), "renamed to %s", c->to);
	snprintf(now_is, sizeof(now_is), "renamed from %s", cal->address);
	snprintf(c->done, sizeof(c->done), "calendar %s renamed to %s",
	    cal->address, c->to);
	if ((rc = imip_store_calendar_rename(st, cal->id, c->to, err)) < 0 ||
	    (rc = journal_note(st, cal->address, "RENAMED", was, c->now,
	    err)) < 0)
		return rc;
	return journal_note(st, c->to, "RENAMED", now_is, c->now, err);
}

/* ctl_cmd_cal_rename - give a calendar a new address, keeping its events */
int
ctl_cmd_cal_rename(const struct ctl *ctl, const struct ctl_cmd *cmd,
    int argc, char **argv)
{
	struct imip_err err = { 0 };
	struct cal_change c = { .to = NULL };
	char *from = NULL, *to = NULL;
	int rc;

	if ((rc = ctl_plain_args(cmd, argc, argv, 2, "ADDRESS NEW-ADDRESS")) !=
	    CTL_OK)
		return rc < 0 ? CTL_OK : rc;
	if (imip_addr_norm(&from, argv[optind], &err) < 0 ||
	    imip_addr_norm(&to, argv[optind + 1], &err) < 0)
		rc = ctl_store_fail(cmd, &err);
	else if (strcmp(from, to) == 0)
		rc = ctl_usage_error(cmd, "%s is the address already", from);
	else {
		c.to = to;
		rc = cal_change(ctl, cmd, from, &c, rename_change);
	}
	free(from);
	free(to);
	return rc;
}

/*
 * ctl_setting_keys - the keys of calendar set for --help, from the store's
 * own table, wrapped to fit 80 columns after a tab
 */
void
ctl_setting_keys(FILE *f)
{
	const char *key, *next;
	size_t col;

	fputs("\tKEY is one of:", f);
	col = 8 + strlen("KEY is one of:");
	for (size_t i = 0; (key = imip_store_setting_key(i)) != NULL; i++) {
		next = imip_store_setting_key(i + 1);
		if (col + 1 + strlen(key) + 1 > 72) {
			fputs("\n\t", f);
			col = 8;
		} else {
			putc(' ', f);
			col++;
		}
		fprintf(f, "%s%s", key, next != NULL ? "," : "\n");
		col += strlen(key) + 1;
	}
}
