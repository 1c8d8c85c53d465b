-- 006_people.sql - calendars of people.
--
-- block_pending 1: an invitation a person has not answered yet holds its
-- time as BUSY-TENTATIVE; 0: only answered events block time.  Set with
-- "imipctl calendar set ADDRESS block-pending yes|no".
ALTER TABLE calendar ADD COLUMN block_pending INTEGER NOT NULL DEFAULT 1
	CHECK (block_pending IN (0, 1));
