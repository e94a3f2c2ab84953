// One bounded batch of a key rotation: the next rows after a cursor that still hold a value under an
// older key version, re-encrypted to the active version in one short transaction.
import type pg from 'pg';
import { UnmaskError, type Masker, type PiiField } from './masking.js';

const COLUMNS: readonly { column: 'masked_ip' | 'masked_device_id'; field: PiiField }[] = [
  { column: 'masked_ip', field: 'ip' },
  { column: 'masked_device_id', field: 'device_id' },
];

export interface RekeyFailure {
  id: string;
  column: 'masked_ip' | 'masked_device_id';
  reason: UnmaskError['reason'];
  message: string;
}

export interface BatchResult {
  /** Rows looked at: those after the cursor with a value under an older version. */
  scanned: number;
  /** Rows whose values were re-encrypted and written back. */
  converted: number;
  failures: RekeyFailure[];
  /** The cursor for the next batch; undefined when no rows were left. */
  lastId: string | undefined;
}

interface Row {
  id: string;
  masked_ip: string | null;
  masked_device_id: string | null;
}

/**
 * Safe beside a running consumer: it only inserts (new rows carry the active version once rolled),
 * and FOR UPDATE makes a second rekey wait and then skip rows this one already converted.
 */
export async function rekeyBatch(pool: pg.Pool, masker: Masker, afterId: string, batchSize: number): Promise<BatchResult> {
  const activePrefix = `${masker.activeVersion}:%`;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<Row>({
      name: 'rekey-select',
      text: `SELECT id::text AS id, masked_ip, masked_device_id FROM user_logins
             WHERE id > $1::bigint AND (masked_ip NOT LIKE $2 OR masked_device_id NOT LIKE $2)
             ORDER BY user_logins.id LIMIT $3
             FOR UPDATE`,
      values: [afterId, activePrefix, batchSize],
    });
    const updates: Row[] = [];
    const failures: RekeyFailure[] = [];
    for (const row of rows) {
      const next: Row = { ...row };
      let ok = true;
      for (const { column, field } of COLUMNS) {
        const value = row[column];
        if (value === null) continue;
        try {
          next[column] = masker.remask(field, value);
        } catch (error) {
          if (!(error instanceof UnmaskError)) throw error;
          failures.push({ id: row.id, column, reason: error.reason, message: error.message });
          ok = false;
        }
      }
      // A row with one bad value is left whole, so it can be looked at as it was.
      if (ok) updates.push(next);
    }
    if (updates.length > 0) {
      await client.query({
        name: 'rekey-update',
        text: `UPDATE user_logins AS u SET masked_ip = v.masked_ip, masked_device_id = v.masked_device_id
               FROM unnest($1::bigint[], $2::text[], $3::text[]) AS v(id, masked_ip, masked_device_id)
               WHERE u.id = v.id`,
        values: [updates.map((r) => r.id), updates.map((r) => r.masked_ip), updates.map((r) => r.masked_device_id)],
      });
    }
    await client.query('COMMIT');
    return { scanned: rows.length, converted: updates.length, failures, lastId: rows.at(-1)?.id };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Rows that still hold a value under a version other than the active one. */
export async function countOlderVersionRows(pool: pg.Pool, masker: Masker): Promise<number> {
  const { rows } = await pool.query<{ n: number }>({
    name: 'rekey-count-remaining',
    text: `SELECT count(*)::int AS n FROM user_logins WHERE masked_ip NOT LIKE $1 OR masked_device_id NOT LIKE $1`,
    values: [`${masker.activeVersion}:%`],
  });
  return rows[0]!.n;
}
