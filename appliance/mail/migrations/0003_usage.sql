-- What a person's mail weighs, for the quota, read from an index alone:
-- summed from the messages' rows, it read a row of each message (with its
-- text) on every message saved.
CREATE INDEX mail_copies_usage ON mail_copies(owner_id, size) WHERE deleted = 0;
