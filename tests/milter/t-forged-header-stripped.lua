-- t-forged-header-stripped.lua - an X-iMIP-Schedule header that arrives
-- with the message is removed, and the filter's own is added, so what is
-- seen downstream was written by imip-milter.

local T = dofile(os.getenv("IMIP_MT_DIR") .. "/common.lua")

local o = {
	uid = "mt-forged@example.com", summary = "Board meeting",
	start = "20270317T130000Z", ["end"] = "20270317T140000Z",
}
local forged = T.ROOM .. " method=REQUEST uid=" .. o.uid ..
    " decision=ACCEPTED status=2.0 forged=yes"
local want = T.ROOM .. " method=REQUEST uid=" .. o.uid ..
    " decision=ACCEPTED status=2.0"

T.run(function()
	T.start()

	local conn = T.connect()
	T.envelope(conn, "FORGEDQID", T.ORGANIZER, { T.ROOM })
	T.headers(conn, T.invite_headers(o, { { "X-iMIP-Schedule", forged } }))
	T.step(conn, "eoh", mt.eoh(conn), SMFIR_CONTINUE)
	T.body_eom(conn, T.invite_body(o))

	-- smfi_chgheader() with no value, which miltertest records as a change.
	T.check(mt.eom_check(conn, MT_HDRCHANGE, "X-iMIP-Schedule"),
	    "the forged X-iMIP-Schedule header was not removed")
	T.check(mt.eom_check(conn, MT_HDRADD, "X-iMIP-Schedule", want),
	    "X-iMIP-Schedule: got '%s', want '%s'",
	    tostring(mt.getheader(conn, "X-iMIP-Schedule", 0)), want)
	mt.disconnect(conn)
end)
