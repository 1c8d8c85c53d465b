/*
 * test_conf_trust.c - the configuration keys of trust and failure
 * handling: internal_networks, trusted_authserv_ids, login_map and the
 * on_* actions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "conf.h"

/* internal_networks as "addr/prefix|...", for comparing as one string. */
static const char *
render_nets(char *buf, size_t size, const struct imip_conf *c)
{
	char a[INET6_ADDRSTRLEN];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < c->ninternal_networks && len < size; i++) {
		const struct imip_cidr *n = &c->internal_networks[i];

		assert_non_null(inet_ntop(n->family, n->addr, a, sizeof(a)));
		len += (size_t)snprintf(buf + len, size - len, "%s%s/%u",
		    i == 0 ? "" : "|", a, n->prefix);
	}
	return buf;
}

static void
test_conf_trust_keys_default(void **state)
{
	struct imip_conf *c = NULL;
	char buf[256];

	assert_int_equal(imip_conf_defaults(&c, NULL), IMIP_OK);
	assert_string_equal(render_nets(buf, sizeof(buf), c),
	    "127.0.0.0/8|::1/128");
	assert_non_null(c->trusted_authserv_ids);
	assert_null(c->trusted_authserv_ids[0]);
	assert_string_equal(c->login_map, "");
	assert_null(c->login_map_data);
	assert_int_equal(c->on_bad_data, IMIP_FAIL_ACCEPT);
	assert_int_equal(c->on_policy_refusal, IMIP_FAIL_ACCEPT);
	imip_conf_free(c);
}

/* Parse text; on success the rendered networks, else the error. */
static const char *
parse_nets(char *buf, size_t size, const char *text)
{
	struct imip_err err = { 0, "" };
	struct imip_conf *c = NULL;

	if (imip_conf_parse_buf(&c, text, "t.conf", &err) < 0) {
		snprintf(buf, size, "%s", err.msg);
		return buf;
	}
	render_nets(buf, size, c);
	imip_conf_free(c);
	return buf;
}

static void
test_conf_internal_networks_parse(void **state)
{
	static const struct {
		const char	*text;
		const char	*want;
	} cases[] = {
		{ "internal_networks = 10.0.0.0/8, 192.0.2.7 2001:db8::/32",
		    "10.0.0.0/8|192.0.2.7/32|2001:db8::/32" },
		{ "internal_networks = [::1]/128,[2001:db8::1]",
		    "::1/128|2001:db8::1/128" },
		{ "internal_networks = 0.0.0.0/0 ::/0", "0.0.0.0/0|::/0" },
		{ "internal_networks =", "" },
		{ "internal_networks = 10.0.0.1/8", "t.conf:1: "
		    "internal_networks: \"10.0.0.1/8\" has host bits set" },
		{ "internal_networks = 10.0.0.0/33", "t.conf:1: "
		    "internal_networks: bad prefix length in \"10.0.0.0/33\"" },
		{ "internal_networks = 10.0.0.0/", "t.conf:1: "
		    "internal_networks: bad prefix length in \"10.0.0.0/\"" },
		{ "internal_networks = ::/-1", "t.conf:1: "
		    "internal_networks: bad prefix length in \"::/-1\"" },
		{ "internal_networks = 10.0.0.0/8x", "t.conf:1: "
		    "internal_networks: bad prefix length in \"10.0.0.0/8x\"" },
		{ "internal_networks = localhost", "t.conf:1: "
		    "internal_networks: \"localhost\" is not an IP address or "
		    "network" },
		{ "internal_networks = 10.0.0", "t.conf:1: "
		    "internal_networks: \"10.0.0\" is not an IP address or "
		    "network" },
	};
	char got[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strcmp(parse_nets(got, sizeof(got), cases[i].text),
		    cases[i].want) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"",
			    cases[i].text, got, cases[i].want);
}

static void
test_conf_failure_actions_take_quarantine(void **state)
{
	struct imip_err err = { 0, "" };
	struct imip_conf *c = NULL;

	assert_int_equal(imip_conf_parse_buf(&c, "on_internal_error = "
	    "quarantine\non_bad_data = Reject\non_policy_refusal = "
	    "quarantine\ntrusted_authserv_ids = MX.Example.org, other\n",
	    "t.conf", &err), IMIP_OK);
	assert_int_equal(c->on_internal_error, IMIP_FAIL_QUARANTINE);
	assert_int_equal(c->on_bad_data, IMIP_FAIL_REJECT);
	assert_int_equal(c->on_policy_refusal, IMIP_FAIL_QUARANTINE);
	assert_string_equal(c->trusted_authserv_ids[0], "mx.example.org");
	assert_string_equal(c->trusted_authserv_ids[1], "other");
	assert_null(c->trusted_authserv_ids[2]);
	imip_conf_free(c);
	assert_int_equal(imip_conf_parse_buf(&c, "\non_policy_refusal = "
	    "hold\n", "t.conf", &err), IMIP_ECONFIG);
	assert_string_equal(err.msg, "t.conf:2: on_policy_refusal: bad value "
	    "\"hold\" (want accept, tempfail, reject or quarantine)");
	assert_int_equal(imip_conf_parse_buf(&c, "on_bad_data = bounce",
	    "t.conf", &err), IMIP_ECONFIG);
}

/* Write text to a new temporary file named in path (caller unlinks). */
static void
temp_file(char *path, const char *text)
{
	int fd;

	strcpy(path, "/tmp/test_conf_map.XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void
test_conf_login_map_read_with_the_snapshot(void **state)
{
	struct imip_err err = { 0, "" };
	struct imip_conf *c = NULL;
	char path[64], text[128], want[256];

	temp_file(path, "alice alice@example.org @sales.example.org\n");
	snprintf(text, sizeof(text), "login_map = %s\n", path);
	assert_int_equal(imip_conf_parse_buf(&c, text, "t.conf", &err),
	    IMIP_OK);
	unlink(path);
	assert_string_equal(c->login_map, path);
	assert_non_null(c->login_map_data);
	/* The snapshot keeps what it read; "" drops the map. */
	assert_int_equal(imip_conf_set(c, "login_map", "", &err), IMIP_OK);
	assert_null(c->login_map_data);
	assert_int_equal(imip_conf_set(c, "login_map", path, &err),
	    IMIP_ECONFIG);
	snprintf(want, sizeof(want), "login_map: %s: cannot read: No such "
	    "file or directory", path);
	assert_string_equal(err.msg, want);
	imip_conf_free(c);

	temp_file(path, "# logins\nalice alice@example.org\nbob\n");
	snprintf(text, sizeof(text), "\nlogin_map = %s\n", path);
	assert_int_equal(imip_conf_parse_buf(&c, text, "t.conf", &err),
	    IMIP_ECONFIG);
	unlink(path);
	snprintf(want, sizeof(want), "t.conf:2: login_map: %s:3: login "
	    "\"bob\" without addresses", path);
	assert_string_equal(err.msg, want);
	assert_null(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_trust_keys_default),
		cmocka_unit_test(test_conf_internal_networks_parse),
		cmocka_unit_test(test_conf_failure_actions_take_quarantine),
		cmocka_unit_test(test_conf_login_map_read_with_the_snapshot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
