// `npm run rekey -- [--batch-size N] [--pause-ms N] [--after-id ID]`: after a new key version became
// active, re-encrypts every user_logins value masked under an older version to the active one.
// Batches are small transactions walking the primary key, so an interruption loses at most one
// batch's work and a second run simply finds fewer rows; it can run while the consumer writes.
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { readMaskingConfig } from './config.js';
import { ConfigError } from './errors.js';
import type { Masker } from './masking.js';
import { openMaskingTool } from './tool-database.js';
import { countOlderVersionRows, rekeyBatch, type RekeyFailure } from './rekey-batch.js';
import { runIfEntryPoint } from './run-cli.js';

const USAGE = 'usage: npm run rekey -- [--batch-size N (default 500)] [--pause-ms N (default 0)] [--after-id ID (default 0)]';

export const EXIT = { done: 0, incomplete: 1, usage: 2 } as const;

export interface RekeyOptions {
  batchSize: number;
  /** Pause between batches, to spare a busy database. */
  pauseMs: number;
  /** Resume after this id (the last progress line names it); rows before it are not looked at. */
  afterId: string;
  /** Checked between batches; set by SIGINT/SIGTERM so a batch is never cut short. */
  stopRequested?: () => boolean;
  log: (line: string) => void;
}

export interface RekeyTotals {
  batches: number;
  converted: number;
  failures: RekeyFailure[];
  lastId: string;
  stopped: boolean;
  /** Rows still holding an older version after the run (failures, and rows written meanwhile by tasks not yet rolled). */
  remaining: number;
}

export async function rekeyAll(pool: pg.Pool, masker: Masker, options: RekeyOptions): Promise<RekeyTotals> {
  const totals: RekeyTotals = { batches: 0, converted: 0, failures: [], lastId: options.afterId, stopped: false, remaining: 0 };
  const target = masker.activeVersion;
  for (;;) {
    if (options.stopRequested?.()) {
      totals.stopped = true;
      break;
    }
    const batch = await rekeyBatch(pool, masker, totals.lastId, options.batchSize);
    if (batch.lastId === undefined) break;
    totals.batches += 1;
    totals.converted += batch.converted;
    totals.failures.push(...batch.failures);
    totals.lastId = batch.lastId;
    for (const failure of batch.failures) {
      options.log(`rekey: row id ${failure.id} ${failure.column} left as it is: ${failure.reason}: ${failure.message}`);
    }
    options.log(
      `rekey: batch ${totals.batches}: ${batch.converted} row(s) re-encrypted to ${target} (${totals.converted} so far), ` +
        `${totals.failures.length} failed so far; resume with --after-id ${totals.lastId}`,
    );
    if (batch.scanned < options.batchSize) break;
    if (options.pauseMs > 0) await sleep(options.pauseMs);
  }
  totals.remaining = await countOlderVersionRows(pool, masker);
  return totals;
}

function wholeNumber(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new ConfigError(`--${name}`, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

export async function main(argv: string[], env = process.env): Promise<number> {
  let options: Omit<RekeyOptions, 'log' | 'stopRequested'>;
  let masking;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { 'batch-size': { type: 'string' }, 'pause-ms': { type: 'string' }, 'after-id': { type: 'string' } },
    });
    options = {
      batchSize: wholeNumber('batch-size', values['batch-size'], 500, 1, 10_000),
      pauseMs: wholeNumber('pause-ms', values['pause-ms'], 0, 0, 60_000),
      afterId: String(wholeNumber('after-id', values['after-id'], 0, 0, Number.MAX_SAFE_INTEGER)),
    };
    masking = readMaskingConfig(env);
  } catch (error) {
    console.error(`rekey: ${(error as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  if (masking.mode === 'hash') {
    console.error(
      'rekey: MASKING_MODE is hash: HMAC-SHA256 values are one-way, so they cannot be re-keyed without the raw ip and ' +
        'device_id values, which are never stored. Values masked under the old key stay as they are (and stop matching new ' +
        'values of the same input); keep both versions in mind when comparing across the rotation.',
    );
    return EXIT.usage;
  }
  const opened = await openMaskingTool('rekey', env, masking);
  if (opened === undefined) return EXIT.usage;
  const { masker, database } = opened;
  let stop = false;
  const onSignal = (signal: string) => {
    console.log(`rekey: ${signal}: stopping after the current batch`);
    stop = true;
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    console.log(`rekey: re-encrypting values under older versions to ${masker.activeVersion}, ${options.batchSize} rows a batch`);
    const totals = await rekeyAll(database.pool, masker, { ...options, stopRequested: () => stop, log: (line) => console.log(line) });
    console.log(
      `rekey: ${totals.stopped ? 'stopped' : 'done'}: ${totals.converted} row(s) re-encrypted to ${masker.activeVersion} in ` +
        `${totals.batches} batch(es); ${totals.failures.length} row value(s) could not be converted; ` +
        `${totals.remaining} row(s) still hold an older version`,
    );
    if (totals.remaining > 0 && !totals.stopped) {
      console.log(
        'rekey: rows that failed need their key version added back to the keyset (or are corrupt); rows written meanwhile by ' +
          'tasks still on the old version are converted by running rekey again once every task has rolled',
      );
    }
    return totals.remaining === 0 && !totals.stopped ? EXIT.done : EXIT.incomplete;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await database.close();
  }
}

runIfEntryPoint(import.meta.url, 'rekey', main);
