-- 010_publish.sql - free/busy published as a file for web servers.
--
-- publish_freebusy 1: whenever the calendar's busy time changes (and each
-- time "imipctl expand" runs), its free/busy is written as an iCalendar
-- file (VFREEBUSY, METHOD:PUBLISH) named ADDRESS.vfb into the configured
-- freebusy_dir; 0 (the default): no file.  Set with "imipctl calendar set
-- ADDRESS publish-freebusy yes|no".
ALTER TABLE calendar ADD COLUMN publish_freebusy INTEGER NOT NULL DEFAULT 0
	CHECK (publish_freebusy IN (0, 1));
