/*
 * log.h - logging for the daemon, the tools and the tests.
 *
 * Lines go to syslog, to stderr (foreground) or to a sink a test installs.
 * The level is checked here, never at the call sites.  errno is preserved.
 */
#ifndef IMIP_LOG_H
#define IMIP_LOG_H

#include <stdbool.h>

typedef void (*imip_log_sink_fn)(int prio, const char *line, void *arg);

/* imip_log_init - log to syslog as ident/facility, or to stderr */
void	imip_log_init(const char *ident, int facility, bool foreground);

/* imip_log_set_level - drop lines less important than prio (LOG_*) */
void	imip_log_set_level(int prio);

/* imip_log_set_sink - send every line to fn instead (NULL restores) */
void	imip_log_set_sink(imip_log_sink_fn fn, void *arg);

/* imip_log_facility_parse - "mail", "local0".. to LOG_*; -1 if unknown */
int	imip_log_facility_parse(const char *name);

/* imip_log_level_parse - "err", "warning", "info", "debug" to LOG_*; -1 */
int	imip_log_level_parse(const char *name);

void	imip_log_err(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	imip_log_warn(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	imip_log_info(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	imip_log_debug(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* imip_log_warn_errno - a warning with ": strerror(errno)" appended */
void	imip_log_warn_errno(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

#endif
