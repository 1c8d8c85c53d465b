/*
 * imipctl_cal.c - imipctl commands that change a calendar's settings.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "addr.h"
#include "imipctl.h"

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
