// A fresh, migrated database per test file, dropped afterwards.
import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, inject } from 'vitest';
import { createDatabase, dropDatabase, type DatabaseOptions } from '../../service/local/databases.js';
import { migrate } from '../../service/migrate.js';

export interface TestDatabase {
  readonly url: string;
  readonly pool: pg.Pool;
  drop(): Promise<void>;
}

export function serverUrl(): string {
  return inject('postgresUrl');
}

export async function createTestDatabase(options: { migrate?: boolean } & DatabaseOptions = {}): Promise<TestDatabase> {
  const server = serverUrl();
  const name = `test_${crypto.randomBytes(6).toString('hex')}`;
  const url = await createDatabase(server, name, options);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined);
  if (options.migrate !== false) await migrate(pool);
  return {
    url,
    pool,
    async drop() {
      await pool.end();
      await dropDatabase(server, name);
    },
  };
}

/**
 * For the enclosing describe: one migrated database, dropped after it, with user_logins emptied
 * before each test. The handle reaches the database once the describe's beforeAll has run.
 */
export function emptyUserLoginsBeforeEach(): TestDatabase {
  let db: TestDatabase | undefined;
  const current = (): TestDatabase => {
    if (!db) throw new Error('the test database is created in beforeAll: use it in a test or a hook');
    return db;
  };
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());
  beforeEach(async () => {
    await current().pool.query('TRUNCATE user_logins');
  });
  return {
    get url() {
      return current().url;
    },
    get pool() {
      return current().pool;
    },
    drop: () => current().drop(),
  };
}
