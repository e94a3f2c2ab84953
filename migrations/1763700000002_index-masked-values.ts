// Lookups of duplicates ("which users share this masked device id?") go through these indexes.
// CONCURRENTLY cannot run inside a transaction, and on a large live table a plain CREATE INDEX
// would block the consumer's inserts for the whole build.
import type { MigrationBuilder } from 'node-pg-migrate';

export async function up(pgm: MigrationBuilder): Promise<void> {
  pgm.noTransaction();
  pgm.sql('CREATE INDEX CONCURRENTLY IF NOT EXISTS user_logins_masked_ip_idx ON user_logins (masked_ip)');
  pgm.sql('CREATE INDEX CONCURRENTLY IF NOT EXISTS user_logins_masked_device_id_idx ON user_logins (masked_device_id)');
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  pgm.noTransaction();
  pgm.sql('DROP INDEX CONCURRENTLY IF EXISTS user_logins_masked_device_id_idx');
  pgm.sql('DROP INDEX CONCURRENTLY IF EXISTS user_logins_masked_ip_idx');
}
