-- t-plain-accept.lua - mail that cannot hold an invitation for us is
-- accepted at end of headers, before any body is read, and left unchanged.
--
-- 1. text/plain to room-a (a managed calendar): nothing to schedule.
-- 2. text/calendar to an address no calendar is kept for.
-- run.sh checks the database stayed empty and the fast path was logged
-- under each message's queue id.

local T = dofile(os.getenv("IMIP_MT_DIR") .. "/common.lua")

T.run(function()
	T.start()

	-- 1. plain text to the room
	local conn = T.connect()
	T.envelope(conn, "PLAINQID1", T.ORGANIZER, { T.ROOM })
	T.headers(conn, {
		{ "From", "Alice Example <" .. T.ORGANIZER .. ">" },
		{ "To", "Room A <" .. T.ROOM .. ">" },
		{ "Subject", "Is the projector fixed?" },
		{ "Date", "Mon, 1 Feb 2027 09:00:00 +0000" },
		{ "Message-ID", "<plain-1@example.com>" },
		{ "MIME-Version", "1.0" },
		{ "Content-Type", "text/plain; charset=utf-8" },
	})
	T.step(conn, "eoh (text/plain to room-a)", mt.eoh(conn), SMFIR_ACCEPT)
	mt.disconnect(conn)

	-- 2. a calendar for someone we do not manage
	conn = T.connect()
	T.envelope(conn, "PLAINQID2", T.ORGANIZER, { "bob@example.net" })
	T.headers(conn, {
		{ "From", "Alice Example <" .. T.ORGANIZER .. ">" },
		{ "To", "Bob <bob@example.net>" },
		{ "Subject", "Invitation: Lunch" },
		{ "Date", "Mon, 1 Feb 2027 09:00:00 +0000" },
		{ "Message-ID", "<plain-2@example.com>" },
		{ "MIME-Version", "1.0" },
		{ "Content-Type",
		    "text/calendar; charset=utf-8; method=REQUEST" },
	})
	T.step(conn, "eoh (text/calendar to bob@example.net)", mt.eoh(conn),
	    SMFIR_ACCEPT)
	mt.disconnect(conn)
end)
