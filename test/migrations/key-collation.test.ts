// RDS creates its database with a linguistic default collation (en_US.UTF-8); these tests model it
// with ICU's en-US, which needs no locale installed on the machine.
import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoginRow } from '../../service/login-event.js';
import { migrate, MIGRATIONS_DIR } from '../../service/migrate.js';
import { insertUserLogins } from '../../service/sql/insert-user-logins.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const MIGRATION = '1763700000200_compare-keys-bytewise';
const KEY_COLUMNS = ['masked_device_id', 'masked_ip', 'message_id'];
/** Every index of user_logins, by name, each valid. */
const ALL_VALID = ['user_logins_masked_device_id_idx', 'user_logins_masked_ip_idx', 'user_logins_message_id_key', 'user_logins_pkey'].map(
  (name) => ({ name, valid: true }),
);

/** How many migrations sort before this one, so that a database can be stopped just short of it. */
const BEFORE = fs.readdirSync(MIGRATIONS_DIR).filter((f) => /^\d+_.*\.ts$/.test(f) && f < MIGRATION).length;

function row(messageId: string, masked: string): LoginRow {
  return {
    messageId,
    userId: '424cdd21-063a-43a7-b91b-7ca1a833afae',
    deviceType: 'android',
    maskedIp: `k1:${masked}`,
    maskedDeviceId: `k1:${masked}`,
    locale: 'RU',
    appVersion: 20300,
    appVersionText: '2.3.0',
    createDate: '2026-11-22',
  };
}

/** Lower case sorts before upper case under en-US, and after it byte by byte ('B' is 0x42, 'a' 0x61). */
const ROWS = [row('a-1', 'a'), row('B-1', 'B')];

async function order(pool: pg.Pool, column: string): Promise<string[]> {
  const { rows } = await pool.query<{ v: string }>(`SELECT ${column} AS v FROM user_logins ORDER BY ${column}`);
  return rows.map((r) => r.v);
}

async function keyCollations(pool: pg.Pool): Promise<Record<string, string | null>> {
  const { rows } = await pool.query<{ column_name: string; collation_name: string | null }>(
    `SELECT column_name, collation_name FROM information_schema.columns
     WHERE table_name = 'user_logins' AND column_name = ANY($1) ORDER BY column_name`,
    [KEY_COLUMNS],
  );
  return Object.fromEntries(rows.map((r) => [r.column_name, r.collation_name]));
}

async function indexes(pool: pg.Pool): Promise<{ name: string; valid: boolean }[]> {
  const { rows } = await pool.query<{ name: string; valid: boolean }>(
    `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = 'user_logins'::regclass ORDER BY c.relname`,
  );
  return rows;
}

/** The collation each key index compares with; the identity key has none. */
async function indexCollations(pool: pg.Pool): Promise<Record<string, string>> {
  const { rows } = await pool.query<{ name: string; collation: string }>(
    `SELECT c.relname AS name, coll.collname AS collation FROM pg_index i
     JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_collation coll ON coll.oid = i.indcollation[0]
     WHERE i.indrelid = 'user_logins'::regclass ORDER BY c.relname`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.collation]));
}

const COLUMNS_IN_C = { masked_device_id: 'C', masked_ip: 'C', message_id: 'C' };
const BYTEWISE = { user_logins_masked_device_id_idx: 'C', user_logins_masked_ip_idx: 'C', user_logins_message_id_key: 'C' };

/** A database with RDS's kind of default collation, migrated up to just before this migration. */
async function shortOfTheMigration(rows: LoginRow[]): Promise<TestDatabase> {
  const db = await createTestDatabase({ migrate: false, icuLocale: 'en-US' });
  await migrate(db.pool, 'up', BEFORE);
  if (rows.length > 0) await db.pool.query(insertUserLogins(rows));
  return db;
}

describe('the key columns of user_logins compare byte by byte', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await shortOfTheMigration(ROWS);
  });
  afterAll(async () => db.drop());

  it('in a database whose default collation is linguistic, as on RDS', async () => {
    // The database really compares linguistically before the migration.
    expect(await order(db.pool, 'message_id')).toEqual(['a-1', 'B-1']);

    expect(await migrate(db.pool)).toEqual([MIGRATION]);

    expect(await keyCollations(db.pool)).toEqual(COLUMNS_IN_C);
    expect(await order(db.pool, 'message_id')).toEqual(['B-1', 'a-1']);
    expect(await order(db.pool, 'masked_ip')).toEqual(['k1:B', 'k1:a']);
    expect(await order(db.pool, 'masked_device_id')).toEqual(['k1:B', 'k1:a']);
    expect(await indexes(db.pool)).toEqual(ALL_VALID);
    expect(await indexCollations(db.pool)).toEqual(BYTEWISE);
  });

  it('keeps message_id unique, so that a redelivered message still makes no second row', async () => {
    const again = await db.pool.query(insertUserLogins([row('a-1', 'other')]));
    expect(again.rowCount).toBe(0);
    await expect(db.pool.query(`INSERT INTO user_logins (message_id) VALUES ('B-1')`)).rejects.toMatchObject({
      code: '23505',
      constraint: 'user_logins_message_id_key',
    });
    expect((await db.pool.query('SELECT count(*)::int AS n FROM user_logins')).rows[0].n).toBe(2);
  });

  it('lets a lookup by masked value with a plain text parameter use its index', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const plan = await client.query<{ 'QUERY PLAN': string }>('EXPLAIN SELECT id FROM user_logins WHERE masked_ip = $1', ['k1:a']);
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('user_logins_masked_ip_idx');
      const found = await client.query('SELECT message_id FROM user_logins WHERE masked_device_id = $1', ['k1:B']);
      expect(found.rows).toEqual([{ message_id: 'B-1' }]);
    } finally {
      client.release();
    }
  });

  it('rolls back to the database default and forward again, the indexes keeping their names', async () => {
    expect(await migrate(db.pool, 'down', 1)).toEqual([MIGRATION]);
    expect(await keyCollations(db.pool)).toEqual({ masked_device_id: null, masked_ip: null, message_id: null });
    expect(await order(db.pool, 'masked_ip')).toEqual(['k1:a', 'k1:B']);
    expect(await indexes(db.pool)).toEqual(ALL_VALID);

    expect(await migrate(db.pool)).toEqual([MIGRATION]);
    expect(await order(db.pool, 'masked_ip')).toEqual(['k1:B', 'k1:a']);
  });
});

describe('the collation migration, while a long query holds user_logins', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await shortOfTheMigration([]);
  });
  afterAll(async () => db.drop());

  it('lets writes through between its attempts, and finishes once the query is done', async () => {
    const reader = new pg.Client({ connectionString: db.url });
    await reader.connect();
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM user_logins');

      let finished = false;
      const migrating = migrate(db.pool).then((ran) => {
        finished = true;
        return ran;
      });
      // Wait until the swap is queued for its lock behind the reader.
      for (let waited = 0; ; waited += 50) {
        const { rows } = await db.pool.query(
          `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'ALTER TABLE user_logins%'`,
        );
        if (rows.length > 0) break;
        if (waited > 30_000) throw new Error('the migration never queued for its lock');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }

      // Queued behind the swap at first; it goes through when the swap gives up its place.
      const written = await db.pool.query(insertUserLogins([row('during-1', 'x')]));
      expect(written.rowCount).toBe(1);
      expect(finished).toBe(false);

      await reader.query('COMMIT');
      expect(await migrating).toEqual([MIGRATION]);
      expect(await keyCollations(db.pool)).toEqual(COLUMNS_IN_C);
      expect(await indexes(db.pool)).toEqual(ALL_VALID);
    } finally {
      await reader.end();
    }
  });
});

describe('the collation migration, run again after an attempt that built its indexes and stopped', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await shortOfTheMigration(ROWS);
  });
  afterAll(async () => db.drop());

  const fileOf = async (index: string): Promise<number> =>
    (await db.pool.query<{ f: number }>('SELECT relfilenode::int AS f FROM pg_class WHERE oid = to_regclass($1)', [index])).rows[0]!.f;

  it('keeps a new index that is built with the right collation and rebuilds one that is not', async () => {
    // As an earlier run that stopped at the swap leaves them, and one from an interrupted roll-back.
    await db.pool.query('CREATE INDEX CONCURRENTLY user_logins_masked_ip_idx_next ON user_logins (masked_ip COLLATE "C")');
    await db.pool.query('CREATE INDEX CONCURRENTLY user_logins_masked_device_id_idx_next ON user_logins (masked_device_id COLLATE "default")');
    const kept = await fileOf('user_logins_masked_ip_idx_next');
    const stale = await fileOf('user_logins_masked_device_id_idx_next');

    expect(await migrate(db.pool)).toEqual([MIGRATION]);

    expect(await fileOf('user_logins_masked_ip_idx')).toBe(kept);
    expect(await fileOf('user_logins_masked_device_id_idx')).not.toBe(stale);
    expect(await indexCollations(db.pool)).toEqual(BYTEWISE);
    expect(await indexes(db.pool)).toEqual(ALL_VALID);
  });
});
