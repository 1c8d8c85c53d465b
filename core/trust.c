/*
 * trust.c - the evidence behind a message's originator addresses.
 *
 * Three kinds, as BEHAVIOUR.md ("Trust") lists them: a SASL login and the
 * addresses login_map lets it use, a client inside internal_networks, and
 * DKIM/DMARC results in Authentication-Results headers written by a
 * trusted authserv-id.  Nothing here checks a signature or looks at the
 * message: the MTA and its verifiers have done that, this file weighs
 * what they report.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "addr.h"
#include "trust.h"

#define MAX_RESULTS	32	/* kept per message; more are ignored */
#define MAX_AR_LEN	4096	/* a longer header value is ignored */
#define MAX_LOGIN	256
#define WORD_SEP	" \t\r\n,"

enum ar_verdict { AR_NONE, AR_PASS, AR_FAIL };

struct ar_result {
	bool	 dmarc;		/* else dkim */
	bool	 pass;		/* else fail */
	char	*domain;	/* lower-case */
};

struct imip_trust {
	char			*login;
	char			 client[INET6_ADDRSTRLEN];
	bool			 internal;
	struct ar_result	 results[MAX_RESULTS];
	size_t			 nresults;
};

struct map_entry {
	char	*login;
	char	*addr;		/* "user@domain" or "@domain", lower-case */
};

struct imip_login_map {
	struct map_entry	*v;
	size_t			 n;
};

int
imip_trust_new(struct imip_trust **out, struct imip_err *err)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "trust");
	return IMIP_OK;
}

void
imip_trust_free(struct imip_trust *t)
{
	if (t == NULL)
		return;
	free(t->login);
	for (size_t i = 0; i < t->nresults; i++)
		free(t->results[i].domain);
	free(t);
}

int
imip_trust_set_login(struct imip_trust *t, const char *login,
    struct imip_err *err)
{
	char *s = NULL;

	if (login != NULL && *login != '\0') {
		if ((s = strndup(login, MAX_LOGIN)) == NULL)
			return imip_err_set(err, IMIP_ENOMEM, "login");
		/* It goes into the journal and the log: one word. */
		for (char *p = s; *p != '\0'; p++)
			if ((unsigned char)*p <= ' ' || *p == 0x7f)
				*p = '?';
	}
	free(t->login);
	t->login = s;
	return IMIP_OK;
}

/*
 * Parse an IP address as MTAs write it ("10.1.2.3", "::1", "[::1]",
 * Sendmail's "IPv6:::1").  With unmap, an IPv4-mapped IPv6 address counts
 * as the IPv4 address it carries.
 */
static bool
ip_parse(const char *text, int *family, unsigned char *bin, bool unmap)
{
	char buf[INET6_ADDRSTRLEN + 8];
	size_t len;

	if (text == NULL)
		return false;
	if (strncasecmp(text, "IPv6:", 5) == 0)
		text += 5;
	len = strlen(text);
	if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
		text++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	memset(bin, 0, 16);
	if (inet_pton(AF_INET, buf, bin) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, buf, bin) != 1)
		return false;
	*family = AF_INET6;
	/* ::ffff:a.b.c.d, compared bytewise: bin need not be aligned */
	if (unmap && memcmp(bin, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		memmove(bin, bin + 12, 4);
		memset(bin + 4, 0, 12);
		*family = AF_INET;
	}
	return true;
}

/* Do the first prefix bits of a and b agree? */
static bool
prefix_equal(const unsigned char *a, const unsigned char *b, unsigned prefix)
{
	unsigned bytes = prefix / 8, bits = prefix % 8;
	unsigned char mask = (unsigned char)(0xff << (8 - bits));

	if (memcmp(a, b, bytes) != 0)
		return false;
	return bits == 0 || ((a[bytes] ^ b[bytes]) & mask) == 0;
}

static bool
nets_match(const struct imip_cidr *nets, size_t n, int family,
    const unsigned char *bin)
{
	for (size_t i = 0; i < n; i++)
		if (nets[i].family == family &&
		    prefix_equal(nets[i].addr, bin, nets[i].prefix))
			return true;
	return false;
}

void
imip_trust_set_client(struct imip_trust *t, const struct imip_conf *conf,
    const char *addr)
{
	unsigned char bin[16];
	int family;

	t->client[0] = '\0';
	t->internal = false;
	if (!ip_parse(addr, &family, bin, true) ||
	    inet_ntop(family, bin, t->client, sizeof(t->client)) == NULL) {
		t->client[0] = '\0';
		return;
	}
	t->internal = conf != NULL && nets_match(conf->internal_networks,
	    conf->ninternal_networks, family, bin);
}

/* One internal_networks word: "addr" or "addr/prefix". */
static int
net_parse(struct imip_cidr *c, const char *word, struct imip_err *err)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end = NULL;
	unsigned long prefix;
	unsigned max;

	if (strlen(word) >= sizeof(buf))
		goto bad;
	strcpy(buf, word);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (!ip_parse(buf, &c->family, c->addr, false))
		goto bad;
	max = c->family == AF_INET ? 32 : 128;
	prefix = max;
	if (slash != NULL && (!isdigit((unsigned char)*slash) ||
	    (prefix = strtoul(slash, &end, 10)) > max || *end != '\0'))
		return imip_err_set(err, IMIP_ECONFIG, "internal_networks: "
		    "bad prefix length in \"%s\"", word);
	c->prefix = (unsigned)prefix;
	/* Host bits: compare what lies past the prefix with zeros. */
	for (unsigned b = c->prefix; b < max; b++)
		if (c->addr[b / 8] & (0x80 >> (b % 8)))
			return imip_err_set(err, IMIP_ECONFIG,
			    "internal_networks: \"%s\" has host bits set",
			    word);
	return IMIP_OK;
bad:
	return imip_err_set(err, IMIP_ECONFIG, "internal_networks: "
	    "\"%s\" is not an IP address or network", word);
}

int
imip_trust_nets_parse(struct imip_cidr **out, size_t *n, const char *text,
    struct imip_err *err)
{
	struct imip_cidr *v = NULL, *nv;
	char *copy = NULL, *save = NULL, *w;
	size_t count = 0;
	int rc = IMIP_OK;

	*out = NULL;
	*n = 0;
	if ((copy = strdup(text)) == NULL) {
		rc = imip_err_set(err, IMIP_ENOMEM, "internal_networks");
		goto out;
	}
	for (w = strtok_r(copy, WORD_SEP, &save); w != NULL;
	    w = strtok_r(NULL, WORD_SEP, &save)) {
		if ((nv = realloc(v, (count + 1) * sizeof(*v))) == NULL) {
			rc = imip_err_set(err, IMIP_ENOMEM,
			    "internal_networks");
			goto out;
		}
		v = nv;
		if ((rc = net_parse(&v[count], w, err)) < 0)
			goto out;
		count++;
	}
	*out = v;
	*n = count;
	v = NULL;
out:
	free(v);
	free(copy);
	return rc;
}

/* "user@domain" or "@domain", neither part empty, one '@'. */
static bool
map_addr_ok(const char *a)
{
	const char *at = strchr(a, '@');

	return at != NULL && strchr(at + 1, '@') == NULL && at[1] != '\0' &&
	    at[1] != '.';
}

static int
map_add(struct imip_login_map *map, const char *login, const char *addr)
{
	struct map_entry *v;

	if ((v = realloc(map->v, (map->n + 1) * sizeof(*v))) == NULL)
		return IMIP_ENOMEM;
	map->v = v;
	v = &map->v[map->n];
	if ((v->login = strdup(login)) == NULL)
		return IMIP_ENOMEM;
	if ((v->addr = strdup(addr)) == NULL) {
		free(v->login);
		return IMIP_ENOMEM;
	}
	for (char *p = v->addr; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	map->n++;
	return IMIP_OK;
}

/* One map line (NUL-terminated, no newline, may be changed). */
static int
map_line(struct imip_login_map *map, char *line, const char *name,
    unsigned lineno, struct imip_err *err)
{
	char *save = NULL, *login, *w;
	size_t naddr = 0;

	for (char *p = line; *p != '\0'; p++)
		if (*p == '#' && (p == line || isspace((unsigned char)p[-1])))
			*p = '\0';
	if ((login = strtok_r(line, WORD_SEP, &save)) == NULL)
		return IMIP_OK;
	for (; (w = strtok_r(NULL, WORD_SEP, &save)) != NULL; naddr++) {
		if (!map_addr_ok(w))
			return imip_err_set(err, IMIP_ECONFIG, "%s:%u: \"%s\" "
			    "is neither user@domain nor @domain", name,
			    lineno, w);
		if (map_add(map, login, w) < 0)
			return imip_err_set(err, IMIP_ENOMEM,
			    "%s:%u: out of memory", name, lineno);
	}
	if (naddr == 0)
		return imip_err_set(err, IMIP_ECONFIG, "%s:%u: login \"%s\" "
		    "without addresses", name, lineno, login);
	return IMIP_OK;
}

int
imip_trust_map_parse(struct imip_login_map **out, const char *buf,
    const char *name, struct imip_err *err)
{
	struct imip_login_map *map = NULL;
	char *line = NULL;
	const char *p, *eol;
	unsigned lineno = 0;
	int rc = IMIP_OK;

	*out = NULL;
	if ((map = calloc(1, sizeof(*map))) == NULL) {
		rc = imip_err_set(err, IMIP_ENOMEM, "%s: out of memory", name);
		goto out;
	}
	for (p = buf; *p != '\0'; p = *eol == '\0' ? eol : eol + 1) {
		eol = p + strcspn(p, "\n");
		free(line);
		if ((line = strndup(p, (size_t)(eol - p))) == NULL) {
			rc = imip_err_set(err, IMIP_ENOMEM,
			    "%s: out of memory", name);
			goto out;
		}
		if ((rc = map_line(map, line, name, ++lineno, err)) < 0)
			goto out;
	}
	if (map->n > 0) {
		*out = map;
		map = NULL;
	}
out:
	free(line);
	imip_trust_map_free(map);
	return rc;
}

void
imip_trust_map_free(struct imip_login_map *map)
{
	if (map == NULL)
		return;
	for (size_t i = 0; i < map->n; i++) {
		free(map->v[i].login);
		free(map->v[i].addr);
	}
	free(map->v);
	free(map);
}

/*
 * May the login use addr (normalized)?  A login listed in login_map may
 * use what it lists; any other one its own name as an address, or
 * login@D for each local domain D.
 */
static bool
login_may_use(const struct imip_trust *t, const struct imip_conf *conf,
    const char *addr)
{
	const struct imip_login_map *map;
	const char *at = strrchr(addr, '@');
	bool listed = false;
	size_t len;

	if (t->login == NULL || at == NULL)
		return false;
	map = conf != NULL ? conf->login_map_data : NULL;
	for (size_t i = 0; map != NULL && i < map->n; i++) {
		if (strcasecmp(map->v[i].login, t->login) != 0)
			continue;
		listed = true;
		if (map->v[i].addr[0] == '@' ?
		    strcmp(map->v[i].addr, at) == 0 :
		    strcmp(map->v[i].addr, addr) == 0)
			return true;
	}
	if (listed)
		return false;
	if (strchr(t->login, '@') != NULL)
		return imip_addr_equal(t->login, addr);
	len = strlen(t->login);
	return (size_t)(at - addr) == len &&
	    strncasecmp(addr, t->login, len) == 0 &&
	    imip_conf_is_local(conf, addr);
}

/* Add ch to out[n], dropping the blanks that CFWS allows around = and ;. */
static size_t
ar_put(char *out, size_t n, char ch)
{
	if (ch == ' ' && (n == 0 || out[n - 1] == ' ' || out[n - 1] == '=' ||
	    out[n - 1] == ';'))
		return n;
	if ((ch == '=' || ch == ';') && n > 0 && out[n - 1] == ' ')
		n--;
	out[n++] = ch;
	return n;
}

/*
 * Copy an Authentication-Results value into out without comments and
 * folding, so "dkim = pass (good) header.d=x" becomes
 * "dkim=pass header.d=x".  Quoted strings stay as they are.  false when
 * the value does not fit or its parentheses or quotes are unbalanced.
 */
static bool
ar_clean(char *out, size_t size, const char *in)
{
	size_t n = 0;
	int depth = 0;
	bool quoted = false;
	char ch;

	for (; (ch = *in) != '\0'; in++) {
		if (n + 3 > size)
			return false;
		if (quoted) {
			out[n++] = ch;
			if (ch == '\\' && in[1] != '\0')
				out[n++] = *++in;
			else if (ch == '"')
				quoted = false;
		} else if (depth > 0 || ch == '(') {
			if (ch == '\\' && in[1] != '\0')
				in++;
			else if (ch == '(')
				depth++;
			else if (ch == ')' && --depth == 0)
				n = ar_put(out, n, ' ');
		} else if (ch == ')') {
			return false;
		} else {
			quoted = ch == '"';
			n = ar_put(out, n,
			    isspace((unsigned char)ch) ? ' ' : ch);
		}
	}
	out[n] = '\0';
	return depth == 0 && !quoted;
}

/* Cut the next word at a blank or ';' outside quotes; *sep gets which. */
static char *
ar_token(char **pos, char *sep)
{
	char *s = *pos, *p = s;
	bool quoted = false;

	for (; *p != '\0'; p++) {
		if (quoted && *p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (!quoted && (*p == ' ' || *p == ';'))
			break;
	}
	*sep = *p;
	if (*p != '\0')
		*p++ = '\0';
	*pos = p;
	return s;
}

/* "dkim=pass", "dmarc/1=fail": true for the methods and results we keep. */
static bool
ar_method(char *tok, struct ar_result *r)
{
	char *eq = strchr(tok, '='), *slash;

	if (eq == NULL)
		return false;
	*eq++ = '\0';
	if ((slash = strchr(tok, '/')) != NULL)
		*slash = '\0';
	if (strcasecmp(tok, "dkim") == 0)
		r->dmarc = false;
	else if (strcasecmp(tok, "dmarc") == 0)
		r->dmarc = true;
	else
		return false;
	if (strcasecmp(eq, "pass") == 0)
		r->pass = true;
	else if (strcasecmp(eq, "fail") == 0)
		r->pass = false;
	else
		return false;
	return true;
}

/*
 * The domain of property key ("header.d=") in tok, lower-cased in place:
 * quotes dropped, "user@domain" (header.i) cut to the domain.  NULL when
 * tok is another property or the value is no domain name.
 */
static char *
ar_domain(char *tok, const char *key)
{
	size_t klen = strlen(key), len;
	char *v, *at;

	if (strncasecmp(tok, key, klen) != 0)
		return NULL;
	v = tok + klen;
	len = strlen(v);
	if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
		v[len - 1] = '\0';
		v++;
	}
	if ((at = strrchr(v, '@')) != NULL)
		v = at + 1;
	if (*v == '\0' || *v == '.')
		return NULL;
	for (char *p = v; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr(".-_", *p) == NULL)
			return NULL;
		*p = (char)tolower((unsigned char)*p);
	}
	return v;
}

/* Keep r for domain, once; past MAX_RESULTS further results are dropped. */
static int
ar_keep(struct imip_trust *t, struct ar_result *r, const char *domain,
    struct imip_err *err)
{
	for (size_t i = 0; i < t->nresults; i++)
		if (t->results[i].dmarc == r->dmarc &&
		    t->results[i].pass == r->pass &&
		    strcmp(t->results[i].domain, domain) == 0)
			return IMIP_OK;
	if (t->nresults == MAX_RESULTS)
		return IMIP_OK;
	if ((r->domain = strdup(domain)) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "trust");
	t->results[t->nresults++] = *r;
	return IMIP_OK;
}

/* One resinfo ("dkim=pass header.d=example.com ..."), up to ';' or end. */
static int
ar_resinfo(struct imip_trust *t, char **pos, char *sep, struct imip_err *err)
{
	struct ar_result r = { 0 };
	char *tok, *v, *d = NULL, *i = NULL, *from = NULL;
	bool first = true, keep = false;

	do {
		tok = ar_token(pos, sep);
		if (*tok == '\0')
			continue;
		if (first)
			keep = ar_method(tok, &r);
		else if (d == NULL && (v = ar_domain(tok, "header.d=")) != NULL)
			d = v;
		else if (i == NULL && (v = ar_domain(tok, "header.i=")) != NULL)
			i = v;
		else if (from == NULL &&
		    (v = ar_domain(tok, "header.from=")) != NULL)
			from = v;
		first = false;
	} while (*sep == ' ');
	if (!keep || (v = r.dmarc ? from : d != NULL ? d : i) == NULL)
		return IMIP_OK;
	return ar_keep(t, &r, v, err);
}

static bool
ar_trusted_id(const struct imip_conf *conf, const char *id)
{
	for (char **p = conf->trusted_authserv_ids; *p != NULL; p++)
		if (strcasecmp(*p, id) == 0)
			return true;
	return false;
}

int
imip_trust_add_auth_results(struct imip_trust *t,
    const struct imip_conf *conf, const char *value, struct imip_err *err)
{
	char buf[MAX_AR_LEN + 1], *pos = buf, *tok;
	char sep;
	int rc = IMIP_OK;

	if (value == NULL || conf == NULL ||
	    conf->trusted_authserv_ids == NULL ||
	    conf->trusted_authserv_ids[0] == NULL ||
	    !ar_clean(buf, sizeof(buf), value))
		return IMIP_OK;
	tok = ar_token(&pos, &sep);
	if (!ar_trusted_id(conf, tok))
		return IMIP_OK;
	while (sep == ' ')		/* an authserv-id version */
		(void)ar_token(&pos, &sep);
	while (sep == ';' && rc == IMIP_OK)
		rc = ar_resinfo(t, &pos, &sep, err);
	return rc;
}

/* Is d, a domain a verifier reported, aligned with domain a (or above)? */
static bool
aligned(const char *d, const char *a)
{
	size_t ld = strlen(d), la = strlen(a);

	if (strcmp(d, a) == 0)
		return true;
	return la > ld && a[la - ld - 1] == '.' && strcmp(a + la - ld, d) == 0;
}

/*
 * What trusted verifiers said about domain dom: a pass outweighs a
 * failure (one good DKIM signature is enough); dkim_only ignores DMARC.
 */
static enum ar_verdict
ar_verdict(const struct imip_trust *t, const char *dom, bool dkim_only)
{
	bool pass = false, fail = false;

	for (size_t i = 0; i < t->nresults; i++) {
		const struct ar_result *r = &t->results[i];

		if (r->dmarc ? dkim_only || strcmp(r->domain, dom) != 0 :
		    !aligned(r->domain, dom))
			continue;
		if (r->pass)
			pass = true;
		else
			fail = true;
	}
	return pass ? AR_PASS : fail ? AR_FAIL : AR_NONE;
}

bool
imip_trust_vouches(const struct imip_trust *t, const struct imip_conf *conf,
    const char *addr)
{
	char *norm = NULL;
	const char *dom;
	bool yes;

	if (t == NULL)
		return true;
	if (imip_addr_norm(&norm, addr, NULL) < 0 ||
	    (dom = imip_addr_domain(norm)) == NULL)
		yes = false;
	else if (login_may_use(t, conf, norm) || t->internal)
		yes = true;
	else if (imip_conf_is_local(conf, norm))
		yes = ar_verdict(t, dom, true) == AR_PASS;
	else
		yes = ar_verdict(t, dom, false) != AR_FAIL;
	free(norm);
	return yes;
}

/* Append "key" "value" to buf as one more blank-separated word. */
static size_t
describe_word(char *buf, size_t size, size_t n, const char *key,
    const char *value)
{
	int w;

	if (n >= size)
		return n;
	w = snprintf(buf + n, size - n, "%s%s%s", n > 0 ? " " : "", key,
	    value);
	return w < 0 ? n : n + (size_t)w;
}

const char *
imip_trust_describe(const struct imip_trust *t, char *buf, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (t == NULL) {
		snprintf(buf, size, "unchecked");
		return buf;
	}
	if (t->login != NULL)
		n = describe_word(buf, size, n, "login=", t->login);
	if (t->internal)
		n = describe_word(buf, size, n, "internal=", t->client);
	for (size_t i = 0; i < t->nresults; i++) {
		const struct ar_result *r = &t->results[i];

		n = describe_word(buf, size, n, r->dmarc ?
		    (r->pass ? "dmarc=" : "dmarc-fail=") :
		    (r->pass ? "dkim=" : "dkim-fail="), r->domain);
	}
	if (n == 0)
		snprintf(buf, size, "none");
	return buf;
}
