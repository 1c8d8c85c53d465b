#!/usr/bin/env python3
"""demo.py DIR - show imip-milter booking rooms through a real Postfix.

Started by tools/demo after the build.  Everything runs on 127.0.0.1 with
files under DIR (state/demo): a private Postfix that delivers every message
into DIR/postfix/mail/, and imip-milter with its database DIR/milter/imip.db.
Both are stopped at the end; the files stay for a look around.
"""

import os
import subprocess
import sys
import textwrap
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mta  # noqa: E402
from itip import (  # noqa: E402
    ALICE, BOB, CAROL, ROOM_A, ROOM_B, calendar_texts, day, delivered, headers,
    replies, request)

WIDTH = 72


def heading(text):
    print()
    print("== %s " % text + "=" * max(0, WIDTH - len(text) - 4))


def indent(text, prefix="    "):
    return textwrap.indent(text.rstrip("\n"), prefix)


def wait_delivery(pf, msgid, rcpt):
    msgs = pf.wait_for(lambda ms: delivered(ms, msgid, rcpt), 30,
                       "delivery of %s" % msgid)
    return delivered(msgs, msgid, rcpt)[0]


def show_invitation(pf, sender, msgid, raw, rcpts):
    r = pf.send(sender, rcpts, raw)
    print("SMTP: %d %s" % (r.code, r.text))
    if r.code != 250:
        raise SystemExit("demo: the invitation was not accepted")
    m = wait_delivery(pf, msgid, ROOM_A)
    print("Delivered to %s with:" % ROOM_A)
    for h in m.get_all("X-iMIP-Schedule") or []:
        print("    X-iMIP-Schedule: %s" % h)
    if not m.get_all("X-iMIP-Schedule"):
        print("    (no X-iMIP-Schedule header)")
    return m


def show_reply(pf, uid):
    msgs = pf.wait_for(lambda ms: replies(ms, uid, ROOM_A), 30,
                       "the reply from %s" % ROOM_A)
    rep = replies(msgs, uid, ROOM_A)[0]
    m = rep.msg
    print("Reply from the room, delivered to %s:" % m["Delivered-To"])
    for h in ("From", "To", "Subject", "Auto-Submitted", "In-Reply-To"):
        print("    %s: %s" % (h, m[h]))
    for part, text in calendar_texts(m):
        print("    --- %s ---" % part["Content-Type"])
        print(indent(text.replace("\r\n", "\n"), "    "))
    return rep


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: demo.py DIR")
    problem = mta.harness_problem()
    if problem:
        raise SystemExit("demo: " + problem)
    workdir = os.path.abspath(sys.argv[1])
    rooms = [(ROOM_A, "Room A"), (ROOM_B, "Room B")]
    mta.install_signal_cleanup()

    heading("imip-milter demo in %s" % os.path.relpath(workdir))
    stack = mta.Stack(rooms=rooms, workdir=workdir, log_level="info")
    ml, pf = stack.milter, stack.postfix
    print("Database %s, rooms:" % os.path.relpath(ml.db))
    for addr, name in rooms:
        print("    imipctl --db DB calendar add %s --kind resource "
              "--name \"%s\" --tz %s" % (addr, name, ml.tz))
        print("    imipctl --db DB calendar set %s external yes" % addr)
    with stack:
        print("Postfix   smtpd on 127.0.0.1:%d, mail into %s/" %
              (pf.port, os.path.relpath(pf.maildir)))
        print("milter    %s, log %s" % (ml.socket,
                                             os.path.relpath(ml.logfile)))
        print("replies   sendmail_path = %s" % pf.sendmail_command())
        milter_pid = ml.proc.pid

        uid1 = "demo-1-%d@example.com" % int(time.time())
        start, end = day(1, "09:00"), day(1, "10:00")
        heading("1. Alice invites Room A, %s-%s UTC" % (start, end[-5:]))
        msgid, raw = request(uid1, start, end, subject="Project kick-off")
        show_invitation(pf, ALICE, msgid, raw, [ROOM_A, BOB])
        show_reply(pf, uid1)

        heading("Schedule: sqlite3 -header -column DB "
                "'SELECT * FROM schedule'")
        r = subprocess.run(["sqlite3", "-header", "-column", str(ml.db),
                            "SELECT * FROM schedule"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        print(indent(r.stdout or "(empty)\n"))
        frm = to = day(1, "")[:10]
        heading("Same in the room's time zone: imipctl schedule")
        print("    $ imipctl --db DB schedule %s --from %s --to %s" %
              (ROOM_A, frm, to))
        r = ml.imipctl("schedule", ROOM_A, "--from", frm, "--to", to,
                       check=False)
        print(indent((r.stdout + r.stderr) or "(nothing)\n"))

        uid2 = "demo-2-%d@example.com" % int(time.time())
        start, end = day(1, "09:30"), day(1, "10:30")
        heading("2. An overlapping invitation, %s-%s UTC" % (start,
                                                              end[-5:]))
        msgid, raw = request(uid2, start, end, subject="Budget review")
        show_invitation(pf, ALICE, msgid, raw, [ROOM_A, BOB])
        rep = show_reply(pf, uid2)
        print("Room A answered PARTSTAT=%s, REQUEST-STATUS:%s" %
              (rep.partstat(ROOM_A), ";".join(rep.request_status)))

        heading("3. A plain mail to Room A")
        msgid = "<demo-plain-%d@example.net>" % int(time.time())
        body = ("Hello,\r\n\r\nthe projector in Room A needs a new lamp."
                "\r\n\r\nCarol\r\n")
        raw = (headers([("From", "Carol <%s>" % CAROL), ("To", ROOM_A),
                        ("Subject", "Projector"),
                        ("Message-ID", msgid),
                        ("Date", "Mon, 01 Mar 2027 08:00:00 +0000"),
                        ("Content-Type", "text/plain; charset=UTF-8")]) +
               "\r\n" + body).encode()
        r = pf.send(CAROL, [ROOM_A], raw)
        print("SMTP: %d %s" % (r.code, r.text))
        m = wait_delivery(pf, msgid, ROOM_A)
        same = m.raw.endswith(raw.replace(b"\r\n", b"\n"))
        print("Delivered %s; X-iMIP-Schedule header: %s" %
              ("byte-for-byte unchanged" if same else "CHANGED",
               "present" if m["X-iMIP-Schedule"] else "none"))

        heading("Replies sent: imipctl outbox list --all")
        r = ml.imipctl("outbox", "list", "--all", check=False)
        print(indent((r.stdout + r.stderr) or "(nothing)\n"))

    heading("Stopped")
    left = mta._procs_in(pf.queue)
    if mta._pid_alive(milter_pid):
        left.append(milter_pid)
    print("Postfix and imip-milter stopped; processes left: %s" %
          (left or "none"))
    print("Look around: %s (mail/ is the Maildir, maillog in log/), %s" %
          (os.path.relpath(pf.dir), os.path.relpath(ml.dir)))
    return 1 if left or not same else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (AssertionError, mta.HarnessError) as e:
        print("\ndemo: FAILED: %s" % e, file=sys.stderr)
        print("demo: logs: %s/milter/milter.log, %s/postfix/log/maillog" %
              (sys.argv[1], sys.argv[1]), file=sys.stderr)
        sys.exit(1)
