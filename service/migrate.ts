// `npm run migrate -- up|down [count]`: runs migrations/ against the configured database.
// node-pg-migrate takes an advisory lock, so two deploys migrating at once cannot interleave.
import { runner } from 'node-pg-migrate';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDatabaseConfig } from './config.js';
import { createPool } from './db-pool.js';
import { ConfigError } from './errors.js';
import { runIfEntryPoint } from './run-cli.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Source (tsx) and compiled (dist/) layouts both keep migrations/ beside service/. */
export const MIGRATIONS_DIR = path.resolve(here, '..', 'migrations');

export async function migrate(
  pool: import('pg').Pool,
  direction: 'up' | 'down' = 'up',
  count?: number,
  log: (msg: string) => void = () => undefined,
): Promise<string[]> {
  const client = await pool.connect();
  try {
    const ran = await runner({
      dbClient: client,
      dir: MIGRATIONS_DIR,
      // Both .ts (under tsx) and compiled .js exist in some layouts; never load a .d.ts or a map.
      ignorePattern: '.*\\.(d\\.ts|map)$',
      direction,
      ...(count === undefined ? {} : { count }),
      migrationsTable: 'pgmigrations',
      log,
    });
    return ran.map((m) => m.name);
  } finally {
    client.release();
  }
}

async function main(argv: string[]): Promise<number> {
  const [direction = 'up', countArg] = argv;
  if (direction !== 'up' && direction !== 'down') {
    console.error(`usage: npm run migrate -- up|down [count] (got "${direction}")`);
    return 2;
  }
  const count = countArg === undefined ? (direction === 'down' ? 1 : undefined) : Number(countArg);
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) {
    console.error(`count must be a positive whole number, got "${countArg}"`);
    return 2;
  }
  let pool;
  try {
    pool = createPool(readDatabaseConfig(process.env));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`configuration error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  try {
    const ran = await migrate(pool, direction, count, (msg) => console.log(msg));
    console.log(ran.length === 0 ? 'migrations: nothing to run' : `migrations: ran ${ran.join(', ')}`);
    return 0;
  } finally {
    await pool.end();
  }
}

runIfEntryPoint(import.meta.url, 'migration', main, { forceExit: true });
