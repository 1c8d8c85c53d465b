/*
 * imipctl_db.c - imipctl commands on the database file as a whole: init
 * creates it or brings its schema up to date.
 */
#include <getopt.h>
#include <stdio.h>

#include "imipctl.h"

/* ctl_cmd_init - create or migrate the database */
int
ctl_cmd_init(const struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct imip_store *st = NULL;
	int c, rc;

	if ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1)
		return ctl_opt_other(cmd, c, argv);
	if ((rc = ctl_operands(cmd, argc, argv, 0, "")) != CTL_OK ||
	    (rc = ctl_open(ctl, IMIP_STORE_CREATE, &st)) != CTL_OK)
		return rc;
	printf("%s: schema version %d\n", ctl->db, imip_store_version(st));
	imip_store_close(st);
	return CTL_OK;
}
