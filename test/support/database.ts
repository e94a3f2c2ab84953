// A fresh, migrated database per test file, dropped afterwards.
import crypto from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
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
