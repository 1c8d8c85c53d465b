/*
 * imipctl_cal.c - imipctl commands that change calendars: add one, and
 * change its settings.
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
		rc = ctl_fail("unknown time zone '%s' (no zone file %s)", tz,
		    path);
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
cal_add(const struct ctl *ctl, const char *address, enum imip_cal_kind kind,
    const char *name, const char *tz)
{
	struct imip_err err = { 0 };
	struct imip_store *st = NULL;
	char *addr = NULL;
	int rc;

	if (imip_addr_norm(&addr, address, &err) < 0) {
		rc = ctl_fail("%s", err.msg);
		goto out;
	}
	if ((rc = ctl_open(ctl, 0, &st)) != CTL_OK)
		goto out;
	if (imip_store_calendar_add(st, addr, kind, name, tz, time(NULL),
	    &err) < 0) {
		rc = ctl_fail("%s", err.msg);
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
	return cal_add(ctl, argv[optind], kind, name, tz);
}

/* ctl_cmd_cal_set - change one setting of a calendar */
int
ctl_cmd_cal_set(const struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct imip_err err = { 0 };
	struct imip_store *st = NULL;
	int c, rc;

	if ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1)
		return ctl_opt_other(cmd, c, argv);
	if ((rc = ctl_operands(cmd, argc, argv, 3, "ADDRESS KEY VALUE")) !=
	    CTL_OK)
		return rc;
	if ((rc = ctl_open(ctl, 0, &st)) != CTL_OK)
		return rc;
	rc = imip_store_calendar_set(st, argv[optind], argv[optind + 1],
	    argv[optind + 2], &err);
	if (rc == IMIP_EPARSE)
		rc = ctl_usage_error(cmd, "%s", err.msg);
	else if (rc < 0)
		rc = ctl_fail("%s", err.msg);
	else {
		printf("calendar %s: %s = %s\n", argv[optind],
		    argv[optind + 1], argv[optind + 2]);
		rc = CTL_OK;
	}
	imip_store_close(st);
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
