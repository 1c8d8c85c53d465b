/*
 * person_fx.h - the sched_fx fixture with Carol, a person, as its
 * calendar: carol() feeds what she receives, sent() what she sends.
 */
#ifndef IMIP_TEST_PERSON_FX_H
#define IMIP_TEST_PERSON_FX_H

#include "sched_fx.h"

#define CAROL	"carol@example.org"

static int
setup_person(void **state)
{
	struct fx *fx;

	setup(state);
	fx = *state;
	imip_calendar_free(fx->room);
	fx->room = dbfx_calendar(fx->db, CAROL, IMIP_CAL_PERSON, "Carol",
	    "Europe/Berlin");
	return 0;
}

/* Parse and expand method + body, then schedule it with fn. */
static const char *
person_run(struct fx *fx, const char *method, const char *body,
    int (*fn)(struct imip_store *, const struct imip_sched_ctx *,
    const struct imip_calendar *, const struct imip_itip *,
    struct imip_outcome *, struct imip_err *))
{
	struct imip_itip *it = NULL;
	char *text = calendar(method, body);

	imip_outcome_fini(&fx->out);
	if (imip_itip_parse(&it, text, NULL, fx->room->tz, &fx->err) < 0 ||
	    imip_itip_expand(it, HORIZON, 1000, fx->room->tz, &fx->err) < 0 ||
	    fn(fx->db->st, &fx->ctx, fx->room, it, &fx->out, &fx->err) < 0)
		fail_msg("scheduling failed: %s", fx->err.msg);
	imip_itip_free(it);
	free(text);
	return fx->out.decision;
}

/* What Carol receives; returns the decision. */
static const char *
carol(struct fx *fx, const char *method, const char *body)
{
	return person_run(fx, method, body, imip_schedule_person);
}

/* What Carol sends, recorded in her own calendar. */
static const char *
sent(struct fx *fx, const char *method, const char *body)
{
	fx->ctx.sender = CAROL;
	return person_run(fx, method, body, imip_schedule_outgoing);
}

/* Set Carol's key to value and load her calendar again. */
static void
carol_set(struct fx *fx, const char *key, const char *value)
{
	struct imip_err err = { 0 };

	assert_int_equal(imip_store_calendar_set(fx->db->st, CAROL, key,
	    value, &err), IMIP_OK);
	imip_calendar_free(fx->room);
	assert_int_equal(imip_store_calendar_find(fx->db->st, CAROL,
	    &fx->room, &err), IMIP_OK);
}

#endif
