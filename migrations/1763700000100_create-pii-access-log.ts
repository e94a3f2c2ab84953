// The audit trail of `npm run unmask`: one row per use, written before any original value is shown.
// Rows are append-only: a trigger refuses UPDATE and DELETE, so a trail cannot be quietly edited by
// the application's own database user (an owner can still drop the trigger, which itself is logged
// by PostgreSQL's DDL logging where that is enabled).
import type { MigrationBuilder } from 'node-pg-migrate';

export async function up(pgm: MigrationBuilder): Promise<void> {
  pgm.sql(`CREATE TABLE pii_access_log(
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    accessed_at timestamptz NOT NULL DEFAULT now(),
    actor text NOT NULL,
    actor_kind text NOT NULL CHECK (actor_kind IN ('aws', 'os')),
    os_user text NOT NULL,
    host text NOT NULL,
    database_user text NOT NULL DEFAULT session_user,
    reason text NOT NULL CHECK (length(btrim(reason)) > 0),
    masked_values text[] NOT NULL,
    value_count integer NOT NULL CHECK (value_count = cardinality(masked_values)),
    recovered_count integer NOT NULL CHECK (recovered_count BETWEEN 0 AND value_count)
  )`);
  pgm.sql(`CREATE FUNCTION pii_access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'pii_access_log is append-only';
    END
  $$`);
  pgm.sql(`CREATE TRIGGER pii_access_log_append_only BEFORE UPDATE OR DELETE ON pii_access_log
    FOR EACH ROW EXECUTE FUNCTION pii_access_log_append_only()`);
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  pgm.sql('DROP TABLE pii_access_log');
  pgm.sql('DROP FUNCTION pii_access_log_append_only()');
}
