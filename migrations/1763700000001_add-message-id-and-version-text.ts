// Expand-only: new nullable columns, so a consumer of the previous version keeps working while
// this one rolls out. message_id is what makes redelivery idempotent (ON CONFLICT DO NOTHING).
import type { MigrationBuilder } from 'node-pg-migrate';

export async function up(pgm: MigrationBuilder): Promise<void> {
  pgm.sql(`ALTER TABLE user_logins
    ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ADD COLUMN message_id varchar(128),
    ADD COLUMN app_version_text varchar(32),
    ADD CONSTRAINT user_logins_message_id_key UNIQUE (message_id)`);
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  pgm.sql(`ALTER TABLE user_logins
    DROP CONSTRAINT user_logins_message_id_key,
    DROP COLUMN app_version_text,
    DROP COLUMN message_id,
    DROP COLUMN id`);
}
