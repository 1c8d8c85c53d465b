-- t-broken-ics-accepts.lua - calendar data cut off in the middle is not a
-- failure: the message is delivered unchanged and nothing is booked.
--
-- The queue id is handed over with RCPT, as Postfix does.  run.sh checks
-- the warning about malformed data (under that queue id), the MALFORMED
-- journal row and that no event, busy period or reply was stored.

local T = dofile(os.getenv("IMIP_MT_DIR") .. "/common.lua")

local o = {
	uid = "mt-broken@example.com", summary = "Cut off",
	start = "20270316T090000Z", ["end"] = "20270316T100000Z",
}
-- The REQUEST up to the middle of DTSTART: no END:VEVENT, no END:VCALENDAR.
local full = T.request_ics(o)
local broken = string.sub(full, 1, string.find(full, "DTSTART:", 1, true) + 11)

T.run(function()
	T.start()

	local conn = T.connect()
	T.envelope(conn, "BROKENQID", T.ORGANIZER, { T.ROOM }, SMFIC_RCPT)
	T.headers(conn, T.invite_headers(o))
	T.step(conn, "eoh", mt.eoh(conn), SMFIR_CONTINUE)
	T.body_eom(conn, T.invite_body(o, broken .. "\r\n"))
	T.check(not mt.eom_check(conn, MT_HDRADD, "X-iMIP-Schedule"),
	    "an X-iMIP-Schedule header was added for malformed data: '%s'",
	    tostring(mt.getheader(conn, "X-iMIP-Schedule", 0)))
	T.check(not mt.eom_check(conn, MT_HDRADD), "a header was added")
	T.check(not mt.eom_check(conn, MT_HDRCHANGE), "a header was changed")
	T.check(not mt.eom_check(conn, MT_BODYCHANGE), "the body was changed")
	mt.disconnect(conn)
end)
