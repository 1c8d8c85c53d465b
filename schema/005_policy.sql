-- 005_policy.sql - what each resource allows, delegate approvals, trust.
--
-- The policy of a calendar is a set of columns, changed with
-- "imipctl calendar set ADDRESS KEY VALUE" (imipctl(8) names the keys;
-- the key is the column with '-' for '_').  Lists hold addresses or
-- "@domain" entries separated by blanks.  The defaults are safe: automatic
-- booking of one meeting at a time, organizers from local_domains only.
ALTER TABLE calendar ADD COLUMN booking TEXT NOT NULL DEFAULT 'automatic'
	CHECK (booking IN ('automatic', 'approval'));
ALTER TABLE calendar ADD COLUMN delegates TEXT;
ALTER TABLE calendar ADD COLUMN capacity INTEGER NOT NULL DEFAULT 1
	CHECK (capacity >= 1);
-- 0: no limit.
ALTER TABLE calendar ADD COLUMN window_days INTEGER NOT NULL DEFAULT 0
	CHECK (window_days >= 0);
ALTER TABLE calendar ADD COLUMN min_minutes INTEGER NOT NULL DEFAULT 0
	CHECK (min_minutes >= 0);
ALTER TABLE calendar ADD COLUMN max_minutes INTEGER NOT NULL DEFAULT 0
	CHECK (max_minutes >= 0);
ALTER TABLE calendar ADD COLUMN recurring INTEGER NOT NULL DEFAULT 1
	CHECK (recurring IN (0, 1));
-- NULL: the configured conflict_max_instances / conflict_max_percent.
ALTER TABLE calendar ADD COLUMN conflict_max_instances INTEGER
	CHECK (conflict_max_instances >= 0);
ALTER TABLE calendar ADD COLUMN conflict_max_percent INTEGER
	CHECK (conflict_max_percent BETWEEN 0 AND 100);
-- "mon-fri 08:00-18:00" in the calendar's zone; NULL: any time.
ALTER TABLE calendar ADD COLUMN working_hours TEXT;
ALTER TABLE calendar ADD COLUMN allow TEXT;
ALTER TABLE calendar ADD COLUMN deny TEXT;
ALTER TABLE calendar ADD COLUMN external INTEGER NOT NULL DEFAULT 0
	CHECK (external IN (0, 1));
ALTER TABLE calendar ADD COLUMN delivery TEXT NOT NULL DEFAULT 'deliver'
	CHECK (delivery IN ('deliver', 'consume'));

-- A booking waiting for a delegate.  The delegates get an invitation
-- whose ORGANIZER is room+approve-TOKEN@domain; only an answer to that
-- address, from a delegate, for the version it was asked for, decides.
CREATE TABLE approval (
	id		INTEGER PRIMARY KEY,
	calendar_id	INTEGER NOT NULL REFERENCES calendar(id) ON DELETE CASCADE,
	event_id	INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
	token		TEXT NOT NULL UNIQUE,
	sequence	INTEGER NOT NULL,
	dtstamp		INTEGER NOT NULL,
	created		INTEGER NOT NULL,
	decided		INTEGER,
	decision	TEXT,		-- ACCEPTED, DECLINED, SUPERSEDED
	decided_by	TEXT
);
CREATE INDEX approval_event ON approval (event_id);

-- The evidence behind the originator of each decision.
ALTER TABLE journal ADD COLUMN trust TEXT;

CREATE VIEW pending_approval AS
	SELECT c.address AS calendar, e.uid, e.summary, e.organizer,
	    datetime(a.created, 'unixepoch') AS asked, a.token
	FROM approval a JOIN calendar c ON c.id = a.calendar_id
	JOIN event e ON e.id = a.event_id
	WHERE a.decided IS NULL;
