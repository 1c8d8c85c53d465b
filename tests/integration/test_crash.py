#!/usr/bin/env python3
"""Crash safety, end to end: a stream of invitations through a real Postfix
(milter_default_action = tempfail) while imip-milter is killed with SIGKILL
twice and started again.

Senders retry a message whose DATA got a 4xx, as an SMTP client does; the
filter's replies that were being handed over or waited in the outbox when
it died go out after the restart.  Afterwards:

  * every invitation was delivered (to Bob and to the room);
  * every decision was made exactly once: one event and one busy period
    per invitation, one booking in the journal (a message the MTA
    delivers again is recognised: "same version again");
  * every REPLY reached the organizer exactly once: the outbox survived,
    a request delivered twice is not answered twice, and a reply handed
    over twice is discarded when it passes the filter the second time;
  * PRAGMA integrity_check says ok.

Run:  sudo python3 tests/integration/test_crash.py -v
Exit status 77 (meson: SKIP) when the machine cannot run a private Postfix.
"""

import os
import sys
import threading
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mta  # noqa: E402
from e2e import E2EBase  # noqa: E402
from itip import ALICE, BOB, ROOM_A, delivered, replies, request  # noqa: E402

N = 48              # invitations in the stream
SENDERS = 4         # parallel SMTP clients
RUN = os.getpid()


def slot(i):
    """Invitation i's own half hour: no two of them clash."""
    day, half = divmod(i, 16)
    return ("%d-04-%02d %02d:%02d" % (time.gmtime().tm_year + 1, day + 1,
                                      8 + half // 2, 30 * (half % 2)),
            "%d-04-%02d %02d:%02d" % (time.gmtime().tm_year + 1, day + 1,
                                      8 + (half + 1) // 2,
                                      30 * ((half + 1) % 2)))


class CrashSafety(E2EBase):
    rooms = [(ROOM_A, "Room A")]
    milter_conf = {"outbox_retry_seconds": "1"}

    def send_until_accepted(self, msg):
        """DATA again after a 4xx (filter down) until 250, like an MTA."""
        deadline = time.monotonic() + 120
        while True:
            try:
                r = self.pf.send(ALICE, [ROOM_A, BOB], msg)
                if r.code == 250:
                    return
                self.assertEqual(r.code // 100, 4, "permanent: %r" % (r,))
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.fail("never accepted")
            time.sleep(0.2)

    def stream(self, msgs, accepted):
        def sender(part):
            for msg in part:
                self.send_until_accepted(msg)
                accepted.append(1)
        threads = [threading.Thread(target=sender, args=(msgs[k::SENDERS],))
                   for k in range(SENDERS)]
        for t in threads:
            t.start()
        return threads

    def crash_when(self, accepted, n):
        deadline = time.monotonic() + 60
        while len(accepted) < n and time.monotonic() < deadline:
            time.sleep(0.01)
        self.milter.kill()
        time.sleep(1.0)         # Postfix meets a dead filter meanwhile
        self.milter.start()

    def test_sigkill_mid_stream_loses_and_doubles_nothing(self):
        uids = ["crash-%d-%d@example.com" % (i, RUN) for i in range(N)]
        msgs = [request(uid, *slot(i), subject="Crash %d" % i)
                for i, uid in enumerate(uids)]
        accepted = []
        threads = self.stream([raw for _, raw in msgs], accepted)
        self.crash_when(accepted, N // 4)
        self.crash_when(accepted, 2 * N // 3)
        for t in threads:
            t.join(180)
        self.assertEqual(len(accepted), N, "not every message accepted")

        # Every invitation delivered, to Bob and to the room.
        self.pf.wait_for(lambda ms: all(delivered(ms, msgid, BOB) and
                                        delivered(ms, msgid, ROOM_A)
                                        for msgid, _ in msgs), 90,
                         "every invitation delivered")
        # Every decision once: one event, one busy period, one booking.
        self.assertEqual(self.milter.query(
            "SELECT count(*), count(DISTINCT uid) FROM event"), [(N, N)])
        self.assertEqual(self.milter.query(
            "SELECT count(*), count(DISTINCT event_id) FROM busy"), [(N, N)])
        booked = Counter(uid for uid, reason in self.milter.query(
            "SELECT uid, reason FROM journal WHERE decision = 'ACCEPTED'")
            if "same version" not in (reason or ""))
        self.assertEqual(sorted(booked.values()), [1] * N)
        self.assertEqual(set(booked), set(uids))
        # One queued answer per invitation; each delivered exactly once.
        self.assertEqual(self.milter.query(
            "SELECT count(*), count(DISTINCT in_reply_to) FROM outbox"),
            [(N, N)])
        self.pf.wait_for(lambda ms: all(replies(ms, u, ROOM_A) for u in uids),
                         90, "every reply delivered")
        time.sleep(2)           # a late duplicate would arrive by now
        msgs_now = self.pf.messages()
        per_uid = Counter(u for u in uids for _ in replies(msgs_now, u,
                                                           ROOM_A))
        self.assertEqual(per_uid, Counter({u: 1 for u in uids}))
        self.assertEqual(self.milter.query("PRAGMA integrity_check"),
                         [("ok",)])


if __name__ == "__main__":
    mta.main()
