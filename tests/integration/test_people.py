#!/usr/bin/env python3
"""End to end for a person's calendar, through a real Postfix and the real
imip-milter: Carol (carol@example.org, managed person) organizes a meeting
by injecting it with sendmail(1) (non_smtpd_milters); Room A books it and
its REPLY passes the filter again on its way to Carol, where it is merged,
never answered; two attendees reply by SMTP, one of them late with an
older DTSTAMP that must not win; an S/MIME-signed invitation to Carol gets
headers only, its signed body stays byte for byte, although summary_part
is on; Bob's COUNTER is kept and shown in X-iMIP-Counter, and his REFRESH
answered with Carol's stored REQUEST once she allows it; an unsigned
invitation that clashes gets the note as a text part in front.

Run:  sudo python3 tests/integration/test_people.py -v
Exit status 77 (meson: SKIP) when the machine cannot run a private Postfix.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mta  # noqa: E402
from e2e import E2EBase  # noqa: E402
from itip import (  # noqa: E402
    ALICE, BOB, ROOM_A, day, delivered, invitation, request, schedule_headers,
    vcalendar)

CAROL = "carol@example.org"
DAN = "dan@example.net"
UID = "team-%d@example.org" % os.getpid()


def to_attendee(method, who, stamp, msgid, times=("09:00", "10:00"),
                extra=()):
    """An attendee's message (REPLY, COUNTER, REFRESH) about Carol's
    meeting, DTSTAMP stamp; times None leaves DTSTART out."""
    year = int(day(2, "09:00")[:4])
    when = ["DTSTART:%d0302T%s00Z" % (year, times[0].replace(":", "")),
            "DTEND:%d0302T%s00Z" % (year, times[1].replace(":", ""))] \
        if times else []
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
             "METHOD:" + method, "BEGIN:VEVENT", "UID:" + UID,
             "DTSTAMP:" + stamp, "SEQUENCE:0"] + when + list(extra) + [
             "ORGANIZER:mailto:" + CAROL,
             "ATTENDEE;PARTSTAT=%s:mailto:%s" % (
                 "TENTATIVE" if method == "COUNTER" else "ACCEPTED", who),
             "END:VEVENT", "END:VCALENDAR"]
    _, raw = invitation(UID, method, "\r\n".join(lines) + "\r\n",
                        method.title(), to=(CAROL,), msgid=msgid,
                        organizer=(who, "Attendee"))
    return raw


def attendee_reply(who, partstat, stamp, msgid):
    """An attendee's REPLY to Carol's meeting, DTSTAMP stamp."""
    return to_attendee("REPLY", who, stamp, msgid).replace(
        b"PARTSTAT=ACCEPTED", b"PARTSTAT=" + partstat.encode())


class PeopleFlow(E2EBase):
    rooms = [(ROOM_A, "Room A")]
    milter_conf = {"summary_part": "yes"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.milter.add_calendar(CAROL, "Carol", kind="person")

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

    def test_3_counter_shown_and_refresh_answered(self):
        c1 = "<c1.%s>" % UID
        raw = to_attendee("COUNTER", BOB, "20261122T100000Z", c1,
                          times=("11:00", "12:00"),
                          extra=("COMMENT:Later\\, please",))
        self.assertEqual(self.pf.send(BOB, [CAROL], raw).code, 250)
        msgs = self.pf.wait_for(lambda ms: delivered(ms, c1, CAROL), 20,
                                "Bob's COUNTER")
        m = delivered(msgs, c1, CAROL)[0]
        self.assertEqual(self.decision(m, CAROL)["decision"], "STORED")
        year = day(2, "09:00")[:4]
        self.assertEqual(
            str(m["X-iMIP-Counter"]),
            "%s: %s proposes %s-03-02 12:00 to %s-03-02 13:00 "
            "(\"Later, please\")" % (CAROL, BOB, year, year))
        self.assertEqual(self.milter.query(
            "SELECT direction, attendee, state FROM counters WHERE uid = ?",
            (UID,)), [("received", BOB, "open")])

        # REFRESH: journaled while Carol's answer-refresh is off ...
        f1 = "<f1.%s>" % UID
        raw = to_attendee("REFRESH", BOB, "20261123T100000Z", f1, times=None)
        self.assertEqual(self.pf.send(BOB, [CAROL], raw).code, 250)
        msgs = self.pf.wait_for(lambda ms: delivered(ms, f1, CAROL), 20,
                                "Bob's first REFRESH")
        self.assertEqual(self.decision(delivered(msgs, f1, CAROL)[0],
                                       CAROL)["decision"], "IGNORED")
        # ... answered with her stored REQUEST once she allows it.
        self.milter.imipctl("calendar", "set", CAROL, "answer-refresh",
                            "yes")
        f2 = "<f2.%s>" % UID
        raw = to_attendee("REFRESH", BOB, "20261123T110000Z", f2, times=None)
        self.assertEqual(self.pf.send(BOB, [CAROL], raw).code, 250)

        def resent(ms):
            return [x for x in ms if x["Delivered-To"] == BOB and
                    x["X-iMIP-Generated"] == "refresh" and
                    x["In-Reply-To"] == f2]
        m = resent(self.pf.wait_for(lambda ms: resent(ms), 20,
                                    "the REQUEST sent again"))[0]
        self.assertEqual(m["From"].addresses[0].addr_spec, CAROL)
        cal = [p for p in m.walk()
               if p.get_content_type() == "text/calendar"][0]
        self.assertEqual(cal.get_param("method"), "REQUEST")
        text = cal.get_content()
        self.assertIn("METHOD:REQUEST", text)
        self.assertIn("UID:" + UID, text)
        self.assertIn("SUMMARY:Team", text)

    def test_4_summary_part_in_front_of_an_unsigned_invitation(self):
        uid = "clash-%d@example.com" % os.getpid()
        msgid, raw = request(uid, day(2, "09:45"), day(2, "10:15"),
                             subject="Clash", to=(CAROL,), rooms=(),
                             people=((CAROL, "Carol"),))
        self.assertEqual(self.pf.send(ALICE, [CAROL], raw).code, 250)
        msgs = self.pf.wait_for(lambda ms: delivered(ms, msgid, CAROL), 20,
                                "the clashing invitation")
        self.check_clash_note(delivered(msgs, msgid, CAROL)[0], CAROL,
                              "Team", uid)


if __name__ == "__main__":
    mta.main()
