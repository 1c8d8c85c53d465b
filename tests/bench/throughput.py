#!/usr/bin/env python3
"""throughput.py - how much does imip-milter slow Postfix down?

Started by tools/bench after the build; not part of the test suite.  Needs
root (a private Postfix, see tests/integration/mta.py).

In ONE run, on this machine, it measures end-to-end throughput of a private
Postfix on 127.0.0.1 in three configurations:

    a  Postfix alone (no milter)
    b  Postfix + null-milter (tests/bench/null_milter.c: accepts everything,
       same callbacks and flags as imip-milter, never stops at end of
       headers)
    c  Postfix + imip-milter (fresh database with room-a and room-b)

each with three workloads:

    plain        ~2 KB text/plain mail to bob@example.net (not managed)
    plain-room   the same ~2 KB mail to room-a@example.org
    invitation   iMIP REQUESTs to room-a@example.org, each with its own UID
                 and its own non-overlapping slot: under c every one is a
                 real ACCEPTED booking and queues a reply to the organizer

Throughput = messages / (first SMTP connection .. last message of the
workload written into the Maildir): end to end through smtpd, the milter,
cleanup, the queue manager and virtual(8), not just SMTP acceptance.  The
end time is the newest delivered file's mtime; the Maildir is polled every
0.1 s only to know when to stop waiting.  For c's invitations a second
figure counts until the last reply (re-injected by imip-milter through
sendmail(1)) is delivered too.

Load: plain workloads use Postfix's smtp-source (-s SESSIONS, one message
per connection).  smtp-source sends one fixed file, and the invitations
must all differ, so invitations are sent by a small Python client instead:
SESSIONS threads, one SMTP connection per message like smtp-source, using
mta.Postfix.send().  Running smtp-source once per invitation would mostly
measure fork+exec.  The same driver is used for a, b and c within a
workload, so the ratios are fair; absolute msg/s of the invitation
workload and of the plain workloads are not comparable with each other.

Milter socket: unix (DIR/milter.sock), as imip-milter is installed
(doc/imip-milter.8), for b and c alike.  mta.py's inet sockets would hide
the difference: over TCP, Nagle in Postfix's milter client meets the
filter's delayed ACK and every message stalls ~40 ms, for ANY libmilter
filter (null-milter included), so b and c both crawl at ~170 msg/s.
--socket inet measures that case.

Each configuration gets a fresh stack (new queue, Maildir and database) per
repetition; inside a stack the workloads run in a fixed order after a
short unmeasured warm-up, and counts are deltas.  Repetitions interleave
the configurations (a b c, b c a, c a b, ...) to spread machine noise.
Reported: the median of the repetitions, c/b and b/a, replies counted and
the milters' peak RSS (VmHWM at the end of each stack) and CPU time
(utime+stime of the milter and of the sendmail(1) children it waited for,
from /proc/PID/stat).
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests" / "integration"))
import mta  # noqa: E402
from test_e2e_postfix import (ALICE, BOB, CAROL, ROOM_A, ROOM_B,  # noqa: E402
                              headers, replies, request)

SMTP_SOURCE = "/usr/sbin/smtp-source"
ROOMS = [(ROOM_A, "Room A"), (ROOM_B, "Room B")]
CONFIGS = ("a", "b", "c")
CONFIG_NAMES = {"a": "Postfix alone", "b": "+ null-milter",
                "c": "+ imip-milter"}
WORKLOADS = ("plain", "plain-room", "invitation")
WORKLOAD_NAMES = {"plain": "plain -> bob (not managed)",
                  "plain-room": "plain -> room-a",
                  "invitation": "invitation -> room-a",
                  "invitation+reply": "  incl. reply delivered"}
POLL_S = 0.1


def null_milter_path():
    return mta.resolve_binary("NULL_MILTER", "build/tests/bench/null-milter")


# --------------------------------------------------------------------------
# the milters, on a unix socket (the production default) or inet

class BenchMilter(mta.Milter):
    """A mta.Milter (directory, config file, database with the rooms,
    stop() and cleanup registration) that can also listen on a unix
    socket, and can run null-milter instead of imip-milter.

    command: None for imip-milter with its config file, or the argv of a
    filter that takes the socket as its last argument (null-milter -p).
    unix: listen on DIR/milter.sock instead of inet:PORT@127.0.0.1.
    """

    def __init__(self, workdir, port, unix, command=None, **kw):
        super().__init__(workdir=workdir, port=port, **kw)
        self.command = command
        self.sock_path = self.dir / "milter.sock" if unix else None
        if unix:
            self.socket = "unix:%s" % self.sock_path

    def ready(self):
        if self.sock_path is not None:
            return self.sock_path.is_socket()
        return mta.port_listening(self.port)

    def start(self):
        if self.proc is not None:
            return self
        exe = self.command[0] if self.command else self.exe
        if not os.access(exe, os.X_OK):
            raise mta.HarnessError("no milter binary at %s" % exe)
        self.dir.mkdir(parents=True, exist_ok=True)
        if self.command is None:
            self.write_config()
            if not self.db.exists():
                self.setup_db()
            argv = [exe, "-f", "-c", str(self.conf)]
        else:
            argv = list(self.command) + [self.socket]
        log = open(self.logfile, "ab")
        try:
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True)
        finally:
            log.close()
        mta._LIVE.append(self)
        ok = mta._wait(lambda: self.ready() or self.proc.poll() is not None,
                       15)
        if self.proc.poll() is not None or not ok:
            rc = self.proc.poll()
            self.stop()
            raise mta.HarnessError("%s did not start (exit %s); log:\n%s" %
                                   (os.path.basename(exe), rc,
                                    self.log()[-3000:]))
        if self.sock_path is not None:
            os.chmod(self.sock_path, 0o666)  # smtpd and pickup run as postfix
        return self


def make_stack(config, null_exe, unix):
    """(thing to start/stop, its Postfix, its milter or None)."""
    if config == "a":
        pf = mta.Postfix()
        return pf, pf, None
    st = mta.Stack(rooms=ROOMS if config == "c" else (), log_level="info")
    old = st.milter
    st.milter = BenchMilter(
        old.dir, old.port, unix,
        command=[null_exe, "-p"] if config == "b" else None,
        rooms=old.rooms, sendmail_path=old.sendmail_path,
        local_domains=old.local_domains, log_level=old.log_level,
        # One organizer sends every invitation: the throughput of answers
        # is measured here, not the flood guard.
        extra_conf={"reply_rate_limit": "0"})
    st.postfix.milter = mta.postfix_milter_socket(st.milter.socket)
    return st, st.postfix, st.milter


def proc_status(pid, key):
    """A kB figure from /proc/PID/status (VmHWM, VmRSS), or None."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def proc_cpu(pid):
    """CPU seconds (user+system) of pid and its waited-for children."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------
# messages

LOREM = (
    "The facilities team asks everyone to leave the meeting rooms the way "
    "they found them: chairs back at the table, the whiteboard wiped, the "
    "projector switched off and the window closed.  Coffee cups go back to "
    "the kitchen on the second floor, not into the paper bin.  ")


def plain_message(to):
    """~2 KB of ordinary text mail (LF line ends: smtp-source adds CRLF)."""
    head = headers([
        ("From", "Carol Example <%s>" % CAROL),
        ("To", to),
        ("Subject", "Meeting room etiquette"),
        ("Date", "Mon, 01 Mar 2027 08:00:00 +0000"),
        ("Message-ID", "<bench-plain@example.net>"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
    ]).replace("\r\n", "\n")
    body, words = [], LOREM.split()
    line = ""
    while len(head) + 1 + sum(len(l) + 1 for l in body) < 2000:
        for w in words:
            if len(line) + len(w) + 1 > 72:
                body.append(line)
                line = ""
            line = (line + " " + w).strip()
    body.append(line)
    body.append("\n-- \nCarol, facilities")
    return (head + "\n" + "\n".join(body) + "\n").encode()


def slot(i):
    """Non-overlapping 30-minute slots, one an hour, from next 1 Jan."""
    base = datetime(datetime.now(timezone.utc).year + 1, 1, 1, 6, 0)
    s = base + timedelta(hours=i)
    e = s + timedelta(minutes=30)
    return s.strftime("%Y-%m-%d %H:%M"), e.strftime("%Y-%m-%d %H:%M")


def write_messages(msgdir, n_invitations, run_id):
    """The plain files and n invitation files; returns their paths."""
    files = {"plain": msgdir / "plain.eml", "plain-room": msgdir /
             "plain-room.eml"}
    files["plain"].write_bytes(plain_message(BOB))
    files["plain-room"].write_bytes(plain_message(ROOM_A))
    inv = []
    for i in range(n_invitations):
        uid = "bench-%s-%05d@example.com" % (run_id, i)
        start, end = slot(i)
        _, raw = request(uid, start, end, subject="Benchmark meeting %d" % i,
                         to=(ROOM_A,))
        p = msgdir / ("invitation-%05d.eml" % i)
        p.write_bytes(raw)
        inv.append(p)
    files["invitation"] = inv
    return files


# --------------------------------------------------------------------------
# load and measurement

def maildir_new(pf):
    try:
        return set(os.listdir(pf.maildir / "new"))
    except FileNotFoundError:
        return set()


def run_smtp_source(pf, path, n, sessions, rcpt, sender):
    cmd = [SMTP_SOURCE, "-s", str(sessions), "-m", str(n), "-F", str(path),
           "-M", "bench.example.net", "-f", sender, "-t", rcpt,
           "127.0.0.1:%d" % pf.port]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=600)
    if r.returncode != 0:
        raise mta.HarnessError("smtp-source failed (%d): %s\nmaillog tail:\n"
                               "%s" % (r.returncode, r.stdout.strip(),
                                       pf.maillog()[-3000:]))


def run_python_client(pf, raws, sessions, rcpt, sender):
    """Send every message once, SESSIONS at a time, one connection each."""
    it = iter(raws)
    lock = threading.Lock()
    failures = []

    def worker():
        while True:
            with lock:
                raw = next(it, None)
            if raw is None:
                return
            try:
                r = pf.send(sender, [rcpt], raw, helo="bench.example.net")
                if r.code != 250:
                    failures.append("%d %s" % (r.code, r.text))
            except Exception as e:  # report, do not hang the others
                failures.append(repr(e))

    threads = [threading.Thread(target=worker) for _ in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise mta.HarnessError("%d invitation(s) not accepted, first: %s" %
                               (len(failures), failures[0]))


def wait_count(pf, before, want, timeout):
    """Poll until want new files are in Maildir/new; returns the count."""
    deadline = time.monotonic() + timeout
    while True:
        n = len(maildir_new(pf) - before)
        if n >= want or time.monotonic() >= deadline:
            return n
        time.sleep(POLL_S)


def classify(pf, names):
    """Split new Maildir files into (invitations/plain, replies):
    lists of (mtime, path)."""
    mail, reps = [], []
    for n in names:
        p = pf.maildir / "new" / n
        try:
            st = p.stat()
            raw = p.read_bytes()
        except FileNotFoundError:
            continue
        head = raw.split(b"\n\n", 1)[0].lower()
        is_reply = (b"delivered-to: " + ALICE.encode() in head and
                    b"method:reply" in raw.lower())
        (reps if is_reply else mail).append((st.st_mtime, p))
    return mail, reps


def accepted_replies(paths):
    """How many reply files say PARTSTAT=ACCEPTED for room-a."""
    import email
    import email.policy
    ok = 0
    for p in paths:
        m = email.message_from_bytes(p.read_bytes(),
                                     policy=email.policy.default)
        ok += sum(1 for r in replies([m], sender=ROOM_A)
                  if r.partstat(ROOM_A) == "ACCEPTED")
    return ok


def measure(pf, milter, workload, files, n, sessions, expect_replies,
            timeout):
    """One workload on a running stack; returns a result dict."""
    before = maildir_new(pf)
    cpu0 = proc_cpu(milter.proc.pid) if milter else None
    t0 = time.time()
    if workload == "invitation":
        raws = [p.read_bytes() for p in files["invitation"][:n]]
        t0 = time.time()
        run_python_client(pf, raws, sessions, ROOM_A, ALICE)
    else:
        rcpt = BOB if workload == "plain" else ROOM_A
        run_smtp_source(pf, files[workload], n, sessions, rcpt, CAROL)
    t_sent = time.time()
    want = n + (n if expect_replies else 0)
    got = wait_count(pf, before, want, timeout)
    t_seen = time.time()
    mail, reps = classify(pf, maildir_new(pf) - before)
    if len(mail) < n:
        raise mta.HarnessError(
            "%s: only %d of %d messages delivered within %ds; maillog "
            "tail:\n%s" % (workload, len(mail), n, timeout,
                           pf.maillog()[-4000:]))
    t_end = max(m for m, _ in mail)
    res = {
        "workload": workload, "messages": n,
        "smtp_seconds": round(t_sent - t0, 4),
        "seconds": round(t_end - t0, 4),
        "msgs_per_s": round(n / (t_end - t0), 2),
        "poll_seconds": round(t_seen - t0, 4),
        "delivered": len(mail),
        "replies": len(reps),
    }
    if expect_replies:
        res["replies_accepted"] = accepted_replies([p for _, p in reps])
        if reps:
            t_all = max(t_end, max(m for m, _ in reps))
            res["seconds_with_replies"] = round(t_all - t0, 4)
            res["msgs_per_s_with_replies"] = round(n / (t_all - t0), 2)
        res["bookings"] = milter.query(
            "SELECT count(*) FROM schedule WHERE calendar = ?",
            (ROOM_A,))[0][0]
        if got < want:
            res["note"] = "replies missing after %ds" % timeout
    if cpu0 is not None:
        res["milter_cpu_s"] = round(proc_cpu(milter.proc.pid) - cpu0, 3)
    return res


def run_stack(config, args, files, null_exe):
    """A fresh stack for one configuration: warm-up, every workload, peak
    RSS; stopped (and verified stopped) before returning."""
    thing, pf, milter = make_stack(config, null_exe, args.socket == "unix")
    out = {"config": config, "workloads": {}}
    with thing:
        before = maildir_new(pf)
        warm = 2 * args.sessions
        run_smtp_source(pf, files["plain"], warm, args.sessions, BOB, CAROL)
        if wait_count(pf, before, warm, args.timeout) < warm:
            raise mta.HarnessError("warm-up mail not delivered:\n%s" %
                                   pf.maillog()[-3000:])
        for w in WORKLOADS:
            n = args.invitations if w == "invitation" else args.messages
            res = measure(pf, milter, w, files, n, args.sessions,
                          w == "invitation" and config == "c", args.timeout)
            out["workloads"][w] = res
        if milter is not None:
            out["milter_pid"] = milter.proc.pid
            out["peak_rss_kb"] = proc_status(milter.proc.pid, "VmHWM")
            if not milter.running():
                raise mta.HarnessError("%s milter died during the run" %
                                       config)
        queue = pf.queue
    left = mta._procs_in(queue) if queue.exists() else []
    if milter is not None and mta._pid_alive(out["milter_pid"]):
        left.append(out["milter_pid"])
    if left:
        raise mta.HarnessError("processes left after %s: %r" % (config, left))
    return out


# --------------------------------------------------------------------------
# report

def med(xs):
    xs = [x for x in xs if x is not None]
    return round(statistics.median(xs), 2) if xs else None


def ratio(x, y):
    return round(x / y, 3) if x and y else None


def summarize(stacks):
    summary, spread = {}, {}
    rows = list(WORKLOADS) + ["invitation+reply"]
    for c in CONFIGS:
        for w in rows:
            key = "msgs_per_s"
            src = w
            if w == "invitation+reply":
                if c != "c":
                    continue
                src, key = "invitation", "msgs_per_s_with_replies"
            vals = [s["workloads"][src].get(key) for s in stacks
                    if s["config"] == c]
            summary.setdefault(c, {})[w] = med(vals)
            spread.setdefault(c, {})[w] = vals
    ratios = {}
    for w in WORKLOADS:
        a, b, c = (summary[x][w] for x in CONFIGS)
        ratios[w] = {"c/b": ratio(c, b), "b/a": ratio(b, a),
                     "c/a": ratio(c, a)}
    ratios["invitation+reply"] = {
        "c/b": ratio(summary["c"]["invitation+reply"],
                     summary["b"]["invitation"])}
    return summary, spread, ratios


def fmt(x, spec="%8.1f"):
    return spec % x if x is not None else "%8s" % "-"


def print_report(args, stacks, summary, spread, ratios, elapsed):
    print()
    print("imip-milter throughput: %d sessions, %d plain / %d invitation "
          "messages, %d repetition(s), %s milter socket" % (
              args.sessions, args.messages, args.invitations, args.repeat,
              args.socket))
    print("median msg/s (first SMTP connection .. last Maildir delivery)")
    print()
    print("%-28s %9s %9s %9s %7s %7s" % ("workload", "a:postfix",
                                         "b:null", "c:imip", "b/a", "c/b"))
    print("-" * 74)
    for w in list(WORKLOADS) + ["invitation+reply"]:
        a = summary["a"].get(w)
        b = summary["b"].get(w)
        c = summary["c"].get(w)
        r = ratios[w]
        print("%-28s %9s %9s %9s %7s %7s" % (
            WORKLOAD_NAMES[w], fmt(a, "%.1f"), fmt(b, "%.1f"),
            fmt(c, "%.1f"), fmt(r.get("b/a"), "%.3f"),
            fmt(r.get("c/b"), "%.3f")))
    print()
    print("targets: plain c/b >= 0.97, invitations c/b >= 0.90 (the "
          "'incl. reply' c/b")
    print("compares c's invitations+replies with b's invitations alone)")
    print()
    print("every repetition (msg/s):")
    for c in CONFIGS:
        for w in list(WORKLOADS) + ["invitation+reply"]:
            vals = spread[c].get(w)
            if vals:
                print("  %s %-26s %s" % (c, WORKLOAD_NAMES[w].strip(),
                                         "  ".join(fmt(v, "%.1f").strip()
                                                   for v in vals)))
    print()
    inv = [s["workloads"]["invitation"] for s in stacks if s["config"] == "c"]
    print("imip-milter invitations: replies delivered %s (expected %d "
          "each); PARTSTAT=ACCEPTED %s; bookings in the DB %s" % (
              "/".join(str(r["replies"]) for r in inv), args.invitations,
              "/".join(str(r.get("replies_accepted")) for r in inv),
              "/".join(str(r.get("bookings")) for r in inv)))
    others = [s["workloads"]["invitation"]["replies"] for s in stacks
              if s["config"] != "c"]
    print("replies under a and b (expected 0): %s" %
          "/".join(str(x) for x in others))
    for c in ("b", "c"):
        rss = [s.get("peak_rss_kb") for s in stacks if s["config"] == c]
        cpu = {w: [s["workloads"][w].get("milter_cpu_s") for s in stacks
                   if s["config"] == c] for w in WORKLOADS}
        print("%s: peak RSS (VmHWM) %s kB; CPU ms/msg (incl. sendmail "
              "children): %s" % (
            CONFIG_NAMES[c].lstrip("+ "), "/".join(str(x) for x in rss),
            ", ".join("%s %.2f" % (w, 1000 * med(v) / (
                args.invitations if w == "invitation" else args.messages))
                      for w, v in cpu.items() if med(v) is not None)))
    print()
    print("wall time %.0f s; only ratios within one run mean anything on a "
          "noisy machine" % elapsed)


def machine_info():
    r = subprocess.run(["postconf", "-h", "-d", "mail_version"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       text=True)
    return {"host": platform.node(), "kernel": platform.release(),
            "cpus": os.cpu_count(), "postfix": r.stdout.strip(),
            "python": platform.python_version(),
            "loadavg_start": os.getloadavg()}


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="End-to-end Postfix throughput: no milter, null-milter, "
        "imip-milter (see tests/bench/README.md).")
    p.add_argument("--messages", type=int, default=500,
                   help="plain messages per workload and run (default 500)")
    p.add_argument("--invitations", type=int, default=None,
                   help="invitations per run (default 3/5 of --messages, "
                   "i.e. 300)")
    p.add_argument("--repeat", type=int, default=3,
                   help="repetitions of every configuration (default 3)")
    p.add_argument("--sessions", type=int, default=8,
                   help="parallel SMTP sessions (default 8)")
    p.add_argument("--json", default=str(REPO_ROOT / "build" / "bench" /
                                         "throughput.json"),
                   help="result file (default build/bench/throughput.json)")
    p.add_argument("--null-milter", default=None,
                   help="null-milter binary (default $NULL_MILTER or "
                   "build/tests/bench/null-milter)")
    p.add_argument("--socket", choices=("unix", "inet"), default="unix",
                   help="milter socket for b and c (default unix, as "
                   "installed; inet shows the ~40 ms Nagle/delayed-ACK "
                   "stall per message)")
    p.add_argument("--timeout", type=int, default=180,
                   help="seconds to wait for one workload's deliveries")
    args = p.parse_args(argv)
    if args.invitations is None:
        args.invitations = max(1, args.messages * 3 // 5)
    if min(args.messages, args.invitations, args.repeat, args.sessions) < 1:
        p.error("counts must be positive")
    return args


def main(argv):
    args = parse_args(argv)
    problem = mta.harness_problem()
    if problem:
        raise SystemExit("throughput: " + problem)
    null_exe = args.null_milter or null_milter_path()
    for exe, what in ((null_exe, "null-milter"),
                      (mta.imip_milter_path(), "imip-milter"),
                      (mta.imipctl_path(), "imipctl"),
                      (SMTP_SOURCE, "smtp-source")):
        if not os.access(exe, os.X_OK):
            raise SystemExit("throughput: no %s at %s (build first: "
                             "tools/bench)" % (what, exe))
    mta.install_signal_cleanup()
    info = machine_info()
    run_id = "%d-%d" % (os.getpid(), int(time.time()))
    msgdir = Path(tempfile.mkdtemp(prefix="imip-bench-msgs-"))
    stacks = []
    started = time.monotonic()
    try:
        files = write_messages(msgdir, args.invitations, run_id)
        plain_bytes = files["plain"].stat().st_size
        for rep in range(args.repeat):
            order = CONFIGS[rep % 3:] + CONFIGS[:rep % 3]
            for c in order:
                t = time.monotonic()
                s = run_stack(c, args, files, null_exe)
                s["repetition"] = rep + 1
                stacks.append(s)
                print("rep %d %s %-14s %s  (%.0f s)" % (
                    rep + 1, c, CONFIG_NAMES[c], "  ".join(
                        "%s %.1f" % (w, s["workloads"][w]["msgs_per_s"])
                        for w in WORKLOADS), time.monotonic() - t),
                    flush=True)
    finally:
        mta.cleanup_all()
        if not mta._keep_dirs():
            shutil.rmtree(msgdir, ignore_errors=True)
    elapsed = time.monotonic() - started
    summary, spread, ratios = summarize(stacks)
    info["loadavg_end"] = os.getloadavg()
    result = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": info,
        "parameters": {"messages": args.messages,
                       "invitations": args.invitations,
                       "repeat": args.repeat, "sessions": args.sessions,
                       "milter_socket": args.socket,
                       "plain_bytes": plain_bytes,
                       "driver": {"plain": "smtp-source",
                                  "plain-room": "smtp-source",
                                  "invitation": "python smtplib threads"}},
        "configs": CONFIG_NAMES,
        "median_msgs_per_s": summary,
        "ratios": ratios,
        "targets": {"plain c/b": 0.97, "plain-room c/b": 0.97,
                    "invitation c/b": 0.90},
        "runs": stacks,
        "wall_seconds": round(elapsed, 1),
    }
    print_report(args, stacks, summary, spread, ratios, elapsed)
    if args.json:
        out = Path(args.json)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
        print("results: %s" % out)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except mta.HarnessError as e:
        print("throughput: FAILED: %s" % e, file=sys.stderr)
        sys.exit(1)
