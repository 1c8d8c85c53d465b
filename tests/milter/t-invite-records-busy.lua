-- t-invite-records-busy.lua - an invitation books the room; a second one
-- for an overlapping time is declined.
--
-- Each decision is announced in an X-iMIP-Schedule header added at end of
-- message.  After the first message the database holds one busy period and
-- one queued reply; run.sh checks the final state (one busy period, two
-- events, two replies) and that the decision log lines start with the
-- queue ids given here.

local T = dofile(os.getenv("IMIP_MT_DIR") .. "/common.lua")

local first = {
	uid = "mt-invite-1@example.com", summary = "Planning",
	start = "20270315T090000Z", ["end"] = "20270315T100000Z",
}
local second = {		-- overlaps the second half of the first
	uid = "mt-invite-2@example.com", summary = "Review",
	start = "20270315T093000Z", ["end"] = "20270315T103000Z",
}

local function invite(qid, o)
	local conn = T.connect()
	T.envelope(conn, qid, T.ORGANIZER, { T.ROOM })
	T.headers(conn, T.invite_headers(o))
	T.step(conn, "eoh", mt.eoh(conn), SMFIR_CONTINUE)
	T.body_eom(conn, T.invite_body(o))
	return conn
end

T.run(function()
	T.start()

	local conn = invite("TESTQID", first)
	local want = T.ROOM .. " method=REQUEST uid=" .. first.uid ..
	    " decision=ACCEPTED status=2.0"
	local got = T.added(conn, "X-iMIP-Schedule")
	T.check(got ~= nil, "first invitation: no X-iMIP-Schedule added")
	T.check(string.find(got, "decision=ACCEPTED", 1, true),
	    "first invitation: got X-iMIP-Schedule '%s', want " ..
	    "decision=ACCEPTED", got)
	T.check(got == want,
	    "first invitation: got X-iMIP-Schedule '%s', want '%s'", got, want)
	T.check(not mt.eom_check(conn, MT_HDRCHANGE),
	    "first invitation: a header was changed or removed")
	mt.disconnect(conn)

	T.expect_sql(1, "SELECT count(*) FROM busy")
	T.expect_sql(1, "SELECT count(*) FROM outbox")
	T.expect_sql("2027-03-15 09:00:00|2027-03-15 10:00:00",
	    "SELECT start_utc, end_utc FROM schedule")

	conn = invite("TESTQID2", second)
	got = T.added(conn, "X-iMIP-Schedule")
	T.check(got ~= nil, "second invitation: no X-iMIP-Schedule added")
	T.check(string.find(got, "decision=DECLINED", 1, true),
	    "second invitation: got X-iMIP-Schedule '%s', want " ..
	    "decision=DECLINED", got)
	T.check(string.find(got, "uid=" .. second.uid, 1, true),
	    "second invitation: got X-iMIP-Schedule '%s', want uid=%s", got,
	    second.uid)
	mt.disconnect(conn)

	T.expect_sql(1, "SELECT count(*) FROM busy")
	T.expect_sql(2, "SELECT count(*) FROM outbox")
end)
