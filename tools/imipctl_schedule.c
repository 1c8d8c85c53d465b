/*
 * imipctl_schedule.c - imipctl schedule: the busy periods of one calendar
 * with what they belong to, in the calendar's own time zone.
 */
#include <getopt.h>
#include <stdio.h>

#include "imipctl.h"

/* A table row for one busy period, times in the process's zone. */
static int
busy_row(const struct imip_busy_rec *b, void *arg)
{
	struct ctl_list *x = arg;
	char start[32], end[32];

	ctl_time_local(start, sizeof(start), b->start);
	ctl_time_local(end, sizeof(end), b->end);
	return ctl_list_row(x, (const char *const[]){ start, end, b->fbtype,
	    b->summary != NULL ? b->summary : "-",
	    b->organizer != NULL ? b->organizer : "-", b->uid });
}

/* Print the schedule of cal, whose zone is the process's TZ by now. */
static int
schedule_print(struct imip_store *st, const struct imip_calendar *cal,
    time_t from, time_t to)
{
	static const char *const header[] = { "start", "end", "fbtype",
	    "summary", "organizer", "uid" };
	struct imip_err err = { 0 };
	struct ctl_list x = { .err = &err };
	char a[32], b[32];
	int rc = CTL_OK;

	ctl_time_local(a, sizeof(a), from);
	ctl_time_local(b, sizeof(b), to);
	printf("%s (%s), %s to %s\n", cal->address, cal->tz, a, b);
	if (ctl_list_start(&x, 6, header) < 0 ||
	    imip_store_busy_overlapping(st, cal->id, from, to, NULL, busy_row,
	    &x, &err) < 0)
		rc = ctl_fail("%s", err.msg[0] != '\0' ? err.msg :
		    "out of memory");
	else
		ctl_list_end(&x, "no bookings");
	ctl_table_fini(&x.t);
	return rc;
}

/* ctl_cmd_schedule - the busy periods of one calendar */
int
ctl_cmd_schedule(const struct ctl *ctl, const struct ctl_cmd *cmd,
    int argc, char **argv)
{
	static const struct option lo[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *from_s = NULL, *to_s = NULL;
	struct imip_calendar *cal = NULL;
	struct imip_err err = { 0 };
	struct imip_store *st = NULL;
	time_t from, to;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (c == 'f')
			from_s = optarg;
		else if (c == 't')
			to_s = optarg;
		else
			return ctl_opt_other(cmd, c, argv);
	}
	if ((rc = ctl_operands(cmd, argc, argv, 1, "ADDRESS")) != CTL_OK ||
	    (rc = ctl_open(ctl, IMIP_STORE_READONLY, &st)) != CTL_OK)
		goto out;
	if (imip_store_calendar_find(st, argv[optind], &cal, &err) < 0) {
		rc = ctl_fail("%s", err.msg);
		goto out;
	}
	if ((rc = ctl_use_zone(cal->tz)) != CTL_OK ||
	    (rc = ctl_range(cmd, from_s, to_s, &from, &to)) != CTL_OK)
		goto out;
	rc = schedule_print(st, cal, from, to);
out:
	imip_calendar_free(cal);
	imip_store_close(st);
	return rc;
}
