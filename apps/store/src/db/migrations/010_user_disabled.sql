-- A user can be disabled without deleting their history: tokens already issued to them stop working
-- (the store checks the subject of every token against this table).
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMPTZ;
