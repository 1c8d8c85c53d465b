#!/usr/bin/env python3
"""End-to-end: a private Postfix on loopback with imip-milter as its
smtpd_milters and non_smtpd_milters; the room's replies re-enter Postfix
through sendmail(1) and land in the same Maildir as everything else.

Run:  sudo python3 tests/integration/test_e2e_postfix.py -v
Binaries come from $IMIP_MILTER / $IMIPCTL or build/.  Exit status 77
(meson: SKIP) when the machine cannot run a private Postfix (not root).
Set IMIP_TEST_KEEP=1 to keep the temporary directories for a post-mortem.
"""

import base64
import os
import re
import sys
import time
import unittest
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mta  # noqa: E402

ALICE = "alice@example.com"
ORGANIZER = (ALICE, "Alice Example")
BOB = "bob@example.net"
CAROL = "carol@example.net"
ROOM_A = "room-a@example.org"
ROOM_B = "room-b@example.org"
RUN = "%d-%d" % (os.getpid(), int(time.time()))
# Meetings are booked in March of next year: always in the future.
YEAR = datetime.now(timezone.utc).year + 1


def day(n, hhmm):
    """'YYYY-03-nn hh:mm' in next year's March (UTC)."""
    return "%d-03-%02d %s" % (YEAR, n, hhmm)

ERROR_RE = re.compile(r"(^|\s)(error|fatal|panic|crit|critical|alert|emerg)"
                      r"\s*:", re.I | re.M)
# Decisions that book, refuse or free a slot (IGNORED etc. are fine on mail
# that must not be acted on).
BOOKING = ("ACCEPTED", "DECLINED", "TENTATIVE", "CANCELLED")
WARNING_RE = re.compile(r"(^|\s)warn(ing)?\s*:", re.I | re.M)


# --------------------------------------------------------------------------
# building messages

def fold(line):
    """RFC 5545 3.1: lines longer than 75 octets are folded (CRLF + space)."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    out, cur = [], b""
    for ch in line:
        b = ch.encode("utf-8")
        limit = 75 if not out else 74
        if len(cur) + len(b) > limit:
            out.append(cur)
            cur = b""
        cur += b
    out.append(cur)
    return "\r\n ".join(x.decode("utf-8") for x in out)


def utc(s):
    """'2027-03-01 09:00' -> '20270301T090000Z'"""
    return datetime.strptime(s, "%Y-%m-%d %H:%M").strftime("%Y%m%dT%H%M%SZ")


def now_stamp():
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def ical_time(s, tzid=None):
    """The parameters and value of a DATE-TIME property for s
    ('2027-03-01 09:00'): ':20270301T090000Z' (UTC), or with tzid the
    wall-clock time there, ';TZID=Europe/Berlin:20270301T090000'."""
    if tzid is None:
        return ":" + utc(s)
    local = datetime.strptime(s, "%Y-%m-%d %H:%M").strftime("%Y%m%dT%H%M%S")
    return ";TZID=%s:%s" % (tzid, local)


def vcalendar(method, uid, start, end, sequence=0, status=None,
              summary="Planning meeting", rooms=((ROOM_A, "Room A"),),
              people=((BOB, "Bob"),), omit=(), truncate_after=None,
              tzid=None, rrule=None, recurrence_id=None, rid_tzid=None,
              rid_range=None, vtimezone=(), extra=(), organizer=ORGANIZER):
    """iCalendar text (CRLF, folded) for one VEVENT organized by Alice
    (organizer: (address, name) of someone else).

    start, end: 'YYYY-MM-DD hh:mm', UTC unless tzid names the zone they
    are wall-clock times in (written as DTSTART;TZID=...).
    rrule: value of an RRULE ("FREQ=WEEKLY;COUNT=6").
    recurrence_id: 'YYYY-MM-DD hh:mm' of the instance this VEVENT is
    (an override), in rid_tzid (default: tzid; "UTC" forces a Z value);
    rid_range: RANGE parameter ("THISANDFUTURE").
    vtimezone: lines of VTIMEZONE components put before the VEVENT.
    extra: further property lines for the VEVENT.
    omit: property names left out (e.g. "DTSTART").
    truncate_after: cut the text right after the first line starting with
    this prefix (simulates a calendar cut off in transit).
    """
    ev = ["UID:" + uid,
          "DTSTAMP:" + now_stamp(),
          "SEQUENCE:%d" % sequence]
    if recurrence_id is not None:
        rtz = rid_tzid if rid_tzid is not None else tzid
        ev.append("RECURRENCE-ID" +
                  (";RANGE=" + rid_range if rid_range else "") +
                  ical_time(recurrence_id, None if rtz == "UTC" else rtz))
    ev += ["DTSTART" + ical_time(start, tzid),
           "DTEND" + ical_time(end, tzid)]
    if rrule:
        ev.append("RRULE:" + rrule)
    org, org_name = organizer
    ev += ["SUMMARY:" + summary,
          "ORGANIZER;CN=%s:mailto:%s" % (org_name, org),
          "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=CHAIR;PARTSTAT=ACCEPTED;"
          "CN=%s:mailto:%s" % (org_name, org)]
    for addr, name in people:
        ev.append("ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;"
                  "PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=%s:mailto:%s"
                  % (name, addr))
    for addr, name in rooms:
        ev.append("ATTENDEE;CUTYPE=ROOM;ROLE=NON-PARTICIPANT;"
                  "PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=\"%s\":mailto:%s"
                  % (name, addr))
    if status:
        ev.append("STATUS:" + status)
    ev.append("TRANSP:OPAQUE")
    ev += list(extra)
    ev = [p for p in ev if p.split(":")[0].split(";")[0] not in omit]
    lines = (["BEGIN:VCALENDAR",
              "PRODID:-//imip-milter//e2e test 1.0//EN",
              "VERSION:2.0",
              "CALSCALE:GREGORIAN",
              "METHOD:" + method] + list(vtimezone) +
             ["BEGIN:VEVENT"] + ev + ["END:VEVENT", "END:VCALENDAR"])
    if truncate_after:
        for i, l in enumerate(lines):
            if l.startswith(truncate_after):
                lines = lines[:i + 1]
                break
    return "".join(fold(l) + "\r\n" for l in lines)


def headers(pairs):
    return "".join("%s: %s\r\n" % kv for kv in pairs)


def invitation(uid, method, ical, subject, to=(ROOM_A, BOB), cte="8bit",
               msgid=None, close_boundary=True, cut_body_at=None,
               organizer=ORGANIZER):
    """A realistic iMIP message: multipart/alternative with text/plain and
    text/calendar; method=...; charset=UTF-8, From organizer.  Returns
    (message-id, bytes).
    """
    org, org_name = organizer
    msgid = msgid or "<%s.%s@example.com>" % (uid.split("@")[0], RUN)
    boundary = "=_imip_%s" % abs(hash(msgid))
    text = ("%s has invited you to: %s\r\n\r\n"
            "When: see the attached calendar data\r\n"
            "Organizer: %s <%s>\r\n" % (org_name, subject, org_name, org))
    if cte == "base64":
        caldata = base64.encodebytes(ical.encode("utf-8")).decode()
        caldata = caldata.replace("\n", "\r\n")
    else:
        caldata = ical
    head = headers([
        ("From", "%s <%s>" % (org_name, org)),
        ("To", ", ".join(to)),
        ("Subject", "Invitation: " + subject),
        ("Date", datetime.now(timezone.utc).strftime(
            "%a, %d %b %Y %H:%M:%S +0000")),
        ("Message-ID", msgid),
        ("MIME-Version", "1.0"),
        ("Content-Type",
         'multipart/alternative; boundary="%s"' % boundary),
    ])
    body = ("This is a multi-part message in MIME format.\r\n"
            "--%s\r\n"
            "Content-Type: text/plain; charset=UTF-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n"
            "\r\n%s\r\n"
            "--%s\r\n"
            "Content-Type: text/calendar; method=%s; charset=UTF-8\r\n"
            "Content-Transfer-Encoding: %s\r\n"
            "\r\n%s"
            % (boundary, text, boundary, method, cte, caldata))
    if close_boundary:
        body += "\r\n--%s--\r\n" % boundary
    if cut_body_at is not None:
        body = body[:body.index(cut_body_at)]
    return msgid, (head + "\r\n" + body).encode("utf-8")


def request(uid, start, end, subject="Planning meeting", **kw):
    """A REQUEST invitation; kw go to vcalendar(), except to, cte and
    msgid (default: derived from uid, so give one to each further message
    for the same UID); organizer goes to both."""
    to = kw.pop("to", (ROOM_A, BOB))
    cte = kw.pop("cte", "8bit")
    msgid = kw.pop("msgid", None)
    ical = vcalendar("REQUEST", uid, start, end, summary=subject, **kw)
    return invitation(uid, "REQUEST", ical, subject, to=to, cte=cte,
                      msgid=msgid,
                      organizer=kw.get("organizer", ORGANIZER))


def cancel(uid, start, end, sequence=1, subject="Planning meeting",
           msgid=None, **kw):
    """A CANCEL; kw go to vcalendar() (recurrence_id=... cancels one
    instance)."""
    ical = vcalendar("CANCEL", uid, start, end, sequence=sequence,
                     status="CANCELLED", summary=subject, **kw)
    return invitation(uid, "CANCEL", ical, "Cancelled: " + subject,
                      msgid=msgid or "<%s.cancel%d.%s@example.com>" %
                      (uid.split("@")[0], sequence, RUN))


# --------------------------------------------------------------------------
# reading what was delivered

def unfold(text):
    return re.sub(r"\r?\n[ \t]", "", text).splitlines()


def split_prop(line):
    """'NAME;P=V;Q="a:b":value' -> (NAME, {P: V, Q: a:b}, value)"""
    i, quoted = 0, False
    while i < len(line):
        c = line[i]
        if c == '"':
            quoted = not quoted
        elif c == ":" and not quoted:
            break
        i += 1
    head, value = line[:i], line[i + 1:]
    parts = re.findall(r'(?:[^;"]|"[^"]*")+', head)
    params = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        params[k.upper()] = v.strip('"')
    return parts[0].upper(), params, value


def props(lines, name):
    return [(p, v) for n, p, v in map(split_prop, lines) if n == name]


def calendar_texts(msg):
    out = []
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            out.append((part, part.get_content()))
    return out


def schedule_headers(msg):
    """Parsed X-iMIP-Schedule headers: [{'calendar': addr, 'method': ...}]"""
    out = []
    for h in msg.get_all("X-iMIP-Schedule") or []:
        toks = str(h).split()
        d = {"calendar": toks[0] if toks else ""}
        for t in toks[1:]:
            k, _, v = t.partition("=")
            d[k] = v
        out.append(d)
    return out


def delivered(msgs, msgid, rcpt=None):
    return [m for m in msgs if m["Message-ID"] == msgid and
            (rcpt is None or m["Delivered-To"] == rcpt)]


class Reply:
    """An iTIP REPLY found in the Maildir."""

    def __init__(self, msg, part, lines):
        self.msg, self.part, self.lines = msg, part, lines
        self.uid = props(lines, "UID")[0][1] if props(lines, "UID") else None
        self.attendees = props(lines, "ATTENDEE")
        self.request_status = [v for _, v in props(lines, "REQUEST-STATUS")]

    def partstat(self, addr):
        for p, v in self.attendees:
            if v.lower() == "mailto:" + addr:
                return p.get("PARTSTAT")
        return None


def replies(msgs, uid=None, sender=None):
    """iTIP REPLY messages (optionally for uid / from sender)."""
    out = []
    for m in msgs:
        for part, text in calendar_texts(m):
            lines = unfold(text)
            if "METHOD:REPLY" not in lines:
                continue
            r = Reply(m, part, lines)
            if uid is not None and r.uid != uid:
                continue
            if sender is not None and sender not in str(m["From"]).lower():
                continue
            out.append(r)
    return out


# --------------------------------------------------------------------------

class E2EBase(unittest.TestCase):
    rooms = [(ROOM_A, "Room A"), (ROOM_B, "Room B")]

    postfix_main = None         # further main.cf settings for the class
    postfix_master = None       # further master.cf lines
    milter_conf = None          # further imip-milter.conf keys

    @classmethod
    def setUpClass(cls):
        mta.install_signal_cleanup()
        cls.stack = mta.Stack(rooms=cls.rooms, extra_main=cls.postfix_main,
                              extra_master=cls.postfix_master,
                              extra_conf=cls.milter_conf).start()
        cls.pf = cls.stack.postfix
        cls.milter = cls.stack.milter

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
        """Send by SMTP, expect 250, wait for wait_rcpt's copy; return it."""
        r = self.pf.send(sender, list(rcpts), raw)
        self.assertEqual(r.code, 250, "SMTP DATA answer: %r" % (r,))
        msgs = self.pf.wait_for(
            lambda ms: delivered(ms, msgid, wait_rcpt), 20,
            "delivery of %s to %s" % (msgid, wait_rcpt))
        return delivered(msgs, msgid, wait_rcpt)[0]

    def wait_reply(self, uid, count=1, sender=ROOM_A):
        msgs = self.pf.wait_for(
            lambda ms: len(replies(ms, uid, sender)) >= count, 20,
            "%d REPLY for %s from %s" % (count, uid, sender))
        return replies(msgs, uid, sender)

    def decision(self, msg, calendar=ROOM_A):
        hs = [h for h in schedule_headers(msg) if h["calendar"] == calendar]
        self.assertEqual(len(hs), 1, "X-iMIP-Schedule headers for %s: %r" %
                         (calendar, msg.get_all("X-iMIP-Schedule")))
        return hs[0]

    def schedule_rows(self, uid):
        return self.milter.query(
            "SELECT calendar, start_utc, end_utc, organizer FROM schedule "
            "WHERE uid = ? ORDER BY start_utc", (uid,))

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

    def settle(self):
        """Wait until Postfix's queue and the milter's outbox are empty,
        then a little longer: whatever would loop has had its chance."""
        self.assertTrue(mta._wait(self.pf.queue_empty, 10),
                        "Postfix queue did not drain")
        self.assertTrue(mta._wait(lambda: self.milter.query(
            "SELECT count(*) FROM outbox WHERE sent IS NULL "
            "AND failed IS NULL")[0][0] == 0, 10), "outbox did not drain")
        time.sleep(2)
        self.assertTrue(self.pf.queue_empty(), "new mail after settling")

    def outbox_rows(self, uid):
        return self.milter.query(
            "SELECT count(*) FROM outbox WHERE message LIKE ?",
            ("%" + uid + "%",))[0][0]

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

    @classmethod
    def setUpClass(cls):
        mta.install_signal_cleanup()
        cls.stack = mta.Stack(rooms=cls.rooms,
                              extra_conf={"outbox_retry_seconds": "1"})
        cls.pf, cls.milter = cls.stack.postfix, cls.stack.milter
        cls.real_sendmail = cls.milter.sendmail_path
        cls.milter.sendmail_path = "/bin/false"   # the MTA refuses replies
        cls.stack.start()

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
    problem = mta.harness_problem()
    if problem:
        print("SKIP: %s" % problem)
        sys.exit(77)
    unittest.main()
