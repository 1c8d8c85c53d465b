-- 002_instances.sql - busy periods know which instance of a series they are.
--
-- recurrence_id is the instance's RECURRENCE-ID as UTC epoch seconds; NULL
-- for an event that does not recur.  Cancelling one instance deletes the
-- row with that event_id and recurrence_id.

ALTER TABLE busy ADD COLUMN recurrence_id INTEGER;
CREATE INDEX busy_instance ON busy (event_id, recurrence_id);

-- How far a series has been expanded, so imipctl expand can go on from
-- there; NULL for events that do not recur.
ALTER TABLE event ADD COLUMN expanded_until INTEGER;
