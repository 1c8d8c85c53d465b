/*
 * imipctl_cal_list.c - imipctl calendar list: every calendar with what its
 * policy changes from the defaults, as a table or JSON.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "imipctl.h"

/* Append one policy word to buf when cond holds. */
static void
word(char *buf, size_t size, bool cond, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
word(char *buf, size_t size, bool cond, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (!cond || n + 2 >= size)
		return;
	if (n > 0)
		buf[n++] = ' ';
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

/* What differs from the defaults, in a few words ("-" for none). */
static const char *
policy_summary(const struct imip_calendar *cal, char *buf, size_t size)
{
	const struct imip_policy *p = &cal->policy;

	buf[0] = '\0';
	word(buf, size, p->approval, "approval by %s", p->delegates != NULL ?
	    p->delegates : "(no delegates)");
	word(buf, size, !p->approval && p->delegates != NULL, "delegates=%s",
	    p->delegates);
	word(buf, size, p->external, "external");
	word(buf, size, p->capacity > 1, "capacity=%d", p->capacity);
	word(buf, size, p->window_days > 0, "window=%dd", p->window_days);
	word(buf, size, p->min_minutes > 0, "min=%dmin", p->min_minutes);
	word(buf, size, p->max_minutes > 0, "max=%dmin", p->max_minutes);
	word(buf, size, !p->recurring, "no-recurring");
	word(buf, size, p->working_hours != NULL, "hours=%s",
	    p->working_hours);
	word(buf, size, p->allow != NULL, "allow=%s", p->allow);
	word(buf, size, p->deny != NULL, "deny=%s", p->deny);
	word(buf, size, p->conflict_max_instances >= 0, "conflicts<=%d",
	    p->conflict_max_instances);
	word(buf, size, p->conflict_max_percent >= 0, "conflicts<=%d%%",
	    p->conflict_max_percent);
	word(buf, size, cal->consume, "consume");
	word(buf, size, cal->publish_freebusy, "publish-freebusy");
	word(buf, size, !p->block_pending, "no-block-pending");
	word(buf, size, p->accept_if_free, "accept-if-free");
	word(buf, size, p->answer_refresh, "answer-refresh");
	word(buf, size, p->store_publish, "store-publish");
	return buf[0] != '\0' ? buf : "-";
}

static void
json_int(const char *key, int value)
{
	printf(", \"%s\": %d", key, value);
}

static void
json_bool(const char *key, bool value)
{
	printf(", \"%s\": %s", key, value ? "true" : "false");
}

/* A threshold of the calendar, or null for the configured one (-1). */
static void
json_threshold(const char *key, int value)
{
	if (value >= 0)
		json_int(key, value);
	else
		printf(", \"%s\": null", key);
}

/* The policy as a JSON object; every key, so a script finds each. */
static void
policy_json(const struct imip_calendar *cal)
{
	const struct imip_policy *p = &cal->policy;

	printf(", \"policy\": {\"booking\": \"%s\"",
	    p->approval ? "approval" : "automatic");
	ctl_json_field("delegates", p->delegates, false);
	json_int("capacity", p->capacity);
	json_int("window_days", p->window_days);
	json_int("min_minutes", p->min_minutes);
	json_int("max_minutes", p->max_minutes);
	json_bool("recurring", p->recurring);
	json_threshold("conflict_max_instances", p->conflict_max_instances);
	json_threshold("conflict_max_percent", p->conflict_max_percent);
	ctl_json_field("working_hours", p->working_hours, false);
	ctl_json_field("allow", p->allow, false);
	ctl_json_field("deny", p->deny, false);
	json_bool("external", p->external);
	json_bool("block_pending", p->block_pending);
	json_bool("accept_if_free", p->accept_if_free);
	json_bool("answer_refresh", p->answer_refresh);
	json_bool("store_publish", p->store_publish);
	printf(", \"delivery\": \"%s\"}", cal->consume ? "consume" :
	    "deliver");
}

static int
cal_row(const struct imip_calendar *cal, void *arg)
{
	struct ctl_list *x = arg;
	const char *kind = imip_cal_kind_name(cal->kind);
	char policy[512];

	if (!x->json)
		return ctl_list_row(x, (const char *const[]){ cal->address,
		    kind, cal->name != NULL ? cal->name : "-", cal->tz,
		    cal->share_freebusy ? "yes" : "no",
		    policy_summary(cal, policy, sizeof(policy)) });
	ctl_json_next(x);
	ctl_json_field("address", cal->address, true);
	ctl_json_field("kind", kind, false);
	ctl_json_field("name", cal->name, false);
	ctl_json_field("tz", cal->tz, false);
	json_bool("share_freebusy", cal->share_freebusy);
	json_bool("publish_freebusy", cal->publish_freebusy);
	policy_json(cal);
	printf("}");
	return 0;
}

/* ctl_cmd_cal_list - list the calendars, as a table or JSON */
int
ctl_cmd_cal_list(const struct ctl *ctl, const struct ctl_cmd *cmd,
    int argc, char **argv)
{
	static const char *const header[] = { "address", "kind", "name",
	    "tz", "share-freebusy", "policy" };
	struct imip_err err = { 0 };
	struct ctl_list x = { .err = &err };
	struct imip_store *st = NULL;
	bool done;
	int rc;

	if ((rc = ctl_list_opts(cmd, argc, argv, &x.json, NULL, &done)) !=
	    CTL_OK || done)
		return rc;
	if ((rc = ctl_open(ctl, IMIP_STORE_READONLY, &st)) != CTL_OK)
		goto out;
	if (ctl_list_start(&x, 6, header) < 0 ||
	    imip_store_calendar_foreach(st, cal_row, &x, &err) < 0) {
		rc = ctl_fail("%s", err.msg[0] != '\0' ? err.msg :
		    "out of memory");
		goto out;
	}
	ctl_list_end(&x, "no calendars");
out:
	ctl_table_fini(&x.t);
	imip_store_close(st);
	return rc;
}
