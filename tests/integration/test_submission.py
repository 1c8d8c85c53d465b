#!/usr/bin/env python3
"""End to end: a managed person's mail submitted on a port like 587 with a
real SASL login (Cyrus SASL, PLAIN, users in a private sasldb), through a
real Postfix smtpd whose {auth_authen} macro reaches imip-milter.

The loopback address is NOT an internal network here
(internal_networks = 192.0.2.0/24, a documentation range nothing sends
from), so the login is the only evidence that Carol sent her mail:
logged in as Carol, her invitation becomes her event and busy time, and
the journal's trust column says login=...; the same mail on port 25
without a login, or submitted by Dan's login, changes nothing.

Run:  sudo python3 tests/integration/test_submission.py -v
Exit status 77 (meson: SKIP) when the machine cannot run a private Postfix
or lacks Cyrus SASL's saslpasswd2 (tools/bootstrap installs it).
"""

import os
import pwd
import smtplib
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mta  # noqa: E402
from e2e import E2EBase  # noqa: E402
from itip import BOB, ROOM_A, day, delivered, request  # noqa: E402

CAROL = "carol@example.org"
DAN = "dan@example.org"
PASSWORD = {CAROL: "carol-secret", DAN: "dan-secret"}
SASLPASSWD2 = "/usr/sbin/saslpasswd2"
SUBMISSION = mta.free_port()


def sasl_config(d):
    """Cyrus SASL configuration for smtpd in directory d: PLAIN against a
    sasldb holding Carol and Dan, readable by user postfix.  Debian's
    Postfix reads it from $config_directory/sasl/smtpd.conf."""
    d.mkdir(mode=0o755, exist_ok=True)
    db = d / "sasldb2"
    for user, secret in PASSWORD.items():
        name, realm = user.split("@")
        subprocess.run([SASLPASSWD2, "-p", "-c", "-f", str(db), "-u",
                        realm, name], input=secret, text=True, check=True,
                       timeout=30)
    pf = pwd.getpwnam("postfix")
    os.chown(db, pf.pw_uid, pf.pw_gid)
    os.chmod(db, 0o600)
    (d / "smtpd.conf").write_text(
        "pwcheck_method: auxprop\nauxprop_plugin: sasldb\n"
        "mech_list: PLAIN\nsasldb_path: %s\n" % db)


class Submission(E2EBase):
    rooms = [(ROOM_A, "Room A")]
    milter_conf = {"internal_networks": "192.0.2.0/24"}
    postfix_master = [
        "127.0.0.1:%d inet n - n - - smtpd" % SUBMISSION,
        "  -o syslog_name=postfix/submission",
        "  -o smtpd_sasl_auth_enable=yes",
        "  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject",
    ]

    postfix_main = {"smtpd_sasl_type": "cyrus", "smtpd_sasl_path": "smtpd",
                    "smtpd_sasl_local_domain": ""}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # smtpd reads it when a client first connects, so after the start.
        sasl_config(cls.pf.etc / "sasl")
        cls.milter.add_calendar(CAROL, "Carol", kind="person")

    def submit_as(self, login, sender, raw):
        """One message on the submission port after AUTH PLAIN as login."""
        with smtplib.SMTP("127.0.0.1", SUBMISSION, timeout=30) as s:
            s.ehlo("laptop.example.org")
            s.login(login, PASSWORD[login])
            refused = s.sendmail(sender, [BOB], raw)
        self.assertEqual(refused, {})

    def carols(self, uid):
        return self.milter.query(
            "SELECT e.partstat, b.fbtype FROM event e JOIN calendar c ON "
            "c.id = e.calendar_id JOIN busy b ON b.event_id = e.id WHERE "
            "c.address = ? AND e.uid = ?", (CAROL, uid))

    def journal(self, uid):
        return self.milter.query(
            "SELECT decision, trust FROM journal WHERE calendar = ? AND "
            "uid = ?", (CAROL, uid))

    def meeting(self, n):
        uid = "sub-%d-%d@example.org" % (n, os.getpid())
        msgid, raw = request(uid, day(4, "%02d:00" % (8 + n)),
                             day(4, "%02d:30" % (8 + n)),
                             subject="Offsite %d" % n, to=(BOB,), rooms=(),
                             people=((BOB, "Bob"),),
                             organizer=(CAROL, "Carol"))
        return uid, msgid, raw

    def test_1_her_login_vouches_for_her_invitation(self):
        uid, msgid, raw = self.meeting(1)
        self.submit_as(CAROL, CAROL, raw)
        m = self.pf.wait_for(lambda ms: delivered(ms, msgid, BOB), 20,
                             "Carol's submitted invitation")
        self.assertEqual(self.decision(delivered(m, msgid, BOB)[0],
                                       CAROL)["decision"], "RECORDED")
        self.assertEqual(self.carols(uid), [("ACCEPTED", "BUSY")])
        self.assertEqual(self.journal(uid),
                         [("RECORDED", "login=%s" % CAROL)])

    def test_2_without_a_login_nothing_changes(self):
        uid, msgid, raw = self.meeting(2)
        r = self.pf.send(CAROL, [BOB], raw)
        self.assertEqual(r.code, 250)
        m = self.pf.wait_for(lambda ms: delivered(ms, msgid, BOB), 20,
                             "the unauthenticated copy")
        self.assertEqual(self.decision(delivered(m, msgid, BOB)[0],
                                       CAROL)["decision"], "REFUSED")
        self.assertEqual(self.carols(uid), [])

    def test_3_another_login_cannot_speak_for_her(self):
        uid, msgid, raw = self.meeting(3)
        self.submit_as(DAN, CAROL, raw)
        m = self.pf.wait_for(lambda ms: delivered(ms, msgid, BOB), 20,
                             "Dan's copy claiming to be Carol")
        self.assertEqual(self.decision(delivered(m, msgid, BOB)[0],
                                       CAROL)["decision"], "REFUSED")
        self.assertEqual(self.carols(uid), [])
        self.assertEqual(self.journal(uid),
                         [("REFUSED", "login=%s" % DAN)])


def sasl_problem():
    """Why no SASL password database can be made here, or None."""
    if not os.path.exists(SASLPASSWD2):
        return "no %s (package sasl2-bin)" % SASLPASSWD2
    return None


if __name__ == "__main__":
    mta.main(mta.harness_problem, sasl_problem)
