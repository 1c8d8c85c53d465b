/*
 * imipctl_outbox.c - imipctl outbox: the replies the filter generated and
 * what became of them.
 */
#include <stdio.h>

#include "imipctl.h"

/* "sent T", "failed T" or the next attempt, all in UTC. */
static void
outbox_state(char *buf, size_t len, const struct imip_outbox_rec *o)
{
	char t[32];

	ctl_time_utc(t, sizeof(t), o->sent ? o->sent : o->failed ? o->failed :
	    o->next_attempt, false);
	snprintf(buf, len, "%s%s", o->sent ? "sent " : o->failed ?
	    "failed " : "", t);
}

static int
outbox_row(const struct imip_outbox_rec *o, void *arg)
{
	struct ctl_list *x = arg;
	char id[24], created[32], attempts[16], state[48];

	snprintf(id, sizeof(id), "%lld", (long long)o->id);
	snprintf(attempts, sizeof(attempts), "%d", o->attempts);
	if (!x->json) {
		ctl_time_utc(created, sizeof(created), o->created, false);
		outbox_state(state, sizeof(state), o);
		return ctl_list_row(x, (const char *const[]){ id, created,
		    o->env_from, o->env_to, attempts, state,
		    o->last_error != NULL ? o->last_error : "" });
	}
	ctl_json_next(x);
	printf("\"id\": %s, \"attempts\": %s", id, attempts);
	ctl_json_time("created", o->created);
	ctl_json_time("next_attempt", o->next_attempt);
	ctl_json_time("sent", o->sent);
	ctl_json_time("failed", o->failed);
	ctl_json_field("from", o->env_from, false);
	ctl_json_field("to", o->env_to, false);
	ctl_json_field("last_error", o->last_error, false);
	putchar('}');
	return 0;
}

/* ctl_cmd_outbox_list - pending (or all) generated messages */
int
ctl_cmd_outbox_list(const struct ctl *ctl, const struct ctl_cmd *cmd,
    int argc, char **argv)
{
	static const char *const header[] = { "id", "created", "from", "to",
	    "attempts", "next attempt / sent", "last error" };
	struct imip_err err = { 0 };
	struct ctl_list x = { .err = &err };
	struct imip_store *st = NULL;
	bool all = false, done;
	int rc;

	if ((rc = ctl_list_opts(cmd, argc, argv, &x.json, &all, &done)) !=
	    CTL_OK || done)
		return rc;
	if ((rc = ctl_open(ctl, IMIP_STORE_READONLY, &st)) != CTL_OK)
		goto out;
	if (ctl_list_start(&x, 7, header) < 0 ||
	    imip_store_outbox_foreach(st, !all, outbox_row, &x, &err) < 0) {
		rc = ctl_fail("%s", err.msg[0] != '\0' ? err.msg :
		    "out of memory");
		goto out;
	}
	ctl_list_end(&x, all ? "outbox empty" : "no pending messages");
out:
	ctl_table_fini(&x.t);
	imip_store_close(st);
	return rc;
}
