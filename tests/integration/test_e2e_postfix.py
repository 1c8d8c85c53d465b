#!/usr/bin/env python3
"""End-to-end: a private Postfix on loopback with imip-milter as its
smtpd_milters and non_smtpd_milters; the room's replies re-enter Postfix
through sendmail(1) and land in the same Maildir as everything else.

The scenarios are e2e.py's, which test_e2e_sendmail.py runs through a
Sendmail; here is what Postfix shows of them (its maillog).

Run:  sudo python3 tests/integration/test_e2e_postfix.py -v
Binaries come from $IMIP_MILTER / $IMIPCTL or build/.  Exit status 77
(meson: SKIP) when the machine cannot run a private Postfix (not root).
Set IMIP_TEST_KEEP=1 to keep the temporary directories for a post-mortem.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mta  # noqa: E402
from e2e import (  # noqa: E402
    BookingScenarios, E2EBase, OutboxRestartScenarios, PassThroughScenarios)
# tests/bench/throughput.py imports these from here, not from itip.
from itip import (  # noqa: E402,F401
    ALICE, BOB, CAROL, ROOM_A, ROOM_B, headers, replies, request)


class BookingFlow(BookingScenarios, E2EBase):

    def check_reply_filtered(self, rep):
        # The reply re-entered Postfix through sendmail -> pickup ->
        # cleanup -> non_smtpd_milters: the milter saw its queue id.
        m = re.search(r"\b([0-9A-F]{6,}): message-id=%s" %
                      re.escape(str(rep.msg["Message-ID"])), self.pf.maillog())
        self.assertIsNotNone(m, "reply not found in the maillog")
        self.assertIn(m.group(1), self.new_log(),
                      "the milter never saw the reply (queue id %s)" %
                      m.group(1))


class PassThrough(PassThroughScenarios, E2EBase):
    pass


class OutboxSurvivesRestart(OutboxRestartScenarios, E2EBase):
    pass


if __name__ == "__main__":
    mta.main()
