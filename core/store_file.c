/*
 * store_file.c - the database file as a whole: its integrity check, and a
 * consistent copy made while the filter goes on writing (SQLite's online
 * backup API).
 *
 * The copy is written to DEST.tmp with the mode of the database, checked,
 * flushed to disk and only then renamed to DEST, so DEST is always either
 * the old copy or a whole new one.  Nothing here reads the clock.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store_int.h"

#define BACKUP_WAIT_MS	50	/* between tries while the source is busy */

/*
 * PRAGMA integrity_check on db: "ok", else its first complaint; what
 * names db in the message of an SQLite error.
 */
static int
integrity(sqlite3 *db, const char *what, struct imip_err *err)
{
	sqlite3_stmt *s = NULL;
	const char *v;
	int rc;

	rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		rc = store_fail_db(db, rc, what, err);
		goto out;
	}
	v = (const char *)sqlite3_column_text(s, 0);
	if (v == NULL || strcmp(v, "ok") != 0)
		rc = imip_err_set(err, IMIP_ERR, "integrity check: %s",
		    v != NULL ? v : "no answer");
	else
		rc = IMIP_OK;
out:
	sqlite3_finalize(s);
	return rc;
}

/*
 * imip_store_integrity - run PRAGMA integrity_check; IMIP_ERR with its
 * first complaint unless the answer is "ok"
 */
int
imip_store_integrity(struct imip_store *st, struct imip_err *err)
{
	return integrity(store_db(st), "database", err);
}

/* Remove path, which may well not exist. */
static int
unlink_stale(const char *path, struct imip_err *err)
{
	if (unlink(path) < 0 && errno != ENOENT)
		return imip_err_set(err, IMIP_ERR, "%s: %s", path,
		    strerror(errno));
	return IMIP_OK;
}

/* The path of a file beside base: base with suffix. */
static int
beside(char *buf, size_t size, const char *base, const char *suffix,
    struct imip_err *err)
{
	if ((size_t)snprintf(buf, size, "%s%s", base, suffix) >= size)
		return imip_err_set(err, IMIP_ERR, "%s: path too long", base);
	return IMIP_OK;
}

/*
 * Refuse a dest that is the database itself, or has a -wal file beside it
 * (SQLite would apply that stale log to the new copy).  Remove what an
 * interrupted backup left at tmp, then create tmp with the mode of src.
 */
static int
backup_prepare(const char *src, const char *dest, const char *tmp,
    struct imip_err *err)
{
	static const char *const leftovers[] = { "", "-journal", "-wal",
	    "-shm" };
	struct stat s_st, d_st;
	char path[4096];
	int fd, rc;

	if (stat(src, &s_st) < 0)
		return imip_err_set(err, IMIP_ERR, "%s: %s", src,
		    strerror(errno));
	if (stat(dest, &d_st) == 0 && d_st.st_dev == s_st.st_dev &&
	    d_st.st_ino == s_st.st_ino)
		return imip_err_set(err, IMIP_ERR, "%s is the database itself",
		    dest);
	if ((rc = beside(path, sizeof(path), dest, "-wal", err)) < 0)
		return rc;
	if (access(path, F_OK) == 0)
		return imip_err_set(err, IMIP_ERR, "%s exists: %s is in use or "
		    "was not closed cleanly; move both away first", path, dest);
	for (size_t i = 0; i < sizeof(leftovers) / sizeof(leftovers[0]); i++)
		if ((rc = beside(path, sizeof(path), tmp, leftovers[i],
		    err)) < 0 || (rc = unlink_stale(path, err)) < 0)
			return rc;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    s_st.st_mode & 0666);
	if (fd < 0)
		return imip_err_set(err, IMIP_ERR, "%s: %s", tmp,
		    strerror(errno));
	close(fd);
	return IMIP_OK;
}

/*
 * Copy every page of st into dst in one step: one read transaction, so
 * the copy is a snapshot of one moment.  In WAL mode the filter's writers
 * go on meanwhile; copying in several steps would start over each time
 * another process writes.  A busy source is tried again for as long as
 * the store's busy timeout.
 */
static int
backup_copy(struct imip_store *st, sqlite3 *dst, const char *what,
    struct imip_err *err)
{
	sqlite3_backup *b;
	int rc, frc, waited = 0;

	if ((b = sqlite3_backup_init(dst, "main", store_db(st), "main")) ==
	    NULL)
		return store_fail_db(dst, sqlite3_errcode(dst), what, err);
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY ||
	    rc == SQLITE_LOCKED) {
		if (waited >= store_busy_ms(st))
			break;
		sqlite3_sleep(BACKUP_WAIT_MS);
		waited += BACKUP_WAIT_MS;
	}
	frc = sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		return store_fail_db(NULL, rc, what, err);
	if (frc != SQLITE_OK)
		return store_fail_db(dst, frc, what, err);
	return IMIP_OK;
}

/* fsync path (a file, or a directory with O_DIRECTORY). */
static int
sync_path(const char *path, int flags, struct imip_err *err)
{
	int fd, rc = IMIP_OK;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | flags)) < 0)
		return imip_err_set(err, IMIP_ERR, "%s: %s", path,
		    strerror(errno));
	if (fsync(fd) < 0)
		rc = imip_err_set(err, IMIP_ERR, "%s: fsync: %s", path,
		    strerror(errno));
	close(fd);
	return rc;
}

/* Put the finished tmp in place of dest, durably. */
static int
backup_publish(const char *tmp, const char *dest, struct imip_err *err)
{
	char *dir = NULL;
	int rc;

	if ((rc = sync_path(tmp, 0, err)) < 0)
		return rc;
	if (rename(tmp, dest) < 0)
		return imip_err_set(err, IMIP_ERR, "rename %s to %s: %s", tmp,
		    dest, strerror(errno));
	if ((dir = strdup(dest)) == NULL)
		return imip_err_set(err, IMIP_ENOMEM, "backup");
	rc = sync_path(dirname(dir), O_DIRECTORY, err);
	free(dir);
	return rc;
}

/*
 * imip_store_backup - copy the database behind st to dest while others
 * may write to it: through dest.tmp, checked with PRAGMA integrity_check,
 * then renamed.  On failure dest is untouched and dest.tmp removed.
 */
int
imip_store_backup(struct imip_store *st, const char *dest,
    struct imip_err *err)
{
	const char *src = sqlite3_db_filename(store_db(st), "main");
	sqlite3 *dst = NULL;
	char tmp[4096];
	bool made = false;
	int rc;

	if (src == NULL || *src == '\0')
		return imip_err_set(err, IMIP_ERR, "backup: the database has "
		    "no file");
	if ((rc = beside(tmp, sizeof(tmp), dest, ".tmp", err)) < 0 ||
	    (rc = backup_prepare(src, dest, tmp, err)) < 0)
		goto out;
	made = true;
	if ((rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL)) != SQLITE_OK) {
		rc = store_fail_db(dst, rc, tmp, err);
		goto out;
	}
	if ((rc = backup_copy(st, dst, tmp, err)) < 0 ||
	    (rc = integrity(dst, tmp, err)) < 0)
		goto out;
	/* closing the last connection folds a -wal file into tmp */
	rc = sqlite3_close(dst);
	dst = NULL;
	if (rc != SQLITE_OK) {
		rc = store_fail_db(NULL, rc, tmp, err);
		goto out;
	}
	if ((rc = backup_publish(tmp, dest, err)) == IMIP_OK)
		made = false;		/* tmp is dest now */
out:
	sqlite3_close(dst);		/* NULL-safe */
	if (made)
		unlink(tmp);
	return rc;
}
