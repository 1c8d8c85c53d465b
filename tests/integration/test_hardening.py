#!/usr/bin/env python3
"""Process hardening of imip-milter, end to end with a private Postfix:

  * started as root with -u postfix it runs as postfix (uid, gid and
    groups in /proc/PID/status) and still books a room for mail passing
    through Postfix, over a unix socket it handed to postfix;
  * the unix socket has socket_mode and the database database_mode, both
    owned by the -u user; without the keys, the defaults 0660 and 0640;
  * as root without -u and without allow_root it refuses to start, and
    an unknown -u user or group is a clear error;
  * SIGUSR1 reloads the configuration (a new log_level applies at once),
    a broken file or a changed database is logged and refused, and the
    milter keeps serving.

Run:  sudo python3 tests/integration/test_hardening.py -v
Exit status 77 (meson: SKIP) when the machine cannot run a private Postfix.
Set IMIP_TEST_KEEP=1 to keep the temporary directories for a post-mortem.
"""

import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mta  # noqa: E402
from e2e import E2EBase  # noqa: E402
from itip import ALICE, ROOM_A, RUN, day, request  # noqa: E402

USER = "postfix"


def proc_ids(pid):
    """{'Uid': [real, effective, saved, fs], 'Gid': [...], 'Groups': [...]}
    of a running process."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, val = line.partition(":")
            if key in ("Uid", "Gid", "Groups"):
                out[key] = [int(v) for v in val.split()]
    return out


def file_mode(path):
    st = os.lstat(path)
    return stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid


def plain_mail(msgid, to=ROOM_A):
    return ("From: Alice <%s>\r\nTo: %s\r\nSubject: no calendar here\r\n"
            "Message-ID: %s\r\n\r\nJust text.\r\n" % (ALICE, to, msgid))


class HardeningBase(E2EBase):
    """A Stack whose milter listens on DIR/milter/milter.sock."""

    rooms = [(ROOM_A, "Room A")]
    milter_user = None
    extra_conf = {}

    @classmethod
    def make_stack(cls):
        cls.workdir = Path(tempfile.mkdtemp(prefix="imip-hard-"))
        cls.sock = cls.workdir / "milter" / "milter.sock"
        swallow = cls.workdir / "swallow"
        swallow.write_text("#!/bin/sh\ncat >/dev/null\n")
        os.chmod(swallow, 0o755)
        conf = {k: v.replace("@SWALLOW@", str(swallow))
                for k, v in cls.extra_conf.items()}
        return mta.Stack(rooms=cls.rooms, workdir=cls.workdir,
                         extra_conf=conf, milter_user=cls.milter_user,
                         milter_socket="unix:%s" % cls.sock)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        if os.environ.get("IMIP_TEST_KEEP", "") in ("", "0"):
            shutil.rmtree(cls.workdir, ignore_errors=True)

    def book(self, tag, n):
        """Invite Room A to day n of next March; return its decision."""
        uid = "%s-%s@example.com" % (tag, RUN)
        msgid, raw = request(uid, day(n, "09:00"), day(n, "10:00"))
        return uid, self.decision(self.submit(msgid, raw))

    def wait_log(self, text, since, timeout=10):
        ok = mta._wait(lambda: text in self.milter.log()[since:], timeout)
        self.assertTrue(ok, "no %r in the milter log:\n%s" %
                        (text, self.milter.log()[since:][-3000:]))


class RunsAsUser(HardeningBase):
    """-u postfix, with modes that differ from the defaults and the
    umask, so that they are seen to be applied.  Replies go to a script
    that swallows them: Postfix's sendmail takes -C (the private
    instance) from root only."""

    milter_user = USER
    extra_conf = {"socket_mode": "0600", "database_mode": "0600",
                  "sendmail_path": "@SWALLOW@"}

    def test_process_has_the_users_ids(self):
        pw = pwd.getpwnam(USER)
        ids = proc_ids(self.milter.proc.pid)
        self.assertEqual(ids["Uid"], [pw.pw_uid] * 4)
        self.assertEqual(ids["Gid"], [pw.pw_gid] * 4)
        self.assertNotIn(0, ids["Groups"])
        self.assertIn("uid %d gid %d" % (pw.pw_uid, pw.pw_gid),
                      self.milter.log())

    def test_books_a_room_through_postfix(self):
        uid, h = self.book("user", 5)
        self.assertEqual((h.get("decision"), h.get("status")),
                         ("ACCEPTED", "2.0"))
        self.assertEqual(self.milter.query(
            "SELECT calendar, start_utc FROM schedule WHERE uid = ?",
            (uid,)), [(ROOM_A, day(5, "09:00") + ":00")])
        self.assertEqual(self.milter.query(
            "SELECT decision FROM journal WHERE uid = ?", (uid,)),
            [("ACCEPTED",)])
        # the outbox thread, as the user too, hands the reply over
        ok = mta._wait(lambda: self.milter.query(
            "SELECT count(*) FROM outbox WHERE message LIKE ? AND "
            "sent IS NOT NULL", ("%" + uid + "%",))[0][0] == 1, 20)
        self.assertTrue(ok, "reply for %s not sent:\n%s" %
                        (uid, self.milter.log()[-2000:]))

    def test_socket_and_database_belong_to_the_user(self):
        pw = pwd.getpwnam(USER)
        self.assertTrue(stat.S_ISSOCK(os.lstat(self.sock).st_mode))
        self.assertEqual(file_mode(self.sock),
                         (0o600, pw.pw_uid, pw.pw_gid))
        self.assertEqual(file_mode(self.milter.db),
                         (0o600, pw.pw_uid, pw.pw_gid))
        for suffix in ("-wal", "-shm"):
            p = Path(str(self.milter.db) + suffix)
            if p.exists():
                self.assertEqual(file_mode(p)[1:], (pw.pw_uid, pw.pw_gid),
                                 p)

    def test_sigusr1_reloads_and_survives_a_broken_file(self):
        m = self.milter
        # debug: a plain message's fast path is logged
        mark = len(m.log())
        self.submit("<plain1.%s@example.com>" % RUN,
                    plain_mail("<plain1.%s@example.com>" % RUN),
                    rcpts=(ROOM_A,), wait_rcpt=ROOM_A)
        self.assertIn("nothing to schedule", m.log()[mark:])

        # a new log_level and reply_rate_limit: reloaded, applied at once
        m.log_level = "info"
        m.extra_conf["reply_rate_limit"] = "5"
        m.write_config()
        mark = len(m.log())
        m.proc.send_signal(signal.SIGUSR1)
        self.wait_log("configuration reloaded from %s" % m.conf, mark)
        self.submit("<plain2.%s@example.com>" % RUN,
                    plain_mail("<plain2.%s@example.com>" % RUN),
                    rcpts=(ROOM_A,), wait_rcpt=ROOM_A)
        self.assertNotIn("nothing to schedule", m.log()[mark:])

        # a broken file: logged, the old configuration keeps serving
        with open(m.conf, "a") as f:
            f.write("no_such_key = 1\n")
        mark = len(m.log())
        m.proc.send_signal(signal.SIGUSR1)
        self.wait_log("cannot reload the configuration from %s" % m.conf,
                      mark)
        self.assertIn('unknown key "no_such_key"', m.log()[mark:])
        self.assertTrue(m.running())
        uid, h = self.book("after-broken", 6)
        self.assertEqual(h.get("decision"), "ACCEPTED")

        # the database needs a restart: refused
        m.write_config()
        with open(m.conf, "a") as f:
            f.write("database = %s/other.db\n" % m.dir)
        mark = len(m.log())
        m.proc.send_signal(signal.SIGUSR1)
        self.wait_log("refused: database changed", mark)
        uid, h = self.book("after-refused", 7)
        self.assertEqual(h.get("decision"), "ACCEPTED")
        self.assertEqual(len(m.query(
            "SELECT 1 FROM schedule WHERE uid = ?", (uid,))), 1)
        m.write_config()


class DefaultModes(unittest.TestCase):
    """As root with allow_root = yes (the harness default), alone: the
    default socket_mode and database_mode.  (Postfix, running as postfix,
    could not use a socket of root's with mode 0660.)"""

    def test_default_modes(self):
        mta.install_signal_cleanup()
        d = Path(tempfile.mkdtemp(prefix="imip-modes-"))
        sock = d / "milter.sock"
        with mta.Milter(workdir=d, socket="unix:%s" % sock,
                        sendmail_path="/bin/cat") as m:
            self.assertEqual(file_mode(sock), (0o660, 0, 0))
            self.assertEqual(file_mode(m.db), (0o640, 0, 0))
            self.assertEqual(proc_ids(m.proc.pid)["Uid"], [0] * 4)
        shutil.rmtree(d, ignore_errors=True)


class Refusals(unittest.TestCase):
    """Starting fails, before binding anything, with a clear message."""

    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="imip-refuse-"))
        self.sock = self.dir / "milter.sock"
        self.conf = self.dir / "imip-milter.conf"
        self.conf.write_text("socket = unix:%s\ndatabase = %s/imip.db\n"
                             "sendmail_path = /bin/cat\n" %
                             (self.sock, self.dir))

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_milter(self, *args):
        return subprocess.run([mta.imip_milter_path(), "-f", "-c",
                               str(self.conf)] + list(args),
                              stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True,
                              timeout=30)

    def test_root_without_u_or_allow_root_is_refused(self):
        r = self.run_milter()
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("refusing to run as root", r.stdout)
        self.assertIn("-u user[:group]", r.stdout)
        self.assertIn("allow_root = yes", r.stdout)
        self.assertFalse(self.sock.exists())
        self.assertFalse((self.dir / "imip.db").exists())

    def test_check_mode_is_exempt(self):
        r = self.run_milter("-n")
        self.assertEqual((r.returncode, r.stdout), (0, ""))

    def test_unknown_user_or_group_is_an_error(self):
        for spec, want in (("no-such-user-%d" % os.getpid(), "no such user"),
                           ("%s:no-such-group" % USER, "no such group")):
            r = self.run_milter("-u", spec)
            self.assertEqual(r.returncode, 1, r.stdout)
            self.assertIn("-u %s: %s" % (spec, want), r.stdout)
            self.assertFalse(self.sock.exists())

    def test_user_who_cannot_write_the_database_directory(self):
        os.chmod(self.dir, 0o755)       # root's, not writable for postfix
        r = self.run_milter("-u", USER)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("user %s must be able to write the database" % USER,
                      r.stdout)


if __name__ == "__main__":
    mta.main()
