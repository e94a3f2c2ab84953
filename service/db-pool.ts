// One place turns DatabaseConfig into a pg Pool.
import pg from 'pg';
import type { DatabaseConfig } from './config.js';

export function createPool(config: DatabaseConfig): pg.Pool {
  const { source } = config;
  if (source.kind !== 'url') {
    throw new Error('DATABASE_HOST/DATABASE_SECRET_ID connections are not supported yet');
  }
  const pool = new pg.Pool({
    connectionString: source.url,
    max: config.poolSize,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'login-consumer',
  });
  // An idle client losing its connection (a database restart) must not crash the process;
  // the next query on a fresh client reports the outage to the caller instead.
  pool.on('error', () => undefined);
  return pool;
}
