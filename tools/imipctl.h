/*
 * imipctl.h - what the files of imipctl(8) share.
 *
 * imipctl.c parses the global options and dispatches; each command lives
 * with its concept: imipctl_db.c (the database file), imipctl_check.c,
 * imipctl_cal.c and imipctl_cal_list.c (calendars), imipctl_schedule.c,
 * imipctl_events.c (events, journal), imipctl_freebusy.c,
 * imipctl_outbox.c and imipctl_expand.c.  imipctl_args.c reads what
 * several commands take, imipctl_out.c formats tables, JSON and times.
 */
#ifndef IMIPCTL_H
#define IMIPCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "conf.h"
#include "store.h"

/* Exit codes. */
#define CTL_OK		0
#define CTL_FAIL	1	/* runtime failure */
#define CTL_USAGE	2	/* bad command line */

#define CTL_DEFAULT_DB	"/var/lib/imip-milter/imip.db"
#define CTL_DEFAULT_CONF "/etc/imip-milter/imip-milter.conf"	/* check */
#define CTL_ZONEINFO	"/usr/share/zoneinfo"

/* What the global options chose. */
struct ctl {
	const char	*db;		/* database path */
	bool		 db_given;	/* by --db, which wins over -c */
	int		 busy_ms;
	const char	*conf_path;	/* -c CONFIG, or NULL */
	const struct imip_conf *conf;	/* it, loaded (borrowed), or NULL */
};

struct ctl_cmd;
typedef int (*ctl_run_fn)(const struct ctl *, const struct ctl_cmd *,
    int argc, char **argv);

/* Flags of a command. */
#define CTL_OWN_CONF	0x1	/* loads -c CONFIG itself (check) */

/* One command: its words, its arguments for the usage line, its runner. */
struct ctl_cmd {
	const char	*name;		/* "calendar add" */
	const char	*args;		/* what follows the name in usage */
	const char	*what;		/* one line for --help */
	ctl_run_fn	 run;
	void		(*more)(FILE *f);	/* more help lines, or NULL */
	unsigned	 flags;		/* CTL_OWN_CONF */
};

#define CTL_TABLE_MAXCOL 10

/* A table printed with aligned columns; cells are copied and cleaned. */
struct ctl_table {
	size_t		 ncol;
	size_t		 nrow;		/* the header included */
	size_t		 cap;
	char		**cell;		/* nrow * ncol */
};

/* A listing printed as a table, or with json as a JSON array. */
struct ctl_list {
	bool			 json;
	bool			 first;		/* no JSON element yet */
	struct ctl_table	 t;
	struct imip_err		*err;
};

/* imipctl.c */
int	ctl_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int	ctl_usage_error(const struct ctl_cmd *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	ctl_opt_other(const struct ctl_cmd *cmd, int c, char **argv);
int	ctl_open(const struct ctl *ctl, int flags, struct imip_store **out);
void	ctl_conf_use(struct ctl *ctl, const struct imip_conf *conf);

/* imipctl_args.c */
int	ctl_operands(const struct ctl_cmd *cmd, int argc, char **argv,
	    int want, const char *what);
int	ctl_plain_args(const struct ctl_cmd *cmd, int argc, char **argv,
	    int want, const char *what);
int	ctl_time_arg(const struct ctl_cmd *cmd, const char *opt,
	    const char *s, bool end_of_day, time_t *out);
int	ctl_num_arg(const struct ctl_cmd *cmd, const char *what,
	    const char *s, long long min, long long max, long long *out);
int	ctl_range(const struct ctl_cmd *cmd, const char *from_s,
	    const char *to_s, time_t *from, time_t *to);
int	ctl_use_zone(const char *tz);
int	ctl_list_opts(const struct ctl_cmd *cmd, int argc, char **argv,
	    bool *json, bool *all, bool *done);
int	ctl_list_failed(const struct imip_err *err);
int	ctl_store_fail(const struct ctl_cmd *cmd, const struct imip_err *err);
int	ctl_open_cal(const struct ctl *ctl, const struct ctl_cmd *cmd,
	    int flags, const char *address, struct imip_store **st,
	    struct imip_calendar **cal);

/* the commands, one file per concept */
int	ctl_cmd_init(const struct ctl *, const struct ctl_cmd *, int, char **);
int	ctl_cmd_backup(const struct ctl *, const struct ctl_cmd *, int,
	    char **);
int	ctl_cmd_check(const struct ctl *, const struct ctl_cmd *, int,
	    char **);
int	ctl_cmd_cal_add(const struct ctl *, const struct ctl_cmd *, int,
	    char **);
int	ctl_cmd_cal_set(const struct ctl *, const struct ctl_cmd *, int,
	    char **);
void	ctl_setting_keys(FILE *f);
int	ctl_cmd_cal_remove(const struct ctl *, const struct ctl_cmd *, int,
	    char **);
int	ctl_cmd_cal_rename(const struct ctl *, const struct ctl_cmd *, int,
	    char **);
int	ctl_cmd_cal_list(const struct ctl *, const struct ctl_cmd *, int,
	    char **);
int	ctl_cmd_schedule(const struct ctl *, const struct ctl_cmd *, int,
	    char **);
int	ctl_cmd_events(const struct ctl *, const struct ctl_cmd *, int,
	    char **);
int	ctl_cmd_freebusy(const struct ctl *, const struct ctl_cmd *, int,
	    char **);
int	ctl_cmd_journal(const struct ctl *, const struct ctl_cmd *, int,
	    char **);
int	ctl_cmd_outbox_list(const struct ctl *, const struct ctl_cmd *, int,
	    char **);
int	ctl_cmd_outbox_retry(const struct ctl *, const struct ctl_cmd *, int,
	    char **);
int	ctl_cmd_outbox_purge(const struct ctl *, const struct ctl_cmd *, int,
	    char **);
int	ctl_cmd_expand(const struct ctl *, const struct ctl_cmd *, int,
	    char **);

/* imipctl_out.c */
int	ctl_table_init(struct ctl_table *t, size_t ncol,
	    const char *const *header);
int	ctl_table_add(struct ctl_table *t, const char *const *cells);
void	ctl_table_print(const struct ctl_table *t, FILE *f);
void	ctl_table_fini(struct ctl_table *t);
void	ctl_put_clean(FILE *f, const char *s);
void	ctl_json_str(FILE *f, const char *s);
void	ctl_time_local(char *buf, size_t len, int64_t t);
void	ctl_time_utc(char *buf, size_t len, int64_t t, bool iso);
int	ctl_time_parse(const char *s, bool end_of_day, time_t *out);
int	ctl_list_start(struct ctl_list *x, size_t ncol,
	    const char *const *header);
void	ctl_list_end(struct ctl_list *x, const char *empty);
int	ctl_list_row(struct ctl_list *x, const char *const *cells);
void	ctl_json_next(struct ctl_list *x);
void	ctl_json_field(const char *key, const char *value, bool first);
void	ctl_json_time(const char *key, int64_t t);

#endif
