/*
 * milter_load.h - what milter_load.c (the threads), load_opts.c (the
 * command line) and load_report.c (the JSON result) share.
 */
#ifndef IMIP_BENCH_MILTER_LOAD_H
#define IMIP_BENCH_MILTER_LOAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "load_msg.h"
#include "milter_wire.h"

#define LOAD_MAX_DECISIONS	16

struct load_opts {
	const char	*sock;		/* unix socket path */
	const char	*tmpl_path;
	char		*tmpl;		/* its text */
	const char	*from, *rcpt;	/* envelope templates */
	const char	*header;	/* result header with decision= */
	uint64_t	 n, first;	/* messages first .. first + n - 1 */
	unsigned	 conns, per_conn;
	bool		 hold;
	int		 timeout;	/* seconds per reply */
	struct lm_plan	 plan;
};

/* One thread's counts; summed by load_report. */
struct tally {
	const char	*header;
	uint64_t	 done, errors, early_accept;
	uint64_t	 verdicts[MW_NVERDICTS];
	uint64_t	 mods[MW_NMODS];
	struct {
		char	 word[24];
		uint64_t n;
	}		 dec[LOAD_MAX_DECISIONS];
	size_t		 ndec;
	double		*lat;		/* ms, MAIL to the last reply */
	size_t		 nlat, cap;
};

struct shared {
	const struct load_opts	*o;
	atomic_uint_fast64_t	 next;	/* the next message to take */
	pthread_mutex_t		 lock;	/* the fields below */
	pthread_cond_t		 cond;
	unsigned		 held;
	bool			 hold_broken;
	char			 first_err[200];
	uint32_t		 actions, proto;	/* as negotiated */
};

struct worker {
	struct shared	*sh;
	struct tally	 t;
	pthread_t	 tid;
	bool		 held;		/* went through --hold */
};

/*
 * load_opts_parse - the command line into o (o->tmpl read from its
 * file); true to run, else false with the exit status in *status
 */
bool	load_opts_parse(struct load_opts *o, int argc, char **argv,
	    int *status);
/*
 * load_report - sum the workers' tallies into sum (which then owns the
 * merged latencies) and print the result as JSON on stdout
 */
int	load_report(struct tally *sum, struct worker *ws,
	    const struct shared *sh, double secs);

#endif
