/*
 * privs.c - "imip-milter -u user[:group]": who to become, what to hand
 * over, and becoming it for good.
 *
 * Runs in main() only, before daemon() and before any thread exists.  The
 * files handed over live in directories the user can write, so they are
 * opened without following links and must be plain, singly linked files:
 * a link planted there must not make root chown something else.
 * Nothing here logs; failures go back in the caller's struct imip_err.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mf.h"

/* mf_user_lookup - resolve "user" or "user:group"; fill *out */
int
mf_user_lookup(struct mf_user *out, const char *spec, struct imip_err *err)
{
	const struct passwd *pw;
	const struct group *gr;
	const char *colon = strchr(spec, ':');
	char *name = NULL;
	int rc = IMIP_OK;

	memset(out, 0, sizeof(*out));
	name = colon != NULL ? strndup(spec, (size_t)(colon - spec)) :
	    strdup(spec);
	if (name == NULL) {
		rc = imip_err_set(err, IMIP_ENOMEM, "-u: out of memory");
		goto out;
	}
	errno = 0;
	if (*name == '\0' || (pw = getpwnam(name)) == NULL) {
		rc = imip_err_set(err, IMIP_ENOTFOUND, "-u %s: no such user",
		    spec);
		goto out;
	}
	out->uid = pw->pw_uid;
	out->gid = pw->pw_gid;		/* the user's primary group */
	if (colon != NULL) {
		if (colon[1] == '\0' || (gr = getgrnam(colon + 1)) == NULL) {
			rc = imip_err_set(err, IMIP_ENOTFOUND,
			    "-u %s: no such group", spec);
			goto out;
		}
		out->gid = gr->gr_gid;
	}
	out->name = name;
	name = NULL;
out:
	free(name);
	return rc;
}

/* mf_user_fini - release what mf_user_lookup filled in; zeroed is fine */
void
mf_user_fini(struct mf_user *u)
{
	free(u->name);
	u->name = NULL;
}

/* Would chmod/chown of a file owned by owner fail anyway?  Then skip it. */
static bool
not_ours(uid_t owner)
{
	return geteuid() != 0 && owner != geteuid();
}

/*
 * Give one database file its mode and owner.  A missing -wal or -shm is
 * fine (SQLite creates them later with the mode and owner of the main
 * file); a missing main file is not.
 */
static int
file_handover(const char *path, bool must_exist, mode_t mode,
    const struct mf_user *u, struct imip_err *err)
{
	struct stat sb;
	int fd, rc = IMIP_OK;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && !must_exist)
			return IMIP_OK;
		return imip_err_set(err, IMIP_ERR, "%s: %s%s", path,
		    strerror(errno), errno == ELOOP ?
		    " (a symbolic link is not accepted)" : "");
	}
	if (fstat(fd, &sb) < 0) {
		rc = imip_err_set(err, IMIP_ERR, "%s: %s", path,
		    strerror(errno));
	} else if (!S_ISREG(sb.st_mode) || sb.st_nlink != 1) {
		rc = imip_err_set(err, IMIP_ERR, "%s: not a plain file with "
		    "a single link; not touching it", path);
	} else if (not_ours(sb.st_uid)) {
		rc = IMIP_OK;		/* someone else's file, their modes */
	} else if (fchmod(fd, mode) < 0 || (u != NULL &&
	    fchown(fd, u->uid, u->gid) < 0)) {
		rc = imip_err_set(err, IMIP_ERR, "%s: %s", path,
		    strerror(errno));
	}
	close(fd);
	return rc;
}

/* mf_db_handover - database_mode, and with -u the owner, for db and WAL */
int
mf_db_handover(const char *db, mode_t mode, const struct mf_user *u,
    struct imip_err *err)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char path[4096];
	int rc;

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s%s", db,
		    suffix[i]) >= sizeof(path))
			return imip_err_set(err, IMIP_ERR, "%s: path too long",
			    db);
		if ((rc = file_handover(path, i == 0, mode, u, err)) < 0)
			return rc;
	}
	return IMIP_OK;
}

/* The file of a unix: or local: socket spec, else NULL. */
static const char *
socket_path(const char *spec)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return spec + 5;
	if (strncmp(spec, "local:", 6) == 0)
		return spec + 6;
	return NULL;
}

/*
 * mf_socket_handover - socket_mode and, with -u, the owner for a unix
 * socket just bound.  The umask at bind() time normally gave the mode
 * already; neither change goes through a link.  inet: is left alone.
 */
int
mf_socket_handover(const char *spec, mode_t mode, const struct mf_user *u,
    struct imip_err *err)
{
	const char *path = socket_path(spec);
	struct stat sb;

	if (path == NULL)
		return IMIP_OK;
	if (lstat(path, &sb) < 0)
		return imip_err_set(err, IMIP_ERR, "socket %s: %s", path,
		    strerror(errno));
	if (!S_ISSOCK(sb.st_mode) || sb.st_nlink != 1)
		return imip_err_set(err, IMIP_ERR, "socket %s: not a socket "
		    "with a single link; not touching it", path);
	if ((sb.st_mode & 07777) != mode &&
	    fchmodat(AT_FDCWD, path, mode, AT_SYMLINK_NOFOLLOW) < 0)
		return imip_err_set(err, IMIP_ERR, "socket %s: chmod: %s",
		    path, strerror(errno));
	if (u != NULL && lchown(path, u->uid, u->gid) < 0)
		return imip_err_set(err, IMIP_ERR, "socket %s: %s", path,
		    strerror(errno));
	return IMIP_OK;
}

/*
 * mf_privs_drop - become u for good: supplementary groups, group, user,
 * then prove that root cannot be had back.  Not being root is fine only
 * if we already are u.
 */
int
mf_privs_drop(const struct mf_user *u, struct imip_err *err)
{
	if (geteuid() != 0) {
		if (getuid() == u->uid && geteuid() == u->uid &&
		    getgid() == u->gid && getegid() == u->gid)
			return IMIP_OK;
		return imip_err_set(err, IMIP_ERR, "-u %s: only root can "
		    "change to another user", u->name);
	}
	if (initgroups(u->name, u->gid) < 0)
		return imip_err_set(err, IMIP_ERR, "initgroups %s: %s",
		    u->name, strerror(errno));
	if (setgid(u->gid) < 0 || setuid(u->uid) < 0)
		return imip_err_set(err, IMIP_ERR, "cannot become %s: %s",
		    u->name, strerror(errno));
	if (getuid() != u->uid || geteuid() != u->uid ||
	    getgid() != u->gid || getegid() != u->gid)
		return imip_err_set(err, IMIP_ERR, "cannot become %s: ids "
		    "did not change", u->name);
	if (u->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
		return imip_err_set(err, IMIP_ERR, "-u %s: root privileges "
		    "could be regained", u->name);
	return IMIP_OK;
}
