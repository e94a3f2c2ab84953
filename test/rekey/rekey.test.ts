import crypto from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Keyset } from '../../service/keys.js';
import { createMasker } from '../../service/masking.js';
import { rekeyAll, type RekeyOptions } from '../../service/rekey.js';
import { createTestDatabase, emptyUserLoginsBeforeEach, type TestDatabase } from '../support/database.js';
import { insertRows, someOriginals, storedRows, versionsOf, type Original } from './rows.js';

const key1 = crypto.randomBytes(64);
const key2 = crypto.randomBytes(64);
const k1 = createMasker({ active: 'k1', keys: new Map([['k1', key1]]) }, 'encrypt');
const rotatedKeyset: Keyset = { active: 'k2', keys: new Map([['k1', key1], ['k2', key2]]) };
const k2 = createMasker(rotatedKeyset, 'encrypt');

const quiet = (overrides: Partial<RekeyOptions> = {}): RekeyOptions => ({ batchSize: 7, pauseMs: 0, afterId: '0', log: () => undefined, ...overrides });

describe('rekeyAll', () => {
  const db = emptyUserLoginsBeforeEach();

  /** Every stored value decrypts, as its own column's field, to the original inserted in that order. */
  async function expectOriginals(originals: readonly Original[]) {
    const rows = await storedRows(db.pool);
    expect(rows.map((r) => ({
      ip: r.masked_ip === null ? null : k2.unmask(r.masked_ip, 'ip').value,
      deviceId: r.masked_device_id === null ? null : k2.unmask(r.masked_device_id, 'device_id').value,
    }))).toEqual(originals);
  }

  it('re-encrypts every older-version value to the active version, in batches, keeping each value', async () => {
    const before = someOriginals(40, 1);
    const withNulls: Original[] = [{ ip: '192.0.2.1', deviceId: null }, { ip: null, deviceId: 'only-device' }];
    const after = someOriginals(5, 2);
    await insertRows(db.pool, k1, before);
    await insertRows(db.pool, k1, withNulls);
    await insertRows(db.pool, k2, after);
    const lines: string[] = [];

    const totals = await rekeyAll(db.pool, k2, quiet({ log: (line) => lines.push(line) }));

    expect(totals).toMatchObject({ converted: 42, batches: 6, failures: [], remaining: 0, stopped: false });
    expect(versionsOf(await storedRows(db.pool))).toEqual({ k2: 2 * 45 + 2 });
    await expectOriginals([...before, ...withNulls, ...after]);
    expect(lines[0]).toMatch(/^rekey: batch 1: 7 row\(s\) re-encrypted to k2 \(7 so far\), 0 failed so far; resume with --after-id \d+$/);
  });

  it('makes duplicates across the rotation equal again', async () => {
    const same: Original = { ip: '203.0.113.7', deviceId: '593-47-5928' };
    await insertRows(db.pool, k1, [same]);
    await insertRows(db.pool, k2, [same]);
    const [old, current] = await storedRows(db.pool);
    expect(old!.masked_ip).not.toBe(current!.masked_ip);

    await rekeyAll(db.pool, k2, quiet());

    const [a, b] = await storedRows(db.pool);
    expect(a!.masked_ip).toBe(b!.masked_ip);
    expect(a!.masked_device_id).toBe(b!.masked_device_id);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM user_logins WHERE masked_ip = $1', [k2.mask('ip', same.ip!)]);
    expect(rows[0].n).toBe(2);
  });

  it('is idempotent: a second run changes nothing', async () => {
    await insertRows(db.pool, k1, someOriginals(15, 3));
    await rekeyAll(db.pool, k2, quiet());
    const once = await storedRows(db.pool);
    const again = await rekeyAll(db.pool, k2, quiet());
    expect(again).toMatchObject({ converted: 0, batches: 0, remaining: 0 });
    expect(await storedRows(db.pool)).toEqual(once);
  });

  it('converts a row whose columns are under different versions', async () => {
    await db.pool.query(`INSERT INTO user_logins (masked_ip, masked_device_id, message_id) VALUES ($1, $2, 'mixed')`, [
      k1.mask('ip', '198.51.100.1'),
      k2.mask('device_id', 'dev-1'),
    ]);
    await rekeyAll(db.pool, k2, quiet());
    await expectOriginals([{ ip: '198.51.100.1', deviceId: 'dev-1' }]);
  });

  it('leaves rows it cannot vouch for as they are, reports them, and converts the rest', async () => {
    await insertRows(db.pool, k1, someOriginals(3, 4));
    const good = k1.mask('ip', '198.51.100.2');
    const tampered = good.slice(0, 10) + (good[10] === 'A' ? 'B' : 'A') + good.slice(11);
    const foreign = createMasker({ active: 'k7', keys: new Map([['k7', crypto.randomBytes(64)]]) }, 'encrypt').mask('ip', '198.51.100.3');
    await db.pool.query(`INSERT INTO user_logins (masked_ip, masked_device_id, message_id) VALUES ($1, $2, 'bad-1'), ($3, $2, 'bad-2')`, [
      tampered,
      k1.mask('device_id', 'dev-2'),
      foreign,
    ]);

    const totals = await rekeyAll(db.pool, k2, quiet());

    expect(totals.converted).toBe(3);
    expect(totals.failures.map((f) => [f.column, f.reason])).toEqual([
      ['masked_ip', 'tampered'],
      ['masked_ip', 'unknown-version'],
    ]);
    expect(totals.remaining).toBe(2);
    const { rows } = await db.pool.query(`SELECT masked_ip FROM user_logins WHERE message_id IN ('bad-1', 'bad-2') ORDER BY message_id`);
    expect(rows.map((r) => r.masked_ip)).toEqual([tampered, foreign]);
  });

  it('is safe while the consumer keeps writing, and a second run catches rows written under the old key meanwhile', async () => {
    const existing = someOriginals(60, 5);
    await insertRows(db.pool, k1, existing);
    // The roll in progress: rolled tasks write k2, a not-yet-rolled one still writes k1.
    const written: Original[] = [];
    const writer = (async () => {
      for (let i = 0; i < 20; i++) {
        const batch = someOriginals(3, 100 + i);
        await insertRows(db.pool, i % 2 === 0 ? k1 : k2, batch);
        written.push(...batch);
      }
    })();
    const first = await rekeyAll(db.pool, k2, quiet({ batchSize: 5 }));
    await writer;
    const second = await rekeyAll(db.pool, k2, quiet({ batchSize: 5 }));

    expect(first.failures).toEqual([]);
    expect(second.remaining).toBe(0);
    const rows = await storedRows(db.pool);
    expect(rows).toHaveLength(60 + 60);
    expect(versionsOf(rows)).toEqual({ k2: 240 });
    const recovered = rows.map((r) => `${k2.unmask(r.masked_ip!, 'ip').value}|${k2.unmask(r.masked_device_id!, 'device_id').value}`);
    expect(recovered.sort()).toEqual([...existing, ...written].map((o) => `${o.ip}|${o.deviceId}`).sort());
  });

  it('stops between batches when asked, and picks up where it left off', async () => {
    await insertRows(db.pool, k1, someOriginals(20, 6));
    let batches = 0;
    const stopped = await rekeyAll(db.pool, k2, quiet({ batchSize: 5, stopRequested: () => batches >= 2, log: () => void batches++ }));
    expect(stopped).toMatchObject({ stopped: true, converted: 10, remaining: 10 });
    const resumed = await rekeyAll(db.pool, k2, quiet({ batchSize: 5, afterId: stopped.lastId }));
    expect(resumed).toMatchObject({ converted: 10, remaining: 0 });
  });
});

describe('rekeyAll without the old version in the keyset', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());
  afterEach(async () => db.pool.query('TRUNCATE user_logins'));

  it('reports every old value as an unknown version instead of guessing', async () => {
    await insertRows(db.pool, k1, someOriginals(4, 7));
    const onlyK2 = createMasker({ active: 'k2', keys: new Map([['k2', key2]]) }, 'encrypt');
    const totals = await rekeyAll(db.pool, onlyK2, quiet());
    expect(totals.converted).toBe(0);
    expect(new Set(totals.failures.map((f) => f.reason))).toEqual(new Set(['unknown-version']));
    expect(totals.failures).toHaveLength(8);
    expect(totals.remaining).toBe(4);
  });
});
