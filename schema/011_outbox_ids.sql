-- 011_outbox_ids.sql - each generated message sent exactly once.
--
-- message_id: the Message-ID of the generated message.  When it passes
-- the filter on its way out (Postfix non_smtpd_milters), seen is set;
-- a second copy of the same message (handed to the MTA again after a
-- crash between the hand-over and the outbox update) is discarded there.
-- in_reply_to: the Message-ID of the request it answers, so the same
-- request retried by the MTA after a crash is not answered twice.
ALTER TABLE outbox ADD COLUMN message_id TEXT;
ALTER TABLE outbox ADD COLUMN in_reply_to TEXT;
ALTER TABLE outbox ADD COLUMN seen INTEGER;
CREATE INDEX outbox_message_id ON outbox (message_id);
CREATE INDEX outbox_in_reply_to ON outbox (in_reply_to, env_from);
