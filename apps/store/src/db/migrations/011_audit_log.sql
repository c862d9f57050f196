-- The tamper-evident audit log (@tillwatch/audit, docs/audit.md): this file is auditLogDdl() verbatim after
-- these comment lines (apps/store/test/audit.test.ts checks). Append-only: a trigger refuses UPDATE, DELETE and
-- TRUNCATE, except deleting records a verified archive holds.
CREATE TABLE IF NOT EXISTS audit_log (
  seq bigint PRIMARY KEY,
  at text NOT NULL,
  actor text NOT NULL,
  role text NOT NULL,
  action text NOT NULL,
  target text NOT NULL,
  before text NOT NULL,
  after text NOT NULL,
  correlation_id text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_target ON audit_log (target);
CREATE TABLE IF NOT EXISTS audit_head (
  id int PRIMARY KEY CHECK (id = 1),
  seq bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000') ON CONFLICT (id) DO NOTHING;
CREATE TABLE IF NOT EXISTS audit_archives (
  name text PRIMARY KEY,
  first_seq bigint NOT NULL,
  last_seq bigint NOT NULL,
  last_hash text NOT NULL,
  sha256 text NOT NULL,
  created_at text NOT NULL
);
CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_log'
     AND OLD.seq <= (SELECT coalesce(max(last_seq), 0) FROM audit_archives) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = '42501';
END
$$;
DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
DROP TRIGGER IF EXISTS audit_archives_append_only ON audit_archives;
CREATE TRIGGER audit_archives_append_only BEFORE UPDATE OR DELETE ON audit_archives FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
