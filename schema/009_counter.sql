-- 009_counter.sql - counter-proposals, and what a person lets the filter do
-- with REFRESH and PUBLISH.
--
-- counter: one row per event, attendee and instance (recurrence_id 0: the
-- whole event).  direction 'received': an attendee proposed a new time for
-- an event the person organizes (COUNTER sent to them); 'sent': the person
-- proposed one to the organizer of an invitation they got.  The newest
-- proposal by SEQUENCE, then DTSTAMP, is kept; state says whether it is
-- still open, was declined (DECLINECOUNTER) or superseded by a new version
-- of the event.
CREATE TABLE counter (
	event_id	INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
	attendee	TEXT NOT NULL,
	recurrence_id	INTEGER NOT NULL DEFAULT 0,
	direction	TEXT NOT NULL CHECK (direction IN ('received', 'sent')),
	proposed_start	INTEGER NOT NULL,
	proposed_end	INTEGER NOT NULL,
	comment		TEXT,
	sequence	INTEGER NOT NULL,
	dtstamp		INTEGER NOT NULL,
	state		TEXT NOT NULL DEFAULT 'open'
			CHECK (state IN ('open', 'declined', 'superseded')),
	ical		TEXT NOT NULL,
	updated		INTEGER NOT NULL,
	PRIMARY KEY (event_id, attendee, recurrence_id)
);

CREATE VIEW counters AS
	SELECT c.address AS calendar, e.uid, e.summary, k.direction,
	    k.attendee, k.recurrence_id,
	    datetime(k.proposed_start, 'unixepoch') AS proposed_start,
	    datetime(k.proposed_end, 'unixepoch') AS proposed_end,
	    k.comment, k.state, datetime(k.updated, 'unixepoch') AS updated
	FROM counter k JOIN event e ON e.id = k.event_id
	JOIN calendar c ON c.id = e.calendar_id;

-- answer_refresh 1: an attendee's REFRESH of an event the person organizes
-- is answered with the stored REQUEST; 0 (the default): journaled only.
-- store_publish 1: a PUBLISHed event sent to the person is recorded in
-- their calendar; 0 (the default): journaled only.  Set with "imipctl
-- calendar set ADDRESS answer-refresh|store-publish yes|no".
ALTER TABLE calendar ADD COLUMN answer_refresh INTEGER NOT NULL DEFAULT 0
	CHECK (answer_refresh IN (0, 1));
ALTER TABLE calendar ADD COLUMN store_publish INTEGER NOT NULL DEFAULT 0
	CHECK (store_publish IN (0, 1));
