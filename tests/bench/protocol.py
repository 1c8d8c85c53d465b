#!/usr/bin/env python3
"""protocol.py - benchmarks 2, 3 and 4 of issue 7, without an MTA.

Started by tools/bench-protocol after the build; not part of the test
suite, except for --smoke (meson test bench-smoke: a handful of messages,
the store at 1k rows, a few seconds).  Needs no root: no Postfix runs.

2. Decisions per second and latency.  build/tests/bench/milter-load (the
   MTA side of the milter protocol) drives, over a unix socket, first the
   reference filter null-milter, then imip-milter (or the other way round,
   alternating per repetition), each freshly started, imip-milter with a
   fresh copy of a database made by imipctl with 2 x ROOMS rooms:

       single    a REQUEST for one slot (new UID, free slot: a booking)
       weekly    a weekly REQUEST for two years (COUNT=104; one weekly
                 half hour per series, in the other ROOMS rooms: every
                 instance booked)
       freebusy  a VFREEBUSY REQUEST for a week (answered with the busy
                 periods the two workloads above left)

   imip-milter's replies go to its outbox, whose thread hands each one to
   sendmail-sink (reads the message, exits 0) instead of an MTA; after
   each workload the outbox is waited for until it is empty, so the next
   workload starts clean.  Also measured: the single workload once more
   with imip-milter's database on tmpfs (no fsync cost), as a ratio to
   the database on disk in the same repetition.

3. Store scaling: build/tests/bench/store-scale (conflict check and a
   week of free/busy at 1k, 100k and 1M busy periods).

4. Peak RSS (VmHWM) of each filter, freshly started, after milter-load
   has held 200 connections open with a message in flight on every one.

Only ratios within one run mean anything on a shared machine: imip/null
for the protocol, tmpfs/disk for durability, each size against 1k rows
for the store.  The table goes to stdout, everything to a JSON file.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests" / "integration"))
sys.path.insert(0, str(HERE))
import mta  # noqa: E402
from throughput import BenchMilter, proc_cpu, proc_status  # noqa: E402

DATA = HERE / "data"
WEEK = 7 * 86400
TZ = "Europe/Berlin"
FILTERS = ("null", "imip")
WORKLOADS = ("single", "weekly", "freebusy")
NAMES = {"single": "single REQUEST (a booking)",
         "weekly": "weekly REQUEST, 104 instances",
         "freebusy": "VFREEBUSY REQUEST (a week)"}
EXPECT = {"single": "ACCEPTED", "weekly": "ACCEPTED", "freebusy": "ANSWERED"}


def binary(env, rel):
    return mta.resolve_binary(env, "build/tests/bench/" + rel)


def binaries():
    return {"imip": mta.imip_milter_path(), "imipctl": mta.imipctl_path(),
            "null": binary("NULL_MILTER", "null-milter"),
            "load": binary("MILTER_LOAD", "milter-load"),
            "store": binary("STORE_SCALE", "store-scale"),
            "sink": binary("SENDMAIL_SINK", "sendmail-sink")}


def fs_type(path):
    """The file system type that holds path (longest mount point)."""
    best, kind = "", "?"
    path = os.path.realpath(path)
    with open("/proc/self/mounts") as f:
        for line in f:
            dev, mnt, typ = line.split()[:3]
            if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) \
                    and len(mnt) >= len(best):
                best, kind = mnt, typ
    return kind


def store_pragmas():
    """synchronous as core/store.c sets it; the journal mode it keeps."""
    src = (REPO_ROOT / "core" / "store.c").read_text()
    m = re.search(r"PRAGMA synchronous=(\w+)", src)
    j = re.search(r"PRAGMA journal_mode=(\w+)", src)
    return (m.group(1) if m else "?", j.group(1).lower() if j else "?")


# --------------------------------------------------------------------------
# the filters

class Run:
    """Settings and scratch space of one benchmark run."""

    def __init__(self, args, bins):
        self.args = args
        self.bins = bins
        self.top = Path(tempfile.mkdtemp(prefix="imip-proto-",
                                         dir=args.db_dir))
        self.template_db = self.top / "template.db"
        now = int(time.time())
        # Monday 00:00 UTC at least two days ahead: weeks line up.
        day = now // 86400 + 2
        self.base = (day + (4 - day) % 7) * 86400   # day 4: a Monday
        self.counter = 0

    def make_template_db(self):
        """imipctl init, then 2 x rooms resource calendars."""
        ctl = [self.bins["imipctl"], "--db", str(self.template_db)]
        subprocess.run(ctl + ["init"], check=True, stdout=subprocess.DEVNULL)
        for i in range(2 * self.args.rooms):
            subprocess.run(ctl + ["calendar", "add", room(i), "--kind",
                                  "resource", "--name", "Room %d" % i,
                                  "--tz", TZ], check=True,
                           stdout=subprocess.DEVNULL)

    def milter(self, kind, db_dir=None):
        """A started filter: kind null or imip (with a fresh database in
        db_dir, default the run's directory)."""
        self.counter += 1
        d = self.top / ("%s-%d" % (kind, self.counter))
        cmd = [self.bins["null"], "-p"] if kind == "null" else None
        m = BenchMilter(d, None, True, command=cmd, log_level="info",
                        sendmail_path=self.bins["sink"],
                        extra_conf={"recurrence_horizon_days": "800"})
        if kind == "imip":
            if db_dir is not None:
                m.db = Path(tempfile.mkdtemp(prefix="imip-proto-db-",
                                             dir=db_dir)) / "imip.db"
            m.db.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.template_db, m.db)
        return m.start()

    def stop(self, m):
        m.stop()
        if not mta._keep_dirs():
            shutil.rmtree(m.dir, ignore_errors=True)
            if m.command is None and m.db.parent != m.dir:
                shutil.rmtree(m.db.parent, ignore_errors=True)

    def cleanup(self):
        if not mta._keep_dirs():
            shutil.rmtree(self.top, ignore_errors=True)


def room(i):
    return "room-%04d@example.org" % i


def pending_replies(m):
    return m.query("SELECT count(*) FROM outbox WHERE sent IS NULL"
                   " AND failed IS NULL")[0][0]


def wait_outbox(m, timeout):
    """Seconds until imip-milter's outbox is empty (None: timed out)."""
    t0 = time.monotonic()
    while pending_replies(m) > 0:
        if time.monotonic() - t0 > timeout:
            return None
        time.sleep(0.05)
    return round(time.monotonic() - t0, 3)


# --------------------------------------------------------------------------
# the load

def plan(args, workload, n):
    """milter-load options giving every message its own room and slot."""
    r = args.rooms
    if workload == "single":       # rooms 0..r-1, one an hour each
        return ["--rooms", str(r), "--step", "3600", "--length", "1800"]
    if workload == "weekly":       # rooms r..2r-1, every half hour a week
        if n > 336 * r:
            raise mta.HarnessError("%d weekly series do not fit into %d "
                                   "rooms (336 each)" % (n, r))
        return ["--rooms", str(r), "--room-first", str(r), "--step",
                "1800", "--length", "1800", "--wrap", "336"]
    # freebusy: any of the 2r rooms, one of the first 4 weeks
    return ["--rooms", str(2 * r), "--step", str(WEEK), "--length",
            str(WEEK), "--wrap", "4"]


def load(run, m, workload, n, conns, per_conn, first, extra=()):
    """One milter-load run against m; its JSON result."""
    a = run.args
    sock = str(m.sock_path)
    cmd = [run.bins["load"], "-s", sock, "-t", str(DATA / (workload +
           ".eml")), "-n", str(n), "-c", str(conns), "-m", str(per_conn),
           "--first", str(first), "--base", str(run.base),
           "--run-id", "proto-%d-%d" % (os.getpid(), first),
           "--timeout", str(a.timeout)] + plan(a, workload, n) + list(extra)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=a.timeout * 10 + n)
    try:
        res = json.loads(r.stdout)
    except ValueError:
        raise mta.HarnessError("milter-load %s failed (%d): %s" %
                               (workload, r.returncode, r.stderr.strip()))
    if r.returncode != 0 or res["errors"] or res["done"] != n:
        raise mta.HarnessError("milter-load %s: %d of %d done, %d errors: "
                               "%s\nfilter log tail:\n%s" % (
                                   workload, res["done"], n, res["errors"],
                                   r.stderr.strip(), m.log()[-2000:]))
    return res


def workload_run(run, m, kind, workload, n, first):
    """One workload on a running filter, outbox drained after it."""
    a = run.args
    cpu0 = proc_cpu(m.proc.pid)
    res = load(run, m, workload, n, a.connections, a.per_connection, first)
    if kind == "imip":
        got = res["decisions"].get(EXPECT[workload], 0)
        if got != n:
            raise mta.HarnessError("%s: %d of %d %s, decisions %r" % (
                workload, got, n, EXPECT[workload], res["decisions"]))
        res["outbox_drain_s"] = wait_outbox(m, a.timeout)
        if res["outbox_drain_s"] is None:
            raise mta.HarnessError("%s: outbox not empty after %ds" %
                                   (workload, a.timeout))
    cpu1 = proc_cpu(m.proc.pid)
    if cpu0 is not None and cpu1 is not None:
        res["filter_cpu_ms_per_msg"] = round(1000 * (cpu1 - cpu0) / n, 3)
    return res


def counts(args):
    return {"single": args.messages, "weekly": args.weekly,
            "freebusy": args.freebusy}


def check_bookings(m, n):
    """Every single REQUEST one busy row, every series 104."""
    want = n["single"] + 104 * n["weekly"]
    got = m.query("SELECT count(*) FROM busy")[0][0]
    if got != want:
        raise mta.HarnessError("%d busy periods stored, want %d" %
                               (got, want))


def one_filter(run, rep, kind, results):
    """A fresh filter through every workload."""
    n = counts(run.args)
    m = run.milter(kind)
    try:
        for w in WORKLOADS:
            res = workload_run(run, m, kind, w, n[w], 0)
            res.update(rep=rep + 1, filter=kind, workload=w)
            results.append(res)
            print("  rep %d %-4s %-8s %8.1f/s  p50 %7.2f ms  p99 %7.2f ms"
                  % (rep + 1, kind, w, res["per_s"],
                     res["latency_ms"]["p50"], res["latency_ms"]["p99"]),
                  flush=True)
        if kind == "imip":
            check_bookings(m, n)
    finally:
        run.stop(m)


def tmpfs_single(run, rep, results):
    """The single workload again, imip-milter's database on tmpfs."""
    m = run.milter("imip", db_dir=run.args.tmpfs_dir)
    try:
        res = workload_run(run, m, "imip", "single", run.args.messages, 0)
    finally:
        run.stop(m)
    res.update(rep=rep + 1, filter="imip-tmpfs", workload="single")
    results.append(res)
    print("  rep %d imip single, database on tmpfs %8.1f/s" %
          (rep + 1, res["per_s"]), flush=True)


def rss(run, kind):
    """Peak RSS of a fresh filter after N connections at once."""
    c = run.args.rss_connections
    m = run.milter(kind)
    try:
        idle = proc_status(m.proc.pid, "VmHWM")
        res = load(run, m, "single", 2 * c, c, 2, 0, extra=["--hold"])
        if kind == "imip":
            wait_outbox(m, run.args.timeout)
        peak = proc_status(m.proc.pid, "VmHWM")
        threads = proc_status(m.proc.pid, "Threads")
    finally:
        run.stop(m)
    print("  %s: VmHWM %s kB idle, %s kB after %d connections" %
          (kind, idle, peak, c), flush=True)
    return {"filter": kind, "connections": c, "idle_kb": idle,
            "peak_kb": peak, "threads_after": threads,
            "per_s": res["per_s"], "latency_ms": res["latency_ms"]}


def store_scale(run, sizes, queries):
    r = subprocess.run([run.bins["store"], "--sizes", sizes, "--queries",
                        str(queries), "--dir", run.args.db_dir],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=3600)
    if r.returncode != 0:
        raise mta.HarnessError("store-scale failed (%d): %s" %
                               (r.returncode, r.stderr.strip()))
    return json.loads(r.stdout)


# --------------------------------------------------------------------------
# summary and report

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def ratio(x, y):
    return round(x / y, 3) if x and y else None


def summarize(results):
    """Medians per filter and workload, and the ratios of interest."""
    keys = {(r["filter"], r["workload"]) for r in results}
    medians = {}
    for f, w in sorted(keys):
        rs = [r for r in results if r["filter"] == f and r["workload"] == w]
        medians.setdefault(f, {})[w] = {
            "per_s": med([r["per_s"] for r in rs]),
            "p50_ms": med([r["latency_ms"]["p50"] for r in rs]),
            "p99_ms": med([r["latency_ms"]["p99"] for r in rs]),
            "cpu_ms_per_msg": med([r.get("filter_cpu_ms_per_msg")
                                   for r in rs]),
            "outbox_drain_s": med([r.get("outbox_drain_s") for r in rs])}
    ratios = {}
    for pair, (a, b) in (("imip/null", ("imip", "null")),
                         ("tmpfs/disk", ("imip-tmpfs", "imip"))):
        for w in WORKLOADS:
            x = medians.get(a, {}).get(w)
            y = medians.get(b, {}).get(w)
            if x and y:
                ratios.setdefault(pair, {})[w] = {
                    k: ratio(x[k], y[k]) for k in ("per_s", "p50_ms",
                                                    "p99_ms")}
    return medians, ratios


def fmt(x, spec):
    return spec % x if x is not None else "-"


def print_protocol(a, medians, ratios, pragmas):
    print()
    print("2. milter protocol: %d connections x %d messages, %d + %d rooms,"
          " median of %d; imip-milter database on %s (%s),"
          " synchronous=%s, journal_mode=%s" % (
              a.connections, a.per_connection, a.rooms, a.rooms, a.repeat,
              fs_type(a.db_dir), a.db_dir, pragmas[0], pragmas[1]))
    print("%-31s %-27s | %-22s | %s" % ("", "     decisions/s",
                                        "  p50 latency, ms",
                                        "  p99 latency, ms"))
    print("%-31s %9s %9s %7s | %6s %6s %8s | %7s %7s %8s" % (
        "workload", "null", "imip", "ratio", "null", "imip", "ratio",
        "null", "imip", "ratio"))
    for w in WORKLOADS:
        nu = medians.get("null", {}).get(w, {})
        im = medians.get("imip", {}).get(w, {})
        r = ratios.get("imip/null", {}).get(w, {})
        print("%-31s %9s %9s %7s | %6s %6s %8s | %7s %7s %8s" % (
            NAMES[w], fmt(nu.get("per_s"), "%.1f"),
            fmt(im.get("per_s"), "%.1f"), fmt(r.get("per_s"), "%.3f"),
            fmt(nu.get("p50_ms"), "%.2f"), fmt(im.get("p50_ms"), "%.2f"),
            fmt(r.get("p50_ms"), "%.1f"), fmt(nu.get("p99_ms"), "%.2f"),
            fmt(im.get("p99_ms"), "%.2f"), fmt(r.get("p99_ms"), "%.1f")))
    print("imip-milter CPU ms per message, its outbox and sendmail-sink "
          "included: %s" % ", ".join(
              "%s %s" % (w, fmt(medians.get("imip", {}).get(w, {}).get(
                  "cpu_ms_per_msg"), "%.2f")) for w in WORKLOADS))
    print("outbox emptied (s after each workload): %s" % ", ".join(
        "%s %s" % (w, fmt(medians.get("imip", {}).get(w, {}).get(
            "outbox_drain_s"), "%.1f")) for w in WORKLOADS))
    t = ratios.get("tmpfs/disk", {}).get("single")
    if t:
        tm = medians["imip-tmpfs"]["single"]
        print("durability: single REQUEST with the database on tmpfs "
              "(%s, no fsync cost): %.1f/s, p50 %.2f ms, p99 %.2f ms; "
              "tmpfs/disk %.3f, p50 %.2f, p99 %.2f" % (
                  a.tmpfs_dir, tm["per_s"], tm["p50_ms"], tm["p99_ms"],
                  t["per_s"], t["p50_ms"], t["p99_ms"]))


def print_rss(rs):
    by = {r["filter"]: r for r in rs}
    im, nu = by.get("imip"), by.get("null")
    print()
    print("4. peak RSS (VmHWM), %d connections with a message in flight "
          "on each:" % rs[0]["connections"])
    print("   imip-milter %.1f MB (idle %.1f MB), null-milter %.1f MB "
          "(idle %.1f MB), imip/null %s" % (
              im["peak_kb"] / 1024, im["idle_kb"] / 1024,
              nu["peak_kb"] / 1024, nu["idle_kb"] / 1024,
              fmt(ratio(im["peak_kb"], nu["peak_kb"]), "%.1f")))


def print_store(st):
    sizes = st["sizes"]
    base = sizes[0]
    print()
    print("3. store scaling: one calendar, %d random lookups per kind and "
          "size (us; x = against %d rows)" % (st["queries"], base["rows"]))
    row = "%10s | %7s %7s %6s %6s | %7s %7s %6s %6s | %s"
    print("%10s | %-29s | %-29s |" % ("", "conflict check (30 minutes)",
                                      "free/busy (a week)"))
    print(row % ("periods", "p50", "p99", "x p50", "x p99", "p50", "p99",
                 "x p50", "x p99", "CPU p99 conflict / free/busy"))
    for s in sizes:
        c, f = s["conflict_us"], s["freebusy_us"]
        bc, bf = base["conflict_us"], base["freebusy_us"]
        print(row % (s["rows"], "%.1f" % c["p50"], "%.1f" % c["p99"],
                     "%.2f" % (c["p50"] / bc["p50"]),
                     "%.2f" % (c["p99"] / bc["p99"]), "%.1f" % f["p50"],
                     "%.1f" % f["p99"], "%.2f" % (f["p50"] / bf["p50"]),
                     "%.2f" % (f["p99"] / bf["p99"]),
                     "%.1f / %.1f" % (s["conflict_cpu_us"]["p99"],
                                      s["freebusy_cpu_us"]["p99"])))
    print("   query plan: %s" % sizes[-1]["plan"])


def targets(medians, rs, st):
    """Each target: (name, value, met)."""
    out = []
    single = medians.get("imip", {}).get("single", {}).get("per_s")
    if single is not None:
        out.append(("single REQUEST >= 2000 decisions/s", single,
                    single >= 2000))
    if st is not None:
        big = st["sizes"][-1]
        out.append(("conflict check p99 < 1 ms at %d periods" % big["rows"],
                    big["conflict_us"]["p99"],
                    big["conflict_us"]["p99"] < 1000 and st["indexed"]))
    for r in rs or ():
        if r["filter"] == "imip":
            out.append(("imip-milter peak RSS < 64 MB at %d connections" %
                        r["connections"], round(r["peak_kb"] / 1024, 1),
                        r["peak_kb"] < 64 * 1024))
    return out


def machine_info():
    return {"host": platform.node(), "kernel": platform.release(),
            "cpus": os.cpu_count(), "python": platform.python_version(),
            "loadavg_start": os.getloadavg()}


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Benchmarks 2-4 of issue 7: the milter protocol "
        "(decisions/s, latency), store scaling and peak RSS, imip-milter "
        "against null-milter (see tests/bench/README.md).")
    add = p.add_argument
    add("--messages", type=int, default=4000,
        help="single REQUESTs per run (default 4000)")
    add("--weekly", type=int, default=1000,
        help="weekly REQUESTs per run (default 1000)")
    add("--freebusy", type=int, default=4000,
        help="VFREEBUSY REQUESTs per run (default 4000)")
    add("--connections", type=int, default=8,
        help="parallel milter connections (default 8)")
    add("--per-connection", type=int, default=10,
        help="messages per connection (default 10)")
    add("--rooms", type=int, default=100,
        help="rooms for single and for weekly REQUESTs each (default 100)")
    add("--repeat", type=int, default=3,
        help="repetitions of every filter (default 3)")
    add("--rss-connections", type=int, default=200,
        help="connections at once for the RSS benchmark (default 200)")
    add("--store-sizes", default="1000,100000,1000000",
        help="busy periods in the calendar (default 1000,100000,1000000)")
    add("--store-queries", type=int, default=5000,
        help="random lookups per kind and size (default 5000)")
    add("--db-dir", default="/var/tmp",
        help="where databases go (default /var/tmp: a disk)")
    add("--tmpfs-dir", default="/dev/shm",
        help="tmpfs for the durability comparison ('' skips it; "
        "default /dev/shm)")
    add("--parts", default="protocol,store,rss",
        help="what to run (default protocol,store,rss)")
    add("--timeout", type=int, default=120,
        help="longest wait for one reply or for the outbox (default 120)")
    add("--json", default=str(REPO_ROOT / "build" / "bench" /
                              "protocol.json"),
        help="result file (default build/bench/protocol.json)")
    add("--smoke", action="store_true",
        help="a few messages and 1k periods, checked, no report: the "
        "test suite's bench-smoke")
    a = p.parse_args(argv)
    a.parts = set(a.parts.split(","))
    if a.parts - {"protocol", "store", "rss"} or min(
            a.messages, a.weekly, a.freebusy, a.connections,
            a.per_connection, a.rooms, a.repeat, a.rss_connections,
            a.store_queries) < 1:
        p.error("bad --parts or a count below 1")
    return a


def smoke(run):
    """The test suite's check that the benchmark still works: every
    workload and --hold against imip-milter, the store at 1k periods."""
    a = run.args
    m = run.milter("imip")
    try:
        for w in WORKLOADS:
            workload_run(run, m, "imip", w, counts(a)[w], 0)
        check_bookings(m, counts(a))
        res = load(run, m, "single", 4, 4, 1, a.messages, extra=["--hold"])
        if res["decisions"].get("ACCEPTED") != 4:
            raise mta.HarnessError("--hold: %r" % res["decisions"])
    finally:
        run.stop(m)
    st = store_scale(run, "1000", 200)
    if not st["indexed"]:
        raise mta.HarnessError("the overlap query scans: %s" %
                               st["sizes"][0]["plan"])
    print("bench-smoke: ok (%d + %d + %d messages, %d periods)" % (
        a.messages, a.weekly, a.freebusy, st["sizes"][0]["rows"]))
    return 0


def measure(run, results, rss_res):
    """Every part asked for; the store's result."""
    a = run.args
    if "protocol" in a.parts:
        print("2. milter protocol (%d repetitions)" % a.repeat, flush=True)
        for rep in range(a.repeat):
            for kind in (FILTERS if rep % 2 == 0 else FILTERS[::-1]):
                one_filter(run, rep, kind, results)
            if a.tmpfs_dir:
                tmpfs_single(run, rep, results)
    if "rss" in a.parts:
        print("4. peak RSS", flush=True)
        for kind in FILTERS:
            rss_res.append(rss(run, kind))
    if "store" in a.parts:
        print("3. store scaling", flush=True)
        return store_scale(run, a.store_sizes, a.store_queries)
    return None


def report(a, results, rss_res, store, elapsed, info):
    medians, ratios = summarize(results)
    pragmas = store_pragmas()
    if results:
        print_protocol(a, medians, ratios, pragmas)
    if store is not None:
        print_store(store)
    if rss_res:
        print_rss(rss_res)
    tg = targets(medians, rss_res, store)
    print()
    for name, value, met in tg:
        print("target %-48s %10s  %s" % (name, value,
                                         "met" if met else "MISSED"))
    print("wall time %.0f s; only ratios within one run mean anything on "
          "a shared machine" % elapsed)
    info["loadavg_end"] = os.getloadavg()
    result = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": info, "parameters": {
            k: (sorted(v) if isinstance(v, set) else v)
            for k, v in vars(a).items()},
        "database": {"fs": fs_type(a.db_dir), "synchronous": pragmas[0],
                     "journal_mode": pragmas[1]},
        "medians": medians, "ratios": ratios, "protocol_runs": results,
        "rss": rss_res, "store": store,
        "targets": [{"target": n, "value": v, "met": m} for n, v, m in tg],
        "wall_seconds": round(elapsed, 1)}
    if a.json:
        out = Path(a.json)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
        print("results: %s" % out)


def main(argv):
    a = parse_args(argv)
    if a.smoke:
        a.rooms, a.messages, a.weekly, a.freebusy = 2, 12, 4, 8
        a.connections, a.per_connection, a.timeout = 2, 3, 30
    bins = binaries()
    for name, exe in bins.items():
        if not os.access(exe, os.X_OK):
            raise SystemExit("protocol: no %s at %s (build first: "
                             "tools/bench-protocol)" % (name, exe))
    mta.install_signal_cleanup()
    info = machine_info()
    run = Run(a, bins)
    results, rss_res, store = [], [], None
    started = time.monotonic()
    try:
        run.make_template_db()
        if a.smoke:
            return smoke(run)
        store = measure(run, results, rss_res)
    finally:
        mta.cleanup_all()
        run.cleanup()
    report(a, results, rss_res, store, time.monotonic() - started, info)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except mta.HarnessError as e:
        print("protocol: FAILED: %s" % e, file=sys.stderr)
        sys.exit(1)
