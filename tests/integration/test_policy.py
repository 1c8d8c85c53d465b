#!/usr/bin/env python3
"""End-to-end policy and trust: approval by a delegate, forged approvals,
external organizers, forged local organizers, consumed requests, and
on_policy_refusal = quarantine switched on by a SIGUSR1 reload - through a
real Postfix and the real imip-milter.

Postfix lets the test speak XCLIENT (smtpd_authorized_xclient_hosts), so a
session from 127.0.0.1 can present itself as an outside client
(ADDR=203.0.113.9, not in the milter's internal_networks) and, when a test
says so, as logged in with SASL (LOGIN=...): the milter then sees the
{client_addr} and {auth_authen} macros a real submission would give it.

Run:  sudo python3 tests/integration/test_policy.py -v
Exit status 77 (meson: SKIP) when the machine cannot run a private Postfix.
"""

import os
import signal
import smtplib
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mta  # noqa: E402
from e2e import E2EBase  # noqa: E402
from itip import (  # noqa: E402
    ALICE, BOB, ROOM_A, ROOM_B, calendar_texts, day, delivered, invitation,
    props, replies, request, unfold)

DAVE = "dave@example.org"
OUTSIDE = "203.0.113.9"


def send_as(pf, mail_from, rcpts, raw, addr=OUTSIDE, login=None):
    """One SMTP transaction presented by XCLIENT as coming from addr
    (and logged in as login).  Returns the DATA reply code."""
    with smtplib.SMTP("127.0.0.1", pf.port, local_hostname="client.test",
                      timeout=60) as s:
        s.ehlo()
        attrs = "ADDR=%s NAME=[UNAVAILABLE]" % addr
        if login:
            attrs += " LOGIN=%s" % login
        code, text = s.docmd("XCLIENT", attrs)
        if code != 220:
            raise mta.HarnessError("XCLIENT refused: %d %r" % (code, text))
        s.ehlo()
        code, _ = s.mail(mail_from)
        assert code == 250, code
        for r in rcpts:
            s.rcpt(r)
        code, _ = s.data(raw)
        return code


def approval_reply(token_addr, uid, who, partstat, msgid):
    """What a delegate's calendar sends back to the approval address."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
             "METHOD:REPLY", "BEGIN:VEVENT", "UID:" + uid,
             "DTSTAMP:20261118T100000Z", "SEQUENCE:0",
             "DTSTART:20270303T090000Z", "DTEND:20270303T100000Z",
             "ORGANIZER:mailto:" + token_addr,
             "ATTENDEE;PARTSTAT=%s:mailto:%s" % (partstat, who),
             "END:VEVENT", "END:VCALENDAR"]
    ical = "\r\n".join(lines) + "\r\n"
    _, raw = invitation(uid, "REPLY", ical, "Approval", to=(token_addr,),
                        msgid=msgid, organizer=(who, "Delegate"))
    return raw


class PolicyFlow(E2EBase):
    postfix_main = {"smtpd_authorized_xclient_hosts": "127.0.0.0/8",
                    "recipient_delimiter": "+"}
    milter_conf = {"internal_networks": "192.0.2.0/24"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.milter.imipctl("calendar", "set", ROOM_A, "booking", "approval")
        cls.milter.imipctl("calendar", "set", ROOM_A, "delegates", DAVE)

    def header(self, msgid, rcpt, calendar=ROOM_A):
        msgs = self.pf.wait_for(lambda ms: delivered(ms, msgid, rcpt), 20,
                                "delivery of %s to %s" % (msgid, rcpt))
        return self.decision(delivered(msgs, msgid, rcpt)[0], calendar)

    def approval_question(self):
        """The invitation the delegate got: (token address, UID)."""
        def found(ms):
            return [m for m in ms if m["Delivered-To"] == DAVE and
                    m["X-iMIP-Generated"] == "approval"]
        msg = found(self.pf.wait_for(found, 20, "approval question"))[0]
        lines = unfold(calendar_texts(msg)[0][1])
        org = props(lines, "ORGANIZER")[0][1].split(":", 1)[1]
        return org, props(lines, "UID")[0][1]

    def event(self, uid):
        return self.milter.query(
            "SELECT e.partstat, b.fbtype FROM event e LEFT JOIN busy b "
            "ON b.event_id = e.id WHERE e.uid = ?", (uid,))

    def test_1_approval_forged_then_granted(self):
        uid = "approve-me-%s@example.com" % os.getpid()
        msgid, raw = request(uid, day(3, "09:00"), day(3, "10:00"))
        self.assertEqual(self.pf.send(ALICE, [ROOM_A, BOB], raw).code, 250)
        self.assertEqual(self.header(msgid, BOB)["decision"], "TENTATIVE")
        tentative = self.wait_reply(uid)[0]
        self.assertEqual(tentative.partstat(ROOM_A), "TENTATIVE")
        self.assertEqual(self.event(uid), [("TENTATIVE", "BUSY-TENTATIVE")])
        token_addr, quid = self.approval_question()
        self.assertRegex(token_addr, r"^room-a\+approve-[0-9a-f]{32}@")

        # Dave's address from outside, without a login: not Dave.
        forged = "<forged.%s>" % uid
        code = send_as(self.pf, DAVE, [token_addr], approval_reply(
            token_addr, quid, DAVE, "ACCEPTED", forged))
        self.assertEqual(code, 250)
        h = self.header(forged, token_addr)
        self.assertEqual(h["decision"], "REFUSED")
        self.assertEqual(self.event(uid), [("TENTATIVE", "BUSY-TENTATIVE")])

        # Dave, logged in: approved, and Alice hears it.
        real = "<approved.%s>" % uid
        code = send_as(self.pf, DAVE, [token_addr], approval_reply(
            token_addr, quid, DAVE, "ACCEPTED", real), login=DAVE)
        self.assertEqual(code, 250)
        self.assertEqual(self.header(real, token_addr)["decision"],
                         "ACCEPTED")
        final = [r for r in self.wait_reply(uid, count=2)
                 if r.partstat(ROOM_A) == "ACCEPTED"]
        self.assertEqual(len(final), 1)
        self.assertEqual(self.event(uid), [("ACCEPTED", "BUSY")])
        trust = self.milter.query(
            "SELECT decision, trust FROM journal WHERE uid = ? "
            "ORDER BY id", (quid,))
        self.assertEqual([d for d, _ in trust], ["REFUSED", "ACCEPTED"])
        self.assertIn("login=" + DAVE, trust[1][1])

    def test_2_external_organizer_refused_by_default(self):
        self.milter.imipctl("calendar", "set", ROOM_B, "external", "no")
        uid = "outsider-%s@example.com" % os.getpid()
        msgid, raw = request(uid, day(4, "09:00"), day(4, "10:00"),
                             to=(ROOM_B, BOB),
                             rooms=((ROOM_B, "Room B"),))
        self.assertEqual(self.pf.send(ALICE, [ROOM_B, BOB], raw).code, 250)
        h = self.header(msgid, BOB, ROOM_B)
        self.assertEqual((h["decision"], h["status"]), ("DECLINED", "3.8"))
        r = self.wait_reply(uid, sender=ROOM_B)[0]
        self.assertEqual(r.partstat(ROOM_B), "DECLINED")
        self.assertTrue(r.request_status[0].startswith("3.8"))
        self.assertEqual(self.event(uid), [])

    def test_3_forged_local_organizer(self):
        uid = "forged-org-%s@example.org" % os.getpid()
        org = (DAVE, "Dave")
        msgid, raw = request(uid, day(5, "09:00"), day(5, "10:00"),
                             to=(ROOM_B, BOB), rooms=((ROOM_B, "Room B"),),
                             organizer=org)
        self.assertEqual(send_as(self.pf, DAVE, [ROOM_B, BOB], raw), 250)
        self.assertEqual(self.header(msgid, BOB, ROOM_B)["decision"],
                         "REFUSED")
        self.assertEqual(self.event(uid), [])
        self.assertEqual(replies(self.pf.messages(), uid), [])
        # The same, logged in as Dave: booked.
        msgid, raw = request(uid, day(5, "09:00"), day(5, "10:00"),
                             to=(ROOM_B, BOB), rooms=((ROOM_B, "Room B"),),
                             organizer=org, msgid="<again.%s>" % uid)
        self.assertEqual(send_as(self.pf, DAVE, [ROOM_B, BOB], raw,
                                 login=DAVE), 250)
        self.assertEqual(self.header(msgid, BOB, ROOM_B)["decision"],
                         "ACCEPTED")

    def test_4_consume_removes_the_room_recipient(self):
        self.milter.imipctl("calendar", "set", ROOM_B, "delivery", "consume")
        self.milter.imipctl("calendar", "set", ROOM_B, "external", "yes")
        try:
            uid = "consumed-%s@example.com" % os.getpid()
            msgid, raw = request(uid, day(6, "09:00"), day(6, "10:00"),
                                 to=(ROOM_B, BOB),
                                 rooms=((ROOM_B, "Room B"),))
            self.assertEqual(self.pf.send(ALICE, [ROOM_B, BOB], raw).code,
                             250)
            self.assertEqual(self.header(msgid, BOB, ROOM_B)["decision"],
                             "ACCEPTED")
            # Sent to the room alone: booked, answered, and discarded.
            uid2 = "consumed2-%s@example.com" % os.getpid()
            msgid2, raw = request(uid2, day(7, "09:00"), day(7, "10:00"),
                                  to=(ROOM_B,), rooms=((ROOM_B, "Room B"),),
                                  people=())
            self.assertEqual(self.pf.send(ALICE, [ROOM_B], raw).code, 250)
            self.wait_reply(uid2, sender=ROOM_B)
            self.pf.wait_for(lambda ms: self.pf.queue_empty(), 20,
                             "an empty queue")
            msgs = self.pf.messages()
            self.assertEqual(delivered(msgs, msgid, ROOM_B), [])
            self.assertEqual(delivered(msgs, msgid2), [])
            self.assertIn("milter-discard", self.pf.maillog())
        finally:
            self.milter.imipctl("calendar", "set", ROOM_B, "delivery",
                                "deliver")

    def test_5_quarantine_after_a_reload(self):
        """on_policy_refusal = quarantine, set while the milter runs."""
        m = self.milter
        m.extra_conf["on_policy_refusal"] = "quarantine"
        m.write_config()
        mark = len(m.log())
        m.proc.send_signal(signal.SIGUSR1)
        self.pf.wait_for(lambda ms: "configuration reloaded" in
                         m.log()[mark:], 20, "the reload")
        uid = "held-%s@example.org" % os.getpid()
        msgid, raw = request(uid, day(8, "09:00"), day(8, "10:00"),
                             to=(ROOM_B, BOB), rooms=((ROOM_B, "Room B"),),
                             organizer=(DAVE, "Dave"))
        self.assertEqual(send_as(self.pf, DAVE, [ROOM_B, BOB], raw), 250)
        self.pf.wait_for(lambda ms: "milter-hold" in self.pf.maillog(), 20,
                         "the message put on hold")
        self.assertEqual(delivered(self.pf.messages(), msgid), [])
        self.assertEqual(self.event(uid), [])


if __name__ == "__main__":
    mta.main()
