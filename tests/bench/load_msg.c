/*
 * load_msg.c - fill in the load driver's message templates.
 *
 * Placeholders: ${N} (message number), ${UID} (run id and N), ${ROOM}
 * (room number, 4 digits), ${START} and ${END} (the slot, iCalendar UTC),
 * ${STAMP} (now, iCalendar UTC) and ${DATE} (now, RFC 5322).  The filled
 * text is split as an MTA hands it to a filter: header names and values
 * (folded lines joined with LF), and the body with CRLF line ends.
 * Nothing here knows about sockets or threads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load_msg.h"

#define NVARS	7

static const char *const var_names[NVARS] = {
	"N", "UID", "ROOM", "START", "END", "STAMP", "DATE"
};

struct vars {
	char	v[NVARS][96];
};

/* A growing string. */
struct buf {
	char	*p;
	size_t	 len, cap;
};

static int
buf_add(struct buf *b, const char *s, size_t n)
{
	size_t cap = b->cap > 0 ? b->cap : 4096;
	char *p;

	while (b->len + n + 1 > cap)
		cap *= 2;
	if (cap != b->cap) {
		if ((p = realloc(b->p, cap)) == NULL)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/* The index of the placeholder name[0..len), or -1. */
static int
var_index(const char *name, size_t len)
{
	for (int i = 0; i < NVARS; i++)
		if (strlen(var_names[i]) == len &&
		    strncmp(var_names[i], name, len) == 0)
			return i;
	return -1;
}

/*
 * lm_check - 0 if every placeholder in s is known; else -1 with the bad
 * name in why
 */
int
lm_check(const char *s, char *why, size_t whylen)
{
	const char *p, *e;

	for (p = s; (p = strstr(p, "${")) != NULL; p = e + 1) {
		if ((e = strchr(p, '}')) == NULL) {
			snprintf(why, whylen, "unterminated ${ in template");
			return -1;
		}
		if (var_index(p + 2, (size_t)(e - p - 2)) < 0) {
			snprintf(why, whylen, "unknown placeholder %.*s",
			    (int)(e - p + 1), p);
			return -1;
		}
	}
	return 0;
}

/* s with every placeholder replaced, appended to b. */
static int
subst(struct buf *b, const char *s, const struct vars *v)
{
	const char *p, *e;
	int i;

	while ((p = strstr(s, "${")) != NULL &&
	    (e = strchr(p, '}')) != NULL) {
		i = var_index(p + 2, (size_t)(e - p - 2));
		if (buf_add(b, s, (size_t)(p - s)) < 0 ||
		    (i >= 0 && buf_add(b, v->v[i], strlen(v->v[i])) < 0))
			return -1;
		s = e + 1;
	}
	return buf_add(b, s, strlen(s));
}

/* t as iCalendar UTC (19970714T173000Z) into out[96]. */
static void
ical_utc(char *out, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 96, "%Y%m%dT%H%M%SZ", &tm);
}

static void
vars_init(struct vars *v, const struct lm_plan *p, uint64_t n)
{
	uint64_t k = n / p->rooms;
	int64_t start;
	struct tm tm;

	if (p->wrap > 0)
		k %= p->wrap;
	start = p->base + (int64_t)k * p->step;
	snprintf(v->v[0], 96, "%llu", (unsigned long long)n);
	snprintf(v->v[1], 96, "%s-%llu", p->run_id, (unsigned long long)n);
	snprintf(v->v[2], 96, "%04u", p->room_first +
	    (unsigned)(n % p->rooms));
	ical_utc(v->v[3], start);
	ical_utc(v->v[4], start + p->length);
	ical_utc(v->v[5], (int64_t)p->now);
	gmtime_r(&p->now, &tm);
	strftime(v->v[6], 96, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

/* Split the header block h (LF line ends) in place into m's arrays. */
static int
split_headers(struct lm_msg *m, char *h)
{
	char *line, *next, *colon;
	size_t cap = 0;
	char **pn, **pv;

	for (line = h; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : line + strlen(line);
		if (*line == ' ' || *line == '\t') {
			if (m->nhdr == 0)
				return -1;	/* folded, nothing to fold */
			continue;		/* the value goes on */
		}
		if (line > h)
			line[-1] = '\0';	/* ends the previous value */
		if ((colon = strchr(line, ':')) == NULL || colon == line)
			return -1;
		if (m->nhdr == cap) {
			cap = cap > 0 ? 2 * cap : 16;
			pn = realloc(m->hname, cap * sizeof(*pn));
			if (pn != NULL)
				m->hname = pn;
			pv = realloc(m->hvalue, cap * sizeof(*pv));
			if (pv != NULL)
				m->hvalue = pv;
			if (pn == NULL || pv == NULL)
				return -1;
		}
		*colon++ = '\0';
		colon += strspn(colon, " \t");
		m->hname[m->nhdr] = line;
		m->hvalue[m->nhdr++] = colon;
	}
	if (m->nhdr > 0 && h[strlen(h) - 1] == '\n')
		h[strlen(h) - 1] = '\0';
	return 0;
}

/* The body s (LF line ends) with CRLF line ends into m. */
static int
crlf_body(struct lm_msg *m, const char *s)
{
	struct buf b = { 0 };
	const char *nl;
	int rc = 0;

	for (; rc == 0 && (nl = strchr(s, '\n')) != NULL; s = nl + 1) {
		rc = buf_add(&b, s, (size_t)(nl - s)) < 0 ||
		    buf_add(&b, "\r\n", 2) < 0;
	}
	if (rc == 0 && *s != '\0')
		rc = buf_add(&b, s, strlen(s));
	if (rc == 0 && b.p == NULL)
		rc = buf_add(&b, "", 0);
	m->body = b.p;
	m->bodylen = b.len;
	return rc == 0 ? 0 : -1;
}

/* Drop every CR of s in place (headers are split on LF alone). */
static void
drop_cr(char *s)
{
	char *w = s;

	for (; *s != '\0'; s++)
		if (*s != '\r')
			*w++ = *s;
	*w = '\0';
}

/* The address template t filled in, in angle brackets, into out. */
static int
envelope(char *out, size_t len, const char *t, const struct vars *v)
{
	struct buf b = { 0 };
	int rc;

	rc = subst(&b, t, v);
	if (rc == 0)
		snprintf(out, len, "<%s>", b.p);
	free(b.p);
	return rc;
}

/*
 * lm_fill - message n from tmpl (from_t and rcpt_t are templates too);
 * 0, or -1 when out of memory or a line is not a header
 */
int
lm_fill(struct lm_msg *m, const char *tmpl, const char *from_t,
    const char *rcpt_t, const struct lm_plan *p, uint64_t n)
{
	struct buf text = { 0 };
	struct vars v;
	char *sep;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	vars_init(&v, p, n);
	snprintf(m->qid, sizeof(m->qid), "Q%010llX", (unsigned long long)n);
	if (envelope(m->from, sizeof(m->from), from_t, &v) < 0 ||
	    envelope(m->rcpt, sizeof(m->rcpt), rcpt_t, &v) < 0 ||
	    subst(&text, tmpl, &v) < 0)
		goto out;
	drop_cr(text.p);
	if ((sep = strstr(text.p, "\n\n")) == NULL)
		goto out;
	sep[1] = '\0';
	if (crlf_body(m, sep + 2) < 0 || split_headers(m, text.p) < 0)
		goto out;
	m->text = text.p;
	text.p = NULL;
	rc = 0;
out:
	free(text.p);
	if (rc < 0)
		lm_fini(m);
	return rc;
}

/* lm_fini - release what lm_fill allocated; safe on a zeroed struct */
void
lm_fini(struct lm_msg *m)
{
	free(m->hname);
	free(m->hvalue);
	free(m->body);
	free(m->text);
	memset(m, 0, sizeof(*m));
}
