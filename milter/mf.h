/*
 * mf.h - what the files of the imip-milter daemon share.
 *
 * milter/ is glue: libmilter callbacks feed core/msg.h and turn its
 * decision into smfi_* calls.  Nothing here decides anything about mail.
 */
#ifndef MF_H
#define MF_H

#include <libmilter/mfapi.h>

#include "conf.h"
#include "msg.h"

/* The configuration snapshot of this process; set before smfi_main(). */
extern const struct imip_conf *mf_conf;

/* callbacks.c: the filter description handed to smfi_register() */
extern struct smfiDesc mf_desc;

/* verdict.c: apply a core decision to the message in ctx */
sfsistat mf_verdict_apply(SMFICTX *ctx, const struct imip_decision *d);

/* outbox_thread.c: the thread that hands queued replies to the MTA */
int	mf_outbox_start(const struct imip_conf *conf);
void	mf_outbox_wake(void);
void	mf_outbox_stop(void);

/* offline.c: -t mode; returns the process exit status */
int	mf_offline_run(const struct imip_conf *conf, const char *path,
	    const char *from, char **rcpts, int nrcpts);

#endif
