#!/usr/bin/env python3
"""End to end: free/busy published for a web server, through a real
Postfix and the real imip-milter.  Room A has publish-freebusy yes and the
filter a freebusy_dir: after a booking arrives by SMTP the room's .vfb
holds the busy period (times only); after the CANCEL it holds none, and
the file was replaced by a rename each time (a new inode, no temporary
left in the directory).  imipctl expand writes it again for a new day.

Run:  sudo python3 tests/integration/test_e2e_publish.py -v
Exit status 77 (meson: SKIP) when the machine cannot run a private Postfix.
"""

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mta  # noqa: E402
from e2e import E2EBase  # noqa: E402
from itip import ROOM_A, cancel, day, request  # noqa: E402

UID = "pub-%d@example.com" % os.getpid()


def period(start, end):
    """'YYYY-MM-DD hh:mm' (UTC) pair as an iCalendar PERIOD."""
    def ical(t):
        return t.replace("-", "").replace(" ", "T").replace(":", "") + "00Z"
    return "%s/%s" % (ical(start), ical(end))


class Publish(E2EBase):
    rooms = [(ROOM_A, "Room A")]

    @classmethod
    def setUpClass(cls):
        cls.dir = Path(tempfile.mkdtemp(prefix="imip-fb-"))
        cls.dir.chmod(0o755)
        cls.milter_conf = {"freebusy_dir": str(cls.dir),
                           "freebusy_days": "500"}
        super().setUpClass()
        cls.milter.imipctl("calendar", "set", ROOM_A, "publish-freebusy",
                           "yes")
        cls.vfb = cls.dir / (ROOM_A + ".vfb")

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        for f in cls.dir.iterdir():
            f.unlink()
        cls.dir.rmdir()

    def wait_file(self, pred, what):
        self.pf.wait_for(lambda ms: self.vfb.exists() and
                         pred(self.vfb.read_text()), 20, what)
        self.assertEqual([f.name for f in self.dir.iterdir()
                          if f.name.startswith(".")], [], "temporary left")
        return self.vfb.stat()

    def test_1_booking_then_cancel_rewrite_the_file(self):
        busy = "FREEBUSY;FBTYPE=BUSY:" + period(day(9, "09:00"),
                                               day(9, "10:00"))
        msgid, raw = request(UID, day(9, "09:00"), day(9, "10:00"),
                             subject="Published")
        self.submit(msgid, raw)
        booked = self.wait_file(lambda t: busy in t, "the booked period")
        text = self.vfb.read_text()
        self.assertIn("METHOD:PUBLISH", text)
        self.assertNotIn("Published", text)     # times only
        self.assertEqual(booked.st_mode & 0o777, 0o644)

        msgid, raw = cancel(UID, day(9, "09:00"), day(9, "10:00"),
                            sequence=1, subject="Published")
        self.submit(msgid, raw)
        freed = self.wait_file(lambda t: "FREEBUSY;" not in t,
                               "the period freed")
        self.assertNotEqual(booked.st_ino, freed.st_ino)

    def test_2_expand_writes_it_for_the_new_day(self):
        self.vfb.unlink()
        r = self.milter.imipctl("-c", str(self.milter.conf), "expand")
        self.assertIn("free/busy published for 1 calendar", r.stdout)
        self.assertIn("BEGIN:VFREEBUSY", self.vfb.read_text())


if __name__ == "__main__":
    mta.main()
