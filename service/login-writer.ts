// Writes batches of rows and says what became of each: inserted, already there, or refused.
import type pg from 'pg';
import { DatabaseUnavailableError } from './errors.js';
import type { LoginRow } from './login-event.js';
import { insertUserLogins, type OnDuplicate } from './sql/insert-user-logins.js';

export interface WriteResult {
  inserted: number;
  /** Rows whose message_id was already written: redeliveries. */
  duplicates: number;
  /** Rows PostgreSQL refused on their own merits; each goes to the DLQ, the rest are written. */
  refused: { row: LoginRow; sqlState: string }[];
}

const UNIQUE_VIOLATION = '23505';

/**
 * Data exceptions (class 22) and integrity violations (class 23) are about the rows; anything else
 * (connection loss, shutdown, missing table, resource limits) is about the database, and retrying the
 * same rows later is right. Treating an unknown error as an outage never loses a message.
 */
function isRowProblem(error: unknown): error is { code: string } {
  const code = sqlState(error);
  return code !== undefined && /^2[23]/.test(code) && code !== UNIQUE_VIOLATION;
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

async function insert(pool: pg.Pool, rows: readonly LoginRow[], onDuplicate: OnDuplicate): Promise<number> {
  const result = await pool.query(insertUserLogins(rows, onDuplicate));
  return result.rowCount ?? 0;
}

export async function writeRows(pool: pg.Pool, rows: readonly LoginRow[]): Promise<WriteResult> {
  if (rows.length === 0) return { inserted: 0, duplicates: 0, refused: [] };
  // Nearly every batch is all new messages, and the plain insert costs PostgreSQL less. A batch
  // holding a redelivery fails whole (one statement is atomic) and goes again, skipping duplicates.
  for (const onDuplicate of ['fail', 'skip'] as const) {
    try {
      const inserted = await insert(pool, rows, onDuplicate);
      return { inserted, duplicates: rows.length - inserted, refused: [] };
    } catch (error) {
      if (onDuplicate === 'fail' && sqlState(error) === UNIQUE_VIOLATION) continue;
      if (!isRowProblem(error)) throw new DatabaseUnavailableError('writing a batch to user_logins failed', { cause: error });
      break;
    }
  }
  // One bad row must not hold back the others: find it by writing them one by one.
  const result: WriteResult = { inserted: 0, duplicates: 0, refused: [] };
  for (const row of rows) {
    try {
      const inserted = await insert(pool, [row], 'skip');
      result.inserted += inserted;
      result.duplicates += 1 - inserted;
    } catch (error) {
      if (!isRowProblem(error)) throw new DatabaseUnavailableError('writing a row to user_logins failed', { cause: error });
      result.refused.push({ row, sqlState: error.code });
    }
  }
  return result;
}
