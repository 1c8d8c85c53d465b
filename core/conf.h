/*
 * conf.h - the immutable configuration snapshot of imip-milter.
 *
 * The file is flat "key = value" lines; '#' starts a comment.  Every key, its
 * type, default and range live in one table in conf.c.  A snapshot is never
 * changed after parsing: reload builds a new one.
 */
#ifndef IMIP_CONF_H
#define IMIP_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

enum imip_failure_action {
	IMIP_FAIL_ACCEPT,
	IMIP_FAIL_TEMPFAIL,
	IMIP_FAIL_REJECT,
	IMIP_FAIL_QUARANTINE	/* hold in the MTA's quarantine */
};

/* One internal_networks entry, parsed by imip_trust_nets_parse (trust.h). */
struct imip_cidr {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 addr[16];	/* network byte order, host bits 0 */
	unsigned	 prefix;	/* 0..32 or 0..128 */
};

struct imip_login_map;			/* trust.c: login_map, loaded */

struct imip_conf {
	char	*socket;		/* "unix:/path" or "inet:PORT@HOST" */
	char	*database;		/* SQLite file */
	char	*sendmail_path;		/* program and fixed arguments */
	char	**sendmail_argv;	/* sendmail_path split on blanks, NULL-ended */
	char	**local_domains;	/* lower-case, NULL-terminated */
	/* trust of the originator and the failure classes (trust.h, msg.h) */
	struct imip_cidr *internal_networks;
	size_t	 ninternal_networks;
	char	**trusted_authserv_ids;	/* lower-case, NULL-terminated */
	char	*login_map;		/* file name, "" for none */
	struct imip_login_map *login_map_data;	/* its lines, read with it */
	enum imip_failure_action on_bad_data;
	enum imip_failure_action on_policy_refusal;
	char	*log_facility;
	int	 facility;		/* LOG_MAIL, ... */
	char	*log_level;
	int	 level;			/* LOG_INFO, ... */
	size_t	 max_message_size;	/* bytes of message captured at most */
	int	 db_busy_ms;		/* sqlite3_busy_timeout */
	enum imip_failure_action on_internal_error;
	int	 outbox_max_attempts;	/* then the row is marked failed */
	int	 outbox_retry_s;	/* first retry delay, doubled each time */
	int	 horizon_days;		/* recurring series expanded this far */
	int	 max_instances;		/* more before the horizon: not booked */
	int	 reply_rate_limit;	/* answers per organizer per hour */
	size_t	 max_calendar_size;	/* bytes of one calendar part */
	int	 max_components;	/* components in one calendar object */
	int	 max_attendees;		/* ATTENDEEs of one object */
	int	 conflict_max_instances;	/* more conflicts: decline series */
	int	 conflict_max_percent;	/* likewise, as a share of instances */
	bool	 summary_part;		/* people's notes as a text/plain part */
	char	*freebusy_dir;		/* ADDRESS.vfb files; "" = none */
	int	 freebusy_days;		/* how far ahead they reach */
	char	*hostname;		/* for Message-IDs; default gethostname() */
	char	*pid_file;		/* "" = none */
	/* process hardening (imip-milter -u, modes of what it creates) */
	bool	 allow_root;		/* may serve as root without -u */
	mode_t	 socket_mode;		/* chmod of a unix: socket */
	mode_t	 database_mode;		/* chmod of the database, -wal, -shm */
};

/* imip_conf_defaults - a snapshot holding every default; caller frees */
int	imip_conf_defaults(struct imip_conf **out, struct imip_err *err);

/*
 * imip_conf_parse_buf - parse text named name (for messages) into a new
 * snapshot; unknown keys and out-of-range values fail as "name:line: why".
 */
int	imip_conf_parse_buf(struct imip_conf **out, const char *buf,
	    const char *name, struct imip_err *err);

/* imip_conf_load - imip_conf_parse_buf on the contents of path */
int	imip_conf_load(struct imip_conf **out, const char *path,
	    struct imip_err *err);

/* imip_conf_set - override one key as if it appeared last in the file */
int	imip_conf_set(struct imip_conf *conf, const char *key,
	    const char *value, struct imip_err *err);

/* imip_conf_is_local - is addr (user@domain) in one of local_domains? */
bool	imip_conf_is_local(const struct imip_conf *conf, const char *addr);

/* imip_conf_free - release a snapshot; NULL is a no-op */
void	imip_conf_free(struct imip_conf *conf);

#endif
