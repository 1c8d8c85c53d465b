/*
 * test_conf.c - the configuration parser: defaults, every value type, the
 * file syntax, and the exact "name:line: why" of each error.
 *
 * Table cases render the field they touch as text and report "got X, want Y"
 * so one failing row names itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"

/* Join a NULL-terminated vector with sep, for comparing as one string. */
static void
join(char *buf, size_t size, char **v, const char *sep)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; v[i] != NULL && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    i == 0 ? "" : sep, v[i]);
}

/* The LOG_* macros expand to expressions, so name the ones tests use. */
static const char *
syslog_name(int v)
{
	switch (v) {
	case LOG_MAIL:		return "LOG_MAIL";
	case LOG_LOCAL3:	return "LOG_LOCAL3";
	case LOG_ERR:		return "LOG_ERR";
	case LOG_WARNING:	return "LOG_WARNING";
	case LOG_INFO:		return "LOG_INFO";
	case LOG_DEBUG:		return "LOG_DEBUG";
	default:		return "other";
	}
}

/* Render the field set by key as text; lists are joined with '|'. */
static const char *
render(char *buf, size_t size, const struct imip_conf *c, const char *key)
{
	if (strcmp(key, "socket") == 0)
		snprintf(buf, size, "%s", c->socket);
	else if (strcmp(key, "database") == 0)
		snprintf(buf, size, "%s", c->database);
	else if (strcmp(key, "sendmail_path") == 0)
		join(buf, size, c->sendmail_argv, "|");
	else if (strcmp(key, "local_domains") == 0)
		join(buf, size, c->local_domains, "|");
	else if (strcmp(key, "log_facility") == 0)
		snprintf(buf, size, "%s=%s", c->log_facility,
		    syslog_name(c->facility));
	else if (strcmp(key, "log_level") == 0)
		snprintf(buf, size, "%s=%s", c->log_level,
		    syslog_name(c->level));
	else if (strcmp(key, "max_message_size") == 0)
		snprintf(buf, size, "%zu", c->max_message_size);
	else if (strcmp(key, "max_calendar_size") == 0)
		snprintf(buf, size, "%zu", c->max_calendar_size);
	else if (strcmp(key, "max_components") == 0)
		snprintf(buf, size, "%d", c->max_components);
	else if (strcmp(key, "reply_rate_limit") == 0)
		snprintf(buf, size, "%d", c->reply_rate_limit);
	else if (strcmp(key, "max_attendees") == 0)
		snprintf(buf, size, "%d", c->max_attendees);
	else if (strcmp(key, "db_busy_timeout_ms") == 0)
		snprintf(buf, size, "%d", c->db_busy_ms);
	else if (strcmp(key, "on_internal_error") == 0)
		snprintf(buf, size, "%d", (int)c->on_internal_error);
	else if (strcmp(key, "outbox_max_attempts") == 0)
		snprintf(buf, size, "%d", c->outbox_max_attempts);
	else if (strcmp(key, "outbox_retry_seconds") == 0)
		snprintf(buf, size, "%d", c->outbox_retry_s);
	else if (strcmp(key, "hostname") == 0)
		snprintf(buf, size, "%s", c->hostname);
	else if (strcmp(key, "pid_file") == 0)
		snprintf(buf, size, "%s", c->pid_file);
	else if (strcmp(key, "allow_root") == 0)
		snprintf(buf, size, "%s", c->allow_root ? "yes" : "no");
	else if (strcmp(key, "socket_mode") == 0)
		snprintf(buf, size, "%04o", (unsigned)c->socket_mode);
	else if (strcmp(key, "database_mode") == 0)
		snprintf(buf, size, "%04o", (unsigned)c->database_mode);
	else
		fail_msg("render: no key %s", key);
	return buf;
}

struct value_case {
	const char	*text;
	const char	*key;
	const char	*want;
};

static void
check_values(const struct value_case *tc, size_t n)
{
	struct imip_err err = { 0, "" };
	struct imip_conf *c = NULL;
	char got[256], want[256];
	int rc;

	for (size_t i = 0; i < n; i++) {
		rc = imip_conf_parse_buf(&c, tc[i].text, "t.conf", &err);
		if (rc != IMIP_OK)
			fail_msg("%s: got rc %d (%s), want 0", tc[i].text, rc,
			    err.msg);
		snprintf(want, sizeof(want), "%s", tc[i].want);
		render(got, sizeof(got), c, tc[i].key);
		if (strcmp(got, want) != 0)
			fail_msg("\"%s\": got %s, want %s", tc[i].text, got,
			    want);
		imip_conf_free(c);
	}
}

static void
test_conf_defaults_match_documentation(void **state)
{
	static const struct value_case defaults[] = {
		{ "", "socket", "unix:/run/imip-milter/imip-milter.sock" },
		{ "", "database", "/var/lib/imip-milter/imip.db" },
		{ "", "sendmail_path", "/usr/sbin/sendmail" },
		{ "", "local_domains", "" },
		{ "", "log_facility", "mail=LOG_MAIL" },
		{ "", "log_level", "info=LOG_INFO" },
		{ "", "max_message_size", "10485760" },
		{ "", "max_calendar_size", "1048576" },
		{ "", "max_components", "1000" },
		{ "", "max_attendees", "1000" },
		{ "", "reply_rate_limit", "100" },
		{ "", "db_busy_timeout_ms", "5000" },
		{ "", "on_internal_error", "1" },
		{ "", "outbox_max_attempts", "10" },
		{ "", "outbox_retry_seconds", "60" },
		{ "", "pid_file", "" },
		{ "", "allow_root", "no" },
		{ "", "socket_mode", "0660" },
		{ "", "database_mode", "0640" },
	};
	struct imip_conf *c = NULL;

	check_values(defaults, sizeof(defaults) / sizeof(defaults[0]));
	assert_int_equal(imip_conf_defaults(&c, NULL), IMIP_OK);
	assert_int_equal(c->on_internal_error, IMIP_FAIL_TEMPFAIL);
	assert_int_equal(c->facility, LOG_MAIL);
	assert_int_equal(c->level, LOG_INFO);
	assert_string_equal(c->sendmail_path, "/usr/sbin/sendmail");
	assert_non_null(c->local_domains);
	assert_null(c->local_domains[0]);
	imip_conf_free(c);
}

static void
test_conf_free_null_is_noop(void **state)
{
	imip_conf_free(NULL);
}

static void
test_conf_every_type_parses(void **state)
{
	static const struct value_case cases[] = {
		{ "socket = inet:8891@127.0.0.1", "socket",
		    "inet:8891@127.0.0.1" },
		{ "database=/tmp/x.db", "database", "/tmp/x.db" },
		{ "pid_file = /run/imip.pid", "pid_file", "/run/imip.pid" },
		{ "hostname = mx.example.org", "hostname", "mx.example.org" },
		{ "db_busy_timeout_ms = 0", "db_busy_timeout_ms", "0" },
		{ "db_busy_timeout_ms = 60000", "db_busy_timeout_ms", "60000" },
		{ "outbox_max_attempts = 1", "outbox_max_attempts", "1" },
		{ "outbox_max_attempts = 1000", "outbox_max_attempts", "1000" },
		{ "outbox_retry_seconds = 86400", "outbox_retry_seconds",
		    "86400" },
		{ "on_internal_error = accept", "on_internal_error", "0" },
		{ "on_internal_error = tempfail", "on_internal_error", "1" },
		{ "on_internal_error = reject", "on_internal_error", "2" },
		{ "on_internal_error = TempFail", "on_internal_error", "1" },
		{ "log_facility = local3", "log_facility",
		    "local3=LOG_LOCAL3" },
		{ "log_level = debug", "log_level", "debug=LOG_DEBUG" },
		{ "log_level = warning", "log_level",
		    "warning=LOG_WARNING" },
		{ "local_domains = example.org", "local_domains",
		    "example.org" },
		{ "local_domains = A.example, B.Example.ORG", "local_domains",
		    "a.example|b.example.org" },
		{ "local_domains = a.example b.example\tc.example",
		    "local_domains", "a.example|b.example|c.example" },
		{ "local_domains = ,a.example,,b.example, ", "local_domains",
		    "a.example|b.example" },
		{ "local_domains =", "local_domains", "" },
	};

	check_values(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_conf_hardening_keys_parse(void **state)
{
	static const struct value_case cases[] = {
		{ "allow_root = yes", "allow_root", "yes" },
		{ "allow_root = YES", "allow_root", "yes" },
		{ "allow_root = true", "allow_root", "yes" },
		{ "allow_root = on", "allow_root", "yes" },
		{ "allow_root = 1", "allow_root", "yes" },
		{ "allow_root = no", "allow_root", "no" },
		{ "allow_root = False", "allow_root", "no" },
		{ "allow_root = off", "allow_root", "no" },
		{ "allow_root = 0", "allow_root", "no" },
		{ "socket_mode = 0600", "socket_mode", "0600" },
		{ "socket_mode = 666", "socket_mode", "0666" },
		{ "socket_mode = 0", "socket_mode", "0000" },
		{ "socket_mode = 00777", "socket_mode", "0777" },
		{ "database_mode = 0600", "database_mode", "0600" },
		{ "database_mode = 0660 # group too", "database_mode", "0660" },
	};

	check_values(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_conf_size_accepts_suffixes(void **state)
{
	static const struct value_case cases[] = {
		{ "max_message_size = 1024", "max_message_size", "1024" },
		{ "max_message_size = 1K", "max_message_size", "1024" },
		{ "max_message_size = 64k", "max_message_size", "65536" },
		{ "max_calendar_size = 64K", "max_calendar_size", "65536" },
		{ "max_attendees = 5", "max_attendees", "5" },
		{ "max_components = 100000", "max_components", "100000" },
		{ "max_message_size = 10M", "max_message_size", "10485760" },
		{ "max_message_size = 3m", "max_message_size", "3145728" },
		{ "max_message_size = 1G", "max_message_size", "1073741824" },
		{ "max_message_size = 1g", "max_message_size", "1073741824" },
		{ "max_message_size = 1073741824", "max_message_size",
		    "1073741824" },
	};

	check_values(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_conf_comments_and_blank_lines_skipped(void **state)
{
	static const struct value_case cases[] = {
		{ "# a comment\n\n   \n\t# indented\nsocket = unix:/a\n",
		    "socket", "unix:/a" },
		{ "socket = unix:/a # trailing comment", "socket", "unix:/a" },
		{ "socket = unix:/a\t# after a tab", "socket", "unix:/a" },
		{ "socket = unix:/a#b", "socket", "unix:/a#b" },
		{ "#socket = unix:/a", "socket",
		    "unix:/run/imip-milter/imip-milter.sock" },
		{ "socket = unix:/a\r\ndatabase = /d\r\n", "socket",
		    "unix:/a" },
		{ "socket = unix:/a\r\ndatabase = /d\r\n", "database", "/d" },
		{ "   socket   =   unix:/a   ", "socket", "unix:/a" },
		{ "socket = a = b", "socket", "a = b" },
		{ "database = /no/final/newline", "database",
		    "/no/final/newline" },
		{ "\n\n\t\n", "db_busy_timeout_ms", "5000" },
	};

	check_values(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_conf_duplicate_key_last_wins(void **state)
{
	static const struct value_case cases[] = {
		{ "socket = unix:/a\nsocket = unix:/b\n", "socket", "unix:/b" },
		{ "local_domains = a.example\nlocal_domains = b.example\n",
		    "local_domains", "b.example" },
		{ "sendmail_path = /a -x\nsendmail_path = /b\n",
		    "sendmail_path", "/b" },
		{ "log_level = debug\nlog_level = err\n", "log_level",
		    "err=LOG_ERR" },
	};

	check_values(cases, sizeof(cases) / sizeof(cases[0]));
}

struct error_case {
	const char	*text;
	int		 code;
	const char	*msg;
};

static void
test_conf_errors_name_file_and_line(void **state)
{
	static const struct error_case cases[] = {
		{ "bogus = 1\n", IMIP_ECONFIG,
		    "t.conf:1: unknown key \"bogus\"" },
		{ "# c\n\nSocket = x\n", IMIP_ECONFIG,
		    "t.conf:3: unknown key \"Socket\"" },
		{ "socket unix:/a\n", IMIP_ECONFIG,
		    "t.conf:1: missing '=' after \"socket\"" },
		{ "\n\ndatabase\n", IMIP_ECONFIG,
		    "t.conf:3: missing '=' after \"database\"" },
		{ "= x\n", IMIP_ECONFIG, "t.conf:1: missing key before '='" },
		{ "db_busy_timeout_ms = abc", IMIP_ECONFIG,
		    "t.conf:1: db_busy_timeout_ms: bad number \"abc\"" },
		{ "db_busy_timeout_ms = 12x", IMIP_ECONFIG,
		    "t.conf:1: db_busy_timeout_ms: bad number \"12x\"" },
		{ "db_busy_timeout_ms =", IMIP_ECONFIG,
		    "t.conf:1: db_busy_timeout_ms: bad number \"\"" },
		{ "db_busy_timeout_ms = 5K", IMIP_ECONFIG,
		    "t.conf:1: db_busy_timeout_ms: bad number \"5K\"" },
		{ "outbox_max_attempts = +5", IMIP_ECONFIG,
		    "t.conf:1: outbox_max_attempts: bad number \"+5\"" },
		{ "db_busy_timeout_ms = 60001", IMIP_ECONFIG,
		    "t.conf:1: db_busy_timeout_ms: 60001 out of range "
		    "0..60000" },
		{ "db_busy_timeout_ms = -1", IMIP_ECONFIG,
		    "t.conf:1: db_busy_timeout_ms: -1 out of range 0..60000" },
		{ "outbox_max_attempts = 0", IMIP_ECONFIG,
		    "t.conf:1: outbox_max_attempts: 0 out of range 1..1000" },
		{ "outbox_retry_seconds = 99999999999999999999", IMIP_ECONFIG,
		    "t.conf:1: outbox_retry_seconds: 99999999999999999999 "
		    "out of range 1..86400" },
		{ "max_message_size = 2G", IMIP_ECONFIG,
		    "t.conf:1: max_message_size: 2G out of range 1K..1G" },
		{ "max_message_size = 1023", IMIP_ECONFIG,
		    "t.conf:1: max_message_size: 1023 out of range 1K..1G" },
		{ "max_message_size = 9999999999G", IMIP_ECONFIG,
		    "t.conf:1: max_message_size: 9999999999G out of range "
		    "1K..1G" },
		{ "max_message_size = 10MB", IMIP_ECONFIG,
		    "t.conf:1: max_message_size: bad number \"10MB\"" },
		{ "max_message_size = 10T", IMIP_ECONFIG,
		    "t.conf:1: max_message_size: bad number \"10T\"" },
		{ "max_message_size = M", IMIP_ECONFIG,
		    "t.conf:1: max_message_size: bad number \"M\"" },
		{ "on_internal_error = bounce", IMIP_ECONFIG,
		    "t.conf:1: on_internal_error: bad value \"bounce\" "
		    "(want accept, tempfail, reject or quarantine)" },
		{ "log_facility = kern7", IMIP_ECONFIG,
		    "t.conf:1: log_facility: unknown facility \"kern7\"" },
		{ "log_level = loud", IMIP_ECONFIG,
		    "t.conf:1: log_level: unknown level \"loud\"" },
		{ "socket =", IMIP_ECONFIG,
		    "t.conf:1: socket: must not be empty" },
		{ "database = # none", IMIP_ECONFIG,
		    "t.conf:1: database: must not be empty" },
		{ "sendmail_path = \t", IMIP_ECONFIG,
		    "t.conf:1: sendmail_path: no program given" },
		{ "allow_root = maybe", IMIP_ECONFIG,
		    "t.conf:1: allow_root: bad value \"maybe\" (want yes or "
		    "no)" },
		{ "allow_root =", IMIP_ECONFIG,
		    "t.conf:1: allow_root: bad value \"\" (want yes or no)" },
		{ "allow_root = 2", IMIP_ECONFIG,
		    "t.conf:1: allow_root: bad value \"2\" (want yes or no)" },
		{ "socket_mode = 0668", IMIP_ECONFIG,
		    "t.conf:1: socket_mode: bad mode \"0668\" (want octal, "
		    "such as 0640)" },
		{ "socket_mode = rw-rw----", IMIP_ECONFIG,
		    "t.conf:1: socket_mode: bad mode \"rw-rw----\" (want "
		    "octal, such as 0640)" },
		{ "socket_mode = -600", IMIP_ECONFIG,
		    "t.conf:1: socket_mode: bad mode \"-600\" (want octal, "
		    "such as 0640)" },
		{ "socket_mode =", IMIP_ECONFIG,
		    "t.conf:1: socket_mode: bad mode \"\" (want octal, "
		    "such as 0640)" },
		{ "database_mode = 0x1a0", IMIP_ECONFIG,
		    "t.conf:1: database_mode: bad mode \"0x1a0\" (want octal, "
		    "such as 0640)" },
		{ "socket_mode = 01777", IMIP_ECONFIG,
		    "t.conf:1: socket_mode: 01777 out of range 0000..0777" },
		{ "database_mode = 4640", IMIP_ECONFIG,
		    "t.conf:1: database_mode: 4640 out of range 0000..0777" },
		{ "database_mode = 77777777777777777777777", IMIP_ECONFIG,
		    "t.conf:1: database_mode: bad mode "
		    "\"77777777777777777777777\" (want octal, such as 0640)" },
	};
	static struct imip_conf sentinel;
	struct imip_err err;
	struct imip_conf *c;
	int rc;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = &sentinel;		/* must come back NULL */
		imip_err_clear(&err);
		rc = imip_conf_parse_buf(&c, cases[i].text, "t.conf", &err);
		if (rc != cases[i].code)
			fail_msg("\"%s\": got rc %d, want %d", cases[i].text,
			    rc, cases[i].code);
		if (strcmp(err.msg, cases[i].msg) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"",
			    cases[i].text, err.msg, cases[i].msg);
		assert_int_equal(err.code, cases[i].code);
		assert_null(c);
	}
}

static void
test_conf_error_without_err_record_fails(void **state)
{
	struct imip_conf *c = NULL;

	assert_int_equal(imip_conf_parse_buf(&c, "bogus = 1", "t", NULL),
	    IMIP_ECONFIG);
	assert_null(c);
}

static void
test_conf_local_domain_matching(void **state)
{
	static const struct {
		const char	*addr;
		bool		 want;
	} cases[] = {
		{ "room1@example.org", true },
		{ "Room1@EXAMPLE.ORG", true },
		{ "x@Rooms.Example.Net", true },
		{ "\"a@b\"@example.org", true },
		{ "room1@sub.example.org", false },
		{ "room1@example.org.evil", false },
		{ "room1@xexample.org", false },
		{ "room1@", false },
		{ "example.org", false },
		{ "", false },
	};
	struct imip_err err = { 0, "" };
	struct imip_conf *c = NULL;
	bool got;

	assert_int_equal(imip_conf_parse_buf(&c,
	    "local_domains = Example.ORG, rooms.example.net\n", "t", &err),
	    IMIP_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = imip_conf_is_local(c, cases[i].addr);
		if (got != cases[i].want)
			fail_msg("\"%s\": got %d, want %d", cases[i].addr, got,
			    cases[i].want);
	}
	assert_false(imip_conf_is_local(c, NULL));
	imip_conf_free(c);
	assert_int_equal(imip_conf_defaults(&c, &err), IMIP_OK);
	assert_false(imip_conf_is_local(c, "room1@example.org"));
	imip_conf_free(c);
}

static void
test_conf_sendmail_path_splits_on_blanks(void **state)
{
	static const struct value_case cases[] = {
		{ "sendmail_path = /usr/sbin/sendmail", "sendmail_path",
		    "/usr/sbin/sendmail" },
		{ "sendmail_path = /usr/sbin/sendmail -C /etc/postfix-out",
		    "sendmail_path", "/usr/sbin/sendmail|-C|/etc/postfix-out" },
		{ "sendmail_path =   /bin/x \t -a\t\t-b  ", "sendmail_path",
		    "/bin/x|-a|-b" },
		/* no shell, no quoting: quotes stay in the words */
		{ "sendmail_path = /bin/x \"a b\"", "sendmail_path",
		    "/bin/x|\"a|b\"" },
	};
	struct imip_err err = { 0, "" };
	struct imip_conf *c = NULL;

	check_values(cases, sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(imip_conf_parse_buf(&c,
	    "sendmail_path = /s -C /e   # out", "t", &err), IMIP_OK);
	assert_string_equal(c->sendmail_path, "/s -C /e");
	assert_string_equal(c->sendmail_argv[0], "/s");
	assert_string_equal(c->sendmail_argv[2], "/e");
	assert_null(c->sendmail_argv[3]);
	imip_conf_free(c);
}

static void
test_conf_set_overrides_one_key(void **state)
{
	struct imip_err err = { 0, "" };
	struct imip_conf *c = NULL;

	assert_int_equal(imip_conf_parse_buf(&c,
	    "socket = unix:/a\nmax_message_size = 1M\n", "t", &err), IMIP_OK);
	assert_int_equal(imip_conf_set(c, "socket", "inet:8891@localhost",
	    &err), IMIP_OK);
	assert_string_equal(c->socket, "inet:8891@localhost");
	assert_int_equal(c->max_message_size, 1024 * 1024);
	assert_int_equal(imip_conf_set(c, "sendmail_path", "/x -y", &err),
	    IMIP_OK);
	assert_string_equal(c->sendmail_argv[1], "-y");
	assert_int_equal(imip_conf_set(c, "log_facility", "local7", &err),
	    IMIP_OK);
	assert_int_equal(c->facility, LOG_LOCAL7);
	imip_conf_free(c);
}

static void
test_conf_set_failure_keeps_old_value(void **state)
{
	struct imip_err err = { 0, "" };
	struct imip_conf *c = NULL;

	assert_int_equal(imip_conf_defaults(&c, &err), IMIP_OK);
	assert_int_equal(imip_conf_set(c, "nope", "1", &err), IMIP_ECONFIG);
	assert_string_equal(err.msg, "unknown key \"nope\"");
	assert_int_equal(imip_conf_set(c, "outbox_max_attempts", "1001",
	    &err), IMIP_ECONFIG);
	assert_string_equal(err.msg,
	    "outbox_max_attempts: 1001 out of range 1..1000");
	assert_int_equal(c->outbox_max_attempts, 10);
	assert_int_equal(imip_conf_set(c, "log_level", "loud", &err),
	    IMIP_ECONFIG);
	assert_string_equal(c->log_level, "info");
	assert_int_equal(c->level, LOG_INFO);
	assert_int_equal(imip_conf_set(c, "sendmail_path", " ", &err),
	    IMIP_ECONFIG);
	assert_string_equal(c->sendmail_argv[0], "/usr/sbin/sendmail");
	assert_int_equal(imip_conf_set(c, "socket", "", &err), IMIP_ECONFIG);
	assert_string_equal(c->socket,
	    "unix:/run/imip-milter/imip-milter.sock");
	imip_conf_free(c);
}

static void
test_conf_empty_hostname_uses_gethostname(void **state)
{
	struct imip_err err = { 0, "" };
	struct imip_conf *c = NULL;
	char host[256];

	assert_int_equal(gethostname(host, sizeof(host)), 0);
	host[sizeof(host) - 1] = '\0';
	assert_int_equal(imip_conf_parse_buf(&c, "hostname =\n", "t", &err),
	    IMIP_OK);
	assert_string_equal(c->hostname, host);
	assert_int_equal(imip_conf_set(c, "hostname", "mx.example", &err),
	    IMIP_OK);
	assert_string_equal(c->hostname, "mx.example");
	assert_int_equal(imip_conf_set(c, "hostname", "", &err), IMIP_OK);
	assert_string_equal(c->hostname, host);
	imip_conf_free(c);
}

static void
test_conf_load_reads_file(void **state)
{
	static const char text[] = "# test\nsocket = local:/s\n\n"
	    "outbox_retry_seconds = 5\nbogus = 1\n";
	struct imip_err err = { 0, "" };
	struct imip_conf *c = NULL;
	char path[] = "/tmp/test_conf.XXXXXX", want[64];
	int fd;

	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1),
	    (ssize_t)sizeof(text) - 1);
	close(fd);
	assert_int_equal(imip_conf_load(&c, path, &err), IMIP_ECONFIG);
	snprintf(want, sizeof(want), "%s:5: unknown key \"bogus\"", path);
	assert_string_equal(err.msg, want);
	assert_null(c);
	/* drop the bad last line and load again */
	assert_int_equal(truncate(path, (off_t)(sizeof(text) - 1 - 10)), 0);
	assert_int_equal(imip_conf_load(&c, path, &err), IMIP_OK);
	assert_string_equal(c->socket, "local:/s");
	assert_int_equal(c->outbox_retry_s, 5);
	imip_conf_free(c);
	unlink(path);
}

static void
test_conf_load_missing_file_fails(void **state)
{
	static struct imip_conf sentinel;
	struct imip_err err = { 0, "" };
	struct imip_conf *c = &sentinel;

	assert_int_equal(imip_conf_load(&c, "/nonexistent/imip.conf", &err),
	    IMIP_ECONFIG);
	assert_string_equal(err.msg,
	    "/nonexistent/imip.conf: cannot read: No such file or directory");
	assert_null(c);
}

/*
 * The shipped example must stay loadable, both as shipped (all commented)
 * and with every "# key = value" line switched on.
 */
static void
test_conf_example_file_parses(void **state)
{
	struct imip_err err = { 0, "" };
	struct imip_conf *c = NULL;
	const char *dir = getenv("IMIP_TESTDATA");
	char path[1024], *text = NULL, *line;
	size_t len = 0;
	FILE *f, *mem;

	if (dir == NULL)
		skip();
	snprintf(path, sizeof(path), "%s/../../conf/imip-milter.conf.example",
	    dir);
	assert_int_equal(imip_conf_load(&c, path, &err), IMIP_OK);
	imip_conf_free(c);
	assert_non_null(f = fopen(path, "r"));
	assert_non_null(mem = open_memstream(&text, &len));
	line = NULL;
	for (size_t n = 0; getline(&line, &n, f) > 0;)
		fputs(strncmp(line, "# ", 2) == 0 && strchr(line, '=') != NULL ?
		    line + 2 : line, mem);
	free(line);
	fclose(f);
	fclose(mem);
	assert_int_equal(imip_conf_parse_buf(&c, text, "example", &err),
	    IMIP_OK);
	assert_string_equal(c->local_domains[1], "rooms.example.org");
	assert_string_equal(c->pid_file, "/run/imip-milter/imip-milter.pid");
	imip_conf_free(c);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_defaults_match_documentation),
		cmocka_unit_test(test_conf_free_null_is_noop),
		cmocka_unit_test(test_conf_every_type_parses),
		cmocka_unit_test(test_conf_hardening_keys_parse),
		cmocka_unit_test(test_conf_size_accepts_suffixes),
		cmocka_unit_test(test_conf_comments_and_blank_lines_skipped),
		cmocka_unit_test(test_conf_duplicate_key_last_wins),
		cmocka_unit_test(test_conf_errors_name_file_and_line),
		cmocka_unit_test(test_conf_error_without_err_record_fails),
		cmocka_unit_test(test_conf_local_domain_matching),
		cmocka_unit_test(test_conf_sendmail_path_splits_on_blanks),
		cmocka_unit_test(test_conf_set_overrides_one_key),
		cmocka_unit_test(test_conf_set_failure_keeps_old_value),
		cmocka_unit_test(test_conf_empty_hostname_uses_gethostname),
		cmocka_unit_test(test_conf_load_reads_file),
		cmocka_unit_test(test_conf_load_missing_file_fails),
		cmocka_unit_test(test_conf_example_file_parses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
