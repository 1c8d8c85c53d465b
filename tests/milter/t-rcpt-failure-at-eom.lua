-- t-rcpt-failure-at-eom.lua - the database fails while a recipient is
-- looked up: the RCPT command still gets CONTINUE (Postfix's
-- non_smtpd_milters must never reject or tempfail a recipient), and the
-- failure is acted on at end of message (on_internal_error, tempfail by
-- default).  With the database back, the next message is booked.

local T = dofile(os.getenv("IMIP_MT_DIR") .. "/common.lua")

local o = {
	uid = "mt-rcptfail@example.com", summary = "Planning",
	start = "20270322T090000Z", ["end"] = "20270322T100000Z",
}

local function message(conn, qid)
	T.envelope(conn, qid, T.ORGANIZER, { T.ROOM })
	T.headers(conn, T.invite_headers(o))
	T.step(conn, "eoh", mt.eoh(conn), SMFIR_CONTINUE)
	T.step(conn, "body", mt.bodystring(conn, T.invite_body(o)),
	    SMFIR_CONTINUE)
	return conn
end

T.run(function()
	T.start()
	local conn = T.connect()	-- started: the database is ready

	-- Not a database any more: the look-up at RCPT fails.
	assert(os.rename(T.db, T.db .. ".good"))
	local f = assert(io.open(T.db, "w"))
	f:write("this is not an SQLite database\n")
	f:close()
	message(conn, "FAILQID")
	-- 451 4.3.0 comes as a reply code: the tempfail with its text.
	T.step(conn, "eom", mt.eom(conn), SMFIR_REPLYCODE)
	mt.disconnect(conn)

	assert(os.rename(T.db .. ".good", T.db))
	conn = T.connect()
	message(conn, "OKQID")
	T.step(conn, "eom", mt.eom(conn), { SMFIR_CONTINUE, SMFIR_ACCEPT })
	local got = T.added(conn, "X-iMIP-Schedule")
	T.check(got ~= nil and string.find(got, "decision=ACCEPTED", 1, true),
	    "after the database came back: got X-iMIP-Schedule '%s'",
	    tostring(got))
	mt.disconnect(conn)
end)
