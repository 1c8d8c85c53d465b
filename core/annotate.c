/*
 * annotate.c - a text/plain note put in front of a message, with gmime.
 *
 * gmime parses the message and writes the new multipart/mixed; the
 * original top-level entity goes inside it unchanged, with its own
 * Content-* fields.  This file decides only whether a message may be
 * changed at all: never one carrying a signature over its body.
 */
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "annotate.h"
#include "mime.h"

void
imip_body_change_fini(struct imip_body_change *c)
{
	if (c == NULL)
		return;
	free(c->content_type);
	free(c->body);
	memset(c, 0, sizeof(*c));
}

/* Does obj (or a part inside it) carry a signature or encryption? */
static bool
sealed(GMimeObject *obj, int depth)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	GMimeMultipart *mp;

	if (depth > 32 || g_mime_content_type_is_type(ct, "multipart",
	    "signed") || g_mime_content_type_is_type(ct, "multipart",
	    "encrypted") || g_mime_content_type_is_type(ct, "application",
	    "pkcs7-mime") || g_mime_content_type_is_type(ct, "application",
	    "x-pkcs7-mime") || g_mime_content_type_is_type(ct, "application",
	    "pkcs7-signature") || g_mime_content_type_is_type(ct,
	    "application", "x-pkcs7-signature"))
		return true;
	if (!GMIME_IS_MULTIPART(obj))
		return false;
	mp = GMIME_MULTIPART(obj);
	for (int i = 0; i < g_mime_multipart_get_count(mp); i++)
		if (sealed(g_mime_multipart_get_part(mp, i), depth + 1))
			return true;
	return false;
}

/* A header value on one line: gmime folds long ones. */
static char *
unfolded(const char *v)
{
	char *out, *q;

	while (*v == ' ' || *v == '\t')
		v++;
	if ((out = malloc(strlen(v) + 1)) == NULL)
		return NULL;
	for (q = out; *v != '\0'; v++)
		if (*v != '\r' && *v != '\n')
			*q++ = *v;
	while (q > out && (q[-1] == ' ' || q[-1] == '\t'))
		q--;
	*q = '\0';
	return out;
}

/* The new body and Content-Type of mixed into *out. */
static int
write_out(struct imip_body_change *out, GMimeMultipart *mixed,
    struct imip_err *err)
{
	GMimeFormatOptions *fo = g_mime_format_options_new();
	GMimeStream *st = g_mime_stream_mem_new();
	GByteArray *bytes;
	char *ctype;
	int rc = IMIP_OK;

	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
	ctype = g_mime_content_type_encode(g_mime_object_get_content_type(
	    GMIME_OBJECT(mixed)), fo);
	if (g_mime_object_write_content_to_stream(GMIME_OBJECT(mixed), fo,
	    st) < 0)
		rc = imip_err_set(err, IMIP_ERR, "cannot write the new body");
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(st));
	if (rc == IMIP_OK && (ctype == NULL ||
	    (out->content_type = unfolded(ctype)) == NULL ||
	    (out->body = malloc(bytes->len + 1)) == NULL))
		rc = imip_err_set(err, IMIP_ENOMEM, "annotated message");
	if (rc == IMIP_OK) {
		memcpy(out->body, bytes->data, bytes->len);
		out->body[bytes->len] = '\0';
		out->len = bytes->len;
	}
	g_free(ctype);
	g_object_unref(st);
	g_mime_format_options_free(fo);
	return rc;
}

/* mixed := [ note, the message's own top-level entity ] */
static int
wrap(struct imip_body_change *out, GMimeMessage *msg, const char *note,
    struct imip_err *err)
{
	GMimeMultipart *mixed = g_mime_multipart_new_with_subtype("mixed");
	GMimeObject *text = imip_mime_text_part("plain", note, NULL);
	int rc;

	g_mime_multipart_set_boundary(mixed, NULL);
	g_mime_multipart_add(mixed, text);
	g_mime_multipart_add(mixed, g_mime_message_get_mime_part(msg));
	rc = write_out(out, mixed, err);
	out->add_mime_version = g_mime_object_get_header(GMIME_OBJECT(msg),
	    "MIME-Version") == NULL;
	g_object_unref(text);
	g_object_unref(mixed);
	return rc;
}

int
imip_annotate(struct imip_body_change *out, const char *data, size_t len,
    const char *note, struct imip_err *err)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg;
	int rc;

	memset(out, 0, sizeof(*out));
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	if ((msg = g_mime_parser_construct_message(parser, NULL)) == NULL ||
	    g_mime_message_get_mime_part(msg) == NULL)
		rc = imip_err_set(err, IMIP_EPARSE, "not a MIME message");
	else if (sealed(g_mime_message_get_mime_part(msg), 0))
		rc = imip_err_set(err, IMIP_EUNSUPPORTED, "signed or "
		    "encrypted: the body is left alone");
	else if ((rc = wrap(out, msg, note, err)) < 0)
		imip_body_change_fini(out);
	if (msg != NULL)
		g_object_unref(msg);
	g_object_unref(parser);
	g_object_unref(stream);
	return rc;
}
