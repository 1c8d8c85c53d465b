#!/usr/bin/env python3
"""End-to-end: a private Postfix on loopback with imip-milter as its
smtpd_milters and non_smtpd_milters; the room's replies re-enter Postfix
through sendmail(1) and land in the same Maildir as everything else.

Run:  sudo python3 tests/integration/test_e2e_postfix.py -v
Binaries come from $IMIP_MILTER / $IMIPCTL or build/.  Exit status 77
(meson: SKIP) when the machine cannot run a private Postfix (not root).
Set IMIP_TEST_KEEP=1 to keep the temporary directories for a post-mortem.
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mta  # noqa: E402
from e2e import BOOKING, WARNING_RE, E2EBase  # noqa: E402
from itip import (  # noqa: E402
    ALICE, BOB, CAROL, ROOM_A, RUN, cancel, day, headers, invitation,
    replies, request, schedule_headers, vcalendar)
# tests/bench/throughput.py imports these from here, not from itip.
from itip import (  # noqa: E402,F401
    ALICE, BOB, CAROL, ROOM_A, ROOM_B, headers, replies, request)


class BookingFlow(E2EBase):
    """Requests, conflicts, cancels and the loop guard for Room A.  Every
    test uses its own day in next year's March: the order does not matter."""

    def test_a_request_is_accepted_and_answered(self):
        uid = "a-%s@example.com" % RUN
        msgid, raw = request(uid, day(1, "09:00"), day(1, "10:00"),
                             subject="Quartalsplanung – Größe & Maß")
        inv = self.submit(msgid, raw)
        h = self.decision(inv)
        self.assertEqual((h.get("method"), h.get("uid"), h.get("decision"),
                          h.get("status")),
                         ("REQUEST", uid, "ACCEPTED", "2.0"))
        self.assertEqual(schedule_headers(inv)[0]["calendar"], ROOM_A)
        self.assertEqual(len(schedule_headers(inv)), 1,
                         "only Room A is invited")

        (rep,) = self.wait_reply(uid)
        self.check_reply(rep, msgid, uid, "ACCEPTED", "2.0")
        self.assertEqual(rep.request_status[0].split(";")[:2],
                         ["2.0", "Success"])

        self.assertEqual(self.schedule_rows(uid),
                         [(ROOM_A, day(1, "09:00") + ":00",
                           day(1, "10:00") + ":00", ALICE)])
        self.assertNoErrorLines(self.new_log())

    def test_b_overlap_is_declined(self):
        uid1 = "b1-%s@example.com" % RUN
        uid2 = "b2-%s@example.com" % RUN
        id1, raw1 = request(uid1, day(2, "09:00"), day(2, "10:00"),
                            cte="base64")
        inv1 = self.submit(id1, raw1)
        self.assertEqual(self.decision(inv1)["decision"], "ACCEPTED")
        self.wait_reply(uid1)

        id2, raw2 = request(uid2, day(2, "09:30"), day(2, "10:30"),
                            subject="Competing meeting")
        inv2 = self.submit(id2, raw2)
        h = self.decision(inv2)
        self.assertEqual((h.get("method"), h.get("uid"), h.get("decision"),
                          h.get("status")),
                         ("REQUEST", uid2, "DECLINED", "4.0"))
        (rep,) = self.wait_reply(uid2)
        self.check_reply(rep, id2, uid2, "DECLINED", "4.0")

        self.assertEqual(len(self.schedule_rows(uid1)), 1)
        self.assertEqual(self.schedule_rows(uid2), [])
        self.assertNoErrorLines(self.new_log())

    def test_c_cancel_frees_the_slot(self):
        uid1 = "c1-%s@example.com" % RUN
        uid2 = "c2-%s@example.com" % RUN
        slot = (day(3, "14:00"), day(3, "15:30"))
        id1, raw1 = request(uid1, *slot)
        self.assertEqual(self.decision(self.submit(id1, raw1))["decision"],
                         "ACCEPTED")
        self.wait_reply(uid1)
        self.assertEqual(len(self.schedule_rows(uid1)), 1)

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
        # A CANCEL is not answered: uid1 has exactly its one ACCEPTED reply
        # (the reply for uid2 was queued after the cancel was handled).
        self.assertEqual(len(replies(self.pf.messages(), uid1, ROOM_A)), 1)
        self.assertNoErrorLines(self.new_log())

    def test_f_reply_is_not_answered(self):
        uid = "f-%s@example.com" % RUN
        msgid, raw = request(uid, day(4, "08:00"), day(4, "08:30"))
        self.assertEqual(self.decision(self.submit(msgid, raw))["decision"],
                         "ACCEPTED")
        (rep,) = self.wait_reply(uid)

        # The reply re-entered Postfix through sendmail -> pickup ->
        # cleanup -> non_smtpd_milters: the milter saw its queue id.
        m = re.search(r"\b([0-9A-F]{6,}): message-id=%s" %
                      re.escape(str(rep.msg["Message-ID"])), self.pf.maillog())
        self.assertIsNotNone(m, "reply not found in the maillog")
        self.assertIn(m.group(1), self.new_log(),
                      "the milter never saw the reply (queue id %s)" %
                      m.group(1))

        self.settle()
        msgs = self.pf.messages()
        self.assertEqual(len(replies(msgs, uid)), 1,
                         "REPLY messages for %s" % uid)
        self.assertEqual(self.outbox_rows(uid), 1, "outbox rows for " + uid)
        self.assertEqual([h for h in schedule_headers(rep.msg)
                          if h.get("decision") in BOOKING], [],
                         "booking decisions on the reply")

        # Even handed to the room itself, the room's own reply is not
        # answered and books nothing.
        trace = ("return-path", "x-original-to", "delivered-to")
        lines = rep.msg.raw.split(b"\n")
        hdr_end = lines.index(b"")
        kept, skip = [], False
        for line in lines[:hdr_end]:
            if line[:1] in (b" ", b"\t"):
                if not skip:
                    kept.append(line)
                continue
            skip = line.split(b":", 1)[0].decode().lower() in trace
            if not skip:
                kept.append(line)
        again = b"\r\n".join(kept + lines[hdr_end:])
        rows = self.schedule_rows(uid)
        got = self.submit(str(rep.msg["Message-ID"]), again,
                          rcpts=[ROOM_A], sender=ROOM_A, wait_rcpt=ROOM_A)
        self.assertEqual([h for h in schedule_headers(got)
                          if h.get("decision") in BOOKING], [],
                         "booking decisions on the reflected reply")
        self.settle()
        self.assertEqual(len(replies(self.pf.messages(), uid)), 2,
                         "REPLY messages for %s (the reply and its "
                         "reflection)" % uid)
        self.assertEqual(self.outbox_rows(uid), 1, "outbox rows for " + uid)
        self.assertEqual(self.schedule_rows(uid), rows)
        self.assertNoErrorLines(self.new_log())

    def test_z_whole_log_has_no_errors(self):
        log = self.milter.log()
        self.assertTrue(log.strip(), "milter log is empty")
        self.assertNoErrorLines(log)


class PassThrough(E2EBase):
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
        # Maildir files have LF line ends; apart from that the message
        # (headers and body) must follow Postfix's own trace headers
        # exactly.
        want = raw.replace(b"\r\n", b"\n")
        got_body = m.raw.split(b"\n\n", 1)[1]
        self.assertEqual(got_body, want.split(b"\n\n", 1)[1])
        self.assertTrue(m.raw.endswith(want),
                        "message changed:\n%r" % m.raw[:600])
        self.assertNoErrorLines(self.new_log())

    def test_d_invitation_without_managed_party_is_untouched(self):
        uid = "nobody-%s@example.com" % RUN
        msgid, raw = request(uid, day(5, "09:00"), day(5, "10:00"),
                             rooms=(), to=(BOB,))
        m = self.submit(msgid, raw, rcpts=[BOB])
        self.assertIsNone(m["X-iMIP-Schedule"])
        self.assertTrue(m.raw.endswith(raw.replace(b"\r\n", b"\n")),
                        "message changed:\n%r" % m.raw[:800])
        self.assertEqual(self.schedule_rows(uid), [])
        self.assertNoErrorLines(self.new_log())

    def test_e_malformed_calendar_data_passes(self):
        cases = []
        uid = "e1-%s@example.com" % RUN
        ical = vcalendar("REQUEST", uid, day(8, "09:00"),
                         day(8, "10:00"), truncate_after="DTEND")
        cases.append(("truncated calendar", uid, b"END:VEVENT") +
                     invitation(uid, "REQUEST", ical, "Truncated"))
        uid = "e2-%s@example.com" % RUN
        ical = vcalendar("REQUEST", uid, day(9, "09:00"),
                         day(9, "10:00"), omit=("DTSTART",))
        cases.append(("VEVENT without DTSTART", uid, b"DTSTART") +
                     invitation(uid, "REQUEST", ical, "No start"))
        uid = "e3-%s@example.com" % RUN
        ical = vcalendar("REQUEST", uid, day(10, "09:00"),
                         day(10, "10:00"))
        # The message ends inside the calendar part: no END lines and no
        # close-delimiter of the multipart.
        cases.append(("multipart without its end boundary", uid,
                      b"--\r\n") +
                     invitation(uid, "REQUEST", ical, "Cut off",
                                close_boundary=False,
                                cut_body_at="END:VEVENT"))

        for name, uid, absent, msgid, raw in cases:
            with self.subTest(case=name):
                # the breakage really is in the message sent
                self.assertNotIn(absent, raw)
                before = self.milter.counts()
                mark = len(self.milter.log())
                m = self.submit(msgid, raw)
                self.assertEqual(
                    [h for h in schedule_headers(m) if "decision" in h], [],
                    "X-iMIP-Schedule: %r" % m.get_all("X-iMIP-Schedule"))
                self.assertEqual(self.milter.counts(), before)
                self.assertEqual(self.schedule_rows(uid), [])
                log = self.milter.log()[mark:]
                self.assertTrue(WARNING_RE.search(log),
                                "no warning logged for %s:\n%s" %
                                (name, log[-2000:]))


class OutboxSurvivesRestart(E2EBase):
    """A reply the MTA would not take stays in the outbox, is retried, and
    is sent exactly once by the next imip-milter process."""

    milter_conf = {"outbox_retry_seconds": "1"}

    @classmethod
    def configure(cls, stack):
        cls.real_sendmail = stack.milter.sendmail_path
        stack.milter.sendmail_path = "/bin/false"   # the MTA refuses replies

    def outbox(self):
        return self.milter.query(
            "SELECT attempts, last_error IS NOT NULL, sent IS NOT NULL, "
            "failed IS NOT NULL FROM outbox")

    def test_pending_reply_is_sent_after_a_restart(self):
        uid = "restart-%s@example.com" % RUN
        msgid, raw = request(uid, day(20, "09:00"), day(20, "10:00"))
        self.assertEqual(self.decision(self.submit(msgid, raw))["decision"],
                         "ACCEPTED")
        deadline = time.time() + 20
        while time.time() < deadline:
            rows = self.outbox()
            if rows and rows[0][0] >= 1:
                break
            time.sleep(0.1)
        (attempts, has_error, sent, failed), = self.outbox()
        self.assertGreaterEqual(attempts, 1)
        self.assertEqual((has_error, sent, failed), (1, 0, 0))

        self.milter.stop()
        self.milter.sendmail_path = self.real_sendmail
        self.milter.start()
        (rep,) = self.wait_reply(uid)
        self.check_reply(rep, msgid, uid, "ACCEPTED", "2.0")
        time.sleep(2)           # a duplicate would arrive by now
        self.assertEqual(len(replies(self.pf.messages(), uid, ROOM_A)), 1)
        (_, _, sent, failed), = self.outbox()
        self.assertEqual((sent, failed), (1, 0))


if __name__ == "__main__":
    mta.main()
