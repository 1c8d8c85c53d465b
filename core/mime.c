/*
 * mime.c - walk a message's MIME tree with gmime, collect calendar parts.
 *
 * gmime parses, decodes base64/quoted-printable and converts charsets; this
 * file only decides which parts count.  It never looks inside attached
 * messages, so forwarded invitations and bounces are not acted on.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "mime.h"

struct walk {
	struct imip_calpart	*parts;
	size_t			 n, max;
	int			 rc;
	struct imip_err		*err;
};

void
imip_mime_init(void)
{
	g_mime_init();
}

void
imip_calparts_free(struct imip_calpart *parts, size_t n)
{
	if (parts == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(parts[i].text);
		free(parts[i].method);
	}
	free(parts);
}

static bool
is_calendar_type(GMimeContentType *ct)
{
	return g_mime_content_type_is_type(ct, "text", "calendar") ||
	    g_mime_content_type_is_type(ct, "application", "ics");
}

bool
imip_mime_may_hold_calendar(const char *ctype)
{
	static const char *const prefixes[] = {
		"multipart/", "text/calendar", "application/ics",
	};
	const char *p = ctype;

	if (p == NULL)
		return false;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncasecmp(p, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/*
 * A malloc'd, unfolded copy of p[0..n) that is valid UTF-8.  Unfolding
 * comes first (RFC 5545 3.1): Outlook folds in the middle of a UTF-8
 * sequence, which is valid again once joined.  An unknown charset or
 * broken bytes are then replaced (U+FFFD) rather than handed to libical.
 */
static char *
utf8_text(const char *p, size_t n)
{
	gchar *valid = NULL;
	char *text, *q;
	size_t i = 0;

	if ((text = malloc(n + 1)) == NULL)
		return NULL;
	for (q = text; i < n; i++) {
		if (p[i] == '\r' && i + 2 < n && p[i + 1] == '\n' &&
		    (p[i + 2] == ' ' || p[i + 2] == '\t'))
			i += 2;
		else if (p[i] == '\n' && i + 1 < n &&
		    (p[i + 1] == ' ' || p[i + 1] == '\t'))
			i += 1;
		else
			*q++ = p[i];
	}
	*q = '\0';
	if (g_utf8_validate(text, q - text, NULL))
		return text;
	valid = g_utf8_make_valid(text, q - text);
	free(text);
	text = strdup(valid);
	g_free(valid);
	return text;
}

/* The decoded, UTF-8 content of part as a new NUL-terminated string. */
static char *
part_text(GMimePart *part)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeContentType *ct = g_mime_object_get_content_type(
	    GMIME_OBJECT(part));
	const char *charset = g_mime_content_type_get_parameter(ct, "charset");
	GMimeStream *mem = NULL, *filtered = NULL;
	GMimeFilter *conv = NULL;
	GByteArray *bytes;
	char *text = NULL;

	if (content == NULL)
		return strdup("");
	mem = g_mime_stream_mem_new();
	filtered = g_mime_stream_filter_new(mem);
	if (charset != NULL && g_ascii_strcasecmp(charset, "utf-8") != 0 &&
	    g_ascii_strcasecmp(charset, "us-ascii") != 0 &&
	    (conv = g_mime_filter_charset_new(charset, "UTF-8")) != NULL)
		g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), conv);
	if (g_mime_data_wrapper_write_to_stream(content, filtered) >= 0 &&
	    g_mime_stream_flush(filtered) >= 0) {
		bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		text = utf8_text((const char *)bytes->data, bytes->len);
	}
	if (conv != NULL)
		g_object_unref(conv);
	g_object_unref(filtered);
	g_object_unref(mem);
	return text;
}

static void
collect(struct walk *w, GMimePart *part)
{
	GMimeContentType *ct;
	const char *method;
	struct imip_calpart *cp;

	if (w->n >= w->max) {
		w->rc = imip_err_set(w->err, IMIP_ELIMIT,
		    "more than %zu calendar parts", w->max);
		return;
	}
	ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
	cp = &w->parts[w->n];
	if ((cp->text = part_text(part)) == NULL) {
		w->rc = imip_err_set(w->err, IMIP_ENOMEM, "calendar part");
		return;
	}
	w->n++;
	method = g_mime_content_type_get_parameter(ct, "method");
	if (method != NULL && (cp->method = strdup(method)) == NULL)
		w->rc = imip_err_set(w->err, IMIP_ENOMEM, "method parameter");
}

/* Depth-first over multiparts; message/rfc822 parts are leaves we skip. */
static void
walk(struct walk *w, GMimeObject *obj, int depth)
{
	GMimeMultipart *mp;
	int n;

	if (w->rc < 0 || obj == NULL)
		return;
	if (depth > 32) {
		w->rc = imip_err_set(w->err, IMIP_ELIMIT,
		    "MIME nesting deeper than 32");
		return;
	}
	if (GMIME_IS_MULTIPART(obj)) {
		mp = GMIME_MULTIPART(obj);
		n = g_mime_multipart_get_count(mp);
		for (int i = 0; i < n && w->rc >= 0; i++)
			walk(w, g_mime_multipart_get_part(mp, i), depth + 1);
	} else if (GMIME_IS_PART(obj) &&
	    is_calendar_type(g_mime_object_get_content_type(obj))) {
		collect(w, GMIME_PART(obj));
	}
}

int
imip_mime_calendars(struct imip_calpart **out, size_t *nout,
    const char *data, size_t len, size_t max, struct imip_err *err)
{
	GMimeStream *stream = NULL;
	GMimeParser *parser = NULL;
	GMimeMessage *msg = NULL;
	struct walk w = { .max = max, .err = err };

	*out = NULL;
	*nout = 0;
	if ((w.parts = calloc(max > 0 ? max : 1, sizeof(*w.parts))) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "calendar parts");
	stream = g_mime_stream_mem_new_with_buffer(data, len);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	if ((msg = g_mime_parser_construct_message(parser, NULL)) == NULL)
		w.rc = imip_err_set(err, IMIP_EPARSE, "not a MIME message");
	else
		walk(&w, g_mime_message_get_mime_part(msg), 0);
	if (msg != NULL)
		g_object_unref(msg);
	g_object_unref(parser);
	g_object_unref(stream);
	if (w.rc < 0) {
		imip_calparts_free(w.parts, w.n);
		return w.rc;
	}
	*out = w.parts;
	*nout = w.n;
	return IMIP_OK;
}

int
imip_mime_split(const char *data, size_t len, imip_header_cb cb, void *arg,
    size_t *body, struct imip_err *err)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeObject *top;
	GMimeHeaderList *list;
	GMimeHeader *h;
	int rc = IMIP_OK, n;
	gint64 end;

	/*
	 * Parsed as a plain entity, not a message: a GMimeMessage moves the
	 * Content-* fields to its body part and the original order is lost.
	 */
	*body = len;
	if ((top = g_mime_parser_construct_part(parser, NULL)) == NULL) {
		rc = imip_err_set(err, IMIP_EPARSE, "not a MIME entity");
		goto out;
	}
	end = g_mime_parser_get_headers_end(parser);
	list = g_mime_object_get_header_list(top);
	n = g_mime_header_list_get_count(list);
	for (int i = 0; i < n && rc == IMIP_OK; i++) {
		h = g_mime_header_list_get_header_at(list, i);
		rc = cb(g_mime_header_get_name(h),
		    g_mime_header_get_raw_value(h), arg);
	}
	/* Skip the blank line that ends the header section. */
	if (end >= 0 && (size_t)end <= len) {
		*body = (size_t)end;
		if (*body < len && data[*body] == '\r')
			(*body)++;
		if (*body < len && data[*body] == '\n')
			(*body)++;
	}
	g_object_unref(top);
out:
	g_object_unref(parser);
	g_object_unref(stream);
	return rc;
}

/* imip_mime_text_part - a text part holding text as UTF-8 (caller unrefs) */
GMimeObject *
imip_mime_text_part(const char *subtype, const char *text, const char *method)
{
	GMimeTextPart *tp = g_mime_text_part_new_with_subtype(subtype);
	GMimePart *part = GMIME_PART(tp);
	GMimeStream *st;
	GMimeDataWrapper *dw;

	/*
	 * Not g_mime_text_part_set_text(): it recodes text that fits
	 * Latin-1 into Latin-1.  iCalendar is UTF-8 (RFC 5545 3.1.4), so the
	 * bytes stay as they are and the label says so, even for ASCII.
	 */
	st = g_mime_stream_mem_new_with_buffer(text, strlen(text));
	dw = g_mime_data_wrapper_new_with_stream(st,
	    GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(part, dw);
	g_object_unref(dw);
	g_object_unref(st);
	g_mime_text_part_set_charset(tp, "utf-8");
	if (method != NULL)
		g_mime_object_set_content_type_parameter(GMIME_OBJECT(tp),
		    "method", method);
	g_mime_part_set_content_encoding(part,
	    g_mime_part_get_best_content_encoding(part,
	    GMIME_ENCODING_CONSTRAINT_7BIT));
	return GMIME_OBJECT(tp);
}

/* imip_mime_trimmed - a copy of value without blanks around it */
char *
imip_mime_trimmed(const char *value)
{
	size_t n;

	value += strspn(value, " \t\r\n");
	for (n = strlen(value); n > 0 && strchr(" \t\r\n", value[n - 1]);
	    n--)
		;
	return strndup(value, n);
}
