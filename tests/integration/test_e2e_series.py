#!/usr/bin/env python3
"""End-to-end: updates and recurring meetings through a real Postfix.

The same arrangement as test_e2e_postfix.py (a private Postfix on loopback,
imip-milter as its milter, the room's replies re-entering Postfix through
sendmail(1)), with the scenarios of BEHAVIOUR.md that change bookings
already made:

    an update (higher SEQUENCE) moves a booking and frees the old slot;
    a weekly series answered per instance, or declined as a whole past
      conflict_max_percent;
    CANCEL of one instance and of THISANDFUTURE frees just those;
    a REQUEST holding only one RECURRENCE-ID override (Thunderbird)
      moves that one instance;
    a VFREEBUSY REQUEST is answered with busy times only (and not at all
      once the room stops sharing them);
    ADD books new instances of a booked series, or declines the one that
      clashes; an ADD for an unknown UID asks the organizer for a REFRESH.

Each test asserts on the REPLY that came back through Postfix, the
X-iMIP-Schedule header on the delivered copy and the busy rows in the
milter's SQLite database.  Every test has its own weekday (and UIDs), so
their weekly series never meet and the order does not matter; tests 5-7
use weeks 8 and later, which the series of tests 1-4 (weeks 0-5) never
reach.  Meetings start three weeks ahead, well inside the default 365-day
horizon.

Run:  sudo python3 tests/integration/test_e2e_series.py -v
Exit status 77 (meson: SKIP) when the machine cannot run a private Postfix.
"""

import os
import sys
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mta  # noqa: E402
from e2e import E2EBase  # noqa: E402
from itip import (  # noqa: E402
    ALICE, BOB, CAROL, ORGANIZER, ROOM_A, RUN, calendar_texts, cancel,
    invitation, now_stamp, props, replies, request, unfold, utc, vcalendar)

BERLIN = "Europe/Berlin"

# RFC 5545 VTIMEZONE for Europe/Berlin, as Thunderbird and Outlook send it.
VTIMEZONE_BERLIN = [
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Berlin",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
]


def _first_monday():
    d = date.today() + timedelta(days=21)
    return d + timedelta(days=(7 - d.weekday()) % 7)


MONDAY = _first_monday()

# One weekday per scenario: weekly series of different tests never meet.
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def slot(weekday, week, hhmm):
    """'YYYY-MM-DD hh:mm' of weekday (MON...) in week n (0: the first)."""
    d = MONDAY + timedelta(days=weekday, weeks=week)
    return "%s %s" % (d.isoformat(), hhmm)


def epoch(s, tz="UTC"):
    """'YYYY-MM-DD hh:mm' as wall-clock time in tz -> UTC epoch seconds."""
    dt = datetime.strptime(s, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(tz))
    return int(dt.timestamp())


def zstamp(t):
    """Epoch seconds -> '20270301T090000Z'."""
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def period(start, end, tz="UTC"):
    """The period a 4.0 REQUEST-STATUS names, '...Z/...Z'."""
    return "%s/%s" % (zstamp(epoch(start, tz)), zstamp(epoch(end, tz)))


def vevents(lines):
    """The VEVENTs of an unfolded iCalendar object, each its own lines."""
    out, cur = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            cur = []
        elif line == "END:VEVENT":
            out.append(cur)
            cur = None
        elif cur is not None:
            cur.append(line)
    return out


def components(lines, name):
    """The lines inside each BEGIN:name ... END:name of unfolded text."""
    out, cur = [], None
    for line in lines:
        if line == "BEGIN:" + name:
            cur = []
        elif line == "END:" + name:
            out.append(cur)
            cur = None
        elif cur is not None:
            cur.append(line)
    return out


def vfreebusy(uid, start, end, attendee=(ROOM_A, "Room A"),
              organizer=ORGANIZER):
    """A VFREEBUSY REQUEST (RFC 5546 3.3.2): organizer asks attendee for
    its busy time in [start, end) ('YYYY-MM-DD hh:mm', UTC)."""
    lines = ["BEGIN:VCALENDAR",
             "PRODID:-//imip-milter//e2e test 1.0//EN",
             "VERSION:2.0",
             "METHOD:REQUEST",
             "BEGIN:VFREEBUSY",
             "UID:" + uid,
             "DTSTAMP:" + now_stamp(),
             "DTSTART:" + utc(start),
             "DTEND:" + utc(end),
             "ORGANIZER;CN=%s:mailto:%s" % (organizer[1], organizer[0]),
             "ATTENDEE;CUTYPE=ROOM;CN=\"%s\":mailto:%s" % (attendee[1],
                                                          attendee[0]),
             "END:VFREEBUSY",
             "END:VCALENDAR"]
    return "".join(l + "\r\n" for l in lines)


def itip_messages(msgs, method, uid, sender=ROOM_A):
    """(message, part, unfolded lines) of every text/calendar part with
    METHOD:method for uid in a message from sender."""
    out = []
    for m in msgs:
        if sender not in str(m["From"]).lower():
            continue
        for part, text in calendar_texts(m):
            lines = unfold(text)
            if ("METHOD:" + method in lines and
                    [v for _, v in props(lines, "UID")] == [uid]):
                out.append((m, part, lines))
    return out


class Answer:
    """One VEVENT of a REPLY: how the room answered the series or one of
    its instances."""

    def __init__(self, lines):
        self.lines = lines
        rid = props(lines, "RECURRENCE-ID")
        self.rid = rid[0][1] if rid else None
        self.sequence = int(props(lines, "SEQUENCE")[0][1]) \
            if props(lines, "SEQUENCE") else None
        self.dtstart = [v for _, v in props(lines, "DTSTART")]
        self.request_status = [v for _, v in props(lines, "REQUEST-STATUS")]
        self.partstat = None
        for p, v in props(lines, "ATTENDEE"):
            if v.lower() == "mailto:" + ROOM_A:
                self.partstat = p.get("PARTSTAT")

    def status(self):
        """REQUEST-STATUS split: ['4.0', 'Busy', 'start/end']."""
        assert len(self.request_status) == 1, self.lines
        return self.request_status[0].split(";")

    def __repr__(self):
        return "<Answer rid=%s %s %r>" % (self.rid, self.partstat,
                                          self.request_status)


class SeriesFlow(E2EBase):
    """Bookings that change: updates, series, instance cancels/overrides."""

    # -- helpers -----------------------------------------------------------

    def msgid(self, uid, what):
        return "<%s.%s.%s@example.com>" % (uid.split("@")[0], what, RUN)

    def busy(self, uid, calendar=ROOM_A):
        """(recurrence_id, start, end, fbtype) of uid's busy rows."""
        return self.milter.query(
            "SELECT b.recurrence_id, b.start, b.end, b.fbtype FROM busy b"
            " JOIN event e ON e.id = b.event_id"
            " JOIN calendar c ON c.id = b.calendar_id"
            " WHERE e.uid = ? AND c.address = ?"
            " ORDER BY b.start", (uid, calendar))

    def instances(self, weekday, weeks, hhmm_start, hhmm_end, tz=BERLIN):
        """Busy rows a weekly series is expected to hold for weeks."""
        return [(epoch(slot(weekday, w, hhmm_start), tz),
                 epoch(slot(weekday, w, hhmm_start), tz),
                 epoch(slot(weekday, w, hhmm_end), tz), "BUSY")
                for w in weeks]

    def outbox_count(self, uid):
        """Replies queued for uid: what will ever be sent for it."""
        return self.milter.query(
            "SELECT count(*) FROM outbox WHERE message LIKE ?",
            ("%" + uid + "%",))[0][0]

    def send(self, msgid, raw, method, uid, decision, status=None, **kw):
        """Submit (kw go to submit()); the delivered copy's
        X-iMIP-Schedule must say decision (and status, or none)."""
        inv = self.submit(msgid, raw, **kw)
        h = self.decision(inv)
        self.assertEqual((h.get("method"), h.get("uid"), h.get("decision"),
                          h.get("status")),
                         (method, uid, decision, status),
                         "X-iMIP-Schedule: %r" %
                         inv.get_all("X-iMIP-Schedule"))
        return inv

    def journal(self, uid):
        """(method, decision, reason) journaled for uid by Room A."""
        return self.milter.query(
            "SELECT method, decision, reason FROM journal"
            " WHERE uid = ? AND calendar = ? ORDER BY id", (uid, ROOM_A))

    def all_busy(self):
        return self.milter.query("SELECT * FROM busy ORDER BY id")

    def outbox_total(self):
        return self.milter.query("SELECT count(*) FROM outbox")[0][0]

    def shares_freebusy(self):
        return self.milter.query(
            "SELECT share_freebusy FROM calendar WHERE address = ?",
            (ROOM_A,))[0][0]

    def answer(self, uid, msgid, partstat, status, count=1, nvevents=1):
        """Wait for the count-th REPLY for uid; it must answer msgid (its
        In-Reply-To) with partstat and status; returns its VEVENTs."""
        reps = self.wait_reply(uid, count)
        rep = [r for r in reps if msgid in str(r.msg["In-Reply-To"] or "")]
        self.assertEqual(len(rep), 1, "REPLYs answering %s: %d of %d" %
                         (msgid, len(rep), len(reps)))
        rep = rep[0]
        evs = [Answer(v) for v in vevents(rep.lines)]
        self.assertEqual(len(evs), nvevents, evs)
        # check_reply's one-ATTENDEE, one-REQUEST-STATUS checks hold for
        # the first VEVENT (the series, or the single event).
        first = Reply1(rep, evs[0])
        self.check_reply(first, msgid, uid, partstat, status)
        return evs

    # -- 1 -----------------------------------------------------------------

    def test_1_update_moves_a_booking(self):
        uid = "upd-%s@example.com" % RUN
        first = (slot(MON, 0, "10:00"), slot(MON, 0, "11:00"))
        moved = (slot(MON, 0, "14:00"), slot(MON, 0, "15:00"))

        id0, raw = request(uid, *first, msgid=self.msgid(uid, "seq0"))
        self.send(id0, raw, "REQUEST", uid, "ACCEPTED", "2.0")
        self.answer(uid, id0, "ACCEPTED", "2.0")
        self.assertEqual(self.busy(uid), [(None, epoch(first[0]),
                                           epoch(first[1]), "BUSY")])

        id1, raw = request(uid, *moved, sequence=1,
                           msgid=self.msgid(uid, "seq1"))
        self.send(id1, raw, "REQUEST", uid, "ACCEPTED", "2.0")
        (ev,) = self.answer(uid, id1, "ACCEPTED", "2.0", count=2)
        self.assertEqual(ev.sequence, 1)
        self.assertEqual(ev.status()[0], "2.0")
        self.assertEqual(ev.dtstart, [zstamp(epoch(moved[0]))])
        self.assertEqual(self.busy(uid), [(None, epoch(moved[0]),
                                           epoch(moved[1]), "BUSY")])
        self.assertEqual(self.milter.query(
            "SELECT sequence, partstat FROM event WHERE uid = ?", (uid,)),
            [(1, "ACCEPTED")])

        # The old slot is free again ...
        uid2 = "upd-old-%s@example.com" % RUN
        id2, raw = request(uid2, *first, subject="Takes the old slot")
        self.send(id2, raw, "REQUEST", uid2, "ACCEPTED", "2.0")
        self.answer(uid2, id2, "ACCEPTED", "2.0")
        self.assertEqual(len(self.busy(uid2)), 1)

        # ... and the new one is taken.
        uid3 = "upd-new-%s@example.com" % RUN
        id3, raw = request(uid3, slot(MON, 0, "14:30"),
                           slot(MON, 0, "15:30"), subject="Clashes")
        self.send(id3, raw, "REQUEST", uid3, "DECLINED", "4.0")
        (ev,) = self.answer(uid3, id3, "DECLINED", "4.0")
        self.assertEqual(ev.status()[0], "4.0")
        self.assertEqual(ev.status()[2:], [period(*moved)])
        self.assertEqual(self.busy(uid3), [])
        self.assertEqual(self.busy(uid), [(None, epoch(moved[0]),
                                           epoch(moved[1]), "BUSY")])
        self.assertNoErrorLines(self.new_log())

    # -- 2 -----------------------------------------------------------------

    def test_2a_partial_series_answered_per_instance(self):
        single = "ser-one-%s@example.com" % RUN
        uid = "ser-weekly-%s@example.com" % RUN
        # The single meeting sits on the series' third Tuesday.
        s_start, s_end = slot(TUE, 2, "10:30"), slot(TUE, 2, "11:30")
        ids, raw = request(single, s_start, s_end, tzid=BERLIN,
                           subject="One-off")
        self.send(ids, raw, "REQUEST", single, "ACCEPTED", "2.0")
        self.answer(single, ids, "ACCEPTED", "2.0")

        idw, raw = request(uid, slot(TUE, 0, "10:00"),
                           slot(TUE, 0, "11:00"), tzid=BERLIN,
                           rrule="FREQ=WEEKLY;COUNT=6",
                           vtimezone=VTIMEZONE_BERLIN,
                           subject="Weekly sync")
        self.send(idw, raw, "REQUEST", uid, "ACCEPTED", "2.0")
        series, clash = self.answer(uid, idw, "ACCEPTED", "2.0", nvevents=2)
        self.assertIsNone(series.rid)
        self.assertEqual(series.status()[0], "2.0")
        third = epoch(slot(TUE, 2, "10:00"), BERLIN)
        self.assertEqual(clash.rid, zstamp(third), "RECURRENCE-ID in UTC")
        self.assertEqual(clash.partstat, "DECLINED")
        self.assertEqual(clash.status()[0], "4.0")
        self.assertEqual(clash.status()[2:],
                         [period(s_start, s_end, BERLIN)])
        self.assertEqual(self.outbox_count(uid), 1, "one REPLY for " + uid)

        self.assertEqual(self.busy(uid),
                         self.instances(TUE, (0, 1, 3, 4, 5), "10:00",
                                        "11:00"))
        self.assertEqual(len(self.busy(single)), 1)
        self.assertNoErrorLines(self.new_log())

    def test_2b_series_mostly_busy_is_declined_whole(self):
        block = "ser-block-%s@example.com" % RUN
        uid = "ser-many-%s@example.com" % RUN
        idb, raw = request(block, slot(WED, 0, "09:00"),
                           slot(WED, 0, "10:00"), tzid=BERLIN,
                           rrule="FREQ=WEEKLY;COUNT=4", subject="Blocker")
        self.send(idb, raw, "REQUEST", block, "ACCEPTED", "2.0")
        self.answer(block, idb, "ACCEPTED", "2.0")
        want_block = self.instances(WED, range(4), "09:00", "10:00")
        self.assertEqual(self.busy(block), want_block)

        # 4 of 6 instances clash: 67% > conflict_max_percent (25).
        idm, raw = request(uid, slot(WED, 0, "09:30"),
                           slot(WED, 0, "10:30"), tzid=BERLIN,
                           rrule="FREQ=WEEKLY;COUNT=6",
                           subject="Too busy")
        self.send(idm, raw, "REQUEST", uid, "DECLINED", "4.0")
        (ev,) = self.answer(uid, idm, "DECLINED", "4.0")
        self.assertIsNone(ev.rid)
        self.assertEqual(ev.status()[0], "4.0")
        self.assertEqual(ev.status()[2:], [period(
            slot(WED, 0, "09:00"), slot(WED, 0, "10:00"), BERLIN)])
        self.assertEqual(self.busy(uid), [])
        self.assertEqual(self.busy(block), want_block)
        self.assertNoErrorLines(self.new_log())

    # -- 3 -----------------------------------------------------------------

    def test_3a_cancel_one_instance_frees_only_it(self):
        uid = "can-one-%s@example.com" % RUN
        idr, raw = request(uid, slot(THU, 0, "10:00"), slot(THU, 0, "11:00"),
                           tzid=BERLIN, rrule="FREQ=WEEKLY;COUNT=4",
                           subject="Weekly review")
        self.send(idr, raw, "REQUEST", uid, "ACCEPTED", "2.0")
        self.answer(uid, idr, "ACCEPTED", "2.0")
        self.assertEqual(self.busy(uid),
                         self.instances(THU, range(4), "10:00", "11:00"))

        idc, raw = cancel(uid, slot(THU, 1, "10:00"), slot(THU, 1, "11:00"),
                          sequence=1, tzid=BERLIN,
                          recurrence_id=slot(THU, 1, "10:00"),
                          subject="Weekly review")
        self.send(idc, raw, "CANCEL", uid, "CANCELLED")
        self.assertEqual(self.busy(uid),
                         self.instances(THU, (0, 2, 3), "10:00", "11:00"))

        # Instance 2's slot is free, instance 3's is not.
        free = "can-one-free-%s@example.com" % RUN
        idf, raw = request(free, slot(THU, 1, "10:00"),
                           slot(THU, 1, "11:00"), tzid=BERLIN,
                           subject="Takes instance 2")
        self.send(idf, raw, "REQUEST", free, "ACCEPTED", "2.0")
        self.answer(free, idf, "ACCEPTED", "2.0")
        taken = "can-one-taken-%s@example.com" % RUN
        idt, raw = request(taken, slot(THU, 2, "10:00"),
                           slot(THU, 2, "11:00"), tzid=BERLIN,
                           subject="Wants instance 3")
        self.send(idt, raw, "REQUEST", taken, "DECLINED", "4.0")
        (ev,) = self.answer(taken, idt, "DECLINED", "4.0")
        self.assertEqual(ev.status()[2:], [period(
            slot(THU, 2, "10:00"), slot(THU, 2, "11:00"), BERLIN)])
        self.assertEqual(self.busy(taken), [])

        # A CANCEL is never answered: the series has its one REPLY.
        self.assertEqual(self.outbox_count(uid), 1)
        self.assertEqual(len(replies(self.pf.messages(), uid, ROOM_A)), 1)
        self.assertNoErrorLines(self.new_log())

    def test_3b_cancel_this_and_future_frees_the_rest(self):
        uid = "can-fut-%s@example.com" % RUN
        idr, raw = request(uid, slot(FRI, 0, "13:00"), slot(FRI, 0, "14:00"),
                           tzid=BERLIN, rrule="FREQ=WEEKLY;COUNT=4",
                           subject="Friday demo")
        self.send(idr, raw, "REQUEST", uid, "ACCEPTED", "2.0")
        self.answer(uid, idr, "ACCEPTED", "2.0")
        self.assertEqual(self.busy(uid),
                         self.instances(FRI, range(4), "13:00", "14:00"))

        # RECURRENCE-ID in UTC (as Google writes it) for a TZID series:
        # instances are matched by instant.
        third = epoch(slot(FRI, 2, "13:00"), BERLIN)
        third_utc = datetime.fromtimestamp(third, timezone.utc).strftime(
            "%Y-%m-%d %H:%M")
        idc, raw = cancel(uid, slot(FRI, 2, "13:00"), slot(FRI, 2, "14:00"),
                          sequence=1, tzid=BERLIN,
                          recurrence_id=third_utc, rid_tzid="UTC",
                          rid_range="THISANDFUTURE", subject="Friday demo")
        self.assertIn(b"RECURRENCE-ID;RANGE=THISANDFUTURE:%s" %
                      zstamp(third).encode(), raw)
        self.send(idc, raw, "CANCEL", uid, "CANCELLED")
        self.assertEqual(self.busy(uid),
                         self.instances(FRI, (0, 1), "13:00", "14:00"))

        later = "can-fut-later-%s@example.com" % RUN
        idl, raw = request(later, slot(FRI, 3, "13:00"),
                           slot(FRI, 3, "14:00"), tzid=BERLIN,
                           subject="Takes instance 4")
        self.send(idl, raw, "REQUEST", later, "ACCEPTED", "2.0")
        self.answer(later, idl, "ACCEPTED", "2.0")
        earlier = "can-fut-earlier-%s@example.com" % RUN
        ide, raw = request(earlier, slot(FRI, 1, "13:00"),
                           slot(FRI, 1, "14:00"), tzid=BERLIN,
                           subject="Wants instance 2")
        self.send(ide, raw, "REQUEST", earlier, "DECLINED", "4.0")
        self.answer(earlier, ide, "DECLINED", "4.0")
        self.assertEqual(self.outbox_count(uid), 1)
        self.assertNoErrorLines(self.new_log())

    # -- 4 -----------------------------------------------------------------

    def test_4_override_only_request_moves_one_instance(self):
        uid = "tb-%s@example.com" % RUN
        idr, raw = request(uid, slot(SAT, 0, "10:00"), slot(SAT, 0, "11:00"),
                           tzid=BERLIN, rrule="FREQ=WEEKLY;COUNT=4",
                           vtimezone=VTIMEZONE_BERLIN,
                           subject="Saturday planning")
        self.send(idr, raw, "REQUEST", uid, "ACCEPTED", "2.0")
        self.answer(uid, idr, "ACCEPTED", "2.0")
        self.assertEqual(self.busy(uid),
                         self.instances(SAT, range(4), "10:00", "11:00"))

        # Thunderbird: only the changed instance, no RRULE, no master.
        ido, raw = request(uid, slot(SAT, 1, "15:00"), slot(SAT, 1, "16:00"),
                           sequence=1, tzid=BERLIN,
                           recurrence_id=slot(SAT, 1, "10:00"),
                           vtimezone=VTIMEZONE_BERLIN,
                           subject="Saturday planning",
                           msgid=self.msgid(uid, "override1"))
        self.assertNotIn(b"RRULE", raw.split(b"BEGIN:VEVENT")[1])
        self.send(ido, raw, "REQUEST", uid, "ACCEPTED", "2.0")
        (ev,) = self.answer(uid, ido, "ACCEPTED", "2.0", count=2)
        second = epoch(slot(SAT, 1, "10:00"), BERLIN)
        self.assertEqual(ev.rid, zstamp(second))
        self.assertEqual(ev.dtstart,
                         [zstamp(epoch(slot(SAT, 1, "15:00"), BERLIN))])

        want = self.instances(SAT, range(4), "10:00", "11:00")
        want[1] = (second, epoch(slot(SAT, 1, "15:00"), BERLIN),
                   epoch(slot(SAT, 1, "16:00"), BERLIN), "BUSY")
        self.assertEqual(self.busy(uid), want)
        # Still one series, not a second event.
        self.assertEqual(self.milter.query(
            "SELECT count(*) FROM event WHERE uid = ?", (uid,)), [(1,)])

        # The instance's old slot is free, its new one is taken.
        old = "tb-old-%s@example.com" % RUN
        idf, raw = request(old, slot(SAT, 1, "10:00"), slot(SAT, 1, "11:00"),
                           tzid=BERLIN, subject="Takes the old slot")
        self.send(idf, raw, "REQUEST", old, "ACCEPTED", "2.0")
        self.answer(old, idf, "ACCEPTED", "2.0")
        new = "tb-new-%s@example.com" % RUN
        idn, raw = request(new, slot(SAT, 1, "15:30"), slot(SAT, 1, "16:30"),
                           tzid=BERLIN, subject="Clashes with the move")
        self.send(idn, raw, "REQUEST", new, "DECLINED", "4.0")
        (ev,) = self.answer(new, idn, "DECLINED", "4.0")
        self.assertEqual(ev.status()[2:], [period(
            slot(SAT, 1, "15:00"), slot(SAT, 1, "16:00"), BERLIN)])
        self.assertEqual(self.busy(uid), want)
        self.assertNoErrorLines(self.new_log())

    # -- probes of the same flows ------------------------------------------

    # The same version again repeats the answer it had, per instance.
    def test_2c_same_series_again_repeats_the_per_instance_answer(self):
        """BEHAVIOUR.md: the same version again books nothing new and
        re-sends the current answer; for a partly accepted series that
        answer declines the clashing instance."""
        single = "rep-one-%s@example.com" % RUN
        uid = "rep-weekly-%s@example.com" % RUN
        s_start, s_end = slot(SUN, 1, "10:00"), slot(SUN, 1, "11:00")
        ids, raw = request(single, s_start, s_end, tzid=BERLIN)
        self.send(ids, raw, "REQUEST", single, "ACCEPTED", "2.0")
        self.answer(single, ids, "ACCEPTED", "2.0")

        ical = vcalendar("REQUEST", uid, slot(SUN, 0, "10:00"),
                         slot(SUN, 0, "11:00"), tzid=BERLIN,
                         rrule="FREQ=WEEKLY;COUNT=5", summary="Sundays")
        want = self.instances(SUN, (0, 2, 3, 4), "10:00", "11:00")
        for n in (1, 2):
            msgid, raw = invitation(uid, "REQUEST", ical, "Sundays",
                                    msgid=self.msgid(uid, "copy%d" % n))
            self.send(msgid, raw, "REQUEST", uid, "ACCEPTED", "2.0")
            series, clash = self.answer(uid, msgid, "ACCEPTED", "2.0",
                                        count=n, nvevents=2)
            self.assertEqual(clash.rid, zstamp(epoch(s_start, BERLIN)))
            self.assertEqual(clash.partstat, "DECLINED")
            self.assertEqual(self.busy(uid), want)
        self.assertNoErrorLines(self.new_log())

    # An instance CANCEL raises the event's version: older REQUESTs are stale.
    def test_3c_request_older_than_an_instance_cancel_is_stale(self):
        """A REQUEST with a lower SEQUENCE than an instance CANCEL already
        applied is an older version (RFC 5546 2.1.5): ignored, the
        cancelled instance stays free."""
        uid = "stale-%s@example.com" % RUN
        idr, raw = request(uid, slot(SUN, 0, "15:00"), slot(SUN, 0, "16:00"),
                           tzid=BERLIN, rrule="FREQ=WEEKLY;COUNT=3",
                           subject="Sunday late")
        self.send(idr, raw, "REQUEST", uid, "ACCEPTED", "2.0")
        self.answer(uid, idr, "ACCEPTED", "2.0")
        idc, raw = cancel(uid, slot(SUN, 1, "15:00"), slot(SUN, 1, "16:00"),
                          sequence=1, tzid=BERLIN,
                          recurrence_id=slot(SUN, 1, "15:00"))
        self.send(idc, raw, "CANCEL", uid, "CANCELLED")
        want = self.instances(SUN, (0, 2), "15:00", "16:00")
        self.assertEqual(self.busy(uid), want)

        # SEQUENCE 0 again, with a later DTSTAMP (a delayed update that
        # changed nothing the SEQUENCE counts, as Outlook sends them).
        ids, raw = request(uid, slot(SUN, 0, "15:00"), slot(SUN, 0, "16:00"),
                           tzid=BERLIN, rrule="FREQ=WEEKLY;COUNT=3",
                           subject="Sunday late",
                           msgid=self.msgid(uid, "late"))
        inv = self.submit(ids, raw)
        self.assertEqual((self.decision(inv).get("decision"),
                          self.busy(uid)), ("IGNORED", want))
        self.assertNoErrorLines(self.new_log())

    # -- 5 -----------------------------------------------------------------

    def test_5_freebusy_request_answered_with_times_only(self):
        """A VFREEBUSY REQUEST is answered with the busy periods in the
        asked range, merged, and nothing about the bookings; once sharing
        is turned off (imipctl) it is journaled and not answered."""
        carol = (CAROL, "Carol Secret")
        topic = "Secret merger talks"
        # Monday of week 8, UTC: two touching bookings, one apart, and one
        # the next day, outside the asked range.
        booked = [("fb-b1", slot(MON, 8, "09:00"), slot(MON, 8, "10:00")),
                  ("fb-b2", slot(MON, 8, "10:00"), slot(MON, 8, "11:00")),
                  ("fb-b3", slot(MON, 8, "14:00"), slot(MON, 8, "15:30")),
                  ("fb-b4", slot(TUE, 8, "09:00"), slot(TUE, 8, "10:00"))]
        uids = []
        for name, start, end in booked:
            uid = "%s-%s@example.com" % (name, RUN)
            uids.append(uid)
            msgid, raw = request(uid, start, end, subject=topic,
                                 organizer=carol)
            self.send(msgid, raw, "REQUEST", uid, "ACCEPTED", "2.0",
                      sender=CAROL)
            (rep,) = self.wait_reply(uid)
            self.assertEqual(rep.msg["Delivered-To"], CAROL)
            self.assertEqual(self.busy(uid), [(None, epoch(start),
                                               epoch(end), "BUSY")])
        busy_before = self.all_busy()
        outbox_before = self.outbox_total()

        asked = (slot(MON, 8, "00:00"), slot(TUE, 8, "00:00"))
        fb = "fb-ask-%s@example.com" % RUN
        idq, raw = invitation(fb, "REQUEST", vfreebusy(fb, *asked),
                              "Free/busy of Room A", to=(ROOM_A,),
                              msgid=self.msgid(fb, "ask"))
        self.send(idq, raw, "REQUEST", fb, "ANSWERED", "2.0",
                  rcpts=(ROOM_A,), wait_rcpt=ROOM_A)
        self.assertEqual(self.journal(fb),
                         [("REQUEST", "ANSWERED", "2 busy periods")])

        (rep,) = self.wait_reply(fb)
        m = rep.msg
        self.assertEqual(m["Delivered-To"], ALICE)
        self.assertIn(ROOM_A, str(m["From"]).lower())
        self.assertIn(ALICE, str(m["To"]).lower())
        self.assertIn(idq, str(m["In-Reply-To"] or ""))
        self.assertTrue(str(m["Auto-Submitted"]).lower().startswith(
            "auto-replied"))
        self.assertEqual(rep.part.get_param("method", "").upper(), "REPLY")
        self.assertIn("METHOD:REPLY", rep.lines)
        self.assertEqual(vevents(rep.lines), [])
        (fbc,) = components(rep.lines, "VFREEBUSY")
        self.assertEqual([v for _, v in props(fbc, "DTSTART")],
                         [utc(asked[0])])
        self.assertEqual([v for _, v in props(fbc, "DTEND")],
                         [utc(asked[1])])
        # The touching bookings are one period; the next day is not asked.
        self.assertEqual(props(fbc, "FREEBUSY"), [
            ({"FBTYPE": "BUSY"}, period(booked[0][1], booked[1][2])),
            ({"FBTYPE": "BUSY"}, period(booked[2][1], booked[2][2]))])
        self.assertEqual([v.split(";")[0] for _, v in
                          props(fbc, "REQUEST-STATUS")], ["2.0"])
        # Privacy: the question's UID and parties only, no summaries.
        self.assertEqual([v for _, v in props(rep.lines, "UID")], [fb])
        self.assertEqual([v.lower() for _, v in
                          props(rep.lines, "ORGANIZER")], ["mailto:" + ALICE])
        self.assertEqual([v.lower() for _, v in
                          props(rep.lines, "ATTENDEE")], ["mailto:" + ROOM_A])
        self.assertEqual(props(rep.lines, "SUMMARY"), [])
        texts = [m.raw.decode("utf-8", "replace")]
        texts += [p.get_content() for p in m.walk()
                  if p.get_content_maintype() == "text"]
        for text in texts:
            for secret in [CAROL, "Carol Secret", BOB, topic] + uids:
                self.assertNotIn(secret.lower(), text.lower())
        # Asking books nothing.
        self.assertEqual(self.all_busy(), busy_before)
        self.assertEqual(self.milter.query(
            "SELECT count(*) FROM event WHERE uid = ?", (fb,)), [(0,)])
        self.assertEqual(self.outbox_count(fb), 1)
        self.assertEqual(self.outbox_total(), outbox_before + 1)

        # The room stops sharing: the question is journaled, not answered,
        # and the mail is still delivered.
        self.assertEqual(self.shares_freebusy(), 1)
        try:
            self.milter.imipctl("calendar", "set", ROOM_A,
                                "share-freebusy", "no")
            self.assertEqual(self.shares_freebusy(), 0)
            fb2 = "fb-ask2-%s@example.com" % RUN
            id2, raw = invitation(fb2, "REQUEST", vfreebusy(fb2, *asked),
                                  "Free/busy of Room A", to=(ROOM_A,),
                                  msgid=self.msgid(fb2, "ask"))
            got = self.send(id2, raw, "REQUEST", fb2, "IGNORED",
                            rcpts=(ROOM_A,), wait_rcpt=ROOM_A)
            self.assertEqual(got["Delivered-To"], ROOM_A)
            self.assertEqual(self.journal(fb2), [
                ("REQUEST", "IGNORED", "free/busy is not shared")])
            # Decided (and anything to send queued) before the 250.
            self.assertEqual(self.outbox_count(fb2), 0)
            self.assertEqual(self.outbox_total(), outbox_before + 1)
            self.assertEqual(self.all_busy(), busy_before)
        finally:
            self.milter.imipctl("calendar", "set", ROOM_A,
                                "share-freebusy", "yes")
        self.assertEqual(self.shares_freebusy(), 1)
        self.assertEqual(replies(self.pf.messages(), fb2), [])
        self.assertNoErrorLines(self.new_log())

    # -- 6 -----------------------------------------------------------------

    def add(self, uid, start, end, sequence, what, subject="Weekly add"):
        """A METHOD:ADD of one instance (no RECURRENCE-ID, no RRULE)."""
        ical = vcalendar("ADD", uid, start, end, sequence=sequence,
                         tzid=BERLIN, vtimezone=VTIMEZONE_BERLIN,
                         summary=subject)
        (ev,) = vevents(unfold(ical))
        self.assertEqual([l for l in ev if l.startswith(
            ("RECURRENCE-ID", "RRULE"))], [])
        return invitation(uid, "ADD", ical, subject,
                          msgid=self.msgid(uid, what))

    def test_6_add_books_new_instances(self):
        uid = "add-%s@example.com" % RUN
        idr, raw = request(uid, slot(WED, 10, "10:00"),
                           slot(WED, 10, "11:00"), tzid=BERLIN,
                           rrule="FREQ=WEEKLY;COUNT=3",
                           vtimezone=VTIMEZONE_BERLIN, subject="Weekly add",
                           msgid=self.msgid(uid, "req"))
        self.send(idr, raw, "REQUEST", uid, "ACCEPTED", "2.0")
        self.answer(uid, idr, "ACCEPTED", "2.0")
        self.assertEqual(self.busy(uid),
                         self.instances(WED, (10, 11, 12), "10:00", "11:00"))

        # One more Wednesday, a week after the last.
        ida, raw = self.add(uid, slot(WED, 13, "10:00"),
                            slot(WED, 13, "11:00"), 1, "add1")
        self.send(ida, raw, "ADD", uid, "ACCEPTED", "2.0")
        (ev,) = self.answer(uid, ida, "ACCEPTED", "2.0", count=2)
        self.assertIsNone(ev.rid)
        self.assertEqual(ev.sequence, 1)
        self.assertEqual(ev.dtstart,
                         [zstamp(epoch(slot(WED, 13, "10:00"), BERLIN))])
        want = self.instances(WED, (10, 11, 12, 13), "10:00", "11:00")
        self.assertEqual(self.busy(uid), want)
        self.assertEqual(self.journal(uid)[-1],
                         ("ADD", "ACCEPTED", "added 1 of 1 instances"))
        self.assertEqual(self.milter.query(
            "SELECT sequence, partstat FROM event WHERE uid = ?", (uid,)),
            [(1, "ACCEPTED")])

        # An ADD whose instance clashes with another booking is declined,
        # that instance by its RECURRENCE-ID (UTC) and the clash.
        other = "add-other-%s@example.com" % RUN
        clash = (slot(WED, 14, "10:30"), slot(WED, 14, "11:30"))
        ido, raw = request(other, *clash, tzid=BERLIN,
                           subject="Takes week 14")
        self.send(ido, raw, "REQUEST", other, "ACCEPTED", "2.0")
        self.answer(other, ido, "ACCEPTED", "2.0")
        idc, raw = self.add(uid, slot(WED, 14, "10:00"),
                            slot(WED, 14, "11:00"), 2, "add2")
        self.send(idc, raw, "ADD", uid, "DECLINED", "4.0")
        (ev,) = self.answer(uid, idc, "DECLINED", "4.0", count=3)
        self.assertEqual(ev.rid,
                         zstamp(epoch(slot(WED, 14, "10:00"), BERLIN)))
        self.assertEqual(ev.status(),
                         ["4.0", "Busy", period(*clash, tz=BERLIN)])
        self.assertEqual(self.journal(uid)[-1],
                         ("ADD", "DECLINED", "added 0 of 1 instances"))
        self.assertEqual(self.busy(uid), want)
        self.assertEqual(len(self.busy(other)), 1)
        self.assertEqual(self.outbox_count(uid), 3)
        self.assertNoErrorLines(self.new_log())

    # -- 7 -----------------------------------------------------------------

    def test_7_add_for_an_unknown_uid_asks_for_a_refresh(self):
        uid = "add-unknown-%s@example.com" % RUN
        ida, raw = self.add(uid, slot(FRI, 10, "10:00"),
                            slot(FRI, 10, "11:00"), 1, "add",
                            subject="Never seen")
        self.send(ida, raw, "ADD", uid, "REFRESH")
        self.assertEqual(self.journal(uid), [
            ("ADD", "REFRESH", "ADD for an unknown UID: asked the "
             "organizer to send the event again")])

        msgs = self.pf.wait_for(
            lambda ms: itip_messages(ms, "REFRESH", uid), 20,
            "REFRESH for %s" % uid)
        (m, part, lines), = itip_messages(msgs, "REFRESH", uid)
        self.assertEqual(m["Delivered-To"], ALICE)
        self.assertIn(ALICE, str(m["To"]).lower())
        self.assertIn(ida, str(m["In-Reply-To"] or ""))
        self.assertTrue(str(m["Auto-Submitted"]).lower().startswith(
            "auto-replied"))
        self.assertEqual(part.get_param("method", "").upper(), "REFRESH")
        self.assertNotIn("METHOD:REPLY", lines)
        (ev,) = vevents(lines)
        self.assertEqual([v for _, v in props(ev, "UID")], [uid])
        self.assertEqual([v.lower() for _, v in props(ev, "ORGANIZER")],
                         ["mailto:" + ALICE])
        atts = props(ev, "ATTENDEE")
        self.assertEqual([v.lower() for _, v in atts], ["mailto:" + ROOM_A])
        self.assertNotIn("PARTSTAT", atts[0][0])
        self.assertFalse([l for l in lines if "PARTSTAT" in l], lines)
        self.assertEqual(props(lines, "REQUEST-STATUS"), [])
        # Nothing booked, nothing stored, one message sent.
        self.assertEqual(self.busy(uid), [])
        self.assertEqual(self.milter.query(
            "SELECT count(*) FROM event WHERE uid = ?", (uid,)), [(0,)])
        self.assertEqual(self.outbox_count(uid), 1)
        self.assertEqual(replies(self.pf.messages(), uid), [])
        self.assertNoErrorLines(self.new_log())

    def test_z_whole_log_has_no_errors(self):
        log = self.milter.log()
        self.assertTrue(log.strip(), "milter log is empty")
        self.assertNoErrorLines(log)


class Reply1:
    """A Reply narrowed to one of its VEVENTs, for E2EBase.check_reply."""

    def __init__(self, reply, answer):
        self.msg, self.part, self.uid = reply.msg, reply.part, reply.uid
        self.lines = answer.lines
        self.attendees = props(answer.lines, "ATTENDEE")
        self.request_status = answer.request_status

    def partstat(self, addr):
        for p, v in self.attendees:
            if v.lower() == "mailto:" + addr:
                return p.get("PARTSTAT")
        return None


if __name__ == "__main__":
    mta.main()
