/*
 * err.h - error codes and the caller-owned error record of imip-milter core.
 *
 * Every function that can fail returns IMIP_OK or a negative code and, when
 * given a struct imip_err, leaves a one-line message for the log there.
 */
#ifndef IMIP_ERR_H
#define IMIP_ERR_H

enum {
	IMIP_OK = 0,
	IMIP_ERR = -1,		/* anything not listed below */
	IMIP_ENOMEM = -2,
	IMIP_EPARSE = -3,	/* bad MIME or iCalendar data */
	IMIP_ENOTFOUND = -4,
	IMIP_EBUSY = -5,	/* SQLite still locked after the busy timeout */
	IMIP_ECONFIG = -6,
	IMIP_ELIMIT = -7,	/* a configured size limit was passed */
	IMIP_EUNSUPPORTED = -8	/* valid, but not handled (yet) */
};

struct imip_err {
	int	code;
	char	msg[256];
};

/* imip_err_set - record code and message in err (may be NULL); returns code */
int	imip_err_set(struct imip_err *err, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* imip_err_clear - reset err to IMIP_OK with an empty message */
void	imip_err_clear(struct imip_err *err);

/* imip_err_name - a short constant name for code ("parse", "busy", ...) */
const char *imip_err_name(int code);

#endif
