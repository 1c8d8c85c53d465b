/*
 * mf.h - what the files of the imip-milter daemon share.
 *
 * milter/ is glue: libmilter callbacks feed core/msg.h and turn its
 * decision into smfi_* calls.  Nothing here decides anything about mail.
 */
#ifndef MF_H
#define MF_H

#include <sys/types.h>

#include <libmilter/mfapi.h>

#include "conf.h"
#include "msg.h"

/*
 * callbacks.c: the filter description handed to smfi_register(), and the
 * pool of database handles its callbacks borrow (started before
 * smfi_main(), stopped after it returned)
 */
extern struct smfiDesc mf_desc;
int	mf_pool_start(struct imip_err *err);
void	mf_pool_stop(void);

/* verdict.c: apply a core decision to the message in ctx */
sfsistat mf_verdict_apply(SMFICTX *ctx, const struct imip_decision *d);

/* outbox_thread.c: the thread that hands queued replies to the MTA */
int	mf_outbox_start(void);
void	mf_outbox_wake(void);
void	mf_outbox_stop(void);

/* offline.c: -t mode; returns the process exit status */
int	mf_offline_run(const struct imip_conf *conf, const char *path,
	    const char *from, char **rcpts, int nrcpts);

/*
 * confsnap.c: the refcounted configuration snapshots and SIGUSR1 reload.
 * mf_conf_install takes conf (also on failure) and makes it current;
 * mf_conf_acquire hands out the current one, borrowed until the matching
 * mf_conf_release.  mf_conf_fini drops the current one at shutdown.
 */
int	mf_conf_load(struct imip_conf **out, const char *path,
	    const char *socket, struct imip_err *err);
int	mf_conf_install(struct imip_conf *conf);
const struct imip_conf *mf_conf_acquire(void);
void	mf_conf_release(const struct imip_conf *conf);
void	mf_conf_fini(void);
void	mf_reload_block(void);
int	mf_reload_start(const char *path, const char *socket);
void	mf_reload_stop(void);

/* privs.c: -u user[:group], and the files handed over to that user */
struct mf_user {
	char	*name;		/* for initgroups() */
	uid_t	 uid;
	gid_t	 gid;		/* -u's group, else the user's primary one */
};

int	mf_user_lookup(struct mf_user *out, const char *spec,
	    struct imip_err *err);
void	mf_user_fini(struct mf_user *u);
int	mf_db_handover(const char *db, mode_t mode, const struct mf_user *u,
	    struct imip_err *err);
int	mf_socket_handover(const char *spec, mode_t mode,
	    const struct mf_user *u, struct imip_err *err);
int	mf_privs_drop(const struct mf_user *u, struct imip_err *err);

#endif
