/*
 * itip.c - parse one iTIP object with libical and check what we rely on.
 *
 * libical does the iCalendar syntax, VTIMEZONE and IANA zone work; this file
 * only picks out the properties scheduling needs and refuses objects whose
 * meaning would be unclear (no UID, no DTSTART, contradicting METHOD).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "addr.h"
#include "icaltime.h"
#include "itip.h"
#include "tz.h"

static const char *const method_names[] = {
	[IMIP_METHOD_UNKNOWN] = "UNKNOWN",
	[IMIP_METHOD_PUBLISH] = "PUBLISH",
	[IMIP_METHOD_REQUEST] = "REQUEST",
	[IMIP_METHOD_REPLY] = "REPLY",
	[IMIP_METHOD_ADD] = "ADD",
	[IMIP_METHOD_CANCEL] = "CANCEL",
	[IMIP_METHOD_REFRESH] = "REFRESH",
	[IMIP_METHOD_COUNTER] = "COUNTER",
	[IMIP_METHOD_DECLINECOUNTER] = "DECLINECOUNTER",
};

void
imip_itip_init(void)
{
	/* libical's default may abort on an error; the setting is global. */
	icalerror_set_errors_are_fatal(0);
	imip_tz_init();
}

const char *
imip_method_name(enum imip_method method)
{
	if ((size_t)method >= sizeof(method_names) / sizeof(method_names[0]))
		return "UNKNOWN";
	return method_names[method];
}

enum imip_method
imip_method_parse(const char *name)
{
	if (name == NULL)
		return IMIP_METHOD_UNKNOWN;
	for (size_t i = 1; i < sizeof(method_names) / sizeof(method_names[0]);
	    i++)
		if (strcasecmp(name, method_names[i]) == 0)
			return (enum imip_method)i;
	return IMIP_METHOD_UNKNOWN;
}

void
imip_itip_free(struct imip_itip *itip)
{
	if (itip == NULL)
		return;
	for (size_t i = 0; i < itip->nattendees; i++) {
		free(itip->attendees[i].address);
		free(itip->attendees[i].name);
		free(itip->attendees[i].partstat);
	}
	free(itip->attendees);
	free(itip->uid);
	free(itip->organizer);
	free(itip->organizer_name);
	free(itip->organizer_sent_by);
	free(itip->summary);
	free(itip->comment);
	free(itip->vevent);
	free(itip->inst);
	if (itip->root != NULL)
		icalcomponent_free(itip->root);
	free(itip);
}

const struct imip_attendee *
imip_itip_attendee(const struct imip_itip *itip, const char *addr)
{
	for (size_t i = 0; i < itip->nattendees; i++)
		if (imip_addr_equal(itip->attendees[i].address, addr))
			return &itip->attendees[i];
	return NULL;
}

/* The first X-LIC-ERROR libical left anywhere in c, or NULL. */
static const char *
first_error(icalcomponent *c)
{
	icalproperty *p;
	icalcomponent *sub;
	const char *msg;

	p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY);
	if (p != NULL)
		return icalproperty_get_xlicerror(p);
	for (sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
	    sub != NULL;
	    sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		if ((msg = first_error(sub)) != NULL)
			return msg;
	return NULL;
}

/* Copy a text property, or NULL when it is absent. */
static int
text_prop(char **out, icalcomponent *c, icalproperty_kind kind,
    struct imip_err *err)
{
	icalproperty *p = icalcomponent_get_first_property(c, kind);
	icalvalue *val = p != NULL ? icalproperty_get_value(p) : NULL;
	const char *v;

	/*
	 * The text itself, unescaped ("a, b", not "a\\, b"): it goes into
	 * headers and log lines, and libical escapes it again when a reply
	 * writes it back.
	 */
	*out = NULL;
	if (val == NULL || icalvalue_isa(val) != ICAL_TEXT_VALUE ||
	    (v = icalvalue_get_text(val)) == NULL)
		return IMIP_OK;
	if ((*out = strdup(v)) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "text property");
	return IMIP_OK;
}

/* The method from METHOD and the Content-Type parameter, which must agree. */
static int
read_method(struct imip_itip *it, icalcomponent *root, const char *param,
    struct imip_err *err)
{
	icalproperty *p = icalcomponent_get_first_property(root,
	    ICAL_METHOD_PROPERTY);
	enum imip_method prop = IMIP_METHOD_UNKNOWN, par;

	par = imip_method_parse(param);
	if (p != NULL)
		prop = imip_method_parse(icalproperty_get_value_as_string(p));
	if (p != NULL && prop == IMIP_METHOD_UNKNOWN)
		return imip_err_set(err, IMIP_EUNSUPPORTED,
		    "unknown METHOD %s", icalproperty_get_value_as_string(p));
	if (p != NULL && param != NULL && *param != '\0' && par != prop)
		return imip_err_set(err, IMIP_EPARSE,
		    "method=%s parameter contradicts METHOD:%s", param,
		    imip_method_name(prop));
	it->method = p != NULL ? prop : par;
	if (it->method == IMIP_METHOD_UNKNOWN)
		return imip_err_set(err, IMIP_EPARSE, "no METHOD");
	return IMIP_OK;
}

static bool
same_uid(icalcomponent *a, icalcomponent *b)
{
	const char *ua = icalcomponent_get_uid(a), *ub = icalcomponent_get_uid(b);

	return ua != NULL && ub != NULL && strcmp(ua, ub) == 0;
}

static bool
is_override(icalcomponent *ev)
{
	return icalcomponent_get_first_property(ev,
	    ICAL_RECURRENCEID_PROPERTY) != NULL;
}

/*
 * The VEVENT that speaks for the object: its master, or the first
 * override when only overrides came (Thunderbird sends such REQUESTs).
 * Every VEVENT must carry the same UID; other components are refused.
 */
static int
find_events(struct imip_itip *it, icalcomponent **out, icalcomponent *root,
    struct imip_err *err)
{
	icalcomponent *c, *first = NULL, *master = NULL;
	icalcomponent_kind k;

	*out = NULL;
	for (c = icalcomponent_get_first_component(root, ICAL_ANY_COMPONENT);
	    c != NULL;
	    c = icalcomponent_get_next_component(root, ICAL_ANY_COMPONENT)) {
		if ((k = icalcomponent_isa(c)) == ICAL_VTIMEZONE_COMPONENT)
			continue;
		if (k != ICAL_VEVENT_COMPONENT)
			return imip_err_set(err, IMIP_EUNSUPPORTED,
			    "%s components are not scheduled",
			    icalcomponent_kind_to_string(k));
		if (first != NULL && !same_uid(first, c))
			return imip_err_set(err, IMIP_EPARSE,
			    "VEVENTs with different UIDs in one object");
		/* An ADD brings each new instance as a VEVENT of its own. */
		if (!is_override(c) && master != NULL &&
		    it->method != IMIP_METHOD_ADD)
			return imip_err_set(err, IMIP_EPARSE,
			    "two VEVENTs without RECURRENCE-ID");
		if (!is_override(c))
			master = c;
		else
			it->recurring = true;
		if (first == NULL)
			first = c;
	}
	if (first == NULL)
		return imip_err_set(err, IMIP_EPARSE, "no VEVENT");
	it->has_master = master != NULL;
	if (master != NULL && (icalcomponent_get_first_property(master,
	    ICAL_RRULE_PROPERTY) != NULL || icalcomponent_get_first_property(
	    master, ICAL_RDATE_PROPERTY) != NULL))
		it->recurring = true;
	*out = master != NULL ? master : first;
	return IMIP_OK;
}

/*
 * A VFREEBUSY object, if that is what root holds: then it must be the
 * only component besides VTIMEZONEs.
 */
static int
find_freebusy(struct imip_itip *it, icalcomponent **out, icalcomponent *root,
    struct imip_err *err)
{
	icalcomponent *c;
	int n = 0;

	*out = icalcomponent_get_first_component(root,
	    ICAL_VFREEBUSY_COMPONENT);
	if (*out == NULL)
		return IMIP_OK;
	for (c = icalcomponent_get_first_component(root, ICAL_ANY_COMPONENT);
	    c != NULL;
	    c = icalcomponent_get_next_component(root, ICAL_ANY_COMPONENT))
		if (icalcomponent_isa(c) != ICAL_VTIMEZONE_COMPONENT)
			n++;
	if (n != 1)
		return imip_err_set(err, IMIP_EPARSE, "a VFREEBUSY must be "
		    "the only component of its object");
	it->freebusy = true;
	return IMIP_OK;
}

/* tt, the value of ev's property kind, as UTC seconds. */
static int
to_utc(int64_t *out, icalcomponent *ev, icalproperty_kind kind,
    struct icaltimetype tt, const char *default_tz, struct imip_err *err)
{
	return imip_icaltime_utc(out, tt, icalcomponent_get_first_property(ev,
	    kind), icalcomponent_get_parent(ev), default_tz, err);
}

static int
read_times(struct imip_itip *it, icalcomponent *ev, const char *default_tz,
    struct imip_err *err)
{
	struct icaltimetype s = icalcomponent_get_dtstart(ev);
	struct icaltimetype e;
	int rc;

	if (icaltime_is_null_time(s)) {
		/*
		 * RFC 5546 3.2 lets a CANCEL, REPLY, REFRESH and
		 * DECLINECOUNTER leave DTSTART out: they name a stored
		 * object rather than describe one.
		 */
		if (!it->freebusy && (it->method == IMIP_METHOD_CANCEL ||
		    it->method == IMIP_METHOD_REPLY ||
		    it->method == IMIP_METHOD_REFRESH ||
		    it->method == IMIP_METHOD_DECLINECOUNTER))
			return IMIP_OK;
		return imip_err_set(err, IMIP_EPARSE, "%s without DTSTART",
		    it->freebusy ? "VFREEBUSY" : "VEVENT");
	}
	e = icalcomponent_get_dtend(ev);
	it->all_day = icaltime_is_date(s);
	if ((rc = to_utc(&it->start, ev, ICAL_DTSTART_PROPERTY, s, default_tz,
	    err)) < 0)
		return rc;
	if (icaltime_is_null_time(e))
		it->end = it->start;
	else if ((rc = to_utc(&it->end, ev, ICAL_DTEND_PROPERTY, e,
	    default_tz, err)) < 0)
		return rc;
	if (it->end <= it->start && it->method != IMIP_METHOD_CANCEL)
		return imip_err_set(err, IMIP_EPARSE,
		    "event ends before or when it starts");
	return IMIP_OK;
}

/* A CAL-ADDRESS property's address and CN. */
static int
cal_address(icalproperty *p, char **addr, char **name, struct imip_err *err)
{
	icalparameter *cn;
	int rc;

	if ((rc = imip_addr_norm(addr, icalproperty_get_value_as_string(p),
	    err)) < 0)
		return rc;
	cn = icalproperty_get_first_parameter(p, ICAL_CN_PARAMETER);
	if (cn != NULL && icalparameter_get_cn(cn) != NULL &&
	    (*name = strdup(icalparameter_get_cn(cn))) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "CN");
	return IMIP_OK;
}

/* The SENT-BY parameter of p as an address, if it has a usable one. */
static int
sent_by(icalproperty *p, char **out, struct imip_err *err)
{
	icalparameter *par;
	int rc;

	par = icalproperty_get_first_parameter(p, ICAL_SENTBY_PARAMETER);
	if (par == NULL || icalparameter_get_sentby(par) == NULL)
		return IMIP_OK;
	rc = imip_addr_norm(out, icalparameter_get_sentby(par), err);
	if (rc == IMIP_EPARSE) {	/* a broken SENT-BY vouches for nobody */
		imip_err_clear(err);
		return IMIP_OK;
	}
	return rc;
}

static int
read_attendee(struct imip_attendee *a, icalproperty *p, struct imip_err *err)
{
	icalparameter *par;
	const char *ps = "NEEDS-ACTION";
	int rc;

	if ((rc = cal_address(p, &a->address, &a->name, err)) < 0)
		return rc;
	par = icalproperty_get_first_parameter(p, ICAL_PARTSTAT_PARAMETER);
	if (par != NULL && icalparameter_get_partstat(par) !=
	    ICAL_PARTSTAT_NONE)
		ps = icalparameter_enum_to_string(
		    icalparameter_get_partstat(par));
	if ((a->partstat = strdup(ps != NULL ? ps : "NEEDS-ACTION")) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "PARTSTAT");
	par = icalproperty_get_first_parameter(p, ICAL_RSVP_PARAMETER);
	a->rsvp = par != NULL && icalparameter_get_rsvp(par) ==
	    ICAL_RSVP_TRUE;
	return IMIP_OK;
}

static int
read_people(struct imip_itip *it, icalcomponent *ev, struct imip_err *err)
{
	icalproperty *p;
	size_t n = 0;
	int rc;

	p = icalcomponent_get_first_property(ev, ICAL_ORGANIZER_PROPERTY);
	if (p != NULL && (rc = cal_address(p, &it->organizer,
	    &it->organizer_name, err)) < 0)
		return rc;
	if (p != NULL && (rc = sent_by(p, &it->organizer_sent_by, err)) < 0)
		return rc;
	if (p == NULL && it->method != IMIP_METHOD_REPLY)
		return imip_err_set(err, IMIP_EPARSE, "%s without ORGANIZER",
		    imip_method_name(it->method));
	n = (size_t)icalcomponent_count_properties(ev,
	    ICAL_ATTENDEE_PROPERTY);
	if (n == 0)
		return IMIP_OK;
	if ((it->attendees = calloc(n, sizeof(*it->attendees))) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "attendees");
	for (p = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY);
	    p != NULL && it->nattendees < n;
	    p = icalcomponent_get_next_property(ev, ICAL_ATTENDEE_PROPERTY)) {
		/* nattendees counts filled slots, so free() sees them all. */
		rc = read_attendee(&it->attendees[it->nattendees++], p, err);
		if (rc < 0)
			return rc;
	}
	return IMIP_OK;
}

static int
read_event(struct imip_itip *it, icalcomponent *ev, const char *default_tz,
    struct imip_err *err)
{
	icalproperty *p;
	int rc;

	if ((rc = text_prop(&it->uid, ev, ICAL_UID_PROPERTY, err)) < 0)
		return rc;
	if (it->uid == NULL || it->uid[0] == '\0')
		return imip_err_set(err, IMIP_EPARSE, "%s without UID",
		    it->freebusy ? "VFREEBUSY" : "VEVENT");
	if ((rc = text_prop(&it->summary, ev, ICAL_SUMMARY_PROPERTY, err)) < 0 ||
	    (rc = text_prop(&it->comment, ev, ICAL_COMMENT_PROPERTY, err)) < 0)
		return rc;
	p = icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY);
	it->sequence = p != NULL ? icalproperty_get_sequence(p) : 0;
	if (it->sequence < 0)
		return imip_err_set(err, IMIP_EPARSE, "negative SEQUENCE");
	p = icalcomponent_get_first_property(ev, ICAL_DTSTAMP_PROPERTY);
	if (p != NULL)
		it->dtstamp = (int64_t)icaltime_as_timet_with_zone(
		    icalproperty_get_dtstamp(p),
		    icaltimezone_get_utc_timezone());
	if ((rc = read_times(it, ev, default_tz, err)) < 0)
		return rc;
	if ((rc = read_people(it, ev, err)) < 0)
		return rc;
	/* The whole object: a later expansion needs its VTIMEZONEs too. */
	if ((it->vevent = icalcomponent_as_ical_string_r(
	    icalcomponent_get_parent(ev))) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "iCalendar text");
	return IMIP_OK;
}

int
imip_itip_parse(struct imip_itip **out, const char *text,
    const char *method_param, const char *default_tz, struct imip_err *err)
{
	icalcomponent *root = NULL, *ev;
	struct imip_itip *it = NULL;
	const char *why;
	int rc;

	*out = NULL;
	if ((root = icalparser_parse_string(text)) == NULL) {
		rc = imip_err_set(err, IMIP_EPARSE, "not iCalendar data");
		goto out;
	}
	if (icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
		rc = imip_err_set(err, IMIP_EPARSE, "no VCALENDAR object");
		goto out;
	}
	if ((why = first_error(root)) != NULL) {
		rc = imip_err_set(err, IMIP_EPARSE, "%s", why);
		goto out;
	}
	/* Before any time getter runs: libical would open the raw names. */
	if ((rc = imip_icaltime_normalize(root, err)) < 0)
		goto out;
	if ((it = calloc(1, sizeof(*it))) == NULL) {
		rc = imip_err_set(err, IMIP_ENOMEM, "itip");
		goto out;
	}
	if ((rc = read_method(it, root, method_param, err)) < 0 ||
	    (rc = find_freebusy(it, &ev, root, err)) < 0 ||
	    (ev == NULL && (rc = find_events(it, &ev, root, err)) < 0) ||
	    (rc = read_event(it, ev, default_tz, err)) < 0)
		goto out;
	it->ncomponents = (size_t)icalcomponent_count_components(root,
	    ICAL_ANY_COMPONENT);
	it->root = root;		/* kept for imip_itip_expand */
	root = NULL;
	*out = it;
	it = NULL;
	rc = IMIP_OK;
out:
	imip_itip_free(it);
	if (root != NULL)
		icalcomponent_free(root);
	return rc;
}
