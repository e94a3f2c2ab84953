// The first try at writing a batch: COPY straight into user_logins, in PostgreSQL's text format.
// COPY inserts the rows several to a heap page and skips the unnest insert's arrays and executor,
// and cost PostgreSQL 1.7 to 4.2 µs less per row, and the client 0.2 to 3.7 µs less, in four of
// four alternating rounds of 100,000 rows (docs/performance.md). It cannot skip a duplicate: a
// batch holding a message already written fails whole and goes again as the skipping insert
// (insert-user-logins.ts), as the plain INSERT did before it.
import type { LoginRow } from '../login-event.js';

/** The columns in the order `copyText` writes them; `id` is left to its identity default. */
export const COPY_USER_LOGINS =
  'COPY user_logins (message_id, user_id, device_type, masked_ip, masked_device_id, locale, app_version, app_version_text, create_date) FROM STDIN';

/** Characters COPY's text format reads specially inside a field: each is written as an escape. */
const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function field(value: string | number | null): string {
  if (value === null) return '\\N';
  const text = String(value);
  return SPECIAL.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : text;
}

/** The rows as COPY's text format: one line each, fields separated by tabs, NULL as `\N`. */
export function copyText(rows: readonly LoginRow[]): string {
  let text = '';
  for (const row of rows) {
    text += `${field(row.messageId)}\t${field(row.userId)}\t${field(row.deviceType)}\t${field(row.maskedIp)}\t${field(row.maskedDeviceId)}\t${field(row.locale)}\t${field(row.appVersion)}\t${field(row.appVersionText)}\t${field(row.createDate)}\n`;
  }
  return text;
}
