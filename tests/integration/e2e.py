"""e2e.py - the end-to-end test cases and what they check.

E2ECase starts imip-milter and an MTA (make_stack) once per class and
checks what the filter did, through the few calls every MTA of the
harness answers (mta.MTA: send, sendmail, messages, wait_for, queue_empty,
EOL): the X-iMIP-Schedule decision on a delivered invitation, the room's
REPLY, the rows in its database and the lines in its log.  E2EBase runs
it on a private Postfix; every Postfix test file builds on it.
"""

import re
import time
import unittest

import mta
from itip import (ALICE, BOB, ROOM_A, ROOM_B, delivered, props, replies,
                  schedule_headers)


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

    @classmethod
    def make_stack(cls):
        return mta.Stack(rooms=cls.rooms, extra_main=cls.postfix_main,
                         extra_master=cls.postfix_master,
                         extra_conf=cls.milter_conf)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pf = cls.mta
