/*
 * reply.c - the REPLY an attendee calendar sends, as iCalendar and as mail.
 *
 * libical writes the VCALENDAR (escaping, folding); gmime writes the MIME
 * message (headers, encodings).  Times are written in UTC, so the reply
 * needs no VTIMEZONE and every client reads the same instants.
 */
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>
#include <libical/ical.h>

#include "icaltime.h"
#include "mime.h"
#include "reply.h"

static icalproperty *
cal_address_prop(icalproperty *p, const char *addr, const char *cn)
{
	char *uri;

	if (p == NULL)
		return NULL;
	if ((uri = malloc(strlen(addr) + 8)) != NULL) {
		strcpy(uri, "mailto:");
		strcat(uri, addr);
		icalproperty_set_value_from_string(p, uri, "CAL-ADDRESS");
		free(uri);
	}
	if (cn != NULL)
		icalproperty_add_parameter(p, icalparameter_new_cn(cn));
	return p;
}

static icalproperty *
status_prop(int major, int minor, const char *text, const char *data)
{
	struct icalreqstattype rs;

	memset(&rs, 0, sizeof(rs));
	rs.code = icalenum_num_to_reqstat((short)major, (short)minor);
	rs.desc = text;
	rs.debug = data;
	return icalproperty_new_requeststatus(rs);
}

/* UID, DTSTAMP, SEQUENCE, ORGANIZER and the one ATTENDEE, as partstat. */
static icalcomponent *
answer_vevent(const struct imip_reply_spec *s, const char *partstat)
{
	const struct imip_itip *rq = s->request;
	icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
	icalproperty *att;

	icalcomponent_add_property(ev, icalproperty_new_uid(rq->uid));
	icalcomponent_add_property(ev, imip_icaltime_prop(icalproperty_new_dtstamp,
	    s->now));
	icalcomponent_add_property(ev,
	    icalproperty_new_sequence(rq->sequence));
	if (rq->summary != NULL)
		icalcomponent_add_property(ev,
		    icalproperty_new_summary(rq->summary));
	if (rq->organizer != NULL)
		icalcomponent_add_property(ev, cal_address_prop(
		    icalproperty_new(ICAL_ORGANIZER_PROPERTY), rq->organizer,
		    rq->organizer_name));
	att = cal_address_prop(icalproperty_new(ICAL_ATTENDEE_PROPERTY),
	    s->attendee, s->attendee_name);
	icalproperty_add_parameter(att, icalparameter_new_partstat(
	    icalparameter_string_to_enum(partstat)));
	icalcomponent_add_property(ev, att);
	return ev;
}

/* The VEVENT of the reply: only what RFC 5546 3.2.3 asks for. */
static icalcomponent *
reply_vevent(const struct imip_reply_spec *s)
{
	const struct imip_itip *rq = s->request;
	icalcomponent *ev = answer_vevent(s, s->partstat);

	if (s->rid != 0)
		icalcomponent_add_property(ev, imip_icaltime_prop(
		    icalproperty_new_recurrenceid, s->rid));
	if (rq->end > rq->start) {
		icalcomponent_add_property(ev,
		    imip_icaltime_prop(icalproperty_new_dtstart, rq->start));
		icalcomponent_add_property(ev,
		    imip_icaltime_prop(icalproperty_new_dtend, rq->end));
	}
	icalcomponent_add_property(ev, status_prop(s->status_major,
	    s->status_minor, s->status_text, s->status_data));
	return ev;
}

/*
 * One declined instance: RECURRENCE-ID in UTC, 4.0 with the clash.  The
 * clash is written into when, which must outlive the component: libical
 * keeps a REQUEST-STATUS's texts by pointer (reply_ical owns the buffer).
 */
static icalcomponent *
declined_vevent(const struct imip_reply_spec *s,
    const struct imip_reply_instance *in, char *when, size_t size)
{
	icalcomponent *ev = answer_vevent(s, "DECLINED");

	icalcomponent_add_property(ev, imip_icaltime_prop(icalproperty_new_recurrenceid,
	    in->rid));
	icalcomponent_add_property(ev, status_prop(4, 0, "Busy",
	    imip_period_ical(when, size, &in->conflict) ? when : NULL));
	return ev;
}

static icalparameter_fbtype
ical_fbtype(enum imip_fbtype type)
{
	switch (type) {
	case IMIP_FB_TENTATIVE:
		return ICAL_FBTYPE_BUSYTENTATIVE;
	case IMIP_FB_UNAVAILABLE:
		return ICAL_FBTYPE_BUSYUNAVAILABLE;
	default:
		return ICAL_FBTYPE_BUSY;
	}
}

/*
 * The VFREEBUSY answer (RFC 5546 3.3.2): the asked range and the busy
 * periods in it, times only, in UTC.
 */
static icalcomponent *
freebusy_vcomp(const struct imip_reply_spec *s)
{
	const struct imip_itip *rq = s->request;
	icalcomponent *fb = icalcomponent_new(ICAL_VFREEBUSY_COMPONENT);
	icalproperty *p;
	struct icalperiodtype per;
	icaltimezone *utc = icaltimezone_get_utc_timezone();

	if (rq->organizer != NULL)
		icalcomponent_add_property(fb, cal_address_prop(
		    icalproperty_new(ICAL_ORGANIZER_PROPERTY), rq->organizer,
		    rq->organizer_name));
	icalcomponent_add_property(fb, cal_address_prop(icalproperty_new(
	    ICAL_ATTENDEE_PROPERTY), s->attendee, s->attendee_name));
	icalcomponent_add_property(fb, icalproperty_new_uid(rq->uid));
	icalcomponent_add_property(fb, imip_icaltime_prop(icalproperty_new_dtstamp,
	    s->now));
	icalcomponent_add_property(fb, imip_icaltime_prop(icalproperty_new_dtstart,
	    rq->start));
	icalcomponent_add_property(fb, imip_icaltime_prop(icalproperty_new_dtend,
	    rq->end));
	for (size_t i = 0; i < s->nbusy; i++) {
		memset(&per, 0, sizeof(per));
		per.start = icaltime_from_timet_with_zone(
		    (time_t)s->busy[i].period.start, 0, utc);
		per.end = icaltime_from_timet_with_zone(
		    (time_t)s->busy[i].period.end, 0, utc);
		per.duration = icaldurationtype_null_duration();
		p = icalproperty_new_freebusy(per);
		icalproperty_add_parameter(p, icalparameter_new_fbtype(
		    ical_fbtype(s->busy[i].type)));
		icalcomponent_add_property(fb, p);
	}
	icalcomponent_add_property(fb, status_prop(s->status_major,
	    s->status_minor, s->status_text, NULL));
	return fb;
}

/* A REFRESH (RFC 5546 3.2.6): who asks, for which UID; nothing else. */
static icalcomponent *
refresh_vevent(const struct imip_reply_spec *s)
{
	const struct imip_itip *rq = s->request;
	icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);

	icalcomponent_add_property(ev, cal_address_prop(icalproperty_new(
	    ICAL_ATTENDEE_PROPERTY), s->attendee, s->attendee_name));
	icalcomponent_add_property(ev, imip_icaltime_prop(icalproperty_new_dtstamp,
	    s->now));
	icalcomponent_add_property(ev, cal_address_prop(icalproperty_new(
	    ICAL_ORGANIZER_PROPERTY), rq->organizer, rq->organizer_name));
	icalcomponent_add_property(ev, icalproperty_new_uid(rq->uid));
	return ev;
}

/* The iCalendar text of the answer (caller frees), NULL: out of memory. */
static char *
reply_ical(const struct imip_reply_spec *s)
{
	icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	char (*when)[64] = NULL;	/* the clash of each declined one */
	char *text = NULL;

	icalcomponent_add_property(cal,
	    icalproperty_new_prodid("-//imip-milter//imip-milter//EN"));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_method(s->refresh ?
	    ICAL_METHOD_REFRESH : ICAL_METHOD_REPLY));
	if (s->refresh) {
		icalcomponent_add_component(cal, refresh_vevent(s));
		goto done;
	}
	if (s->request->freebusy) {
		icalcomponent_add_component(cal, freebusy_vcomp(s));
		goto done;
	}
	if (s->ndeclined > 0 &&
	    (when = calloc(s->ndeclined, sizeof(*when))) == NULL)
		goto out;
	icalcomponent_add_component(cal, reply_vevent(s));
	for (size_t i = 0; i < s->ndeclined; i++)
		icalcomponent_add_component(cal, declined_vevent(s,
		    &s->declined[i], when[i], sizeof(when[i])));
done:
	text = icalcomponent_as_ical_string_r(cal);
out:
	icalcomponent_free(cal);
	free(when);
	return text;
}

static const char *
subject_word(const struct imip_reply_spec *s)
{
	const char *partstat = s->partstat;

	if (s->request->freebusy)
		return "Free/busy";
	if (s->refresh)
		return "Please send again";
	if (strcmp(partstat, "ACCEPTED") == 0)
		return "Accepted";
	if (strcmp(partstat, "DECLINED") == 0)
		return "Declined";
	if (strcmp(partstat, "TENTATIVE") == 0)
		return "Tentative";
	return "Reply";
}

/* Subject, Date and a new Message-ID: what every generated message has. */
static void
set_common(GMimeMessage *msg, const char *subject, const char *hostname,
    int64_t now)
{
	GDateTime *date = g_date_time_new_from_unix_utc(now);
	char *id = g_mime_utils_generate_message_id(hostname);

	g_mime_message_set_subject(msg, subject, "utf-8");
	g_mime_message_set_date(msg, date);
	g_date_time_unref(date);
	g_mime_message_set_message_id(msg, id);
	g_free(id);
}

/*
 * An automatic answer to the message in_reply_to (NULL: unknown): the
 * thread headers, RFC 3834's Auto-Submitted, and the mark (kind) that
 * keeps the filter from answering it when it passes again.
 */
static void
answer_headers(GMimeMessage *msg, const char *in_reply_to, const char *kind)
{
	GMimeObject *obj = GMIME_OBJECT(msg);

	if (in_reply_to != NULL) {
		g_mime_object_set_header(obj, "In-Reply-To", in_reply_to, NULL);
		g_mime_object_set_header(obj, "References", in_reply_to, NULL);
	}
	g_mime_object_set_header(obj, "Auto-Submitted", "auto-replied", NULL);
	g_mime_object_set_header(obj, "X-Auto-Response-Suppress", "All", NULL);
	g_mime_object_set_header(obj, IMIP_GENERATED_HEADER, kind, NULL);
}

static void
set_headers(GMimeMessage *msg, const struct imip_reply_spec *s)
{
	const char *what;
	char *subject;

	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM,
	    s->attendee_name, s->attendee);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO,
	    s->request->organizer_name, s->request->organizer);
	if (s->request->freebusy)
		what = s->attendee_name != NULL ? s->attendee_name :
		    s->attendee;
	else if ((what = s->request->summary) == NULL)
		what = "(no title)";
	subject = g_strdup_printf("%s: %s", subject_word(s), what);
	set_common(msg, subject, s->hostname, s->now);
	g_free(subject);
	answer_headers(msg, s->in_reply_to, "reply");
}

/* msg (consumed) with the human text and the iCalendar as its body. */
static int
finish_message(char **out, GMimeMessage *msg, const char *human,
    const char *ical, const char *method, struct imip_err *err)
{
	GMimeMultipart *alt = g_mime_multipart_new_with_subtype("alternative");
	GMimeObject *part;
	char *text;
	int rc = IMIP_OK;

	part = imip_mime_text_part("plain", human, NULL);
	g_mime_multipart_add(alt, part);
	g_object_unref(part);
	part = imip_mime_text_part("calendar", ical, method);
	g_mime_multipart_add(alt, part);
	g_object_unref(part);
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(alt));
	text = g_mime_object_to_string(GMIME_OBJECT(msg), NULL);
	if (text == NULL || (*out = strdup(text)) == NULL)
		rc = imip_err_set(err, IMIP_ENOMEM, "generated message");
	g_free(text);
	g_object_unref(alt);
	g_object_unref(msg);
	return rc;
}

int
imip_reply_build(char **out, const struct imip_reply_spec *s,
    struct imip_err *err)
{
	GMimeMessage *msg;
	char *ical;
	int rc;

	*out = NULL;
	if (s->request->organizer == NULL)
		return imip_err_set(err, IMIP_EPARSE, "no ORGANIZER to reply to");
	if ((ical = reply_ical(s)) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "reply iCalendar");
	msg = g_mime_message_new(TRUE);
	set_headers(msg, s);
	rc = finish_message(out, msg, s->human, ical, s->refresh ?
	    "REFRESH" : "REPLY", err);
	free(ical);
	return rc;
}

/* The delegate's invitation: the meeting's time, the room's question. */
static char *
approval_ical(const struct imip_approval_spec *s)
{
	const struct imip_itip *rq = s->request;
	icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
	icalproperty *att;
	char *uid, *summary, *text;

	icalcomponent_add_property(cal,
	    icalproperty_new_prodid("-//imip-milter//imip-milter//EN"));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal,
	    icalproperty_new_method(ICAL_METHOD_REQUEST));
	uid = g_strdup_printf("approve-%s@imip-milter", s->token);
	summary = g_strdup_printf("Approve: %s (%s)", rq->summary != NULL ?
	    rq->summary : "(no title)", s->calendar_name);
	icalcomponent_add_property(ev, icalproperty_new_uid(uid));
	icalcomponent_add_property(ev, imip_icaltime_prop(icalproperty_new_dtstamp,
	    s->now));
	icalcomponent_add_property(ev, icalproperty_new_sequence(0));
	icalcomponent_add_property(ev, icalproperty_new_summary(summary));
	icalcomponent_add_property(ev, icalproperty_new_description(s->human));
	icalcomponent_add_property(ev, imip_icaltime_prop(icalproperty_new_dtstart,
	    rq->start));
	icalcomponent_add_property(ev, imip_icaltime_prop(icalproperty_new_dtend,
	    rq->end > rq->start ? rq->end : rq->start + 3600));
	icalcomponent_add_property(ev, icalproperty_new_transp(
	    ICAL_TRANSP_TRANSPARENT));
	icalcomponent_add_property(ev, cal_address_prop(icalproperty_new(
	    ICAL_ORGANIZER_PROPERTY), s->ask_from, s->calendar_name));
	att = cal_address_prop(icalproperty_new(ICAL_ATTENDEE_PROPERTY),
	    s->delegate, NULL);
	icalproperty_add_parameter(att, icalparameter_new_partstat(
	    ICAL_PARTSTAT_NEEDSACTION));
	icalproperty_add_parameter(att, icalparameter_new_rsvp(
	    ICAL_RSVP_TRUE));
	icalcomponent_add_property(ev, att);
	icalcomponent_add_component(cal, ev);
	text = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	g_free(uid);
	g_free(summary);
	return text;
}

int
imip_approval_build(char **out, const struct imip_approval_spec *s,
    struct imip_err *err)
{
	GMimeMessage *msg;
	GMimeObject *obj;
	char *ical, *subject;
	int rc;

	*out = NULL;
	if ((ical = approval_ical(s)) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "approval iCalendar");
	msg = g_mime_message_new(TRUE);
	obj = GMIME_OBJECT(msg);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM,
	    s->calendar_name, s->ask_from);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, NULL,
	    s->delegate);
	subject = g_strdup_printf("Approval needed: %s (%s)",
	    s->request->summary != NULL ? s->request->summary : "(no title)",
	    s->calendar_name);
	set_common(msg, subject, s->hostname, s->now);
	g_free(subject);
	/* A person must answer this one: generated, not an auto-reply. */
	g_mime_object_set_header(obj, "Auto-Submitted", "auto-generated", NULL);
	g_mime_object_set_header(obj, IMIP_GENERATED_HEADER, "approval", NULL);
	rc = finish_message(out, msg, s->human, ical, "REQUEST", err);
	free(ical);
	return rc;
}

/*
 * The stored object again as METHOD:REQUEST with a fresh DTSTAMP: what
 * the organizer's calendar would send for a REFRESH (RFC 5546 3.2.6).
 */
static char *
resend_ical(const char *stored, int64_t now)
{
	icalcomponent *cal = icalparser_parse_string(stored), *c;
	icalproperty *p;
	char *text;

	if (cal == NULL)
		return NULL;
	if (icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT) {
		icalcomponent_free(cal);
		return NULL;
	}
	while ((p = icalcomponent_get_first_property(cal,
	    ICAL_METHOD_PROPERTY)) != NULL) {
		icalcomponent_remove_property(cal, p);
		icalproperty_free(p);
	}
	icalcomponent_add_property(cal,
	    icalproperty_new_method(ICAL_METHOD_REQUEST));
	for (c = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	    c != NULL; c = icalcomponent_get_next_component(cal,
	    ICAL_VEVENT_COMPONENT)) {
		while ((p = icalcomponent_get_first_property(c,
		    ICAL_DTSTAMP_PROPERTY)) != NULL) {
			icalcomponent_remove_property(c, p);
			icalproperty_free(p);
		}
		icalcomponent_add_property(c,
		    imip_icaltime_prop(icalproperty_new_dtstamp, now));
	}
	text = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	return text;
}

int
imip_resend_build(char **out, const struct imip_resend_spec *s,
    struct imip_err *err)
{
	GMimeMessage *msg;
	char *ical, *subject;
	int rc;

	*out = NULL;
	if ((ical = resend_ical(s->stored, s->now)) == NULL)
		return imip_err_set(err, IMIP_EPARSE, "stored event unreadable");
	msg = g_mime_message_new(TRUE);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, s->from_name,
	    s->from);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, NULL, s->to);
	subject = g_strdup_printf("Invitation: %s", s->summary != NULL ?
	    s->summary : "(no title)");
	set_common(msg, subject, s->hostname, s->now);
	g_free(subject);
	answer_headers(msg, s->in_reply_to, "refresh");
	rc = finish_message(out, msg, s->human, ical, "REQUEST", err);
	free(ical);
	return rc;
}
