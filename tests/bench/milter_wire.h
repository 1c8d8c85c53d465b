/*
 * milter_wire.h - the MTA's side of the milter protocol (version 6), as
 * much of it as the load driver needs: option negotiation, one command at
 * a time, and the filter's replies, honouring the steps the filter asked
 * not to get or not to answer.  Written from libmilter's mfdef.h and the
 * protocol's public description; not a general MTA implementation.
 */
#ifndef IMIP_BENCH_MILTER_WIRE_H
#define IMIP_BENCH_MILTER_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* The steps of a connection and a message, in protocol order. */
enum mw_step {
	MW_CONNECT,
	MW_HELO,
	MW_MAIL,
	MW_RCPT,
	MW_DATA,
	MW_HEADER,
	MW_EOH,
	MW_BODY,
	MW_EOM,
	MW_NSTEPS
};

/* The filter's final word on one command. */
enum mw_verdict {
	MW_CONTINUE,
	MW_ACCEPT,
	MW_REJECT,		/* reject or a reply code */
	MW_TEMPFAIL,
	MW_DISCARD,
	MW_SKIP,		/* no more body chunks, please */
	MW_NVERDICTS
};

/* Modification actions seen at end of message, by kind. */
enum mw_mod {
	MW_MOD_ADDHDR,		/* add or insert a header */
	MW_MOD_CHGHDR,
	MW_MOD_RCPT,		/* add or delete a recipient */
	MW_MOD_BODY,
	MW_MOD_OTHER,		/* quarantine, change sender, ... */
	MW_NMODS
};

/* Called for each header the filter adds, inserts or changes. */
typedef void (*mw_header_cb)(const char *name, const char *value,
    void *arg);

struct mw_conn {
	int		 fd;
	uint32_t	 actions;	/* what the filter may change */
	uint32_t	 proto;		/* steps skipped or not answered */
	char		*buf;		/* the last reply's payload */
	size_t		 len, cap;
	char		*out;		/* the packet being sent */
	size_t		 outlen, outcap;
	char		 outcmd;
	unsigned	 mods[MW_NMODS];	/* since the connection began */
	mw_header_cb	 on_header;
	void		*arg;
	char		 err[160];	/* why the last call failed */
};

/* mw_open - connect to the unix socket path; 0 or -1 (c->err says why) */
int	mw_open(struct mw_conn *c, const char *path, int timeout_s);
/* mw_close - close the connection, free its buffer; safe twice */
void	mw_close(struct mw_conn *c);
/* mw_negotiate - SMFIC_OPTNEG offering every action and protocol step */
int	mw_negotiate(struct mw_conn *c);
/* mw_wanted - does the filter want step at all? */
int	mw_wanted(const struct mw_conn *c, enum mw_step step);
/*
 * mw_macros - SMFIC_MACRO for step: kv is NULL-terminated name, value,
 * name, value...; nothing is sent for a step the filter does not want
 */
int	mw_macros(struct mw_conn *c, enum mw_step step,
	    const char *const *kv);
/*
 * mw_step - send step's command with data and read what the filter says:
 * *out is MW_CONTINUE without a round trip for a step the filter skips or
 * does not answer; at MW_EOM the modifications before the final reply
 * are counted in c->mods and headers passed to c->on_header
 */
int	mw_step(struct mw_conn *c, enum mw_step step, const void *data,
	    size_t len, enum mw_verdict *out);
/* mw_step_strs - mw_step with NUL-terminated strings, NULL-terminated */
int	mw_step_strs(struct mw_conn *c, enum mw_step step,
	    const char *const *strs, enum mw_verdict *out);
/* mw_connect - the connect step: client host name and IPv4 address */
int	mw_connect(struct mw_conn *c, const char *host, const char *addr,
	    unsigned port, enum mw_verdict *out);
/* mw_header - one header (the leading space if the filter asked for it) */
int	mw_header(struct mw_conn *c, const char *name, const char *value,
	    enum mw_verdict *out);
/* mw_abort - SMFIC_ABORT: the message ends here (no reply) */
int	mw_abort(struct mw_conn *c);
/* mw_quit - SMFIC_QUIT: the connection ends (no reply) */
int	mw_quit(struct mw_conn *c);

#endif
