/*
 * policy.c - the checks a resource's policy makes on a request.
 *
 * Pure functions: the policy, the request, the time in, a verdict out.
 * Local times (working hours) come from libical's zone data, the same the
 * rest of the filter uses.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "addr.h"
#include "policy.h"

static const char *const day_names[] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat"
};

void
imip_policy_default(struct imip_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->capacity = 1;
	p->recurring = true;
	p->block_pending = true;
	p->conflict_max_instances = -1;
	p->conflict_max_percent = -1;
}

void
imip_policy_fini(struct imip_policy *p)
{
	free(p->delegates);
	free(p->working_hours);
	free(p->allow);
	free(p->deny);
	imip_policy_default(p);
}

static void
verdict(struct imip_policy_verdict *v, enum imip_policy_result r,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Every "no" of a policy is 3.8: the request has no authority here. */
static void
verdict(struct imip_policy_verdict *v, enum imip_policy_result r,
    const char *fmt, ...)
{
	va_list ap;

	v->result = r;
	v->major = 3;
	v->minor = 8;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
}

/* Does one list entry (address, @domain or domain) match addr? */
static bool
entry_matches(const char *entry, size_t len, const char *addr)
{
	const char *dom = imip_addr_domain(addr);

	if (len > 0 && entry[0] == '@') {
		entry++;
		len--;
	} else if (memchr(entry, '@', len) != NULL)
		return strlen(addr) == len && strncasecmp(entry, addr,
		    len) == 0;
	return dom != NULL && strlen(dom) == len &&
	    strncasecmp(entry, dom, len) == 0;
}

/* Is addr in the blank-separated list? */
static bool
list_has(const char *list, const char *addr)
{
	const char *p = list;
	size_t n;

	if (list == NULL || addr == NULL)
		return false;
	while (*p != '\0') {
		p += strspn(p, " \t,");
		n = strcspn(p, " \t,");
		if (n > 0 && entry_matches(p, n, addr))
			return true;
		p += n;
	}
	return false;
}

/* Delegates are whole addresses: a domain entry never makes one. */
bool
imip_policy_is_delegate(const struct imip_policy *p, const char *addr)
{
	const char *q = p->delegates;
	size_t n;

	if (q == NULL || addr == NULL)
		return false;
	while (*q != '\0') {
		q += strspn(q, " \t,");
		n = strcspn(q, " \t,");
		if (n > 0 && q[0] != '@' && memchr(q, '@', n) != NULL &&
		    entry_matches(q, n, addr))
			return true;
		q += n;
	}
	return false;
}

void
imip_policy_check_who(const struct imip_policy *p,
    const struct imip_conf *conf, const char *organizer,
    struct imip_policy_verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (organizer == NULL)
		return;
	if (list_has(p->deny, organizer))
		verdict(v, IMIP_POLICY_REFUSED, "%s may not book this resource "
		    "(deny list)", organizer);
	else if (list_has(p->allow, organizer))
		return;
	else if (p->allow != NULL && p->allow[0] != '\0')
		verdict(v, IMIP_POLICY_REFUSED, "%s may not book this resource "
		    "(not on the allow list)", organizer);
	else if (!p->external && conf != NULL &&
	    conf->local_domains != NULL && conf->local_domains[0] != NULL &&
	    !imip_conf_is_local(conf, organizer))
		verdict(v, IMIP_POLICY_REFUSED, "external organizer %s may not "
		    "book this resource", organizer);
}

/* Local wall-clock time of t in zone: minutes after midnight, weekday. */
static void
local_clock(int64_t t, icaltimezone *zone, int *minutes, int *wday,
    int *day)
{
	struct icaltimetype tt = icaltime_from_timet_with_zone((time_t)t, 0,
	    zone);

	*minutes = tt.hour * 60 + tt.minute;
	*wday = icaltime_day_of_week(tt) - 1;		/* 0 = Sunday */
	tt.hour = tt.minute = tt.second = 0;
	tt.zone = NULL;
	*day = (int)(icaltime_as_timet(tt) / 86400);	/* the local date */
}

/* Is [start, end) inside the working hours of one day? */
static bool
within_hours(const struct imip_hours *h, icaltimezone *zone, int64_t start,
    int64_t end)
{
	int sm, sw, sd, em, ew, ed;

	local_clock(start, zone, &sm, &sw, &sd);
	local_clock(end, zone, &em, &ew, &ed);
	if (em == 0 && ed == sd + 1)	/* ends at midnight */
		em = 24 * 60, ed = sd;
	return ed == sd && (h->days & (1u << sw)) != 0 && sm >= h->from &&
	    em <= h->to;
}

/* One occurrence against duration, window and hours. */
static void
check_period(const struct imip_policy *p, const struct imip_hours *h,
    icaltimezone *zone, int64_t start, int64_t end, int64_t now,
    struct imip_policy_verdict *v)
{
	int64_t minutes = (end - start) / 60;

	if (p->min_minutes > 0 && minutes < p->min_minutes)
		verdict(v, IMIP_POLICY_DECLINED, "shorter than the minimum of "
		    "%d minutes", p->min_minutes);
	else if (p->max_minutes > 0 && minutes > p->max_minutes)
		verdict(v, IMIP_POLICY_DECLINED, "longer than the maximum of "
		    "%d minutes", p->max_minutes);
	else if (p->window_days > 0 &&
	    start > now + (int64_t)p->window_days * 86400)
		verdict(v, IMIP_POLICY_DECLINED, "more than %d days ahead "
		    "(booking window)", p->window_days);
	else if (h != NULL && !within_hours(h, zone, start, end))
		verdict(v, IMIP_POLICY_DECLINED, "outside the working hours "
		    "%s", p->working_hours);
}

void
imip_policy_check_what(const struct imip_policy *p, const char *tz,
    const struct imip_itip *it, int64_t now, struct imip_policy_verdict *v)
{
	struct imip_hours hours, *h = NULL;
	icaltimezone *zone = icaltimezone_get_builtin_timezone(tz);

	memset(v, 0, sizeof(*v));
	if (zone == NULL)
		zone = icaltimezone_get_utc_timezone();
	/* A bad stored value is caught by imipctl; here it means no limit. */
	if (p->working_hours != NULL &&
	    imip_hours_parse(p->working_hours, &hours, NULL) == IMIP_OK)
		h = &hours;
	if (it->recurring && it->has_master && !p->recurring) {
		verdict(v, IMIP_POLICY_DECLINED, "recurring meetings are not "
		    "accepted");
		return;
	}
	if (it->ninst == 0) {
		check_period(p, h, zone, it->start, it->end, now, v);
		return;
	}
	if (it->clipped && p->window_days > 0) {
		verdict(v, IMIP_POLICY_DECLINED, "the series goes on past the "
		    "booking window of %d days", p->window_days);
		return;
	}
	for (size_t i = 0; i < it->ninst && v->result == IMIP_POLICY_OK; i++)
		if (!it->inst[i].cancelled)
			check_period(p, h, zone, it->inst[i].start,
			    it->inst[i].end, now, v);
}

/* "mon", "mon-fri": the days as bits; -1 when not a day. */
static int
day_index(const char *s, size_t n)
{
	for (int i = 0; i < 7; i++)
		if (n == 3 && strncasecmp(s, day_names[i], 3) == 0)
			return i;
	return -1;
}

static int
parse_days(const char *s, size_t n, unsigned *days)
{
	const char *dash;
	size_t k;
	int a, b;

	*days = 0;
	while (n > 0) {
		k = 0;
		while (k < n && s[k] != ',')
			k++;
		dash = memchr(s, '-', k);
		a = day_index(s, dash != NULL ? (size_t)(dash - s) : k);
		b = dash != NULL ? day_index(dash + 1,
		    k - (size_t)(dash + 1 - s)) : a;
		if (a < 0 || b < 0)
			return -1;
		for (int d = a;; d = (d + 1) % 7) {	/* fri-mon wraps */
			*days |= 1u << d;
			if (d == b)
				break;
		}
		s += k;
		n -= k;
		if (n > 0) {
			s++;
			n--;
		}
	}
	return *days != 0 ? 0 : -1;
}

static int
parse_clock(const char *s, int *minutes)
{
	int h, m, used = 0;

	if (sscanf(s, "%2d:%2d%n", &h, &m, &used) != 2 || used != 5 ||
	    h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0))
		return -1;
	*minutes = h * 60 + m;
	return 0;
}

int
imip_hours_parse(const char *text, struct imip_hours *out,
    struct imip_err *err)
{
	const char *sp;
	char t[16];

	memset(out, 0, sizeof(*out));
	while (isspace((unsigned char)*text))
		text++;
	sp = strchr(text, ' ');
	if (sp == NULL || parse_days(text, (size_t)(sp - text),
	    &out->days) < 0)
		goto bad;
	sp += strspn(sp, " ");
	if (strlen(sp) != 11 || sp[5] != '-')
		goto bad;
	memcpy(t, sp, 5);
	t[5] = '\0';
	if (parse_clock(t, &out->from) < 0 || parse_clock(sp + 6,
	    &out->to) < 0 || out->to <= out->from)
		goto bad;
	return IMIP_OK;
bad:
	return imip_err_set(err, IMIP_EPARSE, "working hours \"%s\": want "
	    "DAYS HH:MM-HH:MM, e.g. mon-fri 08:00-18:00", text);
}

/* One list entry: an address, @domain or domain, sane characters. */
static bool
entry_ok(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	const char *dom = at != NULL ? at + 1 : s;
	size_t dn = n - (size_t)(dom - s);

	if (n == 0 || n > 254 || (at != NULL && memchr(dom, '@', dn)))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '"' ||
		    s[i] == '<' || s[i] == '>' || s[i] == ':')
			return false;
	return dn > 0 && memchr(dom, '.', dn) != NULL && dom[0] != '.';
}

int
imip_policy_list_norm(const char *text, char **out, struct imip_err *err)
{
	char *buf, *w;
	const char *p = text;
	size_t n;

	*out = NULL;
	if ((buf = w = malloc(strlen(text) + 1)) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "list");
	while (*p != '\0') {
		p += strspn(p, " \t,");
		if ((n = strcspn(p, " \t,")) == 0)
			break;
		if (!entry_ok(p, n)) {
			imip_err_set(err, IMIP_EPARSE, "\"%.*s\" is not an "
			    "address or @domain", (int)n, p);
			free(buf);
			return IMIP_EPARSE;
		}
		if (w != buf)
			*w++ = ' ';
		for (size_t i = 0; i < n; i++)
			*w++ = (char)tolower((unsigned char)p[i]);
		p += n;
	}
	*w = '\0';
	*out = buf;
	return IMIP_OK;
}
