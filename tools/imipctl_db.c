/*
 * imipctl_db.c - imipctl commands on the database file as a whole: init
 * creates it or brings its schema up to date, backup copies it while the
 * filter may be writing (core/store_file.c does the copying).
 */
#include <getopt.h>
#include <stdio.h>

#include "imipctl.h"

/* ctl_cmd_init - create or migrate the database */
int
ctl_cmd_init(const struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	struct imip_store *st = NULL;
	int rc;

	if ((rc = ctl_plain_args(cmd, argc, argv, 0, "")) != CTL_OK)
		return rc < 0 ? CTL_OK : rc;
	if ((rc = ctl_open(ctl, IMIP_STORE_CREATE, &st)) != CTL_OK)
		return rc;
	printf("%s: schema version %d\n", ctl->db, imip_store_version(st));
	imip_store_close(st);
	return CTL_OK;
}

/* ctl_cmd_backup - a consistent copy of the database, safe while in use */
int
ctl_cmd_backup(const struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	struct imip_err err = { 0 };
	struct imip_store *st = NULL;
	int rc;

	if ((rc = ctl_plain_args(cmd, argc, argv, 1, "DEST")) != CTL_OK)
		return rc < 0 ? CTL_OK : rc;
	if (*argv[optind] == '\0')
		return ctl_usage_error(cmd, "DEST is empty");
	if ((rc = ctl_open(ctl, IMIP_STORE_READONLY, &st)) != CTL_OK)
		return rc;
	if (imip_store_backup(st, argv[optind], &err) < 0)
		rc = ctl_fail("backup: %s", err.msg);
	else
		printf("%s: copied to %s (schema version %d, integrity ok)\n",
		    ctl->db, argv[optind], imip_store_version(st));
	imip_store_close(st);
	return rc;
}
