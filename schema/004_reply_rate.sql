-- 004_reply_rate.sql - how many answers one organizer got lately.
--
-- The filter counts the outbox rows to an address created in the last
-- hour before it queues another (reply_rate_limit); this index keeps that
-- count a range scan.
CREATE INDEX outbox_to ON outbox (env_to, created);
