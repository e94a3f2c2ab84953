// The consumer's write for a batch that meets a message already written (a redelivery), and for
// rows written one by one: arrays bound as nine parameters and unnested, so the statement text (and
// its server-side plan, by name) is the same whatever the batch size, with ON CONFLICT DO NOTHING
// making a redelivered message one row. Batches of new messages go in by COPY (copy-user-logins.ts).
import type { QueryConfig } from 'pg';
import type { LoginRow } from '../login-event.js';

const STATEMENT = {
  name: 'insert-user-logins-skip-duplicates',
  text: `
INSERT INTO user_logins
  (message_id, user_id, device_type, masked_ip, masked_device_id, locale, app_version, app_version_text, create_date)
SELECT * FROM unnest(
  $1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[],
  $6::varchar[], $7::integer[], $8::varchar[], $9::date[])
ON CONFLICT (message_id) DO NOTHING`,
};

/** Inside a quoted array element, PostgreSQL reads a backslash as an escape and a double quote as the end. */
const NEEDS_ESCAPE = /[\\"]/;

/**
 * The PostgreSQL array literal of `values`, every element quoted. pg builds the same text from a JS
 * array by appending element after element, and that was the consumer's largest allocation outside
 * the AWS SDK (about 2 KB per message, on the thread that drives SQS); one `join` builds it whole.
 */
export function arrayLiteral(values: readonly (string | number | null)[]): string {
  if (values.length === 0) return '{}';
  for (const value of values) {
    if (value === null || (typeof value === 'string' && NEEDS_ESCAPE.test(value))) {
      return `{${values.map((v) => (v === null ? 'NULL' : `"${String(v).replace(/[\\"]/g, '\\$&')}"`)).join(',')}}`;
    }
  }
  return `{"${values.join('","')}"}`;
}

export function insertUserLogins(rows: readonly LoginRow[]): QueryConfig {
  const columns: (string | number | null)[][] = [[], [], [], [], [], [], [], [], []];
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
  return { ...STATEMENT, values: columns.map(arrayLiteral) };
}
