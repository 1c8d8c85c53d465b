"""mta.py - a private Postfix instance and an imip-milter process for tests.

Python 3 standard library only.  Everything lives in one temporary directory
and talks only to 127.0.0.1:

    DIR/etc/main.cf, master.cf   generated configuration (chroot off)
    DIR/queue                    queue_directory (owned as Postfix wants it)
    DIR/data                     data_directory
    DIR/log/maillog              postlogd's log file
    DIR/mail/{new,cur,tmp}       ONE Maildir receiving every message for
                                 example.org, example.com and example.net
                                 (virtual(8); read Delivered-To to tell
                                 recipients apart)

    DIR/imip-milter.conf, DIR/imip.db, DIR/milter.log   (Milter)

Postfix must be started as root (master(8) runs daemons as mail_owner).

Processes are never left behind: stop() waits until no process has its
working directory in the queue (that is how Postfix daemons can be told
apart from anyone else's), kills stragglers by pid, and verifies.  Every
started instance is also registered for an atexit hook and a SIGTERM/SIGHUP
handler (install_signal_cleanup), so a failing or killed test still cleans
up.

What does not depend on the MTA is here too, and sendmail.py (a private
Sendmail) builds on it: MTA (SMTP client, sendmail(1), reading delivered
mail) and StackBase (an MTA with imip-milter) for both, Managed (directory,
cleanup, with-block) for everything started, and main(), the end of every
test file.
"""

import atexit
import email
import email.policy
import os
import pwd
import grp
import re
import shlex
import shutil
import signal
import smtplib
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
from collections import namedtuple
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
POSTFIX = "/usr/sbin/postfix"
SENDMAIL = "/usr/sbin/sendmail"
DOMAINS = ("example.org", "example.com", "example.net")

SmtpResult = namedtuple("SmtpResult", "code text refused queue_id")


class HarnessError(Exception):
    """The test environment itself could not be set up or torn down."""


# --------------------------------------------------------------------------
# helpers

def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    return free_ports(1)[0]


def free_ports(n):
    """n distinct free ports: all are bound at once, so none repeats."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def port_listening(port, host="127.0.0.1"):
    """Is something LISTENing on host:port?  Read from /proc/net/tcp, so no
    connection is made (a probe connection would show up in milter logs)."""
    want = "%s:%04X" % ("".join("%02X" % int(b) for b in
                                reversed(host.split("."))), port)
    try:
        with open("/proc/net/tcp") as f:
            next(f)
            for line in f:
                fields = line.split()
                if fields[1] == want and fields[3] == "0A":
                    return True
    except OSError:
        pass
    return False


def _wait(pred, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= deadline:
            return v
        time.sleep(interval)


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is as good as dead (and is reaped by its parent).
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _procs_in(directory):
    """Pids of processes whose working directory is inside directory."""
    directory = os.path.realpath(directory)
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cwd = os.readlink("/proc/%s/cwd" % entry)
        except OSError:
            continue
        if cwd == directory or cwd.startswith(directory + "/"):
            if _pid_alive(int(entry)):
                found.append(int(entry))
    return found


def resolve_binary(env_name, rel):
    """Binary path from the environment (meson sets it) or the build dir."""
    p = os.environ.get(env_name)
    if p:
        return p
    return str(REPO_ROOT / rel)


def imip_milter_path():
    return resolve_binary("IMIP_MILTER", "build/milter/imip-milter")


def imipctl_path():
    return resolve_binary("IMIPCTL", "build/tools/imipctl")


def harness_problem():
    """Why this machine cannot run the harness, or None."""
    if os.geteuid() != 0:
        return "needs root (a private Postfix master runs daemons as postfix)"
    if not os.access(POSTFIX, os.X_OK):
        return "postfix is not installed (run tools/bootstrap)"
    try:
        pwd.getpwnam("postfix")
        grp.getgrnam("postdrop")
    except KeyError:
        return "user postfix or group postdrop missing"
    return None


def main(*problems):
    """The end of every tests/integration/test_*.py: run the file's tests
    (unittest.main), or exit with status 77 - SKIP for meson - when the
    machine cannot.  problems: functions that say why not, or return None;
    without any, harness_problem (a private Postfix)."""
    for problem in problems or (harness_problem,):
        why = problem()
        if why:
            print("SKIP: %s" % why)
            sys.exit(77)
    unittest.main()


# Everything started and not yet stopped; cleaned up at exit or on a signal.
_LIVE = []


def cleanup_all():
    for obj in list(reversed(_LIVE)):
        try:
            obj.stop()
        except Exception as e:  # keep going: stop everything we can
            print("mta.py: cleanup of %r failed: %s" % (obj, e),
                  file=sys.stderr)


atexit.register(cleanup_all)
_SIGNALS_INSTALLED = False


def install_signal_cleanup():
    """Stop everything on SIGTERM/SIGHUP too (meson's timeout sends SIGTERM,
    and a Postfix master is in its own session, out of reach of a process
    group kill)."""
    global _SIGNALS_INSTALLED
    if _SIGNALS_INSTALLED:
        return

    def handler(signum, frame):
        cleanup_all()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, handler)
    _SIGNALS_INSTALLED = True


def _keep_dirs():
    return os.environ.get("IMIP_TEST_KEEP", "") not in ("", "0")


def milter_wrapper():
    """The command imip-milter runs under, from IMIP_WRAPPER (the
    valgrindmilter test setup sets it), split as sh would; [] if none."""
    return shlex.split(os.environ.get("IMIP_WRAPPER", ""))


# An AddressSanitizer or LeakSanitizer report, a UBSan one, or one of
# valgrind's (the valgrindmilter setup marks each with "ERROR:valgrind").
_SANITIZER = re.compile(r"^==\d+== ?ERROR:|: runtime error: ")


def check_sanitizer_report(log, where):
    """Raise HarnessError with the first sanitizer or valgrind report in
    log (both write to stderr, leak reports only at exit), where names
    the log file."""
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if _SANITIZER.search(line):
            raise HarnessError("imip-milter: sanitizer or valgrind report "
                               "in %s:\n%s"
                               % (where, "\n".join(lines[i:i + 40])))


# --------------------------------------------------------------------------
# what everything started here shares

def spawn(argv, output):
    """Popen argv in a session of its own (so a signal to the test's
    process group misses it), stdout and stderr appended to output."""
    with open(output, "ab") as out:
        return subprocess.Popen([str(a) for a in argv],
                                stdin=subprocess.DEVNULL, stdout=out,
                                stderr=out, start_new_session=True)


def came_up(proc, ready, timeout=15):
    """Wait until ready() or proc exits; True if it is ready and runs."""
    ok = _wait(lambda: ready() or proc.poll() is not None, timeout)
    return bool(ok) and proc.poll() is None


def stop_process(proc, grace):
    """SIGTERM proc, wait up to grace seconds, then SIGKILL; its status."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    return proc.returncode


def reap(find, what, timeout):
    """Wait up to timeout seconds until find() - the pids still working
    for what is being stopped - is empty, SIGKILL whatever is left, and
    raise HarnessError if even that survives."""
    if _wait(lambda: not find(), timeout):
        return
    for pid in find():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _wait(lambda: not find(), 5)
    still = find()
    if still:
        raise HarnessError("%s processes left behind: %r" % (what, still))


class Managed:
    """What everything started here has: a directory (a new temporary one
    unless given; stop() removes that unless IMIP_TEST_KEEP is set), a
    place in the cleanup at exit or on a signal while it runs, and use as
    a with block: start() on entry, stop() on exit."""

    def use_dir(self, workdir, prefix):
        self.owns_dir = workdir is None
        self.dir = Path(workdir or tempfile.mkdtemp(prefix=prefix)).resolve()

    def register(self):
        _LIVE.append(self)

    def unregister(self):
        if self in _LIVE:
            _LIVE.remove(self)

    def remove_dir(self):
        if self.owns_dir and not _keep_dirs():
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# --------------------------------------------------------------------------
# what the tests use of an MTA, whichever it is

def _mail_args(rcpts, message):
    """rcpts as a list, message as bytes."""
    if isinstance(rcpts, str):
        rcpts = [rcpts]
    if isinstance(message, str):
        message = message.encode("utf-8")
    return list(rcpts), message


def load_messages(paths, cache):
    """The messages in the files paths, in that order, as
    email.message.EmailMessage (policy default) with .raw (bytes) and
    .path set.  Each file is parsed once (cache: file name -> message);
    one gone meanwhile is left out."""
    msgs = []
    for p in paths:
        m = cache.get(p.name)
        if m is None:
            try:
                raw = p.read_bytes()
            except FileNotFoundError:
                continue
            m = email.message_from_bytes(raw, policy=email.policy.default)
            m.raw, m.path = raw, p
            cache[p.name] = m
        msgs.append(m)
    return msgs


class MTA(Managed):
    """A private MTA on 127.0.0.1:self.port, as the tests use it: mail in
    by send() (SMTP) or sendmail() (its sendmail(1)), delivered mail out
    by messages() and wait_for().  A subclass gives its name, EOL (the
    line ends of delivered mail as messages() reads it), QUEUED_RE (finds
    the queue id in its answer to DATA), sendmail_argv(), messages(),
    queue_empty() and state() (for wait_for's timeout message)."""

    name = "MTA"
    EOL = b"\r\n"
    QUEUED_RE = None
    # The filter's log() (Stack sets it): wait_for shows its tail too.
    milter_log = None

    def send(self, mail_from, rcpts, message, helo="client.example.net"):
        """One SMTP transaction.  Returns an SmtpResult for the DATA reply
        (or the failing MAIL reply; all RCPTs refused: the last RCPT
        reply); never raises for an SMTP error reply.  message is bytes
        (sent as is, dot-stuffed) or str."""
        rcpts, message = _mail_args(rcpts, message)
        with smtplib.SMTP("127.0.0.1", self.port, local_hostname=helo,
                          timeout=60) as s:
            s.ehlo()
            code, text = s.mail(mail_from)
            if code != 250:
                return SmtpResult(code, text.decode(errors="replace"), {},
                                  None)
            refused = {}
            for r in rcpts:
                code, text = s.rcpt(r)
                if code not in (250, 251):
                    refused[r] = (code, text.decode(errors="replace"))
            if len(refused) == len(rcpts):
                s.rset()
                c, t = refused[rcpts[-1]]
                return SmtpResult(c, t, refused, None)
            code, text = s.data(message)
            text = text.decode(errors="replace")
            m = self.QUEUED_RE.search(text) if code == 250 else None
            return SmtpResult(code, text, refused, m and m.group(1))

    def sendmail_command(self):
        """The sendmail(1) command line that injects into this MTA."""
        return " ".join(self.sendmail_argv())

    def sendmail(self, mail_from, rcpts, message):
        """Inject through the MTA's sendmail(1)."""
        rcpts, message = _mail_args(rcpts, message)
        r = subprocess.run(self.sendmail_argv() +
                           ["-i", "-f", mail_from, "--"] + rcpts,
                           input=message, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60)
        if r.returncode != 0:
            raise HarnessError("sendmail failed (%d): %s" %
                               (r.returncode, r.stdout.decode(
                                   errors="replace")))

    def wait_for(self, predicate, timeout=20, what="mail"):
        """Poll messages() until predicate(messages) is true; return the
        messages.  Raises AssertionError (with the MTA's state and log
        tails) on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            msgs = self.messages()
            if predicate(msgs):
                return msgs
            if time.monotonic() >= deadline:
                text = self.state()
                if self.milter_log is not None:
                    text += "\n== milter log\n" + self.milter_log()[-3000:]
                raise AssertionError(
                    "timed out after %ss waiting for %s; %d message(s) "
                    "delivered; %s" % (timeout, what, len(msgs), text))
            time.sleep(0.1)


class StackBase(Managed):
    """imip-milter (self.milter) and an MTA (self.mta) that filters mail
    through it and takes its replies, in one temporary directory; problem
    says why the MTA cannot run here, or returns None."""

    def __init__(self, workdir, prefix, problem):
        why = problem()
        if why:
            raise HarnessError(why)
        self.use_dir(workdir, prefix)
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o755)

    def start(self):
        self.register()
        try:
            # The milter checks at start that its sendmail_path, which
            # comes with the MTA's configuration, is there.
            self.mta.write_config()
            self.milter.start()
            self.mta.milter_log = self.milter.log
            self.mta.start()
        except Exception:
            self.stop()
            raise
        return self

    def stop(self):
        try:
            self.mta.stop()
        finally:
            self.milter.stop()
            self.unregister()
            self.remove_dir()


# --------------------------------------------------------------------------
# Postfix

MASTER_CF = """\
# generated by tests/integration/mta.py: private test instance, no chroot
# service    type  private unpriv chroot wakeup maxproc command
{listen}     inet  n       -       n       -       -       smtpd
pickup       unix  n       -       n       60      1       pickup
cleanup      unix  n       -       n       -       0       cleanup
qmgr         unix  n       -       n       300     1       qmgr
rewrite      unix  -       -       n       -       -       trivial-rewrite
bounce       unix  -       -       n       -       0       bounce
defer        unix  -       -       n       -       0       bounce
trace        unix  -       -       n       -       0       bounce
verify       unix  -       -       n       -       1       verify
flush        unix  n       -       n       1000?   0       flush
proxymap     unix  -       -       n       -       -       proxymap
proxywrite   unix  -       -       n       -       1       proxymap
showq        unix  n       -       n       -       -       showq
error        unix  -       -       n       -       -       error
retry        unix  -       -       n       -       -       error
discard      unix  -       -       n       -       -       discard
virtual      unix  -       n       n       -       -       virtual
anvil        unix  -       -       n       -       1       anvil
scache       unix  -       -       n       -       1       scache
postlog      unix-dgram n  -       n       -       1       postlogd
"""


def postfix_milter_socket(sock):
    """Postfix spelling of a milter socket: libmilter's inet:PORT@HOST is
    inet:HOST:PORT for Postfix; unix:/path is the same for both."""
    if sock.startswith("inet:") and "@" in sock:
        port, host = sock[5:].split("@", 1)
        return "inet:%s:%s" % (host, port)
    return sock


class Postfix(MTA):
    """A private Postfix on 127.0.0.1:port delivering into one Maildir.

    milter: None, a socket string ("inet:PORT@127.0.0.1" as libmilter
    writes it, or Postfix's "inet:127.0.0.1:PORT" / "unix:/path"), or an
    object with a .socket attribute (Milter).  It is used for both
    smtpd_milters and non_smtpd_milters.
    """

    name = "Postfix"
    EOL = b"\n"                 # virtual(8) writes Maildir files with LF
    QUEUED_RE = re.compile(r"queued as (\S+)")

    def __init__(self, workdir=None, port=None, milter=None,
                 milter_default_action="tempfail", domains=DOMAINS,
                 extra_main=None, extra_master=None):
        problem = harness_problem()
        if problem:
            raise HarnessError(problem)
        self.use_dir(workdir, "imip-pf-")
        self.port = port or free_port()
        if milter is not None and not isinstance(milter, str):
            milter = milter.socket
        self.milter = postfix_milter_socket(milter) if milter else None
        self.milter_default_action = milter_default_action
        self.domains = tuple(domains)
        self.extra_main = dict(extra_main or {})
        self.extra_master = list(extra_master or [])
        self.etc = self.dir / "etc"
        self.queue = self.dir / "queue"
        self.data = self.dir / "data"
        self.logdir = self.dir / "log"
        self.maillog_file = self.logdir / "maillog"
        self.maildir = self.dir / "mail"
        self.started = False
        self._seen = {}

    def __repr__(self):
        return "<Postfix %s port %d>" % (self.dir, self.port)

    # -- configuration ----------------------------------------------------

    def main_cf(self):
        pf = pwd.getpwnam("postfix")
        settings = [
            ("compatibility_level", "3.6"),
            ("queue_directory", self.queue),
            ("data_directory", self.data),
            ("maillog_file", self.maillog_file),
            ("maillog_file_prefixes", self.logdir),
            ("myhostname", "mta.example.org"),
            ("mydomain", "example.org"),
            ("myorigin", "example.org"),
            ("inet_interfaces", "127.0.0.1"),
            ("inet_protocols", "ipv4"),
            ("mynetworks", "127.0.0.0/8"),
            ("mydestination", ""),
            ("relay_domains", ""),
            ("local_recipient_maps", ""),
            ("alias_maps", ""),
            ("alias_database", ""),
            ("append_dot_mydomain", "no"),
            ("biff", "no"),
            # No DNS at all.
            ("disable_dns_lookups", "yes"),
            ("smtp_dns_support_level", "disabled"),
            ("smtp_host_lookup", "native"),
            ("lmtp_host_lookup", "native"),
            ("smtpd_peername_lookup", "no"),
            # Nothing ever leaves: whatever is not for a test domain fails.
            ("default_transport", "error:no outside mail from the test MTA"),
            ("relay_transport", "error:no outside mail from the test MTA"),
            # Everything for the test domains lands in one Maildir.
            ("virtual_mailbox_domains", ", ".join(self.domains)),
            ("virtual_mailbox_base", self.dir),
            ("virtual_mailbox_maps", "static:mail/"),
            ("virtual_uid_maps", "static:%d" % pf.pw_uid),
            ("virtual_gid_maps", "static:%d" % pf.pw_gid),
            ("virtual_minimum_uid", str(pf.pw_uid)),
            # Be quick: tests wait for mail.
            ("smtpd_error_sleep_time", "0"),
            ("in_flow_delay", "0"),
            ("queue_run_delay", "1s"),
            ("minimal_backoff_time", "1s"),
            ("maximal_backoff_time", "2s"),
            ("delay_warning_time", "0"),
            ("smtpd_relay_restrictions",
             "permit_mynetworks, reject_unauth_destination"),
        ]
        if self.milter:
            settings += [
                ("smtpd_milters", self.milter),
                ("non_smtpd_milters", self.milter),
                ("milter_protocol", "6"),
                ("milter_default_action", self.milter_default_action),
                ("milter_connect_timeout", "10s"),
                ("milter_command_timeout", "20s"),
                ("milter_content_timeout", "60s"),
            ]
        settings += list(self.extra_main.items())
        lines = ["# generated by tests/integration/mta.py"]
        lines += ["%s = %s" % (k, v) for k, v in settings]
        return "\n".join(lines) + "\n"

    def master_cf(self):
        extra = "".join(line + "\n" for line in self.extra_master)
        return MASTER_CF.format(listen="127.0.0.1:%d" % self.port) + extra

    def write_config(self):
        pf = pwd.getpwnam("postfix")
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o755)  # daemons running as postfix walk in
        self.etc.mkdir(exist_ok=True)
        (self.etc / "main.cf").write_text(self.main_cf())
        (self.etc / "master.cf").write_text(self.master_cf())
        for f in ("main.cf", "master.cf"):
            os.chmod(self.etc / f, 0o644)
        self.logdir.mkdir(mode=0o755, exist_ok=True)
        # queue and data directories: post-install create-missing (run by
        # "postfix start") makes the queue subdirectories with the right
        # owners; the tops must exist and belong to root / mail_owner.
        self.queue.mkdir(mode=0o755, exist_ok=True)
        self.data.mkdir(mode=0o700, exist_ok=True)
        os.chown(self.data, pf.pw_uid, pf.pw_gid)
        for sub in ("", "new", "cur", "tmp"):
            d = self.maildir / sub
            d.mkdir(mode=0o700, exist_ok=True)
            os.chown(d, pf.pw_uid, pf.pw_gid)

    # -- running ---------------------------------------------------------

    def postfix(self, *args, check=True):
        r = subprocess.run([POSTFIX, "-c", str(self.etc)] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=60)
        if check and r.returncode != 0:
            raise HarnessError("postfix %s failed (%d):\n%s" %
                               (" ".join(args), r.returncode, r.stdout))
        return r

    def master_pid(self):
        try:
            return int((self.queue / "pid" / "master.pid").read_text())
        except (OSError, ValueError):
            return None

    def start(self):
        if self.started:
            return self
        self.write_config()
        self.register()
        self.started = True
        try:
            self.postfix("start")
            if not _wait(lambda: port_listening(self.port), 15):
                raise HarnessError("postfix did not listen on port %d:\n%s"
                                   % (self.port, self.maillog()[-3000:]))
        except Exception:
            self.stop()
            raise
        return self

    def stop(self):
        """Stop the instance and make sure no process of it is left."""
        if not self.started:
            return
        try:
            pid = self.master_pid()
            if pid and _pid_alive(pid):
                self.postfix("stop", check=False)
            reap(lambda: _procs_in(self.queue), "postfix", 15)
        finally:
            self.started = False
            self.unregister()
        self.remove_dir()

    # -- mail in and out ---------------------------------------------------

    def sendmail_argv(self):
        """sendmail(1) for this instance: mail goes through pickup and
        the non_smtpd_milters."""
        return [SENDMAIL, "-C", str(self.etc)]

    def messages(self):
        """Every delivered message, oldest first (see load_messages)."""
        found = []
        for sub in ("new", "cur"):
            d = self.maildir / sub
            try:
                names = os.listdir(d)
            except FileNotFoundError:
                continue
            for n in names:
                try:
                    found.append(((d / n).stat().st_mtime_ns, n, d / n))
                except FileNotFoundError:
                    continue
        return load_messages([p for _, _, p in sorted(found)], self._seen)

    def queue_empty(self):
        r = subprocess.run(["postqueue", "-c", str(self.etc), "-p"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=30)
        return "Mail queue is empty" in r.stdout

    def state(self):
        return "maillog tail:\n" + self.maillog()[-4000:]

    def maillog(self):
        try:
            return self.maillog_file.read_text(errors="replace")
        except FileNotFoundError:
            return ""


# --------------------------------------------------------------------------
# imip-milter

class Milter(Managed):
    """imip-milter in the foreground on inet:PORT@127.0.0.1, with its own
    config, SQLite database and log file.

    rooms: iterable of (address, display name) made resource calendars.
    sendmail_path: where replies go (the MTA's sendmail_command()).
    user: run it with "-u user" (its directory is given to that user);
    without, the config says allow_root = yes, as the harness runs as root.
    socket: "unix:/path" instead of the TCP port.
    """

    def __init__(self, workdir=None, port=None, rooms=(),
                 sendmail_path=None, local_domains="example.org",
                 log_level="debug", tz="Europe/Berlin", extra_conf=None,
                 user=None, socket=None):
        self.use_dir(workdir, "imip-milter-")
        if socket is not None and socket.startswith("unix:"):
            self.port = None
            self.socket = socket
        else:
            self.port = port or free_port()
            self.socket = "inet:%d@127.0.0.1" % self.port
        self.user = user
        self.conf = self.dir / "imip-milter.conf"
        self.db = self.dir / "imip.db"
        self.logfile = self.dir / "milter.log"
        self.rooms = list(rooms)
        self.sendmail_path = sendmail_path
        self.local_domains = local_domains
        self.log_level = log_level
        self.tz = tz
        self.extra_conf = dict(extra_conf or {})
        self.exe = imip_milter_path()
        self.ctl = imipctl_path()
        self.proc = None
        self.log_mark = 0

    def __repr__(self):
        return "<Milter %s %s>" % (self.dir, self.socket)

    def write_config(self):
        lines = [
            "# generated by tests/integration/mta.py",
            "socket = %s" % self.socket,
            "database = %s" % self.db,
            "local_domains = %s" % self.local_domains,
            "log_level = %s" % self.log_level,
        ]
        if self.user is None:
            lines.append("allow_root = yes")
        if self.sendmail_path:
            lines.append("sendmail_path = %s" % self.sendmail_path)
        lines += ["%s = %s" % kv for kv in self.extra_conf.items()]
        self.dir.mkdir(parents=True, exist_ok=True)
        self.conf.write_text("\n".join(lines) + "\n")

    def imipctl(self, *args, check=True):
        """Run imipctl against this database; returns CompletedProcess."""
        r = subprocess.run([self.ctl, "--db", str(self.db)] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=60)
        if check and r.returncode != 0:
            raise HarnessError("imipctl %s failed (%d):\n%s%s" %
                               (" ".join(args), r.returncode, r.stdout,
                                r.stderr))
        return r

    def add_calendar(self, address, name, kind="resource"):
        """A calendar of the filter's, in the milter's time zone."""
        self.imipctl("calendar", "add", address, "--kind", kind,
                     "--name", name, "--tz", self.tz)

    def setup_db(self):
        self.imipctl("init")
        for address, name in self.rooms:
            self.add_calendar(address, name)
            # The test organizers are external (example.com), which a
            # room refuses by default.
            self.imipctl("calendar", "set", address, "external", "yes")

    def give_dir(self):
        """With -u, the user must write the database's directory (SQLite
        puts -wal and -shm there); the milter chowns the files itself."""
        if self.user is None:
            return
        pw = pwd.getpwnam(self.user)
        os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        os.chmod(self.dir, 0o755)

    def listening(self):
        if self.port is not None:
            return port_listening(self.port)
        # bound, then handed to the user: ready once it says so (this
        # process: the log file is kept across a restart)
        return (os.path.exists(self.socket[len("unix:"):]) and
                "started on" in self.log()[self.log_mark:])

    def argv(self):
        cmd = milter_wrapper() + [self.exe, "-f", "-c", str(self.conf)]
        if self.user is not None:
            cmd += ["-u", self.user]
        return cmd

    def start(self):
        if self.proc is not None:
            return self
        if not os.access(self.exe, os.X_OK):
            raise HarnessError("no imip-milter binary at %s" % self.exe)
        self.write_config()
        if not self.db.exists():
            self.setup_db()
        self.give_dir()
        self.log_mark = len(self.log())
        self.proc = spawn(self.argv(), self.logfile)
        self.register()
        if not came_up(self.proc, self.listening,
                       60 if milter_wrapper() else 15):
            rc = self.proc.poll()
            self.stop()
            raise HarnessError("imip-milter did not start (exit %s); log:\n%s"
                               % (rc, self.log()[-3000:]))
        return self

    def stop(self, grace=None):
        """SIGTERM, wait up to grace seconds (libmilter can take ~5 s;
        default 8, 60 under a wrapper, which checks for leaks at exit),
        then SIGKILL.  Returns the exit status; raises HarnessError when
        this run's part of the log holds a sanitizer or valgrind report."""
        if self.proc is None:
            return None
        if grace is None:
            grace = 60 if milter_wrapper() else 8
        try:
            rc = stop_process(self.proc, grace)
        finally:
            self.proc = None
            self.unregister()
            log = self.log()[self.log_mark:]
            self.remove_dir()
        check_sanitizer_report(log, self.logfile)
        return rc

    def kill(self):
        """SIGKILL, as a crash: no cleanup in the filter, its children
        (sendmail(1) handing over a reply) go on.  start() runs it again
        on the same configuration and database."""
        p = self.proc
        if p is None:
            return None
        try:
            p.kill()
            rc = p.wait(10)
        finally:
            self.proc = None
            self.unregister()
        check_sanitizer_report(self.log()[self.log_mark:], self.logfile)
        return rc

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        try:
            return self.logfile.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def query(self, sql, args=()):
        """Rows of a read-only query on the milter's database."""
        con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True,
                              timeout=10)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def counts(self, tables=("event", "busy", "outbox")):
        return {t: self.query("SELECT count(*) FROM %s" % t)[0][0]
                for t in tables}


class Stack(StackBase):
    """imip-milter plus a Postfix that uses it and delivers its replies:
    the usual end-to-end arrangement, in one temporary directory.

        with Stack(rooms=[("room-a@example.org", "Room A")]) as st:
            st.postfix.send(...); st.milter.log()

    extra_conf: further imip-milter.conf keys; extra_main: further (or
    overriding) main.cf settings for the Postfix, e.g. process limits;
    extra_master: further master.cf lines (another smtpd, say).
    milter_user, milter_socket: Milter's user and socket.
    """

    def __init__(self, rooms=(), milter_default_action="tempfail",
                 log_level="debug", workdir=None, extra_conf=None,
                 extra_main=None, extra_master=None, milter_user=None,
                 milter_socket=None):
        super().__init__(workdir, "imip-e2e-", harness_problem)
        smtp_port, milter_port = free_ports(2)
        msock = milter_socket or "inet:%d@127.0.0.1" % milter_port
        self.postfix = Postfix(workdir=self.dir / "postfix", port=smtp_port,
                               milter=msock,
                               milter_default_action=milter_default_action,
                               extra_main=extra_main,
                               extra_master=extra_master)
        self.milter = Milter(workdir=self.dir / "milter", port=milter_port,
                             rooms=rooms,
                             sendmail_path=self.postfix.sendmail_command(),
                             log_level=log_level, extra_conf=extra_conf,
                             user=milter_user, socket=msock)
        self.postfix.dir.mkdir(exist_ok=True)

    @property
    def mta(self):
        return self.postfix
