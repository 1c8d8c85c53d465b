#!/usr/bin/env python3
"""End to end for a person's calendar, through a real Postfix and the real
imip-milter: Carol (carol@example.org, managed person) organizes a meeting
by injecting it with sendmail(1) (non_smtpd_milters); Room A books it and
its REPLY passes the filter again on its way to Carol, where it is merged,
never answered; two attendees reply by SMTP, one of them late with an
older DTSTAMP that must not win; an S/MIME-signed invitation to Carol gets
headers only, its signed body stays byte for byte.

Run:  sudo python3 tests/integration/test_people.py -v
Exit status 77 (meson: SKIP) when the machine cannot run a private Postfix.
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mta  # noqa: E402
from test_e2e_postfix import (  # noqa: E402
    ALICE, BOB, E2EBase, ROOM_A, day, delivered, invitation, request,
    schedule_headers, vcalendar)

CAROL = "carol@example.org"
DAN = "dan@example.net"
UID = "team-%d@example.org" % os.getpid()


def attendee_reply(who, partstat, stamp, msgid):
    """An attendee's REPLY to Carol's meeting, DTSTAMP stamp."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
             "METHOD:REPLY", "BEGIN:VEVENT", "UID:" + UID,
             "DTSTAMP:" + stamp, "SEQUENCE:0",
             "DTSTART:%d0302T090000Z" % (int(day(2, "09:00")[:4])),
             "DTEND:%d0302T100000Z" % (int(day(2, "09:00")[:4])),
             "ORGANIZER:mailto:" + CAROL,
             "ATTENDEE;PARTSTAT=%s:mailto:%s" % (partstat, who),
             "END:VEVENT", "END:VCALENDAR"]
    _, raw = invitation(UID, "REPLY", "\r\n".join(lines) + "\r\n",
                        "Answer", to=(CAROL,), msgid=msgid,
                        organizer=(who, "Attendee"))
    return raw


class PeopleFlow(E2EBase):
    rooms = [(ROOM_A, "Room A")]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.milter.imipctl("calendar", "add", CAROL, "--kind", "person",
                           "--name", "Carol", "--tz", "Europe/Berlin")

    def replies_kept(self):
        return dict(self.milter.query(
            "SELECT attendee, partstat FROM replies WHERE uid = ?", (UID,)))

    def wait_db(self, pred, what):
        self.pf.wait_for(lambda ms: pred(), 20, what)

    def test_1_carol_organizes_and_replies_merge(self):
        msgid, raw = request(UID, day(2, "09:00"), day(2, "10:00"),
                             subject="Team", to=(ROOM_A, BOB, DAN),
                             people=((BOB, "Bob"), (DAN, "Dan")),
                             organizer=(CAROL, "Carol"))
        self.pf.sendmail(CAROL, [ROOM_A, BOB, DAN], raw)
        msgs = self.pf.wait_for(lambda ms: delivered(ms, msgid, BOB), 20,
                                "Carol's invitation")
        hs = {h["calendar"]: h["decision"] for h in
              schedule_headers(delivered(msgs, msgid, BOB)[0])}
        self.assertEqual(hs, {ROOM_A: "ACCEPTED", CAROL: "RECORDED"})
        self.assertEqual(self.milter.query(
            "SELECT e.partstat, b.fbtype FROM event e JOIN calendar c ON "
            "c.id = e.calendar_id JOIN busy b ON b.event_id = e.id WHERE "
            "c.address = ? AND e.uid = ?", (CAROL, UID)),
            [("ACCEPTED", "BUSY")])
        # The room's own REPLY comes back through the filter: merged for
        # Carol, not answered.
        self.wait_db(lambda: self.replies_kept().get(ROOM_A) == "ACCEPTED",
                     "the room's reply merged")
        self.assertEqual(self.milter.query(
            "SELECT count(*) FROM outbox WHERE env_from = ?", (CAROL,)),
            [(0,)])

        r1 = "<r1.%s>" % UID
        self.assertEqual(self.pf.send(BOB, [CAROL], attendee_reply(
            BOB, "ACCEPTED", "20261120T100000Z", r1)).code, 250)
        r2 = "<r2.%s>" % UID
        self.assertEqual(self.pf.send(DAN, [CAROL], attendee_reply(
            DAN, "DECLINED", "20261121T100000Z", r2)).code, 250)
        r3 = "<r3.%s>" % UID        # Dan's earlier answer, arriving late
        self.assertEqual(self.pf.send(DAN, [CAROL], attendee_reply(
            DAN, "ACCEPTED", "20261120T090000Z", r3)).code, 250)
        msgs = self.pf.wait_for(lambda ms: delivered(ms, r3, CAROL), 20,
                                "the late reply")
        self.assertEqual(self.decision(delivered(msgs, r3, CAROL)[0],
                                       CAROL)["decision"], "IGNORED")
        self.assertEqual(self.replies_kept(),
                         {ROOM_A: "ACCEPTED", BOB: "ACCEPTED",
                          DAN: "DECLINED"})

    def test_2_signed_invitation_gets_headers_only(self):
        uid = "signed-%d@example.com" % os.getpid()
        ical = vcalendar("REQUEST", uid, day(2, "09:30"), day(2, "10:30"),
                         rooms=(), people=((CAROL, "Carol"),))
        body = ("--sig\r\n"
                "Content-Type: text/calendar; method=REQUEST; "
                "charset=UTF-8\r\n\r\n" + ical + "\r\n--sig\r\n"
                "Content-Type: application/pkcs7-signature; "
                "name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\n"
                "\r\nMIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCA"
                "\r\n--sig--\r\n")
        msgid = "<signed.%s>" % uid
        raw = ("From: Alice <%s>\r\nTo: %s\r\nSubject: Signed\r\n"
               "Message-ID: %s\r\nMIME-Version: 1.0\r\n"
               "Content-Type: multipart/signed; "
               "protocol=\"application/pkcs7-signature\"; "
               "micalg=sha-256; boundary=\"sig\"\r\n\r\n"
               % (ALICE, CAROL, msgid) + body).encode()
        self.assertEqual(self.pf.send(ALICE, [CAROL], raw).code, 250)
        msgs = self.pf.wait_for(lambda ms: delivered(ms, msgid, CAROL), 20,
                                "the signed invitation")
        m = delivered(msgs, msgid, CAROL)[0]
        self.assertEqual(self.decision(m, CAROL)["decision"], "RECORDED")
        # It overlaps Carol's team meeting: named (she alone got it).
        self.assertIn("Team", str(m["X-iMIP-Conflicts"]))
        got = m.raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[1]
        self.assertEqual(got, body.encode().replace(b"\r\n", b"\n"))


if __name__ == "__main__":
    problem = mta.harness_problem()
    if problem:
        print("SKIP: " + problem)
        sys.exit(77)
    unittest.main()
