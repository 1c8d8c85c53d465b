-- 007_replies.sql - what attendees answered to events a person organizes.
--
-- One row per event, attendee and instance (recurrence_id 0: the whole
-- event), holding the newest answer by SEQUENCE, then DTSTAMP: a late,
-- older reply never overwrites a newer one.
CREATE TABLE attendee_reply (
	event_id	INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
	attendee	TEXT NOT NULL,
	recurrence_id	INTEGER NOT NULL DEFAULT 0,
	partstat	TEXT NOT NULL,
	sequence	INTEGER NOT NULL,
	dtstamp		INTEGER NOT NULL,
	updated		INTEGER NOT NULL,
	PRIMARY KEY (event_id, attendee, recurrence_id)
);

CREATE VIEW replies AS
	SELECT c.address AS organizer_calendar, e.uid, e.summary,
	    r.attendee, r.recurrence_id, r.partstat, r.sequence,
	    datetime(r.dtstamp, 'unixepoch') AS answered
	FROM attendee_reply r JOIN event e ON e.id = r.event_id
	JOIN calendar c ON c.id = e.calendar_id;
