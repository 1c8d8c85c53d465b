#!/usr/bin/env python3
"""End-to-end through a real Sendmail: a private Sendmail 8.17 on loopback
(tests/integration/sendmail.py) with imip-milter hooked in by the shipped
conf/sendmail/imip-milter.mc, relaying every message to an SMTP sink in
this process.  The room's replies leave through sendmail(1) - Sendmail's
MSP - and re-enter the MTA over SMTP, so they pass the filter as well.

The scenarios of test_e2e_postfix.py, plus what differs between MTAs at
the milter protocol: Sendmail's queue id in the filter's log, recipient
removal (delivery consume), removal of forged result headers, a new body
and Content-Type (a person's clash note, summary_part), and F=T when the
filter is down.

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
from e2e import BOOKING, WARNING_RE, E2ECase  # noqa: E402
from itip import (  # noqa: E402
    ALICE, BOB, CAROL, ROOM_A, ROOM_B, RUN, cancel, day, delivered, headers,
    invitation, replies, request, schedule_headers, vcalendar)

PAT = "pat@example.org"         # a person whose calendar the filter keeps


class SendmailCase(E2ECase):
    """E2ECase on a private Sendmail (sendmail.Stack): self.sm is the
    Sendmail, self.sink the sink it relays everything to."""

    @classmethod
    def make_stack(cls):
        return sendmail.Stack(rooms=cls.rooms, extra_conf=cls.milter_conf)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sm = cls.mta
        cls.sink = cls.sm.sink

    def journal(self, qid):
        return self.milter.query(
            "SELECT calendar, uid, method, decision FROM journal "
            "WHERE queue_id = ? ORDER BY id", (qid,))


class SendmailBooking(SendmailCase):
    """Requests, conflicts, cancels, the loop guard, consume delivery,
    forged result headers and a person's clash note.  Every test uses its
    own day of next year's March: the order does not matter."""

    milter_conf = {"summary_part": "yes"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.milter.imipctl("calendar", "add", PAT, "--kind", "person",
                           "--name", "Pat", "--tz", "Europe/Berlin")

    def test_a_request_is_accepted_and_answered(self):
        uid = "sa-%s@example.com" % RUN
        msgid, raw = request(uid, day(1, "09:00"), day(1, "10:00"),
                             subject="Quartalsplanung – Größe & Maß")
        inv = self.submit(msgid, raw)
        h = self.decision(inv)
        self.assertEqual((h.get("method"), h.get("uid"), h.get("decision"),
                          h.get("status")),
                         ("REQUEST", uid, "ACCEPTED", "2.0"))
        self.assertEqual(len(schedule_headers(inv)), 1,
                         "only Room A is invited")
        # The filter logged under the queue id Sendmail gave the message
        # (macro i, sent with MAIL FROM).
        self.assertIsNotNone(self.last_qid)
        self.assertEqual(sendmail.queue_id(inv), self.last_qid)
        self.assertIn("%s: %s REQUEST uid=%s" % (self.last_qid, ROOM_A, uid),
                      self.new_log())

        (rep,) = self.wait_reply(uid)
        self.check_reply(rep, msgid, uid, "ACCEPTED", "2.0")
        self.assertEqual(rep.request_status[0].split(";")[:2],
                         ["2.0", "Success"])
        self.assertEqual(self.schedule_rows(uid),
                         [(ROOM_A, day(1, "09:00") + ":00",
                           day(1, "10:00") + ":00", ALICE)])
        self.assertEqual(self.journal(self.last_qid),
                         [(ROOM_A, uid, "REQUEST", "ACCEPTED")])
        self.assertNoErrorLines(self.new_log())

    def test_b_overlap_is_declined(self):
        uid1 = "sb1-%s@example.com" % RUN
        uid2 = "sb2-%s@example.com" % RUN
        id1, raw1 = request(uid1, day(2, "09:00"), day(2, "10:00"),
                            cte="base64")
        self.assertEqual(self.decision(self.submit(id1, raw1))["decision"],
                         "ACCEPTED")
        self.wait_reply(uid1)

        id2, raw2 = request(uid2, day(2, "09:30"), day(2, "10:30"),
                            subject="Competing meeting")
        h = self.decision(self.submit(id2, raw2))
        self.assertEqual((h.get("method"), h.get("uid"), h.get("decision"),
                          h.get("status")),
                         ("REQUEST", uid2, "DECLINED", "4.0"))
        (rep,) = self.wait_reply(uid2)
        self.check_reply(rep, id2, uid2, "DECLINED", "4.0")
        self.assertEqual(len(self.schedule_rows(uid1)), 1)
        self.assertEqual(self.schedule_rows(uid2), [])
        self.assertNoErrorLines(self.new_log())

    def test_c_cancel_frees_the_slot(self):
        uid1 = "sc1-%s@example.com" % RUN
        uid2 = "sc2-%s@example.com" % RUN
        slot = (day(3, "14:00"), day(3, "15:30"))
        id1, raw1 = request(uid1, *slot)
        self.assertEqual(self.decision(self.submit(id1, raw1))["decision"],
                         "ACCEPTED")
        self.wait_reply(uid1)

        idc, rawc = cancel(uid1, *slot)
        h = self.decision(self.submit(idc, rawc))
        self.assertEqual((h.get("method"), h.get("uid"), h.get("decision")),
                         ("CANCEL", uid1, "CANCELLED"))
        self.assertEqual(self.schedule_rows(uid1), [])

        id2, raw2 = request(uid2, *slot, subject="Takes the freed slot")
        h = self.decision(self.submit(id2, raw2))
        self.assertEqual((h.get("decision"), h.get("status")),
                         ("ACCEPTED", "2.0"))
        (rep,) = self.wait_reply(uid2)
        self.check_reply(rep, id2, uid2, "ACCEPTED", "2.0")
        self.assertEqual(self.schedule_rows(uid2),
                         [(ROOM_A, day(3, "14:00") + ":00",
                           day(3, "15:30") + ":00", ALICE)])
        # A CANCEL is not answered: uid1 keeps its one ACCEPTED reply.
        self.assertEqual(len(replies(self.sink.messages(), uid1, ROOM_A)), 1)
        self.assertNoErrorLines(self.new_log())

    def test_f_reply_passes_the_filter_and_is_not_answered(self):
        uid = "sf-%s@example.com" % RUN
        msgid, raw = request(uid, day(4, "08:00"), day(4, "08:30"))
        self.assertEqual(self.decision(self.submit(msgid, raw))["decision"],
                         "ACCEPTED")
        (rep,) = self.wait_reply(uid)

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

        self.settle()
        self.assertEqual(len(replies(self.sink.messages(), uid)), 1,
                         "REPLY messages for %s" % uid)
        self.assertEqual(self.outbox_rows(uid), 1, "outbox rows for " + uid)
        self.assertEqual([h for h in schedule_headers(rep.msg)
                          if h.get("decision") in BOOKING], [],
                         "booking decisions on the reply")

        # Even handed to the room itself, the room's own reply is not
        # answered and books nothing.
        trace = (b"return-path", b"delivered-to", b"received")
        head, body = rep.msg.raw.split(b"\r\n\r\n", 1)
        kept, skip = [], False
        for line in head.split(b"\r\n"):
            if line[:1] in (b" ", b"\t"):
                if not skip:
                    kept.append(line)
                continue
            skip = line.split(b":", 1)[0].lower() in trace
            if not skip:
                kept.append(line)
        again = b"\r\n".join(kept) + b"\r\n\r\n" + body
        rows = self.schedule_rows(uid)
        got = self.submit(str(rep.msg["Message-ID"]), again,
                          rcpts=[ROOM_A], sender=ROOM_A, wait_rcpt=ROOM_A)
        self.assertEqual([h for h in schedule_headers(got)
                          if h.get("decision") in BOOKING], [],
                         "booking decisions on the reflected reply")
        self.settle()
        self.assertEqual(len(replies(self.sink.messages(), uid)), 2,
                         "REPLY messages for %s (the reply and its "
                         "reflection)" % uid)
        self.assertEqual(self.outbox_rows(uid), 1, "outbox rows for " + uid)
        self.assertEqual(self.schedule_rows(uid), rows)
        self.assertNoErrorLines(self.new_log())

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
            msgs = self.sink.messages()
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
        self.assertEqual(self.decision(m, PAT)["decision"], "RECORDED")
        self.assertIn("Review", str(m["X-iMIP-Conflicts"]))
        self.assertEqual(m.get_content_type(), "multipart/mixed")
        self.assertEqual(m.get_all("Content-Type"), [m["Content-Type"]])
        self.assertIsNone(m["Content-Transfer-Encoding"])
        note, original = m.get_payload()
        self.assertEqual(note.get_content_type(), "text/plain")
        self.assertIn("%s: this invitation clashes with \"Review\"" % PAT,
                      note.get_content())
        self.assertEqual(original.get_content_type(),
                         "multipart/alternative")
        cal = [p for p in original.walk()
               if p.get_content_type() == "text/calendar"]
        self.assertEqual(len(cal), 1)
        self.assertIn("UID:" + uid, cal[0].get_content())
        self.assertNoErrorLines(self.new_log())

    def test_z_whole_log_has_no_errors(self):
        log = self.milter.log()
        self.assertTrue(log.strip(), "milter log is empty")
        self.assertNoErrorLines(log)


class SendmailPassThrough(SendmailCase):
    """Mail that must not be touched: no calendar, no managed party, and
    calendar data too broken to act on."""

    rooms = [(ROOM_A, "Room A")]

    def test_d_plain_mail_is_unchanged(self):
        msgid = "<plain.%s@example.net>" % RUN
        body = ("Hi Room A people,\r\n"
                "\r\n"
                ".a line starting with a dot\r\n"
                "..two dots\r\n"
                "From the start of a line\r\n"
                "trailing blanks   \r\n"
                "tab\tseparated\tvalues\t\r\n"
                "Grüße, Ünïcødé ✓\r\n"
                "BEGIN:VCALENDAR (not really)\r\n"
                + "x" * 900 + "\r\n"
                "\r\n"
                "-- \r\n"
                "Carol\r\n")
        raw = (headers([
            ("From", "Carol <%s>" % CAROL),
            ("To", ROOM_A),
            ("Subject", "Coffee machine in Room A"),
            ("Date", "Mon, 01 Mar 2027 08:00:00 +0000"),
            ("Message-ID", msgid),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=UTF-8"),
            ("Content-Transfer-Encoding", "8bit"),
        ]) + "\r\n" + body).encode("utf-8")
        m = self.submit(msgid, raw, rcpts=[ROOM_A], sender=CAROL,
                        wait_rcpt=ROOM_A)
        self.assertIsNone(m["X-iMIP-Schedule"])
        # Byte for byte after Sendmail's Received header (and the sink's
        # Return-Path and Delivered-To).
        self.assertEqual(m.raw.split(b"\r\n\r\n", 1)[1],
                         raw.split(b"\r\n\r\n", 1)[1])
        self.assertTrue(m.raw.endswith(raw),
                        "message changed:\n%r" % m.raw[:700])
        self.assertNoErrorLines(self.new_log())

    def test_d_invitation_without_managed_party_is_untouched(self):
        uid = "snobody-%s@example.com" % RUN
        msgid, raw = request(uid, day(5, "09:00"), day(5, "10:00"),
                             rooms=(), to=(BOB,))
        m = self.submit(msgid, raw, rcpts=[BOB])
        self.assertIsNone(m["X-iMIP-Schedule"])
        self.assertTrue(m.raw.endswith(raw),
                        "message changed:\n%r" % m.raw[:800])
        self.assertEqual(self.schedule_rows(uid), [])
        self.assertEqual(self.journal(self.last_qid), [])
        self.assertNoErrorLines(self.new_log())

    def test_e_malformed_calendar_data_is_delivered_and_journaled(self):
        cases = []
        uid = "se1-%s@example.com" % RUN
        ical = vcalendar("REQUEST", uid, day(8, "09:00"),
                         day(8, "10:00"), truncate_after="DTEND")
        cases.append(("truncated calendar", uid, b"END:VEVENT") +
                     invitation(uid, "REQUEST", ical, "Truncated"))
        uid = "se2-%s@example.com" % RUN
        ical = vcalendar("REQUEST", uid, day(9, "09:00"),
                         day(9, "10:00"), omit=("DTSTART",))
        cases.append(("VEVENT without DTSTART", uid, b"DTSTART") +
                     invitation(uid, "REQUEST", ical, "No start"))
        uid = "se3-%s@example.com" % RUN
        ical = vcalendar("REQUEST", uid, day(10, "09:00"),
                         day(10, "10:00"))
        cases.append(("multipart without its end boundary", uid,
                      b"--\r\n") +
                     invitation(uid, "REQUEST", ical, "Cut off",
                                close_boundary=False,
                                cut_body_at="END:VEVENT"))

        for name, uid, absent, msgid, raw in cases:
            with self.subTest(case=name):
                self.assertNotIn(absent, raw)   # really broken
                before = self.milter.counts()
                mark = len(self.milter.log())
                m = self.submit(msgid, raw)
                self.assertEqual(
                    [h for h in schedule_headers(m) if "decision" in h], [],
                    "X-iMIP-Schedule: %r" % m.get_all("X-iMIP-Schedule"))
                # Delivered as sent, except that Sendmail ends a message
                # cut off inside its multipart with the close-delimiter.
                self.assertIn(raw, m.raw, "message changed")
                self.assertIn(m.raw[m.raw.index(raw) + len(raw):],
                              (b"", b"--%s--\r\n" %
                               m.get_boundary().encode()))
                self.assertEqual(self.milter.counts(), before)
                self.assertEqual(self.schedule_rows(uid), [])
                log = self.milter.log()[mark:]
                self.assertTrue(WARNING_RE.search(log),
                                "no warning logged for %s:\n%s" %
                                (name, log[-2000:]))
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
            self.assertEqual(self.sink.messages(), [])
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


class SendmailOutboxSurvivesRestart(SendmailCase):
    """A reply sendmail(1) would not take stays in the outbox and is sent
    exactly once, through Sendmail, by the next imip-milter process."""

    rooms = [(ROOM_A, "Room A")]
    milter_conf = {"outbox_retry_seconds": "1"}

    @classmethod
    def configure(cls, stack):
        cls.real_sendmail = stack.milter.sendmail_path
        stack.milter.sendmail_path = "/bin/false"

    def outbox(self):
        return self.milter.query(
            "SELECT attempts, last_error IS NOT NULL, sent IS NOT NULL, "
            "failed IS NOT NULL FROM outbox")

    def test_pending_reply_is_sent_after_a_restart(self):
        uid = "srestart-%s@example.com" % RUN
        msgid, raw = request(uid, day(20, "09:00"), day(20, "10:00"))
        self.assertEqual(self.decision(self.submit(msgid, raw))["decision"],
                         "ACCEPTED")
        self.assertTrue(mta._wait(lambda: self.outbox() and
                                  self.outbox()[0][0] >= 1, 20),
                        "no failed attempt: %r" % self.outbox())
        (attempts, has_error, sent, failed), = self.outbox()
        self.assertEqual((has_error, sent, failed), (1, 0, 0))

        self.milter.stop()
        self.milter.sendmail_path = self.real_sendmail
        self.milter.start()
        (rep,) = self.wait_reply(uid)
        self.check_reply(rep, msgid, uid, "ACCEPTED", "2.0")
        self.settle()           # a duplicate would arrive by now
        self.assertEqual(len(replies(self.sink.messages(), uid, ROOM_A)), 1)
        (_, _, sent, failed), = self.outbox()
        self.assertEqual((sent, failed), (1, 0))


if __name__ == "__main__":
    mta.main(sendmail.harness_problem)
