-- 011_outbox_ids.sql - each generated message sent exactly once.
--
-- message_id: the Message-ID of the generated message.  handovers counts
-- the times the outbox handed it to the MTA (raised before each try);
-- each copy carries its number in an X-iMIP-Copy header.  seen: the copy
-- number that first passed the filter on its way out (Postfix
-- non_smtpd_milters).  Another copy passing later was handed over again
-- after a crash between the hand-over and the outbox update: it is
-- discarded.  The same copy passing again (postsuper -r) is not.
-- in_reply_to: the Message-ID of the request it answers, so the same
-- request delivered again by the MTA after a crash is not answered twice.
ALTER TABLE outbox ADD COLUMN message_id TEXT;
ALTER TABLE outbox ADD COLUMN in_reply_to TEXT;
ALTER TABLE outbox ADD COLUMN handovers INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN seen INTEGER;
CREATE INDEX outbox_message_id ON outbox (message_id);
CREATE INDEX outbox_in_reply_to ON outbox (in_reply_to, env_from);
