// Rows as the consumer writes them, masked with a chosen masker, for the rekey tests.
import crypto from 'node:crypto';
import type pg from 'pg';
import type { Masker } from '../../service/masking.js';

export interface Original {
  ip: string | null;
  deviceId: string | null;
}

export async function insertRows(pool: pg.Pool, masker: Masker, originals: readonly Original[]): Promise<void> {
  await pool.query(
    `INSERT INTO user_logins (user_id, device_type, masked_ip, masked_device_id, locale, app_version, create_date, message_id, app_version_text)
     SELECT gen_random_uuid()::text, 'android', ip, dev, 'RU', 230, current_date, mid, '2.3.0'
     FROM unnest($1::text[], $2::text[], $3::text[]) AS t(ip, dev, mid)`,
    [
      originals.map((o) => (o.ip === null ? null : masker.mask('ip', o.ip))),
      originals.map((o) => (o.deviceId === null ? null : masker.mask('device_id', o.deviceId))),
      originals.map(() => crypto.randomUUID()),
    ],
  );
}

export function someOriginals(count: number, seed: number): Original[] {
  return Array.from({ length: count }, (_, i) => ({
    ip: `10.${seed}.${(i >> 8) & 255}.${i & 255}`,
    deviceId: `${100 + (i % 900)}-${seed}-${1000 + i}`,
  }));
}

export interface StoredRow {
  id: string;
  masked_ip: string | null;
  masked_device_id: string | null;
}

export async function storedRows(pool: pg.Pool): Promise<StoredRow[]> {
  return (await pool.query<StoredRow>('SELECT id::text AS id, masked_ip, masked_device_id FROM user_logins ORDER BY user_logins.id')).rows;
}

export function versionsOf(rows: readonly StoredRow[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) {
    for (const value of [row.masked_ip, row.masked_device_id]) {
      if (value === null) continue;
      const version = value.slice(0, value.indexOf(':'));
      counts[version] = (counts[version] ?? 0) + 1;
    }
  }
  return counts;
}
