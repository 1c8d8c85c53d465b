-- common.lua - what every imip-milter miltertest script shares.
--
-- Loaded by the t-*.lua scripts with dofile(); run.sh prepares the
-- temporary directory and the environment read below.  Failures raise a
-- Lua error, which makes miltertest exit non-zero.

local T = {}

local function env(name)
	local v = os.getenv(name)
	if v == nil or v == "" then
		error(name .. " is not set: run the script through " ..
		    "tests/milter/run.sh", 0)
	end
	return v
end

T.bin = env("IMIP_BIN")
T.conf = env("IMIP_CONF")
T.sock = env("IMIP_SOCK")
T.log = env("IMIP_LOG")
T.db = env("IMIP_DB")
T.sqlite3 = env("SQLITE3")

T.ROOM = "room-a@example.org"
T.ORGANIZER = "alice@example.com"

local reply_names = {
	[SMFIR_ACCEPT] = "SMFIR_ACCEPT", [SMFIR_CONTINUE] = "SMFIR_CONTINUE",
	[SMFIR_DISCARD] = "SMFIR_DISCARD", [SMFIR_REJECT] = "SMFIR_REJECT",
	[SMFIR_TEMPFAIL] = "SMFIR_TEMPFAIL",
	[SMFIR_REPLYCODE] = "SMFIR_REPLYCODE",
}

function T.reply_name(r)
	return reply_names[r] or string.format("reply %s", tostring(r))
end

-- Run the body of a script.  miltertest drops the message of a Lua error
-- and only exits 1, so the error and its traceback are printed here first;
-- miltertest still stops the filter afterwards.
function T.run(fn)
	local ok, msg = xpcall(fn, debug.traceback)
	if not ok then
		io.stderr:write("miltertest: FAIL: " .. tostring(msg) .. "\n")
		error(msg, 0)
	end
end

function T.check(cond, fmt, ...)
	if not cond then
		error(string.format(fmt, ...), 2)
	end
end

-- Check what one protocol step returned and what the filter answered.
-- want may be a single SMFIR_ value or a list of acceptable ones.
function T.step(conn, what, err, want)
	if err ~= nil then
		error(string.format("%s: %s", what, err), 2)
	end
	local got = mt.getreply(conn)
	local wants = type(want) == "table" and want or { want }
	local names = {}
	for _, w in ipairs(wants) do
		if got == w then
			return got
		end
		names[#names + 1] = T.reply_name(w)
	end
	error(string.format("%s: got %s, want %s", what, T.reply_name(got),
	    table.concat(names, " or ")), 2)
end

local function shquote(s)
	return "'" .. string.gsub(s, "'", "'\\''") .. "'"
end

-- Start imip-milter in the foreground, its stderr appended to the log.
-- The shell execs the milter, so miltertest's SIGTERM at the end of the
-- script reaches imip-milter itself (or valgrind running it: the
-- valgrindmilter test setup puts it in IMIP_WRAPPER).
function T.start()
	mt.set_timeout(20)
	mt.startfilter("/bin/sh", "-c", 'exec $IMIP_WRAPPER "$IMIP_BIN" ' ..
	    '-f -c "$IMIP_CONF" 2>>"$IMIP_LOG"')
end

-- A new connection, retried while the milter is still binding its socket.
function T.connect()
	local conn = mt.connect(T.sock, 100, 0.05)
	T.check(conn ~= nil, "mt.connect(%s) failed", T.sock)
	T.step(conn, "conninfo",
	    mt.conninfo(conn, "client.example.com", "192.0.2.10"),
	    SMFIR_CONTINUE)
	return conn
end

-- The envelope of one message.  qid is handed over as macro "i" at
-- qid_stage (SMFIC_MAIL, or SMFIC_RCPT as Postfix does it).
function T.envelope(conn, qid, from, rcpts, qid_stage)
	qid_stage = qid_stage or SMFIC_MAIL
	if qid_stage == SMFIC_MAIL then
		mt.macro(conn, SMFIC_MAIL, "i", qid)
	end
	T.step(conn, "mailfrom <" .. from .. ">",
	    mt.mailfrom(conn, "<" .. from .. ">"), SMFIR_CONTINUE)
	if qid_stage == SMFIC_RCPT then
		mt.macro(conn, SMFIC_RCPT, "i", qid)
	end
	for _, r in ipairs(rcpts) do
		T.step(conn, "rcptto <" .. r .. ">",
		    mt.rcptto(conn, "<" .. r .. ">"), SMFIR_CONTINUE)
	end
end

-- Header fields, each given as { name, value }.
function T.headers(conn, fields)
	for _, f in ipairs(fields) do
		T.step(conn, "header " .. f[1], mt.header(conn, f[1], f[2]),
		    SMFIR_CONTINUE)
	end
end

-- Body and end of message; the filter may answer CONTINUE or ACCEPT.
function T.body_eom(conn, body)
	T.step(conn, "body", mt.bodystring(conn, body), SMFIR_CONTINUE)
	return T.step(conn, "eom", mt.eom(conn),
	    { SMFIR_CONTINUE, SMFIR_ACCEPT })
end

-- The first value of a header the filter added at EOM, or nil.
function T.added(conn, name)
	if not mt.eom_check(conn, MT_HDRADD, name) then
		return nil
	end
	return mt.getheader(conn, name, 0)
end

-- One value from the database (first column of the first row, as text).
function T.sql(query)
	local p = io.popen(shquote(T.sqlite3) .. " -batch -noheader " ..
	    "-cmd '.timeout 5000' " .. shquote(T.db) .. " " .. shquote(query))
	local out = p:read("a")
	p:close()
	return (string.gsub(out, "\n$", ""))
end

function T.expect_sql(want, query)
	local got = T.sql(query)
	if got ~= tostring(want) then
		error(string.format("%s: got '%s', want '%s'", query, got,
		    tostring(want)), 2)
	end
end

-- iCalendar text: CRLF line ends, long lines folded at 75 octets.
local function ical(lines)
	local out = {}
	for _, l in ipairs(lines) do
		while #l > 75 do
			out[#out + 1] = string.sub(l, 1, 75)
			l = " " .. string.sub(l, 76)
		end
		out[#out + 1] = l
	end
	return table.concat(out, "\r\n") .. "\r\n"
end

-- An iTIP REQUEST inviting room-a.  o.uid, o.start and o["end"] (UTC,
-- "YYYYMMDDTHHMMSSZ") are required; o.summary and o.sequence are not.
function T.request_ics(o)
	return ical({
		"BEGIN:VCALENDAR",
		"PRODID:-//imip-milter//miltertest//EN",
		"VERSION:2.0",
		"METHOD:REQUEST",
		"BEGIN:VEVENT",
		"UID:" .. o.uid,
		"DTSTAMP:20270101T080000Z",
		"SEQUENCE:" .. tostring(o.sequence or 0),
		"DTSTART:" .. o.start,
		"DTEND:" .. o["end"],
		"SUMMARY:" .. (o.summary or "Planning"),
		"ORGANIZER;CN=Alice Example:mailto:" .. T.ORGANIZER,
		"ATTENDEE;CN=Alice Example;ROLE=CHAIR;PARTSTAT=ACCEPTED:" ..
		    "mailto:" .. T.ORGANIZER,
		"ATTENDEE;CN=Room A;CUTYPE=RESOURCE;ROLE=NON-PARTICIPANT;" ..
		    "PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:" .. T.ROOM,
		"END:VEVENT",
		"END:VCALENDAR",
	})
end

local BOUNDARY = "=_imip-mt-boundary"

-- Header fields of an invitation from alice to room-a; extra fields (a
-- list of { name, value }) come before the MIME fields.
function T.invite_headers(o, extra)
	local h = {
		{ "Received", "from client.example.com (client.example.com " ..
		    "[192.0.2.10]) by mx.example.org; Mon, 1 Feb 2027 " ..
		    "09:00:00 +0000" },
		{ "From", "Alice Example <" .. T.ORGANIZER .. ">" },
		{ "To", "Room A <" .. T.ROOM .. ">" },
		{ "Subject", "Invitation: " .. (o.summary or "Planning") },
		{ "Date", "Mon, 1 Feb 2027 09:00:00 +0000" },
		{ "Message-ID", "<" .. o.uid .. ".msg@example.com>" },
	}
	for _, f in ipairs(extra or {}) do
		h[#h + 1] = f
	end
	h[#h + 1] = { "MIME-Version", "1.0" }
	h[#h + 1] = { "Content-Type", "multipart/alternative; boundary=\"" ..
	    BOUNDARY .. "\"" }
	return h
end

-- multipart/alternative: a text/plain part and the text/calendar part.
-- ics may be given to send other calendar data (e.g. broken).
function T.invite_body(o, ics)
	ics = ics or T.request_ics(o)
	return table.concat({
		"--" .. BOUNDARY,
		"Content-Type: text/plain; charset=utf-8",
		"",
		"You have been invited to " .. (o.summary or "Planning") .. ".",
		"",
		"--" .. BOUNDARY,
		"Content-Type: text/calendar; charset=utf-8; method=REQUEST",
		"Content-Transfer-Encoding: 7bit",
		"",
		ics .. "--" .. BOUNDARY .. "--",
		"",
	}, "\r\n")
end

return T
