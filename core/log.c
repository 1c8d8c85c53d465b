/*
 * log.c - syslog, stderr or a test sink, one formatted line at a time.
 *
 * The configuration is set once in main() before any thread starts and is
 * read-only afterwards, so the hot path takes no lock.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

/* Set by the reload thread while other threads log. */
static _Atomic int log_level = LOG_INFO;
static bool log_foreground = true;
static imip_log_sink_fn log_sink;
static void *log_sink_arg;

static const struct {
	const char	*name;
	int		 value;
} facilities[] = {
	{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
}, levels[] = {
	{ "err", LOG_ERR }, { "error", LOG_ERR }, { "warning", LOG_WARNING },
	{ "warn", LOG_WARNING }, { "notice", LOG_NOTICE }, { "info", LOG_INFO },
	{ "debug", LOG_DEBUG },
};

void
imip_log_init(const char *ident, int facility, bool foreground)
{
	log_foreground = foreground;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

void
imip_log_set_level(int prio)
{
	log_level = prio;
}

void
imip_log_set_sink(imip_log_sink_fn fn, void *arg)
{
	log_sink = fn;
	log_sink_arg = arg;
}

int
imip_log_facility_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (strcasecmp(name, facilities[i].name) == 0)
			return facilities[i].value;
	return -1;
}

int
imip_log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcasecmp(name, levels[i].name) == 0)
			return levels[i].value;
	return -1;
}

static const char *
prio_name(int prio)
{
	switch (prio) {
	case LOG_ERR:		return "error";
	case LOG_WARNING:	return "warning";
	case LOG_INFO:		return "info";
	default:		return "debug";
	}
}

static void __attribute__((format(printf, 3, 0)))
log_emit(int prio, const char *suffix, const char *fmt, va_list ap)
{
	char line[1024];
	int saved = errno;

	if (prio > log_level) {
		errno = saved;
		return;
	}
	vsnprintf(line, sizeof(line), fmt, ap);
	if (suffix != NULL) {
		size_t len = strlen(line);
		snprintf(line + len, sizeof(line) - len, ": %s", suffix);
	}
	if (log_sink != NULL)
		log_sink(prio, line, log_sink_arg);
	else if (log_foreground)
		fprintf(stderr, "imip-milter: %s: %s\n", prio_name(prio), line);
	else
		syslog(prio, "%s", line);
	errno = saved;
}

#define LOG_FN(fn, prio)						\
void									\
fn(const char *fmt, ...)						\
{									\
	va_list ap;							\
									\
	va_start(ap, fmt);						\
	log_emit(prio, NULL, fmt, ap);					\
	va_end(ap);							\
}

LOG_FN(imip_log_err, LOG_ERR)
LOG_FN(imip_log_warn, LOG_WARNING)
LOG_FN(imip_log_info, LOG_INFO)
LOG_FN(imip_log_debug, LOG_DEBUG)

void
imip_log_warn_errno(const char *fmt, ...)
{
	char buf[128];
	const char *why;
	va_list ap;
	int saved = errno;

	/* The GNU strerror_r (we build with _GNU_SOURCE) returns the text. */
	why = strerror_r(saved, buf, sizeof(buf));
	va_start(ap, fmt);
	log_emit(LOG_WARNING, why, fmt, ap);
	va_end(ap);
	errno = saved;
}
