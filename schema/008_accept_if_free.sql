-- 008_accept_if_free.sql - a person may let the filter answer for them.
--
-- accept_if_free 1: an invitation to the person is accepted when their
-- time is free and declined when it is not, like a resource (Kolab's
-- ACCEPT_IF_NO_CONFLICT); 0 (the default): the person answers.  Set with
-- "imipctl calendar set ADDRESS accept-if-free yes|no".
ALTER TABLE calendar ADD COLUMN accept_if_free INTEGER NOT NULL DEFAULT 0
	CHECK (accept_if_free IN (0, 1));
