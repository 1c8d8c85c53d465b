-- 001_init.sql - the first imip-milter schema.
--
-- Times are UTC epoch seconds (INTEGER); the views render them for people.
-- Addresses are stored lower-case without "mailto:".  Applied by
-- imip_store_open() inside one transaction; PRAGMA user_version records it.

CREATE TABLE calendar (
	id		INTEGER PRIMARY KEY,
	address		TEXT NOT NULL UNIQUE,
	kind		TEXT NOT NULL CHECK (kind IN ('resource', 'person')),
	name		TEXT,
	tz		TEXT NOT NULL DEFAULT 'UTC',
	created		INTEGER NOT NULL,
	-- Longest busy period ever stored here: bounds the overlap range scan.
	busy_span_max	INTEGER NOT NULL DEFAULT 0
);

-- What a calendar knows of one scheduling object (recurrence_id NULL is the
-- master or a single event).
CREATE TABLE event (
	id		INTEGER PRIMARY KEY,
	calendar_id	INTEGER NOT NULL REFERENCES calendar(id) ON DELETE CASCADE,
	uid		TEXT NOT NULL,
	recurrence_id	INTEGER,
	organizer	TEXT,
	summary		TEXT,
	sequence	INTEGER NOT NULL DEFAULT 0,
	dtstamp		INTEGER NOT NULL DEFAULT 0,
	partstat	TEXT NOT NULL,
	status		TEXT NOT NULL DEFAULT 'CONFIRMED',
	ical		TEXT,
	updated		INTEGER NOT NULL
);
CREATE UNIQUE INDEX event_key ON event (calendar_id, uid,
	IFNULL(recurrence_id, -1));

-- Busy periods, [start, end).  "What overlaps [a, b)" is asked as
-- start IN (a - calendar.busy_span_max, b) AND end > a: a range scan of the
-- (calendar_id, start) index, never a scan of the calendar's whole history.
CREATE TABLE busy (
	id		INTEGER PRIMARY KEY,
	calendar_id	INTEGER NOT NULL REFERENCES calendar(id) ON DELETE CASCADE,
	event_id	INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
	start		INTEGER NOT NULL,
	end		INTEGER NOT NULL CHECK (end > start),
	fbtype		TEXT NOT NULL DEFAULT 'BUSY'
);
CREATE INDEX busy_range ON busy (calendar_id, start, end);
CREATE INDEX busy_event ON busy (event_id);

-- One row per decision: the audit trail.
CREATE TABLE journal (
	id		INTEGER PRIMARY KEY,
	at		INTEGER NOT NULL,
	queue_id	TEXT,
	calendar	TEXT,
	uid		TEXT,
	method		TEXT,
	sender		TEXT,
	decision	TEXT NOT NULL,
	reason		TEXT
);
CREATE INDEX journal_at ON journal (at);

-- Generated messages waiting for, or done with, delivery through the MTA.
CREATE TABLE outbox (
	id		INTEGER PRIMARY KEY,
	created		INTEGER NOT NULL,
	env_from	TEXT NOT NULL,
	env_to		TEXT NOT NULL,
	message		TEXT NOT NULL,
	attempts	INTEGER NOT NULL DEFAULT 0,
	next_attempt	INTEGER NOT NULL,
	last_error	TEXT,
	sent		INTEGER,
	failed		INTEGER
);
CREATE INDEX outbox_due ON outbox (next_attempt) WHERE sent IS NULL
	AND failed IS NULL;

-- Views for people reading the file with sqlite3.
CREATE VIEW schedule AS
SELECT c.address AS calendar,
       datetime(b.start, 'unixepoch') AS start_utc,
       datetime(b.end, 'unixepoch') AS end_utc,
       b.fbtype AS fbtype,
       e.summary AS summary,
       e.organizer AS organizer,
       e.uid AS uid
  FROM busy b JOIN event e ON e.id = b.event_id
	      JOIN calendar c ON c.id = b.calendar_id
 ORDER BY c.address, b.start;

CREATE VIEW pending_outbox AS
SELECT id, datetime(created, 'unixepoch') AS created_utc, env_from, env_to,
       attempts, datetime(next_attempt, 'unixepoch') AS next_attempt_utc,
       last_error
  FROM outbox WHERE sent IS NULL AND failed IS NULL ORDER BY id;
