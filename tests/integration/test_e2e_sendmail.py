#!/usr/bin/env python3
"""End-to-end through a real Sendmail: a private Sendmail 8.17 on loopback
(tests/integration/sendmail.py) with imip-milter hooked in by the shipped
conf/sendmail/imip-milter.mc, relaying every message to an SMTP sink in
this process.  The room's replies leave through sendmail(1) - Sendmail's
MSP - and re-enter the MTA over SMTP, so they pass the filter as well.

The scenarios of e2e.py, which test_e2e_postfix.py runs through Postfix,
plus what differs between MTAs at the milter protocol: Sendmail's queue
id in the filter's log and journal, recipient removal (delivery consume),
removal of forged result headers, a new body and Content-Type (a person's
clash note, summary_part), and F=T when the filter is down.

Run:  sudo python3 tests/integration/test_e2e_sendmail.py -v
Needs the Sendmail packages tools/bootstrap unpacks (state/sendmail, or
$IMIP_SENDMAIL_DIR); exit status 77 (meson: SKIP) without them or root.
Set IMIP_TEST_KEEP=1 to keep the temporary directories for a post-mortem
(DIR/sendmail/log/traffic holds every SMTP line the daemon exchanged).
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mta  # noqa: E402
import sendmail  # noqa: E402
from e2e import (  # noqa: E402
    BOOKING, BookingScenarios, E2ECase, OutboxRestartScenarios,
    PassThroughScenarios)
from itip import (  # noqa: E402
    ALICE, BOB, ROOM_A, ROOM_B, RUN, day, delivered, headers, request)

PAT = "pat@example.org"         # a person whose calendar the filter keeps


class SendmailCase(E2ECase):
    """E2ECase on a private Sendmail (sendmail.Stack); self.sm is the
    Sendmail, whose messages() are those its sink took."""

    trace_headers = ("return-path", "delivered-to", "received")

    @classmethod
    def make_stack(cls):
        return sendmail.Stack(rooms=cls.rooms, extra_conf=cls.milter_conf)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sm = cls.mta

    def journal(self, qid):
        return self.milter.query(
            "SELECT calendar, uid, method, decision FROM journal "
            "WHERE queue_id = ? ORDER BY id", (qid,))


class SendmailBooking(BookingScenarios, SendmailCase):
    """The booking scenarios, and consume delivery, forged result headers
    and a person's clash note.  Every test uses its own day of next year's
    March: the order does not matter."""

    milter_conf = {"summary_part": "yes"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.milter.add_calendar(PAT, "Pat", kind="person")

    def check_request_filed(self, inv, uid):
        # The filter logged and journaled it under the queue id Sendmail
        # gave the message (macro i, sent with MAIL FROM).
        self.assertIsNotNone(self.last_qid)
        self.assertEqual(sendmail.queue_id(inv), self.last_qid)
        self.assertIn("%s: %s REQUEST uid=%s" % (self.last_qid, ROOM_A, uid),
                      self.new_log())
        self.assertEqual(self.journal(self.last_qid),
                         [(ROOM_A, uid, "REQUEST", "ACCEPTED")])

    def check_reply_filtered(self, rep):
        # The reply went sendmail(1) -> MSP -> SMTP -> the MTA, which ran
        # the filter on it under the queue id of its Received header.
        qid = sendmail.queue_id(rep.msg)
        self.assertIsNotNone(qid, "no queue id in %r" %
                             rep.msg.get_all("Received"))
        self.assertNotEqual(qid, self.last_qid)
        self.assertIn(qid + ":", self.new_log(),
                      "the milter never saw the reply (queue id %s)" % qid)
        self.assertEqual(len(rep.msg.get_all("Received")), 2,
                         "MSP and MTA: %r" % rep.msg.get_all("Received"))

    def test_g_consume_takes_the_room_out_of_the_recipients(self):
        """smfi_delrcpt as Sendmail understands it: the room's copy goes,
        Bob's stays; to the room alone the message is discarded."""
        self.milter.imipctl("calendar", "set", ROOM_B, "delivery", "consume")
        try:
            uid = "sg1-%s@example.com" % RUN
            msgid, raw = request(uid, day(6, "09:00"), day(6, "10:00"),
                                 to=(ROOM_B, BOB),
                                 rooms=((ROOM_B, "Room B"),))
            inv = self.submit(msgid, raw, rcpts=(ROOM_B, BOB))
            self.assertEqual(self.decision(inv, ROOM_B)["decision"],
                             "ACCEPTED")
            self.wait_reply(uid, sender=ROOM_B)

            uid2 = "sg2-%s@example.com" % RUN
            msgid2, raw2 = request(uid2, day(7, "09:00"), day(7, "10:00"),
                                   to=(ROOM_B,), rooms=((ROOM_B, "Room B"),),
                                   people=())
            self.assertEqual(self.sm.send(ALICE, [ROOM_B], raw2).code, 250)
            (rep,) = self.wait_reply(uid2, sender=ROOM_B)
            self.assertEqual(rep.partstat(ROOM_B), "ACCEPTED")
            self.settle()
            msgs = self.sm.messages()
            self.assertEqual(delivered(msgs, msgid, ROOM_B), [])
            self.assertEqual(len(delivered(msgs, msgid, BOB)), 1)
            self.assertEqual(delivered(msgs, msgid2), [])
            self.assertEqual(len(self.schedule_rows(uid2)), 1)
        finally:
            self.milter.imipctl("calendar", "set", ROOM_B, "delivery",
                                "deliver")
        self.assertNoErrorLines(self.new_log())

    def test_h_forged_result_headers_are_replaced(self):
        """smfi_chgheader by index as Sendmail counts them: two forged
        X-iMIP-Schedule headers go, only the filter's own arrives; a plain
        mail loses its forged one too."""
        uid = "sh-%s@example.com" % RUN
        forged = "%s method=REQUEST uid=%s decision=ACCEPTED status=2.0" % (
            ROOM_A, uid)
        msgid, raw = request(uid, day(11, "09:00"), day(11, "10:00"))
        head, body = raw.split(b"\r\n\r\n", 1)
        raw = (headers([("X-iMIP-Schedule", forged + " forged=1")]).encode()
               + head + b"\r\n" +
               headers([("X-iMIP-Schedule", forged + " forged=2")]).encode()
               + b"\r\n" + body)
        # The slot is taken, so a surviving forgery would show ACCEPTED.
        busy, braw = request("sh-busy-%s@example.com" % RUN, day(11, "09:00"),
                             day(11, "10:00"), subject="Was there first")
        self.assertEqual(self.decision(self.submit(busy, braw))["decision"],
                         "ACCEPTED")
        inv = self.submit(msgid, raw)
        got = [str(h) for h in inv.get_all("X-iMIP-Schedule")]
        self.assertEqual(len(got), 1, got)
        self.assertNotIn("forged", got[0])
        self.assertEqual(self.decision(inv)["decision"], "DECLINED")

        plain_id = "<sh-plain.%s@example.com>" % RUN
        plain = (headers([("From", "Alice <%s>" % ALICE), ("To", ROOM_A),
                          ("Subject", "Booked, see header"),
                          ("Message-ID", plain_id),
                          ("X-iMIP-Schedule", forged)]) +
                 "\r\nNothing to see here.\r\n")
        m = self.submit(plain_id, plain, rcpts=[ROOM_A], wait_rcpt=ROOM_A)
        self.assertIsNone(m["X-iMIP-Schedule"], m.get_all("X-iMIP-Schedule"))
        self.assertTrue(m.raw.endswith(b"\r\n\r\nNothing to see here.\r\n"))
        self.assertNoErrorLines(self.new_log())

    def test_i_clash_note_goes_in_front_of_the_body(self):
        """summary_part through Sendmail: the body replaced
        (smfi_replacebody), Content-Type changed and
        Content-Transfer-Encoding removed at the top."""
        # Pat's own meeting, submitted with sendmail(1) (the MSP) from
        # this host: it becomes Pat's busy time.
        own = "si1-%s@example.org" % RUN
        id1, raw1 = request(own, day(13, "09:00"), day(13, "10:00"),
                            subject="Review", to=(BOB,), rooms=(),
                            people=((BOB, "Bob"),), organizer=(PAT, "Pat"))
        self.sm.sendmail(PAT, [BOB], raw1)
        msgs = self.sm.wait_for(lambda ms: delivered(ms, id1, BOB), 20,
                                "Pat's invitation")
        self.assertEqual(
            self.decision(delivered(msgs, id1, BOB)[0], PAT)["decision"],
            "RECORDED")

        uid = "si2-%s@example.com" % RUN
        msgid, raw = request(uid, day(13, "09:45"), day(13, "10:15"),
                             subject="Clash", to=(PAT,), rooms=(),
                             people=((PAT, "Pat"),))
        m = self.submit(msgid, raw, rcpts=[PAT], wait_rcpt=PAT)
        self.check_clash_note(m, PAT, "Review", uid)
        # Sendmail changed the Content-Type in place: there is one.
        self.assertEqual(m.get_all("Content-Type"), [m["Content-Type"]])
        self.assertNoErrorLines(self.new_log())


class SendmailPassThrough(PassThroughScenarios, SendmailCase):

    def check_untouched_filed(self, m, uid):
        self.assertEqual(self.journal(self.last_qid), [])

    def check_malformed_filed(self, m, raw, log):
        # Delivered as sent, except that Sendmail ends a message cut off
        # inside its multipart with the close-delimiter.
        self.assertIn(raw, m.raw, "message changed")
        self.assertIn(m.raw[m.raw.index(raw) + len(raw):],
                      (b"", b"--%s--\r\n" % m.get_boundary().encode()))
        # Journaled under its queue id, and not as a booking.
        self.assertIn(self.last_qid + ":", log)
        rows = self.journal(self.last_qid)
        self.assertEqual([r[0] for r in rows], [ROOM_A],
                         "journal rows: %r" % rows)
        self.assertNotIn(rows[0][3], BOOKING)


class SendmailMilterDown(SendmailCase):
    """F=T from conf/sendmail/imip-milter.mc: while the filter is down,
    Sendmail answers MAIL with a temporary failure and takes nothing."""

    rooms = [(ROOM_A, "Room A")]

    def test_unreachable_milter_defers_mail_until_it_is_back(self):
        uid = "sdown-%s@example.com" % RUN
        msgid, raw = request(uid, day(12, "09:00"), day(12, "10:00"))
        self.milter.stop()
        try:
            r = self.sm.send(ALICE, [ROOM_A, BOB], raw)
            self.assertEqual((r.code, r.text.split()[0]), (451, "4.3.2"),
                             "answer with the milter down: %r" % (r,))
            time.sleep(1)
            self.assertEqual(self.sm.messages(), [])
            self.assertEqual(self.sm.queued(), [])
        finally:
            self.milter.start()
        self.assertEqual(self.schedule_rows(uid), [])
        # What the client does next: try again.
        inv = self.submit(msgid, raw)
        self.assertEqual(self.decision(inv)["decision"], "ACCEPTED")
        (rep,) = self.wait_reply(uid)
        self.check_reply(rep, msgid, uid, "ACCEPTED", "2.0")
        self.assertEqual(len(self.schedule_rows(uid)), 1)


class SendmailOutboxSurvivesRestart(OutboxRestartScenarios, SendmailCase):
    pass


if __name__ == "__main__":
    mta.main(sendmail.harness_problem)
