"""itip.py - iMIP messages for the end-to-end tests: build them, read them.

Who takes part (Alice organizes, Bob attends, Room A and Room B are the
filter's rooms), invitations and cancellations as a calendar client sends
them (vcalendar, invitation, request, cancel), and what the tests read in
delivered mail: the filter's X-iMIP-Schedule headers and the rooms' iTIP
REPLY messages.  Python 3 standard library only; no MTA here (mta.py,
sendmail.py) and no test case (e2e.py).
"""

import base64
import os
import re
import time
from datetime import datetime, timezone


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
    """An iTIP REPLY found among the delivered messages."""

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


def without_headers(raw, names):
    """raw, a delivered message (LF or CRLF line ends), to be sent again:
    CRLF line ends, without the header fields named (lower case) in names.
    """
    lines = [l[:-1] if l.endswith(b"\r") else l for l in raw.split(b"\n")]
    end = lines.index(b"")
    kept, skip = [], False
    for line in lines[:end]:
        if line[:1] in (b" ", b"\t"):
            if not skip:
                kept.append(line)
            continue
        skip = line.split(b":", 1)[0].decode().lower() in names
        if not skip:
            kept.append(line)
    return b"\r\n".join(kept + lines[end:])
