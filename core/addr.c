/*
 * addr.c - normalize the address forms of SMTP and iCalendar.
 *
 * No parsing of RFC 5322 display names here: callers hand in an envelope
 * address or a CAL-ADDRESS value.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"

/* Trim blanks and one pair of angle brackets; return the span in *len. */
static const char *
addr_span(const char *in, size_t *len)
{
	const char *end;

	while (isspace((unsigned char)*in))
		in++;
	end = in + strlen(in);
	while (end > in && isspace((unsigned char)end[-1]))
		end--;
	if (end - in >= 2 && *in == '<' && end[-1] == '>') {
		in++;
		end--;
	}
	if ((size_t)(end - in) >= 7 && strncasecmp(in, "mailto:", 7) == 0)
		in += 7;
	*len = (size_t)(end - in);
	return in;
}

int
imip_addr_norm(char **out, const char *in, struct imip_err *err)
{
	const char *p;
	size_t len;
	char *s;

	*out = NULL;
	if (in == NULL)
		return imip_err_set(err, IMIP_EPARSE, "no address");
	p = addr_span(in, &len);
	if (len == 0 || memchr(p, '@', len) == NULL)
		return imip_err_set(err, IMIP_EPARSE, "not an address: %.60s",
		    in);
	if ((s = malloc(len + 1)) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "address");
	for (size_t i = 0; i < len; i++)
		s[i] = (char)tolower((unsigned char)p[i]);
	s[len] = '\0';
	*out = s;
	return IMIP_OK;
}

bool
imip_addr_equal(const char *a, const char *b)
{
	const char *pa, *pb;
	size_t la, lb;

	if (a == NULL || b == NULL)
		return false;
	pa = addr_span(a, &la);
	pb = addr_span(b, &lb);
	return la == lb && la > 0 && strncasecmp(pa, pb, la) == 0;
}

const char *
imip_addr_domain(const char *addr)
{
	const char *at;

	if (addr == NULL || (at = strrchr(addr, '@')) == NULL || at[1] == '\0')
		return NULL;
	return at + 1;
}
