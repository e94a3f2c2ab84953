// Writes batches of rows and says what became of each: inserted, already there, or refused.
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DatabaseUnavailableError } from './errors.js';
import type { LoginRow } from './login-event.js';
import { COPY_USER_LOGINS, copyText } from './sql/copy-user-logins.js';
import { insertUserLogins } from './sql/insert-user-logins.js';

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

/** Every row, or none: one COPY is atomic, and a message already written fails it (23505). */
async function copy(pool: pg.Pool, rows: readonly LoginRow[]): Promise<number> {
  const client = await pool.connect();
  // pg-pool takes its own 'error' listener off a client it hands out, and a connection lost during
  // a COPY reports on the client as well as on the stream: the server's 57P01, or EPIPE when the
  // stream writes its end to a closed socket. Unheard, either would crash the process.
  let failure: Error | undefined;
  const onError = (error: Error): void => {
    failure ??= error;
  };
  client.on('error', onError);
  try {
    const stream = client.query(copyFrom(COPY_USER_LOGINS));
    stream.end(copyText(rows));
    await finished(stream);
    return stream.rowCount;
  } catch (error) {
    failure ??= error as Error;
    throw error;
  } finally {
    // A client that saw an error is closed, not handed to the next batch, as pool.query does. It
    // keeps the listener: the closed socket can still report an error after this.
    if (failure === undefined) client.removeListener('error', onError);
    client.release(failure);
  }
}

/** Skips any row whose message_id is already written, and says how many it wrote. */
async function insertSkippingDuplicates(pool: pg.Pool, rows: readonly LoginRow[]): Promise<number> {
  const result = await pool.query(insertUserLogins(rows));
  return result.rowCount ?? 0;
}

export async function writeRows(pool: pg.Pool, rows: readonly LoginRow[]): Promise<WriteResult> {
  if (rows.length === 0) return { inserted: 0, duplicates: 0, refused: [] };
  // Nearly every batch is all new messages, and COPY costs PostgreSQL less than any INSERT. A batch
  // holding a redelivery fails whole and goes again, skipping duplicates.
  for (const write of [copy, insertSkippingDuplicates]) {
    try {
      const inserted = await write(pool, rows);
      return { inserted, duplicates: rows.length - inserted, refused: [] };
    } catch (error) {
      if (write === copy && sqlState(error) === UNIQUE_VIOLATION) continue;
      if (!isRowProblem(error)) throw new DatabaseUnavailableError('writing a batch to user_logins failed', { cause: error });
      break;
    }
  }
  // One bad row must not hold back the others: find it by writing them one by one.
  const result: WriteResult = { inserted: 0, duplicates: 0, refused: [] };
  for (const row of rows) {
    try {
      const inserted = await insertSkippingDuplicates(pool, [row]);
      result.inserted += inserted;
      result.duplicates += 1 - inserted;
    } catch (error) {
      if (!isRowProblem(error)) throw new DatabaseUnavailableError('writing a row to user_logins failed', { cause: error });
      result.refused.push({ row, sqlState: error.code });
    }
  }
  return result;
}
