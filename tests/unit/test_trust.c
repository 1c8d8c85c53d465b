/*
 * test_trust.c - the evidence behind an originator address: SASL login
 * and login_map, internal_networks, Authentication-Results from trusted
 * authserv-ids, and how the evidence is described for the journal.
 *
 * Each test parses its own configuration text; no files, no database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "trust.h"

struct tfx {
	struct imip_conf	*conf;
	struct imip_trust	*t;
	struct imip_err		 err;
};

static struct imip_conf *
conf_of(const char *text)
{
	struct imip_err err = { 0 };
	struct imip_conf *c = NULL;

	if (imip_conf_parse_buf(&c, text, "t.conf", &err) != IMIP_OK)
		fail_msg("%s: %s", text, err.msg);
	return c;
}

/* local_domains example.org, A-R from mx.example.org believed. */
static int
setup(void **state)
{
	struct tfx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->conf = conf_of("local_domains = example.org\n"
	    "internal_networks = 10.0.0.0/8, 2001:db8::/32\n"
	    "trusted_authserv_ids = MX.example.org\n");
	assert_int_equal(imip_trust_new(&fx->t, &fx->err), IMIP_OK);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct tfx *fx = *state;

	imip_trust_free(fx->t);
	imip_conf_free(fx->conf);
	free(fx);
	return 0;
}

static void
login(struct tfx *fx, const char *name)
{
	assert_int_equal(imip_trust_set_login(fx->t, name, &fx->err),
	    IMIP_OK);
}

static void
ar(struct tfx *fx, const char *value)
{
	assert_int_equal(imip_trust_add_auth_results(fx->t, fx->conf, value,
	    &fx->err), IMIP_OK);
}

/* got/want for one address, naming it when it fails. */
static void
check(const struct tfx *fx, const char *addr, bool want)
{
	bool got = imip_trust_vouches(fx->t, fx->conf, addr);

	if (got != want)
		fail_msg("vouches(%s): got %d, want %d",
		    addr != NULL ? addr : "NULL", got, want);
}

static void
test_trust_null_vouches_for_everything(void **state)
{
	struct tfx *fx = *state;

	assert_true(imip_trust_vouches(NULL, fx->conf, "alice@example.org"));
	assert_true(imip_trust_vouches(NULL, NULL, "x@example.com"));
	imip_trust_free(NULL);
}

static void
test_trust_without_evidence_local_no_external_yes(void **state)
{
	struct tfx *fx = *state;

	check(fx, "alice@example.org", false);
	check(fx, "<Alice@Example.ORG>", false);
	check(fx, "bob@example.com", true);
	check(fx, "", false);
	check(fx, "<>", false);
	check(fx, NULL, false);
}

static void
test_trust_login_uses_its_local_addresses(void **state)
{
	struct tfx *fx = *state;

	login(fx, "alice");
	check(fx, "alice@example.org", true);
	check(fx, "mailto:ALICE@example.org", true);
	check(fx, "bob@example.org", false);
	check(fx, "alicex@example.org", false);
	login(fx, "alice@example.org");
	check(fx, "alice@example.org", true);
	check(fx, "bob@example.org", false);
	login(fx, NULL);
	check(fx, "alice@example.org", false);
}

static void
test_trust_login_map_replaces_the_default(void **state)
{
	struct tfx *fx = *state;
	struct imip_conf *c;
	char path[] = "/tmp/test_trust_map.XXXXXX", text[256];
	FILE *f;
	int fd;

	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fputs("# login  addresses\n"
	    "alice   alice@example.org, boss@example.org\n"
	    "helpdesk @sales.example.org   # a whole domain\n"
	    "\n", f);
	fclose(f);
	snprintf(text, sizeof(text), "local_domains = example.org "
	    "sales.example.org\nlogin_map = %s\n", path);
	c = conf_of(text);
	unlink(path);
	imip_conf_free(fx->conf);
	fx->conf = c;
	login(fx, "alice");
	check(fx, "boss@example.org", true);
	check(fx, "alice@example.org", true);
	check(fx, "carol@example.org", false);
	login(fx, "helpdesk");
	check(fx, "anyone@sales.example.org", true);
	check(fx, "helpdesk@example.org", false);	/* listed: map only */
	login(fx, "carol");				/* not listed */
	check(fx, "carol@example.org", true);
	check(fx, "boss@example.org", false);
}

static void
test_trust_map_parse_errors_name_the_line(void **state)
{
	static const struct {
		const char	*text;
		const char	*want;
	} cases[] = {
		{ "alice\n", "map:1: login \"alice\" without addresses" },
		{ "# c\nalice bob\n", "map:2: \"bob\" is neither user@domain "
		    "nor @domain" },
		{ "a x@y\nb @\n", "map:2: \"@\" is neither user@domain nor "
		    "@domain" },
		{ "a x@y@z\n", "map:1: \"x@y@z\" is neither user@domain nor "
		    "@domain" },
	};
	struct imip_login_map *map = NULL;
	struct imip_err err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = imip_trust_map_parse(&map, cases[i].text, "map",
		    &err);

		if (rc != IMIP_ECONFIG || strcmp(err.msg, cases[i].want) != 0)
			fail_msg("%s: got %d \"%s\", want \"%s\"",
			    cases[i].text, rc, err.msg, cases[i].want);
		assert_null(map);
	}
	assert_int_equal(imip_trust_map_parse(&map, "# none\n\n", "map",
	    &err), IMIP_OK);
	assert_null(map);
	imip_trust_map_free(NULL);
}

static void
test_trust_internal_client_v4_v6_and_outside(void **state)
{
	static const struct {
		const char	*client;
		bool		 internal;
	} cases[] = {
		{ "10.1.2.3", true }, { "10.255.255.255", true },
		{ "11.0.0.1", false }, { "2001:db8::5", true },
		{ "[2001:db8:ffff::1]", true }, { "IPv6:2001:db8::1", true },
		{ "2001:db9::1", false }, { "::ffff:10.9.8.7", true },
		{ "127.0.0.1", false }, { "", false }, { NULL, false },
		{ "localhost", false }, { "10.1.2.3/8", false },
	};
	struct tfx *fx = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got;

		imip_trust_set_client(fx->t, fx->conf, cases[i].client);
		got = imip_trust_vouches(fx->t, fx->conf, "alice@example.org");
		if (got != cases[i].internal)
			fail_msg("client %s: got %d, want %d",
			    cases[i].client != NULL ? cases[i].client : "NULL",
			    got, cases[i].internal);
	}
}

static void
test_trust_default_internal_networks_are_loopback(void **state)
{
	struct tfx *fx = *state;
	struct imip_conf *c = conf_of("local_domains = example.org\n");

	imip_trust_set_client(fx->t, c, "127.0.0.1");
	assert_true(imip_trust_vouches(fx->t, c, "alice@example.org"));
	imip_trust_set_client(fx->t, c, "::1");
	assert_true(imip_trust_vouches(fx->t, c, "alice@example.org"));
	imip_trust_set_client(fx->t, c, "192.0.2.1");
	assert_false(imip_trust_vouches(fx->t, c, "alice@example.org"));
	imip_conf_free(c);
}

static void
test_trust_dkim_pass_vouches_for_local_address(void **state)
{
	struct tfx *fx = *state;

	ar(fx, "mx.example.org 1; dkim = pass (good signature) "
	    "header.i=@example.org header.s=sel; spf=pass "
	    "smtp.mailfrom=example.org");
	check(fx, "alice@example.org", true);
	check(fx, "alice@other.example.org", true);	/* not local */
}

static void
test_trust_dmarc_pass_alone_is_not_enough_for_local(void **state)
{
	struct tfx *fx = *state;

	ar(fx, "mx.example.org; dmarc=pass header.from=example.org");
	check(fx, "alice@example.org", false);
}

static void
test_trust_failure_for_external_domain_refuses(void **state)
{
	struct tfx *fx = *state;

	ar(fx, "mx.example.org; dkim=fail (bad signature) header.d=example.com;"
	    " dmarc=fail header.from=example.net");
	check(fx, "bob@example.com", false);
	check(fx, "bob@mail.example.com", false);	/* below d= */
	check(fx, "bob@example.net", false);
	check(fx, "bob@sub.example.net", true);	/* DMARC: exact domain */
	check(fx, "bob@example.info", true);
	/* A passing signature for the same domain outweighs a broken one. */
	ar(fx, "mx.example.org; dkim=pass header.d=example.com");
	check(fx, "bob@example.com", true);
}

static void
test_trust_untrusted_authserv_id_is_ignored(void **state)
{
	struct tfx *fx = *state;
	char buf[128];

	ar(fx, "evil.example; dkim=pass header.d=example.org");
	ar(fx, "mx.example.org.evil.example; dkim=pass header.d=example.org");
	ar(fx, "evil.example; dkim=fail header.d=example.com");
	check(fx, "alice@example.org", false);
	check(fx, "bob@example.com", true);
	assert_string_equal(imip_trust_describe(fx->t, buf, sizeof(buf)),
	    "none");
}

static void
test_trust_malformed_headers_are_ignored(void **state)
{
	static const char *const bad[] = {
		"", ";", ";;;", "mx.example.org", "mx.example.org;",
		"mx.example.org; =pass", "mx.example.org; dkim=",
		"mx.example.org; dkim=pass header.d=",
		"mx.example.org; dkim=pass (unclosed header.d=example.org",
		"mx.example.org; dkim=pass) header.d=example.org",
		"mx.example.org; dkim=pass header.d=\"example.org",
		"mx.example.org; dkim=pass header.d=exa!mple.org",
		"mx.example.org; dkim=pass header.d=.example.org",
		"mx.example.org; dkim=pass header.d=ex\"ample.org",
		"(comment only)",
		"mx.example.org; dkim=neutral header.d=example.org",
		"mx.example.org; foo=pass header.d=example.org",
		"mx.example.org; dkim=pass header.x=example.org",
	};
	struct tfx *fx = *state;
	char buf[128], *big;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ar(fx, bad[i]);
		if (imip_trust_vouches(fx->t, fx->conf, "alice@example.org"))
			fail_msg("\"%s\" vouched for a local address", bad[i]);
	}
	assert_string_equal(imip_trust_describe(fx->t, buf, sizeof(buf)),
	    "none");
	/* Longer than any real header: ignored as a whole. */
	assert_non_null(big = malloc(10000));
	memset(big, 'x', 9999);
	big[9999] = '\0';
	memcpy(big, "mx.example.org; dkim=pass header.d=example.org ", 47);
	ar(fx, big);
	free(big);
	check(fx, "alice@example.org", false);
	ar(fx, NULL);
}

static void
test_trust_describe_lists_the_evidence(void **state)
{
	struct tfx *fx = *state;
	char buf[128], tiny[12];

	assert_string_equal(imip_trust_describe(NULL, buf, sizeof(buf)),
	    "unchecked");
	assert_string_equal(imip_trust_describe(fx->t, buf, sizeof(buf)),
	    "none");
	login(fx, "alice");
	imip_trust_set_client(fx->t, fx->conf, "10.0.0.7");
	ar(fx, "mx.example.org; dkim=pass header.d=Example.COM");
	ar(fx, "mx.example.org; dkim=pass header.d=example.com");
	assert_string_equal(imip_trust_describe(fx->t, buf, sizeof(buf)),
	    "login=alice internal=10.0.0.7 dkim=example.com");
	ar(fx, "mx.example.org; dmarc=fail header.from=example.net");
	assert_string_equal(imip_trust_describe(fx->t, buf, sizeof(buf)),
	    "login=alice internal=10.0.0.7 dkim=example.com "
	    "dmarc-fail=example.net");
	assert_string_equal(imip_trust_describe(fx->t, tiny, sizeof(tiny)),
	    "login=alice");
	/* An external client is no evidence; a login is kept one word. */
	imip_trust_set_client(fx->t, fx->conf, "192.0.2.1");
	login(fx, "a b\n");
	ar(fx, NULL);
	assert_string_equal(imip_trust_describe(fx->t, buf, sizeof(buf)),
	    "login=a?b? dkim=example.com dmarc-fail=example.net");
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_trust_null_vouches_for_everything),
		T(test_trust_without_evidence_local_no_external_yes),
		T(test_trust_login_uses_its_local_addresses),
		T(test_trust_login_map_replaces_the_default),
		T(test_trust_map_parse_errors_name_the_line),
		T(test_trust_internal_client_v4_v6_and_outside),
		T(test_trust_default_internal_networks_are_loopback),
		T(test_trust_dkim_pass_vouches_for_local_address),
		T(test_trust_dmarc_pass_alone_is_not_enough_for_local),
		T(test_trust_failure_for_external_domain_refuses),
		T(test_trust_untrusted_authserv_id_is_ignored),
		T(test_trust_malformed_headers_are_ignored),
		T(test_trust_describe_lists_the_evidence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
