"""sendmail.py - a private Sendmail, an SMTP sink and imip-milter for tests.

Python 3 standard library only; the companion of mta.py (which runs a
private Postfix).  Debian's sendmail-bin conflicts with postfix, so it is
never installed: tools/bootstrap unpacks sendmail-bin, sendmail-cf and
sendmail-base with dpkg -x into $IMIP_SENDMAIL_DIR/root (default
state/sendmail/root).  Everything else lives in one temporary directory
and talks only to 127.0.0.1:

    DIR/etc/hosts, nsswitch.conf, resolv.conf
                        bind-mounted over /etc in a private mount namespace
                        (unshare -m) for every sendmail process: Sendmail
                        looks up its own host name at start, and with the
                        system's "hosts: files dns" that would leave the
                        machine, then wait 60 s
    DIR/bin/ns          runs a command in such a namespace
    DIR/bin/sendmail    sendmail(1) for the milter's replies: the MSP
                        (submit.cf), which hands mail to the MTA over SMTP,
                        so replies pass the filter like any other mail
    DIR/mta.mc, mta.cf  the daemon; it includes conf/sendmail/imip-milter.mc
    DIR/submit.mc, .cf  the MSP
    DIR/queue           the MTA's queue (root, 0700)
    DIR/clientqueue     the MSP's queue (user mail, which the MSP runs as)
    DIR/log/traffic     sendmail -X: every SMTP line the daemon exchanged
    DIR/sink/           SmtpSink: one file per message and recipient

Sendmail relays everything (SMART_HOST) to the SmtpSink, a small SMTP
server in the test process.  Processes are stopped by pid and looked for
afterwards by working directory (Sendmail works inside its queue
directory), as mta.py does for Postfix; everything started is registered
with mta's atexit and signal cleanup.
"""

import os
import pwd
import re
import shutil
import socket
import socketserver
import subprocess
import threading
from pathlib import Path

import mta

CF_RELATIVE = "usr/share/sendmail/cf"
BIN_RELATIVE = "usr/libexec/sendmail/sendmail"
MILTER_MC = mta.REPO_ROOT / "conf" / "sendmail" / "imip-milter.mc"
# The MSP refuses to run as root; "mail" exists on every Debian system.
MSP_USER = "mail"


def sendmail_dir():
    """Where tools/bootstrap put the unpacked packages."""
    return Path(os.environ.get("IMIP_SENDMAIL_DIR") or
                mta.REPO_ROOT / "state" / "sendmail")


def sendmail_root():
    return sendmail_dir() / "root"


def harness_problem():
    """Why this machine cannot run a private Sendmail, or None."""
    if os.geteuid() != 0:
        return "needs root (mount namespaces, a daemon on a queue as root)"
    root = sendmail_root()
    if not os.access(root / BIN_RELATIVE, os.X_OK) or \
            not (root / CF_RELATIVE / "m4" / "cf.m4").is_file():
        return "no unpacked Sendmail in %s (run tools/bootstrap)" % root
    for prog in ("m4", "unshare", "mount"):
        if shutil.which(prog) is None:
            return "%s is not installed (run tools/bootstrap)" % prog
    try:
        pwd.getpwnam(MSP_USER)
    except KeyError:
        return "user %s missing (the MSP runs as it)" % MSP_USER
    return None


# --------------------------------------------------------------------------
# the SMTP sink

class _SinkServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class _SinkSession(socketserver.StreamRequestHandler):
    """One SMTP session: every command is accepted, nothing is relayed."""

    timeout = 60

    def reply(self, text):
        self.wfile.write(text.encode("ascii") + b"\r\n")

    def handle(self):
        sink = self.server.sink
        sink.track(self.connection, True)
        try:
            self.session(sink)
        except (OSError, socket.timeout):
            pass
        finally:
            sink.track(self.connection, False)

    def session(self, sink):
        self.reply("220 sink.example.net ESMTP test sink")
        mail_from, rcpts = None, []
        while True:
            line = self.rfile.readline(4096)
            if not line:
                return
            cmd = line.decode("ascii", "replace").rstrip("\r\n")
            verb = cmd[:4].upper()
            if verb == "EHLO":
                # 8BITMIME, or Sendmail would recode 8-bit bodies.
                self.reply("250-sink.example.net")
                self.reply("250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 sink.example.net")
            elif verb == "MAIL":
                mail_from, rcpts = _address(cmd), []
                self.reply("250 2.1.0 ok")
            elif verb == "RCPT":
                rcpts.append(_address(cmd))
                self.reply("250 2.1.5 ok")
            elif verb == "DATA" and mail_from is not None and rcpts:
                self.reply("354 end with <CRLF>.<CRLF>")
                data = self.read_data()
                if data is None:
                    return
                sink.store(mail_from, rcpts, data)
                self.reply("250 2.0.0 stored")
                mail_from, rcpts = None, []
            elif verb == "RSET":
                mail_from, rcpts = None, []
                self.reply("250 2.0.0 ok")
            elif verb == "NOOP":
                self.reply("250 2.0.0 ok")
            elif verb == "QUIT":
                self.reply("221 2.0.0 bye")
                return
            else:
                self.reply("502 5.5.2 not here")

    def read_data(self):
        """The message as sent, CRLFs kept, dot-stuffing undone."""
        lines = []
        while True:
            line = self.rfile.readline()
            if not line:
                return None
            if line == b".\r\n":
                return b"".join(lines)
            if line.startswith(b"."):
                line = line[1:]
            lines.append(line)


def _address(cmd):
    """The address inside <...> of a MAIL or RCPT command, lower case."""
    m = re.search(r"<([^>]*)>", cmd)
    return (m.group(1) if m else cmd.split(":", 1)[-1].strip()).lower()


class SmtpSink(mta.Managed):
    """An SMTP server on 127.0.0.1 that keeps every message it is given:
    one file per recipient in DIR, in arrival order, starting with
    Return-Path and Delivered-To lines as a final delivery agent writes
    them, then the message exactly as received (CRLF line ends)."""

    def __init__(self, directory, port=None):
        self.dir = Path(directory)
        self.port = port or mta.free_port()
        self.server = None
        self.thread = None
        self._lock = threading.Lock()
        self._count = 0
        self._conns = set()
        self._seen = {}

    def __repr__(self):
        return "<SmtpSink %s port %d>" % (self.dir, self.port)

    def start(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        self.server = _SinkServer(("127.0.0.1", self.port), _SinkSession)
        self.server.sink = self
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.1},
                                       name="smtp-sink", daemon=True)
        self.thread.start()
        self.register()
        return self

    def stop(self):
        if self.server is None:
            return
        try:
            self.server.shutdown()
            self.server.server_close()
            with self._lock:
                conns = list(self._conns)
            for c in conns:     # sessions still open end now
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self.thread.join(10)
        finally:
            self.server = None
            self.unregister()

    def track(self, conn, add):
        with self._lock:
            (self._conns.add if add else self._conns.discard)(conn)

    def store(self, mail_from, rcpts, data):
        with self._lock:
            for rcpt in rcpts:
                self._count += 1
                name = "%06d" % self._count
                tmp = self.dir / (name + ".tmp")
                tmp.write_bytes(b"Return-Path: <%s>\r\nDelivered-To: %s\r\n"
                                % (mail_from.encode(), rcpt.encode()) + data)
                os.rename(tmp, self.dir / (name + ".eml"))

    def messages(self):
        """Every message stored, oldest first (see mta.load_messages)."""
        names = sorted(n for n in os.listdir(self.dir) if n.endswith(".eml"))
        return mta.load_messages([self.dir / n for n in names], self._seen)


# --------------------------------------------------------------------------
# Sendmail

NS_SCRIPT = """\
#!/bin/sh
# generated by tests/integration/sendmail.py: run "$@" in a private mount
# namespace whose /etc/hosts, /etc/nsswitch.conf and /etc/resolv.conf are
# the test's own, so that no host name lookup ever leaves 127.0.0.1.  The
# command never runs when a bind mount fails.
exec unshare --mount --propagation private sh -c '
	mount --bind "$0/hosts" /etc/hosts &&
	mount --bind "$0/nsswitch.conf" /etc/nsswitch.conf &&
	mount --bind "$0/resolv.conf" /etc/resolv.conf &&
	exec "$@"' {etc} "$@"
"""

SENDMAIL_SCRIPT = """\
#!/bin/sh
# generated by tests/integration/sendmail.py: sendmail(1) of the private
# Sendmail - its MSP, which relays to the MTA on 127.0.0.1:{port}.
exec {ns} {binary} -C {submit_cf} "$@"
"""

# Shared by the MTA and the MSP: who we are, and nothing from the system.
COMMON_MC = """\
define(`confDOMAIN_NAME', `{hostname}')dnl
define(`confHOSTS_FILE', `{dir}/etc/hosts')dnl
define(`confSERVICE_SWITCH_FILE', `{dir}/etc/service.switch')dnl
define(`confDEAD_LETTER_DROP', `{dir}/dead.letter')dnl
define(`confDONT_PROBE_INTERFACES', `True')dnl
define(`confTO_IDENT', `0')dnl
define(`confQUEUE_LA', `100')dnl
define(`confREFUSE_LA', `200')dnl
dnl the test directory lies in /tmp, which is world writable (sticky)
define(`confDONT_BLAME_SENDMAIL', `TrustStickyBit')dnl
FEATURE(`nocanonify')dnl
"""

MTA_MC = """\
dnl generated by tests/integration/sendmail.py: private test MTA
divert(0)dnl
OSTYPE(`linux')dnl
{common}\
define(`QUEUE_DIR', `{dir}/queue')dnl
define(`STATUS_FILE', `{dir}/sendmail.st')dnl
define(`confPID_FILE', `{dir}/sendmail.pid')dnl
undefine(`ALIAS_FILE')dnl
dnl Everything goes to the sink: nothing is local, nothing leaves.
define(`SMART_HOST', `relay:[127.0.0.1]')dnl
define(`RELAY_MAILER_ARGS', `TCP $h {sink_port}')dnl
FEATURE(`accept_unresolvable_domains')dnl
FEATURE(`no_default_msa')dnl
RELAY_DOMAIN(`{domains}')dnl
DAEMON_OPTIONS(`Port={port}, Addr=127.0.0.1, Name=MTA')dnl
{milter}\
MAILER(`local')dnl
MAILER(`smtp')dnl
"""

MSP_MC = """\
dnl generated by tests/integration/sendmail.py: the MSP of the test MTA
divert(0)dnl
OSTYPE(`linux')dnl
{common}\
define(`MSP_QUEUE_DIR', `{dir}/clientqueue')dnl
define(`confRUN_AS_USER', `{user}')dnl
define(`RELAY_MAILER_ARGS', `TCP $h {port}')dnl
FEATURE(`msp', `[127.0.0.1]')dnl
"""

# Every database from files: a database left out would get glibc's default,
# which for hosts includes DNS.
NSS_DATABASES = ("passwd", "group", "shadow", "gshadow", "hosts", "networks",
                 "protocols", "services", "ethers", "rpc", "netgroup")

QID_RE = re.compile(r"\bwith E?SMTP id ([0-9A-Za-z]+)")


def queue_id(msg):
    """The queue id the receiving Sendmail gave msg, from its topmost
    Received header ("... with ESMTP id 6B7A0Bq3012345 ...")."""
    received = msg.get_all("Received") or []
    m = QID_RE.search(" ".join(str(received[0]).split())) if received \
        else None
    return m.group(1) if m else None


class Sendmail(mta.MTA):
    """A private Sendmail daemon on 127.0.0.1:port relaying all mail to its
    SMTP sink (self.sink, on 127.0.0.1:sink_port), whose messages are what
    messages() and wait_for() read.

    milter: None, or an imip-milter socket ("unix:/path"), hooked in
    through conf/sendmail/imip-milter.mc with its recommended flags and
    timeouts.
    """

    name = "Sendmail"
    EOL = b"\r\n"               # the sink keeps messages as received
    QUEUED_RE = re.compile(r"^2\.0\.0 (\S+) Message accepted")

    def __init__(self, workdir=None, port=None, sink_port=None, milter=None,
                 domains=mta.DOMAINS, hostname="mta.example.org"):
        problem = harness_problem()
        if problem:
            raise mta.HarnessError(problem)
        self.use_dir(workdir, "imip-sm-")
        self.port = port or mta.free_port()
        self.sink = SmtpSink(self.dir / "sink", port=sink_port)
        self.milter = milter
        self.domains = tuple(domains)
        self.hostname = hostname
        self.root = sendmail_root()
        self.binary = self.root / BIN_RELATIVE
        self.etc = self.dir / "etc"
        self.queue = self.dir / "queue"
        self.clientqueue = self.dir / "clientqueue"
        self.ns = self.dir / "bin" / "ns"
        self.sendmail_path = self.dir / "bin" / "sendmail"
        self.traffic = self.dir / "log" / "traffic"
        self.output = self.dir / "log" / "sendmail.out"
        self.proc = None

    def __repr__(self):
        return "<Sendmail %s port %d>" % (self.dir, self.port)

    # -- configuration ----------------------------------------------------

    def mta_mc(self):
        milter = ""
        if self.milter:
            milter = ("define(`IMIP_MILTER_SOCKET', `%s')dnl\n"
                      "include(`%s')dnl\n" % (self.milter, MILTER_MC))
        return MTA_MC.format(common=self.common_mc(), dir=self.dir,
                             port=self.port, sink_port=self.sink.port,
                             domains=" ".join(self.domains), milter=milter)

    def msp_mc(self):
        return MSP_MC.format(common=self.common_mc(), dir=self.dir,
                             port=self.port, user=MSP_USER)

    def common_mc(self):
        return COMMON_MC.format(hostname=self.hostname, dir=self.dir)

    def m4(self, mc, cf):
        cfdir = self.root / CF_RELATIVE
        r = subprocess.run(["m4", "-D_CF_DIR_=%s/" % cfdir,
                            str(cfdir / "m4" / "cf.m4"), str(mc)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
        if r.returncode != 0 or r.stderr.strip():
            raise mta.HarnessError("m4 %s failed (%d):\n%s" %
                                   (mc, r.returncode, r.stderr.decode()))
        cf.write_bytes(r.stdout)
        os.chmod(cf, 0o644)

    def write_config(self):
        """The namespace files, both .mc files and their .cf, the queues
        and the two scripts."""
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o755)       # the MSP, as user mail, walks in
        for d in (self.etc, self.dir / "bin", self.dir / "log"):
            d.mkdir(mode=0o755, exist_ok=True)
        host = socket.gethostname()
        names = " ".join(sorted({self.hostname, host, "localhost"}))
        (self.etc / "hosts").write_text(
            "127.0.0.1\t%s\n::1\t%s ip6-localhost\n" % (names, names))
        (self.etc / "nsswitch.conf").write_text("".join(
            "%s: files\n" % db for db in NSS_DATABASES))
        (self.etc / "resolv.conf").write_text("nameserver 127.0.0.1\n")
        (self.etc / "service.switch").write_text(
            "hosts files\naliases files\n")
        for f in self.etc.iterdir():
            os.chmod(f, 0o644)
        (self.dir / "mta.mc").write_text(self.mta_mc())
        (self.dir / "submit.mc").write_text(self.msp_mc())
        self.m4(self.dir / "mta.mc", self.dir / "mta.cf")
        self.m4(self.dir / "submit.mc", self.dir / "submit.cf")
        self.queue.mkdir(mode=0o700, exist_ok=True)
        self.clientqueue.mkdir(mode=0o770, exist_ok=True)
        pw = pwd.getpwnam(MSP_USER)
        os.chown(self.clientqueue, pw.pw_uid, pw.pw_gid)
        self.ns.write_text(NS_SCRIPT.format(etc=self.etc))
        self.sendmail_path.write_text(SENDMAIL_SCRIPT.format(
            port=self.port, ns=self.ns, binary=self.binary,
            submit_cf=self.dir / "submit.cf"))
        for f in (self.ns, self.sendmail_path):
            os.chmod(f, 0o755)

    # -- running ---------------------------------------------------------

    def procs(self):
        """Pids of this instance's processes: the daemon, its children
        and MSPs all work inside one of the two queue directories."""
        return mta._procs_in(self.queue) + mta._procs_in(self.clientqueue)

    def start(self):
        if self.proc is not None:
            return self
        self.write_config()
        self.sink.start()
        # -bD: daemon in the foreground, so its pid is ours;
        # -q5s retries whatever the sink did not take at once.
        self.proc = mta.spawn([self.ns, self.binary, "-bD", "-q5s",
                               "-X", self.traffic, "-C", self.dir / "mta.cf"],
                              self.output)
        self.register()
        if not mta.came_up(self.proc, lambda: mta.port_listening(self.port)):
            rc = self.proc.poll()
            out = self.log()
            self.stop()
            raise mta.HarnessError("sendmail did not listen on port %d "
                                   "(exit %s):\n%s" % (self.port, rc, out))
        return self

    def stop(self):
        """SIGTERM the daemon, make sure none of its processes (or an
        MSP's) is left, and stop the sink."""
        if self.proc is None:
            return
        try:
            mta.stop_process(self.proc, 10)
            mta.reap(self.procs, "sendmail", 10)
        finally:
            self.proc = None
            self.unregister()
            self.sink.stop()
        self.remove_dir()

    def queued(self):
        """Names of the queue files (qf*) in both queues: mail not yet
        handed on."""
        out = []
        for q in (self.queue, self.clientqueue):
            try:
                out += [n for n in os.listdir(q) if n.startswith("qf")]
            except FileNotFoundError:
                pass
        return out

    def queue_empty(self):
        return not self.queued()

    def state(self):
        return "queued: %r\n%s" % (self.queued(), self.log())

    def messages(self):
        return self.sink.messages()

    def sendmail_argv(self):
        """sendmail(1) for this instance: the MSP, which hands mail to the
        daemon over SMTP."""
        return [str(self.sendmail_path)]

    def log(self):
        """The daemon's own output and the tail of its SMTP traffic (there
        is no syslog to read)."""
        text = ""
        for f in (self.output, self.traffic):
            try:
                text += "== %s\n%s" % (f.name, f.read_text(
                    errors="replace")[-4000:])
            except FileNotFoundError:
                pass
        return text


class Stack(mta.StackBase):
    """imip-milter and a Sendmail that uses it (and submits its replies),
    relaying everything to its sink, in one temporary directory:

        with Stack(rooms=[("room-a@example.org", "Room A")]) as st:
            st.sendmail.send(...); st.sendmail.messages(); st.milter.log()
    """

    def __init__(self, rooms=(), log_level="debug", extra_conf=None,
                 workdir=None):
        super().__init__(workdir, "imip-sme2e-", harness_problem)
        smtp_port, sink_port = mta.free_ports(2)
        msock = "unix:%s" % (self.dir / "milter" / "imip-milter.sock")
        self.sendmail = Sendmail(workdir=self.dir / "sendmail",
                                 port=smtp_port, sink_port=sink_port,
                                 milter=msock)
        self.milter = mta.Milter(
            workdir=self.dir / "milter", rooms=rooms,
            sendmail_path=self.sendmail.sendmail_command(),
            log_level=log_level, extra_conf=extra_conf, socket=msock)

    @property
    def mta(self):
        return self.sendmail
