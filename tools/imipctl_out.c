/*
 * imipctl_out.c - how imipctl shows things: aligned tables, JSON strings
 * and times, listings that are either, and how it reads the times an
 * admin types.
 *
 * Table cells come from mail (summaries, addresses), so control characters
 * are replaced before they reach a terminal; JSON output is always valid
 * UTF-8, with bad bytes replaced by U+FFFD.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imipctl.h"

/* ctl_table_init - start a table of ncol columns with this header row */
int
ctl_table_init(struct ctl_table *t, size_t ncol, const char *const *header)
{
	assert(ncol > 0 && ncol <= CTL_TABLE_MAXCOL);
	memset(t, 0, sizeof(*t));
	t->ncol = ncol;
	return ctl_table_add(t, header);
}

/* A copy of s (NULL reads as "") safe to print on a terminal. */
static char *
cell_dup(const char *s)
{
	char *d;

	if ((d = strdup(s != NULL ? s : "")) == NULL)
		return NULL;
	for (char *p = d; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return d;
}

/* ctl_put_clean - write s (NULL as "-") with control characters as '?' */
void
ctl_put_clean(FILE *f, const char *s)
{
	if (s == NULL)
		s = "-";
	for (; *s != '\0'; s++)
		putc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

/* ctl_table_add - append one row of ncol cells (copied) */
int
ctl_table_add(struct ctl_table *t, const char *const *cells)
{
	char **row, **grown;
	size_t i, cap;

	if (t->nrow == t->cap) {
		cap = t->cap != 0 ? t->cap * 2 : 16;
		if (cap > SIZE_MAX / sizeof(char *) / t->ncol)
			return IMIP_ENOMEM;
		grown = realloc(t->cell, cap * t->ncol * sizeof(char *));
		if (grown == NULL)
			return IMIP_ENOMEM;
		t->cell = grown;
		t->cap = cap;
	}
	row = t->cell + t->nrow * t->ncol;
	for (i = 0; i < t->ncol; i++) {
		if ((row[i] = cell_dup(cells[i])) == NULL) {
			while (i > 0)
				free(row[--i]);
			return IMIP_ENOMEM;
		}
	}
	t->nrow++;
	return IMIP_OK;
}

/* Columns a UTF-8 string takes: one per character, not per byte. */
static size_t
text_width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* ctl_table_print - write t to f, columns two blanks apart */
void
ctl_table_print(const struct ctl_table *t, FILE *f)
{
	size_t width[CTL_TABLE_MAXCOL] = { 0 };
	size_t r, c, w, last;
	char *const *row;

	for (r = 0; r < t->nrow; r++)
		for (c = 0; c < t->ncol; c++) {
			w = text_width(t->cell[r * t->ncol + c]);
			if (w > width[c])
				width[c] = w;
		}
	for (r = 0; r < t->nrow; r++) {
		row = t->cell + r * t->ncol;
		for (last = t->ncol - 1; last > 0 && *row[last] == '\0'; last--)
			;	/* no blanks at the end of a line */
		for (c = 0; c <= last; c++) {
			fputs(row[c], f);
			for (w = text_width(row[c]); c < last &&
			    w < width[c] + 2; w++)
				putc(' ', f);
		}
		putc('\n', f);
	}
}

/* ctl_table_fini - free every cell; the table may be reused after init */
void
ctl_table_fini(struct ctl_table *t)
{
	for (size_t i = 0; i < t->nrow * t->ncol; i++)
		free(t->cell[i]);
	free(t->cell);
	memset(t, 0, sizeof(*t));
}

/*
 * Length of the valid UTF-8 sequence at p (RFC 3629: no overlong forms,
 * no surrogates, nothing past U+10FFFF), or 0.
 */
static size_t
utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/* Write one ASCII character as JSON string content. */
static void
json_ascii(FILE *f, unsigned char c)
{
	switch (c) {
	case '"':	fputs("\\\"", f); break;
	case '\\':	fputs("\\\\", f); break;
	case '\n':	fputs("\\n", f); break;
	case '\r':	fputs("\\r", f); break;
	case '\t':	fputs("\\t", f); break;
	default:
		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			putc(c, f);
	}
}

/* ctl_json_str - s as a JSON string, or null when s is NULL */
void
ctl_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (s == NULL) {
		fputs("null", f);
		return;
	}
	putc('"', f);
	while (*p != '\0') {
		if (*p < 0x80) {
			json_ascii(f, *p++);
		} else if ((n = utf8_len(p)) == 0) {
			fputs("\\ufffd", f);	/* not UTF-8: replace */
			p++;
		} else {
			fwrite(p, 1, n, f);
			p += n;
		}
	}
	putc('"', f);
}

/* ctl_time_local - t as "YYYY-MM-DD HH:MM" in the current TZ */
void
ctl_time_local(char *buf, size_t len, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, len, "@%lld", (long long)t);
}

/* ctl_time_utc - t in UTC, "YYYY-MM-DD HH:MMZ" or ISO 8601 with seconds */
void
ctl_time_utc(char *buf, size_t len, int64_t t, bool iso)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, len,
	    iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%MZ", &tm) == 0)
		snprintf(buf, len, "@%lld", (long long)t);
}

/* Read exactly n digits at *p into *out and advance *p. */
static bool
digits(const char **p, int n, int *out)
{
	*out = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return false;
		*out = *out * 10 + (**p - '0');
	}
	return true;
}

static int
month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/*
 * ctl_time_parse - "YYYY-MM-DD[THH:MM]" in the current TZ; a bare date is
 * its midnight, or the next midnight with end_of_day.  -1 if malformed.
 */
int
ctl_time_parse(const char *s, bool end_of_day, time_t *out)
{
	struct tm tm = { .tm_isdst = -1 };
	int y, mo, d, h = 0, mi = 0;
	bool bare;

	if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) ||
	    *s++ != '-' || !digits(&s, 2, &d))
		return -1;
	if ((bare = *s == '\0') == false) {
		if ((*s != 'T' && *s != ' ') || (s++, !digits(&s, 2, &h)) ||
		    *s++ != ':' || !digits(&s, 2, &mi) || *s != '\0')
			return -1;
	}
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > month_days(y, mo) || h > 23 || mi > 59)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d + (bare && end_of_day ? 1 : 0);
	tm.tm_hour = h;
	tm.tm_min = mi;
	*out = mktime(&tm);	/* normalizes a day past the month's end */
	return 0;
}

/* ctl_list_start - start a listing: "[" for JSON, else the header row */
int
ctl_list_start(struct ctl_list *x, size_t ncol, const char *const *header)
{
	x->first = true;
	if (x->json)
		return IMIP_OK;
	return ctl_table_init(&x->t, ncol, header);
}

/* ctl_list_end - finish a listing: "]", the table, or empty if no rows */
void
ctl_list_end(struct ctl_list *x, const char *empty)
{
	if (x->json)
		fputs(x->first ? "[]\n" : "\n]\n", stdout);
	else if (x->t.nrow <= 1)
		printf("%s\n", empty);
	else
		ctl_table_print(&x->t, stdout);
}

/* ctl_json_next - open one JSON element of a listing */
void
ctl_json_next(struct ctl_list *x)
{
	fputs(x->first ? "[\n  {" : ",\n  {", stdout);
	x->first = false;
}

/* ctl_json_field - "key": string (or null), after ", " unless first */
void
ctl_json_field(const char *key, const char *value, bool first)
{
	printf("%s\"%s\": ", first ? "" : ", ", key);
	ctl_json_str(stdout, value);
}

/* ctl_json_time - ", "key": ISO 8601 UTC time", or null for 0 */
void
ctl_json_time(const char *key, int64_t t)
{
	char buf[32];

	ctl_time_utc(buf, sizeof(buf), t, true);
	ctl_json_field(key, t != 0 ? buf : NULL, false);
}

/* ctl_list_row - a callback's table row, or the error that stops it */
int
ctl_list_row(struct ctl_list *x, const char *const *cells)
{
	if (ctl_table_add(&x->t, cells) < 0)
		return imip_err_set(x->err, IMIP_ENOMEM, "out of memory");
	return 0;
}
