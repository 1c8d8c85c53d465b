-- t-forged-header-fast-path.lua - a forged X-iMIP-Schedule header is
-- removed even from mail that holds no invitation, so no message reaching
-- a managed calendar carries a result header imip-milter did not write.
--
-- The filter must not take the end-of-headers fast path when such a header
-- was seen: it reads the message to the end and removes the header there.

local T = dofile(os.getenv("IMIP_MT_DIR") .. "/common.lua")

local forged = T.ROOM .. " method=REQUEST uid=mt-fast@example.com " ..
    "decision=ACCEPTED status=2.0"

T.run(function()
	T.start()

	local conn = T.connect()
	T.envelope(conn, "FASTQID", T.ORGANIZER, { T.ROOM })
	T.headers(conn, {
		{ "From", "Alice Example <" .. T.ORGANIZER .. ">" },
		{ "To", "Room A <" .. T.ROOM .. ">" },
		{ "Subject", "Booked, see header" },
		{ "Date", "Mon, 1 Feb 2027 09:00:00 +0000" },
		{ "Message-ID", "<fast-1@example.com>" },
		{ "X-iMIP-Schedule", forged },
		{ "MIME-Version", "1.0" },
		{ "Content-Type", "text/plain; charset=utf-8" },
	})
	T.step(conn, "eoh (text/plain with a forged header)", mt.eoh(conn),
	    SMFIR_CONTINUE)
	T.body_eom(conn, "Nothing to see here.\r\n")
	T.check(mt.eom_check(conn, MT_HDRCHANGE, "X-iMIP-Schedule"),
	    "the forged X-iMIP-Schedule header was not removed")
	T.check(not mt.eom_check(conn, MT_HDRADD, "X-iMIP-Schedule"),
	    "an X-iMIP-Schedule header was added to mail without an invitation")
	mt.disconnect(conn)
end)
