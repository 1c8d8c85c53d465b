-- 003_sharing.sql - per-calendar free/busy sharing.
--
-- share_freebusy 1: a VFREEBUSY REQUEST naming the calendar is answered
-- with its busy periods (times only, never summaries); 0: such requests
-- are journaled and not answered.  Set with
-- "imipctl calendar set ADDRESS share-freebusy yes|no".
ALTER TABLE calendar ADD COLUMN share_freebusy INTEGER NOT NULL DEFAULT 1
	CHECK (share_freebusy IN (0, 1));
