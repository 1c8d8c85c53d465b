#!/usr/bin/env python3
"""End-to-end race: 50 simultaneous, mutually conflicting REQUESTs for one
room and one slot, through the real Postfix and the real imip-milter.

Each of N organizers (orgNN@example.com, all external) invites Room A to the
same one-hour slot with its own UID.  Every message goes over its own SMTP
connection from its own thread: connect, EHLO, MAIL, RCPT and DATA (354) are
done first, then a threading.Barrier releases all the message contents at
once, so N cleanup(8) processes hold N milter connections - N SQLite handles
- that reach end-of-message together and compete for one BEGIN IMMEDIATE
write lock each.

Exactly one may win.  Asserted:
  * every DATA is answered 250 (a 4xx - e.g. a tempfail because the
    database stayed busy - fails the test: nothing is retried);
  * the delivered copies carry exactly 1 decision=ACCEPTED and N-1
    decision=DECLINED status=4.0 X-iMIP-Schedule headers;
  * N REPLYs come back through Postfix, one per invitation (matched by
    In-Reply-To), 1 ACCEPTED and N-1 DECLINED, each to its organizer;
  * the database has one busy row for the room in the slot (the winner's)
    and N journal rows for these UIDs (1 ACCEPTED, N-1 DECLINED);
  * every reply left the outbox on the first attempt;
  * the milter log has no error lines ("database busy", internal error)
    and the Postfix log no milter-reject and no process-limit warning.

The time the N decisions (and the N replies) took is printed, not asserted.

Run:  sudo python3 tests/integration/test_race.py -v
Exit status 77 (meson: SKIP) when the machine cannot run a private Postfix.
Set IMIP_TEST_KEEP=1 to keep the temporary directories for a post-mortem.
"""

import os
import re
import smtplib
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mta  # noqa: E402
from e2e import ERROR_RE, E2EBase  # noqa: E402
from itip import (  # noqa: E402
    ROOM_A, RUN, day, props, replies, request, schedule_headers)

N = 50
SLOT = (day(17, "10:00"), day(17, "11:00"))

# Enough Postfix processes that all N sessions are served at the same time
# (smtpd's maxproc is "-" in the harness's master.cf, i.e.
# default_process_limit, 100 by default; cleanup's is 0, unlimited), and no
# per-client connection limit (anvil): all N come from 127.0.0.1.
POSTFIX_LIMITS = {
    "default_process_limit": str(2 * N + 50),
    "smtpd_client_connection_count_limit": "0",
    "smtpd_client_connection_rate_limit": "0",
    "smtpd_client_message_rate_limit": "0",
    "smtpd_client_recipient_rate_limit": "0",
}


def organizer(i):
    return ("org%02d@example.com" % i, "Organizer %02d" % i)


def epoch(s):
    return int(datetime.strptime(s, "%Y-%m-%d %H:%M")
               .replace(tzinfo=timezone.utc).timestamp())


def dot_stuff(raw):
    """DATA content as sent: CRLF line ends, leading dots doubled, the
    terminating CRLF.CRLF."""
    raw = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", raw)
    raw = re.sub(rb"(?m)^\.", b"..", raw)
    if not raw.endswith(b"\r\n"):
        raw += b"\r\n"
    return raw + b".\r\n"


class Race(E2EBase):
    rooms = [(ROOM_A, "Room A")]
    postfix_main = POSTFIX_LIMITS

    # -- firing ----------------------------------------------------------

    def fire(self, jobs):
        """Send every (sender, msgid, raw) on its own SMTP connection, all
        DATA contents released together.  Returns (results, t_release):
        results[i] = (code, text, t_answered) or ("error", repr, None)."""
        results = [None] * len(jobs)
        released = []
        barrier = threading.Barrier(
            len(jobs), action=lambda: released.append(time.monotonic()))

        def one(i):
            sender, msgid, raw = jobs[i]
            try:
                with smtplib.SMTP("127.0.0.1", self.pf.port,
                                  local_hostname="client%02d.example.net" % i,
                                  timeout=120) as s:
                    for what, (code, text), want in (
                            ("EHLO", s.ehlo(), (250,)),
                            ("MAIL", s.mail(sender), (250,)),
                            ("RCPT", s.rcpt(ROOM_A), (250, 251)),
                            ("DATA", s.docmd("DATA"), (354,))):
                        if code not in want:
                            raise RuntimeError("%s answered %d %s" %
                                               (what, code, text))
                    barrier.wait(60)
                    s.send(dot_stuff(raw))
                    code, text = s.getreply()
                    results[i] = (code, text.decode(errors="replace"),
                                  time.monotonic())
                    try:
                        s.quit()
                    except smtplib.SMTPException:
                        pass
            except BaseException as e:
                if results[i] is None:
                    results[i] = ("error", repr(e), None)
                barrier.abort()

        threads = [threading.Thread(target=one, args=(i,), daemon=True)
                   for i in range(len(jobs))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        self.assertFalse([t for t in threads if t.is_alive()],
                         "SMTP client threads still running")
        return results, (released[0] if released else None)

    # -- the test --------------------------------------------------------

    def test_conflicting_requests_race(self):
        uids, jobs, org_of = [], [], {}
        for i in range(N):
            uid = "race%02d-%s@example.com" % (i, RUN)
            org = organizer(i)
            msgid, raw = request(uid, *SLOT, subject="Race %02d" % i,
                                 organizer=org, to=(ROOM_A,), people=())
            uids.append(uid)
            jobs.append((org[0], msgid, raw))
            org_of[msgid] = org[0]
        msgids = [m for _, m, _ in jobs]
        uid_of = dict(zip(msgids, uids))
        log_mark = len(self.milter.log())

        results, t0 = self.fire(jobs)
        self.assertIsNotNone(t0, "the barrier never released: %r" %
                             [r for r in results if r and r[0] == "error"])
        bad = {msgids[i]: r[:2] for i, r in enumerate(results)
               if r is None or r[0] != 250}
        if bad:
            errs = [l for l in self.milter.log()[log_mark:].splitlines()
                    if ERROR_RE.search(l)]
            self.fail("%d of %d DATA answers were not 250 (by code: %r), "
                      "e.g.\n  %s\n%d milter error lines, e.g.\n  %s" %
                      (len(bad), N, dict(Counter(c for c, _ in
                                                 bad.values())),
                       "\n  ".join("%s: %s" % kv
                                   for kv in list(bad.items())[:3]),
                       len(errs), "\n  ".join(errs[:5])))
        t_decided = max(r[2] for r in results) - t0

        # -- the delivered copies --------------------------------------
        def copies(ms):
            return [m for m in ms if m["Message-ID"] in uid_of and
                    m["Delivered-To"] == ROOM_A]
        msgs = self.pf.wait_for(lambda ms: len(copies(ms)) >= N, 120,
                                "%d copies for %s" % (N, ROOM_A))
        got = copies(msgs)
        self.assertEqual(sorted(m["Message-ID"] for m in got),
                         sorted(msgids), "one copy of every invitation")
        decisions = {}
        for m in got:
            hs = [h for h in schedule_headers(m) if h["calendar"] == ROOM_A]
            self.assertEqual(len(hs), 1, "X-iMIP-Schedule on %s: %r" %
                             (m["Message-ID"], m.get_all("X-iMIP-Schedule")))
            h = hs[0]
            self.assertEqual((h.get("method"), h.get("uid")),
                             ("REQUEST", uid_of[m["Message-ID"]]))
            decisions[m["Message-ID"]] = (h.get("decision"), h.get("status"))
        self.assertEqual(Counter(decisions.values()),
                         Counter({("ACCEPTED", "2.0"): 1,
                                  ("DECLINED", "4.0"): N - 1}),
                         "decisions on the delivered copies")
        (winner,) = [k for k, v in decisions.items() if v[0] == "ACCEPTED"]
        winner_uid = uid_of[winner]

        # -- the replies -----------------------------------------------
        def ours(ms):
            out = {}
            for r in replies(ms, sender=ROOM_A):
                irt = str(r.msg["In-Reply-To"] or "").strip()
                if irt in uid_of:
                    out.setdefault(irt, []).append(r)
            return out
        msgs = self.pf.wait_for(lambda ms: len(ours(ms)) >= N, 180,
                                "%d REPLYs from %s" % (N, ROOM_A))
        t_replied = time.monotonic() - t0
        self.assertTrue(mta._wait(self.pf.queue_empty, 30),
                        "Postfix queue did not drain")
        time.sleep(1)           # a duplicate reply would be here by now
        reps = ours(self.pf.messages())
        self.assertEqual(sorted(reps), sorted(msgids))
        self.assertEqual({k: len(v) for k, v in reps.items() if len(v) != 1},
                         {}, "more than one REPLY to an invitation")
        answers = Counter()
        for msgid, (r,) in reps.items():
            self.assertEqual(r.uid, uid_of[msgid])
            self.assertEqual(r.msg["Delivered-To"], org_of[msgid])
            self.assertEqual([v.lower() for _, v in
                              props(r.lines, "ORGANIZER")],
                             ["mailto:" + org_of[msgid]])
            self.assertEqual(len(r.request_status), 1, r.lines)
            answers[(r.partstat(ROOM_A), r.request_status[0].split(";")[0],
                     msgid == winner)] += 1
        self.assertEqual(answers, Counter({("ACCEPTED", "2.0", True): 1,
                                           ("DECLINED", "4.0", False): N - 1}),
                         "REPLYs (PARTSTAT, REQUEST-STATUS, is the winner)")

        # -- the database ----------------------------------------------
        busy = self.milter.query(
            "SELECT e.uid, b.start, b.end FROM busy b "
            "JOIN calendar c ON c.id = b.calendar_id "
            "JOIN event e ON e.id = b.event_id "
            "WHERE c.address = ? AND b.start < ? AND b.end > ?",
            (ROOM_A, epoch(SLOT[1]), epoch(SLOT[0])))
        self.assertEqual(busy, [(winner_uid, epoch(SLOT[0]),
                                 epoch(SLOT[1]))], "busy rows in the slot")
        marks = ",".join("?" * N)
        journal = self.milter.query(
            "SELECT uid, calendar, method, decision FROM journal "
            "WHERE uid IN (%s)" % marks, uids)
        self.assertEqual(len(journal), N, "journal rows: %r" % journal)
        self.assertEqual(Counter((u == winner_uid, c, m, d)
                                 for u, c, m, d in journal),
                         Counter({(True, ROOM_A, "REQUEST", "ACCEPTED"): 1,
                                  (False, ROOM_A, "REQUEST", "DECLINED"):
                                  N - 1}),
                         "journal (is the winner, calendar, method, "
                         "decision)")
        self.assertEqual(sorted(u for u, _, _, _ in journal), sorted(uids))
        outbox = self.milter.query(
            "SELECT attempts, last_error, sent IS NOT NULL, "
            "failed IS NOT NULL FROM outbox")
        self.assertEqual(Counter(outbox), Counter({(1, None, 1, 0): N}),
                         "outbox rows (attempts, last_error, sent, failed)")

        # -- the logs --------------------------------------------------
        log = self.milter.log()[log_mark:]
        errors = [l for l in log.splitlines() if ERROR_RE.search(l) or
                  "database busy" in l or "internal error" in l]
        self.assertEqual(errors, [], "milter log has error lines")
        maillog = self.pf.maillog()
        trouble = [l for l in maillog.splitlines()
                   if "milter-reject" in l or "process limit" in l or
                   re.search(r"\bstatus=(deferred|bounced)\b", l)]
        self.assertEqual(trouble, [], "Postfix log")

        print("\nrace: %d conflicting REQUESTs on %d connections: all "
              "decided (250) %.2f s after release, all %d REPLYs delivered "
              "after %.2f s; winner %s" %
              (N, N, t_decided, N, t_replied, winner_uid),
              file=sys.stderr, flush=True)


if __name__ == "__main__":
    mta.main()
