// The consumer's only write. One statement per batch: arrays bound as nine parameters and unnested,
// so the statement text (and its server-side plan, by name) is the same whatever the batch size.
// ON CONFLICT on message_id makes redelivery idempotent: a message seen twice is one row.
import type { QueryConfig } from 'pg';
import type { LoginRow } from '../login-event.js';

const TEXT = `
INSERT INTO user_logins
  (message_id, user_id, device_type, masked_ip, masked_device_id, locale, app_version, app_version_text, create_date)
SELECT * FROM unnest(
  $1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[],
  $6::varchar[], $7::integer[], $8::varchar[], $9::date[])
ON CONFLICT (message_id) DO NOTHING`;

export function insertUserLogins(rows: readonly LoginRow[]): QueryConfig {
  const columns: unknown[][] = [[], [], [], [], [], [], [], [], []];
  for (const row of rows) {
    columns[0]!.push(row.messageId);
    columns[1]!.push(row.userId);
    columns[2]!.push(row.deviceType);
    columns[3]!.push(row.maskedIp);
    columns[4]!.push(row.maskedDeviceId);
    columns[5]!.push(row.locale);
    columns[6]!.push(row.appVersion);
    columns[7]!.push(row.appVersionText);
    columns[8]!.push(row.createDate);
  }
  return { name: 'insert-user-logins', text: TEXT, values: columns };
}
