"""e2e.py - the end-to-end test cases, and the scenarios every MTA runs.

E2ECase starts imip-milter and an MTA (make_stack) once per class and
checks what the filter did, through the few calls every MTA of the
harness answers (mta.MTA: send, sendmail, messages, wait_for, queue_empty,
EOL): the X-iMIP-Schedule decision on a delivered invitation, the room's
REPLY, the rows in its database and the lines in its log.  E2EBase runs
it on a private Postfix; every Postfix test file builds on it.

BookingScenarios, PassThroughScenarios and OutboxRestartScenarios are
test methods written once: test_e2e_postfix.py and test_e2e_sendmail.py
mix each into their MTA's case.  What only one MTA can show (a log line
of Postfix's, a queue id in Sendmail's Received header) goes into the
hook methods those scenarios call.
"""

import re
import time
import unittest

import mta
from itip import (ALICE, BOB, CAROL, ROOM_A, ROOM_B, RUN, cancel, day,
                  delivered, headers, invitation, props, replies, request,
                  schedule_headers, vcalendar, without_headers)


ERROR_RE = re.compile(r"(^|\s)(error|fatal|panic|crit|critical|alert|emerg)"
                      r"\s*:", re.I | re.M)
# Decisions that book, refuse or free a slot (IGNORED etc. are fine on mail
# that must not be acted on).
BOOKING = ("ACCEPTED", "DECLINED", "TENTATIVE", "CANCELLED")
WARNING_RE = re.compile(r"(^|\s)warn(ing)?\s*:", re.I | re.M)


class E2ECase(unittest.TestCase):
    """A stack (make_stack) started once for the class: self.mta is its
    MTA, self.milter the filter."""

    rooms = [(ROOM_A, "Room A"), (ROOM_B, "Room B")]
    milter_conf = None          # further imip-milter.conf keys
    # Header fields the MTA's delivery puts on top of a message, left out
    # when a delivered message is sent again.
    trace_headers = ()

    @classmethod
    def make_stack(cls):
        """The mta.StackBase this class runs on, not started."""
        raise NotImplementedError

    @classmethod
    def configure(cls, stack):
        """Change the stack before it starts."""

    @classmethod
    def setUpClass(cls):
        mta.install_signal_cleanup()
        cls.stack = cls.make_stack()
        cls.configure(cls.stack)
        cls.stack.start()
        cls.mta, cls.milter = cls.stack.mta, cls.stack.milter

    @classmethod
    def tearDownClass(cls):
        st = cls.__dict__.get("stack")
        if st is not None:
            st.stop()

    def setUp(self):
        self.log_mark = len(self.milter.log())

    def new_log(self):
        return self.milter.log()[self.log_mark:]

    def assertNoErrorLines(self, text, what="milter log"):
        bad = [l for l in text.splitlines() if ERROR_RE.search(l)]
        self.assertEqual(bad, [], "%s has error lines" % what)

    def as_stored(self, raw):
        """raw (CRLF line ends) as the MTA delivers it."""
        return raw.replace(b"\r\n", self.mta.EOL)

    def submit(self, msgid, raw, rcpts=(ROOM_A, BOB), sender=ALICE,
               wait_rcpt=BOB):
        """Send by SMTP, expect 250, wait for wait_rcpt's copy; return it.
        self.last_qid: the queue id the MTA named in its answer."""
        r = self.mta.send(sender, list(rcpts), raw)
        self.assertEqual(r.code, 250, "SMTP DATA answer: %r" % (r,))
        self.last_qid = r.queue_id
        msgs = self.mta.wait_for(
            lambda ms: delivered(ms, msgid, wait_rcpt), 20,
            "delivery of %s to %s" % (msgid, wait_rcpt))
        return delivered(msgs, msgid, wait_rcpt)[0]

    def wait_reply(self, uid, count=1, sender=ROOM_A):
        msgs = self.mta.wait_for(
            lambda ms: len(replies(ms, uid, sender)) >= count, 20,
            "%d REPLY for %s from %s" % (count, uid, sender))
        return replies(msgs, uid, sender)

    def settle(self):
        """Wait until the MTA's queue and the milter's outbox are empty,
        then a little longer: whatever would loop has had its chance."""
        self.assertTrue(mta._wait(self.mta.queue_empty, 10),
                        "%s queue did not drain" % self.mta.name)
        self.assertTrue(mta._wait(lambda: self.milter.query(
            "SELECT count(*) FROM outbox WHERE sent IS NULL "
            "AND failed IS NULL")[0][0] == 0, 10), "outbox did not drain")
        time.sleep(2)
        self.assertTrue(self.mta.queue_empty(), "new mail after settling")

    def decision(self, msg, calendar=ROOM_A):
        hs = [h for h in schedule_headers(msg) if h["calendar"] == calendar]
        self.assertEqual(len(hs), 1, "X-iMIP-Schedule headers for %s: %r" %
                         (calendar, msg.get_all("X-iMIP-Schedule")))
        return hs[0]

    def schedule_rows(self, uid):
        return self.milter.query(
            "SELECT calendar, start_utc, end_utc, organizer FROM schedule "
            "WHERE uid = ? ORDER BY start_utc", (uid,))

    def outbox_rows(self, uid):
        return self.milter.query(
            "SELECT count(*) FROM outbox WHERE message LIKE ?",
            ("%" + uid + "%",))[0][0]

    def check_clash_note(self, m, person, summary, uid):
        """m, invitation uid as delivered to person, clashes with person's
        meeting summary: recorded, and summary_part put a note in front
        (a multipart/mixed of the note and the original)."""
        self.assertEqual(self.decision(m, person)["decision"], "RECORDED")
        self.assertIn(summary, str(m["X-iMIP-Conflicts"]))
        self.assertEqual(m.get_content_type(), "multipart/mixed")
        self.assertIsNone(m["Content-Transfer-Encoding"])
        note, original = m.get_payload()
        self.assertEqual(note.get_content_type(), "text/plain")
        self.assertIn("%s: this invitation clashes with \"%s\"" %
                      (person, summary), note.get_content())
        self.assertEqual(original.get_content_type(),
                         "multipart/alternative")
        cal = [p for p in original.walk()
               if p.get_content_type() == "text/calendar"]
        self.assertEqual(len(cal), 1)
        self.assertIn("UID:" + uid, cal[0].get_content())

    def check_reply(self, reply, invite_msgid, uid, partstat, status):
        m = reply.msg
        self.assertEqual(m["Delivered-To"], ALICE)
        self.assertIn(ROOM_A, str(m["From"]).lower())
        self.assertIn(ALICE, str(m["To"]).lower())
        self.assertTrue(str(m["Auto-Submitted"]).lower().startswith(
            "auto-replied"), "Auto-Submitted: %r" % m["Auto-Submitted"])
        self.assertEqual(m.get_content_type(), "multipart/alternative")
        self.assertEqual(reply.part.get_param("method", "").upper(), "REPLY")
        self.assertIn(invite_msgid, str(m["In-Reply-To"] or ""))
        self.assertEqual(reply.uid, uid)
        self.assertEqual(reply.partstat(ROOM_A), partstat,
                         "ATTENDEE lines: %r" % reply.attendees)
        self.assertEqual(len(reply.request_status), 1, reply.lines)
        self.assertEqual(reply.request_status[0].split(";")[0], status,
                         "REQUEST-STATUS:%s" % reply.request_status[0])
        orgs = props(reply.lines, "ORGANIZER")
        self.assertEqual([v.lower() for _, v in orgs], ["mailto:" + ALICE])


class E2EBase(E2ECase):
    """E2ECase on a private Postfix (mta.Stack); self.pf is the Postfix."""

    postfix_main = None         # further main.cf settings for the class
    postfix_master = None       # further master.cf lines
    trace_headers = ("return-path", "x-original-to", "delivered-to")

    @classmethod
    def make_stack(cls):
        return mta.Stack(rooms=cls.rooms, extra_main=cls.postfix_main,
                         extra_master=cls.postfix_master,
                         extra_conf=cls.milter_conf)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pf = cls.mta


# --------------------------------------------------------------------------
# scenarios for every MTA

class BookingScenarios:
    """Requests, conflicts, cancels and the loop guard for Room A.  Every
    test uses its own day in next year's March: the order does not matter.
    """

    def check_request_filed(self, inv, uid):
        """Hook: what the MTA's test shows beyond this of the accepted
        REQUEST inv, just submitted."""

    def check_reply_filtered(self, rep):
        """Hook: show that the reply rep passed the filter on its way."""
        raise NotImplementedError

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
        self.check_request_filed(inv, uid)

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
        self.assertEqual(len(replies(self.mta.messages(), uid1, ROOM_A)), 1)
        self.assertNoErrorLines(self.new_log())

    def test_f_reply_passes_the_filter_and_is_not_answered(self):
        uid = "f-%s@example.com" % RUN
        msgid, raw = request(uid, day(4, "08:00"), day(4, "08:30"))
        self.assertEqual(self.decision(self.submit(msgid, raw))["decision"],
                         "ACCEPTED")
        (rep,) = self.wait_reply(uid)
        self.check_reply_filtered(rep)

        self.settle()
        self.assertEqual(len(replies(self.mta.messages(), uid)), 1,
                         "REPLY messages for %s" % uid)
        self.assertEqual(self.outbox_rows(uid), 1, "outbox rows for " + uid)
        self.assertEqual([h for h in schedule_headers(rep.msg)
                          if h.get("decision") in BOOKING], [],
                         "booking decisions on the reply")

        # Even handed to the room itself, the room's own reply is not
        # answered and books nothing.
        again = without_headers(rep.msg.raw, self.trace_headers)
        rows = self.schedule_rows(uid)
        got = self.submit(str(rep.msg["Message-ID"]), again,
                          rcpts=[ROOM_A], sender=ROOM_A, wait_rcpt=ROOM_A)
        self.assertEqual([h for h in schedule_headers(got)
                          if h.get("decision") in BOOKING], [],
                         "booking decisions on the reflected reply")
        self.settle()
        self.assertEqual(len(replies(self.mta.messages(), uid)), 2,
                         "REPLY messages for %s (the reply and its "
                         "reflection)" % uid)
        self.assertEqual(self.outbox_rows(uid), 1, "outbox rows for " + uid)
        self.assertEqual(self.schedule_rows(uid), rows)
        self.assertNoErrorLines(self.new_log())

    def test_z_whole_log_has_no_errors(self):
        log = self.milter.log()
        self.assertTrue(log.strip(), "milter log is empty")
        self.assertNoErrorLines(log)


class PassThroughScenarios:
    """Mail that must not be touched: no calendar, no managed party, and
    calendar data too broken to act on."""

    rooms = [(ROOM_A, "Room A")]

    def check_untouched_filed(self, m, uid):
        """Hook: what the MTA's test shows beyond this of the invitation
        m, just submitted, which names none of the filter's calendars."""

    def check_malformed_filed(self, m, raw, log):
        """Hook: what the MTA's test shows beyond this of m, the delivered
        copy of raw, which has broken calendar data (log: what the filter
        logged meanwhile)."""

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
        # Byte for byte after the MTA's own trace headers, but for the
        # line ends it stores (LF in Postfix's Maildir).
        want, gap = self.as_stored(raw), self.mta.EOL * 2
        self.assertEqual(m.raw.split(gap, 1)[1], want.split(gap, 1)[1])
        self.assertTrue(m.raw.endswith(want),
                        "message changed:\n%r" % m.raw[:700])
        self.assertNoErrorLines(self.new_log())

    def test_d_invitation_without_managed_party_is_untouched(self):
        uid = "nobody-%s@example.com" % RUN
        msgid, raw = request(uid, day(5, "09:00"), day(5, "10:00"),
                             rooms=(), to=(BOB,))
        m = self.submit(msgid, raw, rcpts=[BOB])
        self.assertIsNone(m["X-iMIP-Schedule"])
        self.assertTrue(m.raw.endswith(self.as_stored(raw)),
                        "message changed:\n%r" % m.raw[:800])
        self.assertEqual(self.schedule_rows(uid), [])
        self.check_untouched_filed(m, uid)
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
                self.check_malformed_filed(m, raw, log)


class OutboxRestartScenarios:
    """A reply the MTA would not take (sendmail(1) fails) stays in the
    outbox, is retried, and is sent exactly once, through the MTA, by the
    next imip-milter process."""

    rooms = [(ROOM_A, "Room A")]
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
        self.assertTrue(mta._wait(lambda: self.outbox() and
                                  self.outbox()[0][0] >= 1, 20),
                        "no failed attempt: %r" % self.outbox())
        (attempts, has_error, sent, failed), = self.outbox()
        self.assertGreaterEqual(attempts, 1)
        self.assertEqual((has_error, sent, failed), (1, 0, 0))

        self.milter.stop()
        self.milter.sendmail_path = self.real_sendmail
        self.milter.start()
        (rep,) = self.wait_reply(uid)
        self.check_reply(rep, msgid, uid, "ACCEPTED", "2.0")
        self.settle()           # a duplicate would arrive by now
        self.assertEqual(len(replies(self.mta.messages(), uid, ROOM_A)), 1)
        (_, _, sent, failed), = self.outbox()
        self.assertEqual((sent, failed), (1, 0))
