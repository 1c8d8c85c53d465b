/*
 * store_scale.c - does the busy-time lookup stay flat as a calendar
 * fills?  Benchmark 3 of issue 7 (tests/bench/README.md).
 *
 *     store-scale [--sizes 1000,100000,1000000] [--queries 5000]
 *                 [--dir DIR] [--seed N]
 *
 * One calendar in a fresh database is filled, size after size, with
 * non-overlapping busy periods (30 to 50 minutes, one every two hours;
 * inserted directly with SQLite in one transaction, each with its own
 * event), so about half the conflict checks find one.  At
 * each size it times imip_store_busy_overlapping() as the scheduler calls
 * it for a conflict check (a 30-minute window, the request's UID
 * excluded, stop at the first overlap) and as a free/busy answer reads it
 * (a week, every period), each over random windows, and prints p50, p99,
 * max and mean in microseconds as JSON.  The overlap query's plan must be
 * an index range search of busy: a scan of the table fails the run.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store_int.h"

#define T0		((int64_t)1893456000)	/* 2030-01-01 00:00 UTC */
#define HOUR		((int64_t)3600)
#define SLOT		(2 * HOUR)	/* one period per slot */
#define WEEK		(7 * 24 * HOUR)
#define SPAN_MAX	((int64_t)3000)		/* longest period */
#define MAX_SIZES	8

struct opts {
	long long	 sizes[MAX_SIZES];
	int		 nsizes;
	int		 queries;
	const char	*dir;
	uint64_t	 seed;
};

struct stats {
	double	 p50, p99, max, mean;
};

struct bench {
	struct imip_store	*st;
	int64_t			 cal;
	uint64_t		 rng;
	long long		 rows;	/* filled so far */
	double			*lat;	/* one run's wall times, us */
	double			*cpu;	/* and its thread CPU times */
	int			 nlat;
	char			 dir[256], path[300];
};

static uint64_t
next_rand(struct bench *b)
{
	/* xorshift64: reproducible with --seed, good enough for windows */
	b->rng ^= b->rng << 13;
	b->rng ^= b->rng >> 7;
	b->rng ^= b->rng << 17;
	return b->rng;
}

/* Microseconds on clock id: CLOCK_MONOTONIC or this thread's CPU. */
static double
now_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* A fresh database in a new directory under dir, with one calendar. */
static int
setup(struct bench *b, const char *dir, struct imip_err *err)
{
	struct imip_calendar *cal = NULL;
	int rc;

	snprintf(b->dir, sizeof(b->dir), "%s/store-scale-XXXXXX", dir);
	if (mkdtemp(b->dir) == NULL)
		return imip_err_set(err, IMIP_ERR, "%s: %s", b->dir,
		    strerror(errno));
	snprintf(b->path, sizeof(b->path), "%s/imip.db", b->dir);
	if ((rc = imip_store_open(&b->st, b->path, IMIP_STORE_CREATE, 5000,
	    err)) < 0 ||
	    (rc = imip_store_calendar_add(b->st, "room-scale@example.org",
	    IMIP_CAL_RESOURCE, "Scale", "UTC", (time_t)T0, err)) < 0 ||
	    (rc = imip_store_calendar_find(b->st, "room-scale@example.org",
	    &cal, err)) < 0)
		return rc;
	b->cal = cal->id;
	imip_calendar_free(cal);
	return IMIP_OK;
}

/* Remove the database, its WAL files and the directory. */
static void
teardown(struct bench *b)
{
	static const char *const ext[] = { "", "-wal", "-shm" };
	char p[320];

	imip_store_close(b->st);
	if (b->dir[0] == '\0')
		return;
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", b->path, ext[i]);
		unlink(p);
	}
	rmdir(b->dir);
}

/* Insert period i: an event and its busy row. */
static int
insert_one(struct bench *b, sqlite3_stmt *ev, sqlite3_stmt *busy,
    long long i)
{
	sqlite3 *db = store_db(b->st);
	int64_t start = T0 + i * SLOT + (int64_t)(next_rand(b) % 600);
	int64_t len = 1800 + (int64_t)(next_rand(b) % (SPAN_MAX - 1800 + 1));
	char uid[48];

	snprintf(uid, sizeof(uid), "scale-%lld@example.org", i);
	sqlite3_bind_int64(ev, 1, b->cal);
	sqlite3_bind_text(ev, 2, uid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(ev, 3, T0);
	if (sqlite3_step(ev) != SQLITE_DONE)
		return -1;
	sqlite3_reset(ev);
	sqlite3_bind_int64(busy, 1, b->cal);
	sqlite3_bind_int64(busy, 2, sqlite3_last_insert_rowid(db));
	sqlite3_bind_int64(busy, 3, start);
	sqlite3_bind_int64(busy, 4, start + len);
	if (sqlite3_step(busy) != SQLITE_DONE)
		return -1;
	sqlite3_reset(busy);
	return 0;
}

/* Grow the calendar to rows periods in one transaction. */
static int
fill(struct bench *b, long long rows, struct imip_err *err)
{
	sqlite3 *db = store_db(b->st);
	sqlite3_stmt *ev = NULL, *busy = NULL;
	int rc = IMIP_OK;

	if (sqlite3_prepare_v2(db, "INSERT INTO event (calendar_id, uid,"
	    " summary, partstat, updated) VALUES (?1, ?2, 'Meeting',"
	    " 'ACCEPTED', ?3)", -1, &ev, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO busy (calendar_id, event_id,"
	    " start, end) VALUES (?1, ?2, ?3, ?4)", -1, &busy, NULL) !=
	    SQLITE_OK ||
	    (rc = imip_store_begin(b->st, err)) < 0)
		goto out;
	for (; b->rows < rows; b->rows++)
		if (insert_one(b, ev, busy, b->rows) < 0)
			goto out;
	/* The overlap query's lower bound; store_event.c keeps it so. */
	if (sqlite3_exec(db, "UPDATE calendar SET busy_span_max = 3000",
	    NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	rc = imip_store_commit(b->st, err);
out:
	if (rc == IMIP_OK && b->rows < rows)
		rc = imip_err_set(err, IMIP_ERR, "fill: %s",
		    sqlite3_errmsg(db));
	if (rc < 0)
		imip_store_rollback(b->st);
	sqlite3_finalize(ev);
	sqlite3_finalize(busy);
	return rc;
}

/* The scheduler's conflict callback: the first overlap is enough. */
static int
first_cb(const struct imip_busy_rec *r, void *arg)
{
	(void)r;
	++*(long *)arg;
	return 1;
}

/* A free/busy answer's callback: every period. */
static int
all_cb(const struct imip_busy_rec *r, void *arg)
{
	(void)r;
	++*(long *)arg;
	return 0;
}

/*
 * Time n random lookups of length len (a conflict check stops at the
 * first period and excludes a UID); *found: periods seen in all.
 */
static int
lookups(struct bench *b, int n, int64_t len, bool conflict, long *found,
    struct imip_err *err)
{
	int64_t span = b->rows * SLOT, start;
	double t0, c0;
	int rc;

	*found = 0;
	for (b->nlat = 0; b->nlat < n; b->nlat++) {
		start = T0 + (int64_t)(next_rand(b) % (uint64_t)(span > len ?
		    span - len : 1));
		c0 = now_us(CLOCK_THREAD_CPUTIME_ID);
		t0 = now_us(CLOCK_MONOTONIC);
		rc = imip_store_busy_overlapping(b->st, b->cal, start,
		    start + len, conflict ? "request@example.org" : NULL,
		    conflict ? first_cb : all_cb, found, err);
		b->lat[b->nlat] = now_us(CLOCK_MONOTONIC) - t0;
		b->cpu[b->nlat] = now_us(CLOCK_THREAD_CPUTIME_ID) - c0;
		if (rc < 0)
			return rc;
	}
	return IMIP_OK;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentiles and the mean of v[0..n) (sorted here). */
static struct stats
summarize(double *v, int n)
{
	struct stats s = { 0 };

	if (n == 0)
		return s;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	for (int i = 0; i < n; i++)
		s.mean += v[i] / n;
	s.p50 = v[(n + 1) / 2 - 1];
	s.p99 = v[(99 * n + 99) / 100 - 1];
	s.max = v[n - 1];
	return s;
}

/* EXPLAIN QUERY PLAN of the overlap query, one line; 1 if it scans. */
static int
query_plan(struct bench *b, char *out, size_t len)
{
	sqlite3_stmt *s = NULL;
	char sql[1024];
	size_t used = 0;
	int scans = 0;
	const char *d;

	out[0] = '\0';
	snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s",
	    store_sql_busy_overlap);
	if (sqlite3_prepare_v2(store_db(b->st), sql, -1, &s, NULL) !=
	    SQLITE_OK)
		return 1;
	sqlite3_bind_int64(s, 1, b->cal);
	while (sqlite3_step(s) == SQLITE_ROW) {
		d = (const char *)sqlite3_column_text(s, 3);
		if (d == NULL)
			continue;
		scans |= strncmp(d, "SCAN", 4) == 0;
		used += (size_t)snprintf(out + used, len - used, "%s%s",
		    used > 0 ? "; " : "", d);
		if (used >= len)
			break;
	}
	sqlite3_finalize(s);
	return scans;
}

/* The size of path with suffix, 0 if it is not there. */
static long long
file_size(const char *path, const char *suffix)
{
	struct stat sb;
	char p[320];

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	return stat(p, &sb) == 0 ? (long long)sb.st_size : 0;
}

static void
print_stats(const char *name, struct stats s, const char *sep)
{
	printf("      \"%s\": {\"p50\": %.1f, \"p99\": %.1f, \"max\": %.1f, "
	    "\"mean\": %.1f}%s\n", name, s.p50, s.p99, s.max, s.mean, sep);
}

/* Fill to rows, time both lookups and print one size's JSON object. */
static int
one_size(struct bench *b, const struct opts *o, long long rows, bool last,
    int *scans, struct imip_err *err)
{
	struct stats st[4];	/* conflict, its CPU, free/busy, its CPU */
	char plan[512];
	long found = 0, periods = 0;
	double t0 = now_us(CLOCK_MONOTONIC);
	int rc, warm = o->queries / 10 + 1;

	if ((rc = fill(b, rows, err)) < 0)
		return rc;
	printf("    {\"rows\": %lld, \"fill_seconds\": %.2f, ", rows,
	    (now_us(CLOCK_MONOTONIC) - t0) / 1e6);
	printf("\"db_bytes\": %lld,\n", file_size(b->path, "") +
	    file_size(b->path, "-wal"));
	/* An unmeasured warm-up, then the two measured kinds. */
	if ((rc = lookups(b, warm, 30 * 60, true, &found, err)) < 0 ||
	    (rc = lookups(b, o->queries, 30 * 60, true, &found, err)) < 0)
		return rc;
	st[0] = summarize(b->lat, b->nlat);
	st[1] = summarize(b->cpu, b->nlat);
	if ((rc = lookups(b, o->queries, WEEK, false, &periods, err)) < 0)
		return rc;
	st[2] = summarize(b->lat, b->nlat);
	st[3] = summarize(b->cpu, b->nlat);
	*scans |= query_plan(b, plan, sizeof(plan));
	print_stats("conflict_us", st[0], ",");
	print_stats("conflict_cpu_us", st[1], ",");
	printf("      \"conflicts_found\": %ld,\n", found);
	print_stats("freebusy_us", st[2], ",");
	print_stats("freebusy_cpu_us", st[3], ",");
	printf("      \"freebusy_periods_mean\": %.1f,\n",
	    (double)periods / o->queries);
	printf("      \"plan\": \"%s\"}%s\n", plan, last ? "" : ",");
	return IMIP_OK;
}

/* "1000,100000" into o->sizes, ascending; -1 if it is not that. */
static int
parse_sizes(struct opts *o, const char *s)
{
	char *end;

	for (o->nsizes = 0; *s != '\0' && o->nsizes < MAX_SIZES;
	    o->nsizes++) {
		errno = 0;
		o->sizes[o->nsizes] = strtoll(s, &end, 10);
		if (errno != 0 || end == s || o->sizes[o->nsizes] < 1 ||
		    o->sizes[o->nsizes] > 100000000 || (o->nsizes > 0 &&
		    o->sizes[o->nsizes] <= o->sizes[o->nsizes - 1]))
			return -1;
		s = *end == ',' ? end + 1 : end;
		if (*end != ',' && *end != '\0')
			return -1;
	}
	return *s == '\0' && o->nsizes > 0 ? 0 : -1;
}

/* The command line into o; 0, or the exit status. */
static int
parse_opts(struct opts *o, int argc, char **argv)
{
	static const struct option longs[] = {
		{ "sizes", required_argument, NULL, 's' },
		{ "queries", required_argument, NULL, 'q' },
		{ "dir", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tmp = getenv("TMPDIR");
	int ch, bad = 0;

	*o = (struct opts){ .queries = 5000, .seed = 42,
	    .dir = tmp != NULL && *tmp != '\0' ? tmp : "/tmp" };
	parse_sizes(o, "1000,100000,1000000");
	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (ch) {
		case 's': bad |= parse_sizes(o, optarg) < 0; break;
		case 'q': o->queries = atoi(optarg); break;
		case 'd': o->dir = optarg; break;
		case 'r': o->seed = strtoull(optarg, NULL, 10); break;
		default: bad = 1;
		}
	}
	if (bad || optind != argc || o->queries < 1 || o->seed == 0) {
		fprintf(stderr, "usage: store-scale [--sizes N,N,...] "
		    "[--queries Q] [--dir DIR] [--seed S]\n");
		return 2;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct bench b = { 0 };
	struct imip_err err = { 0 };
	struct opts o;
	int rc, scans = 0;

	if ((rc = parse_opts(&o, argc, argv)) != 0)
		return rc;
	b.rng = o.seed;
	b.lat = calloc((size_t)o.queries + 1, sizeof(*b.lat));
	b.cpu = calloc((size_t)o.queries + 1, sizeof(*b.cpu));
	if (b.lat == NULL || b.cpu == NULL) {
		rc = imip_err_set(&err, IMIP_ENOMEM, "latencies");
		goto out;
	}
	if ((rc = setup(&b, o.dir, &err)) < 0)
		goto out;
	printf("{\n  \"queries\": %d,\n  \"sizes\": [\n", o.queries);
	for (int i = 0; i < o.nsizes && rc == IMIP_OK; i++)
		rc = one_size(&b, &o, o.sizes[i], i + 1 == o.nsizes, &scans,
		    &err);
	printf("  ],\n  \"indexed\": %s\n}\n", scans ? "false" : "true");
out:
	if (rc < 0)
		fprintf(stderr, "store-scale: %s\n", err.msg);
	else if (scans)
		fprintf(stderr, "store-scale: the overlap query scans busy\n");
	teardown(&b);
	free(b.lat);
	free(b.cpu);
	return rc < 0 || scans ? 1 : 0;
}
