// The pool's connections are opened before the first batch needs them, and a database that is down
// at start does not stop the service from starting.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, warmPool } from '../../service/db-pool.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

describe('warmPool', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await db.drop();
  });

  it('opens every connection of the pool and leaves them idle for the first writes', async () => {
    const pool = createPool({ source: { kind: 'url', url: db.url }, tls: 'disable', caFile: undefined, poolSize: 3 });
    try {
      expect(pool.totalCount).toBe(0);
      expect(await warmPool(pool, 3)).toBe(3);
      expect(pool.totalCount).toBe(3);
      expect(pool.idleCount).toBe(3);
    } finally {
      await pool.end();
    }
  });

  it('reports how many it could open, without throwing, when nothing listens', async () => {
    // A port that was free a moment ago: connections to it are refused.
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const pool = createPool({ source: { kind: 'url', url: `postgres://nobody@127.0.0.1:${port}/none` }, tls: 'disable', caFile: undefined, poolSize: 2 });
    try {
      expect(await warmPool(pool, 2)).toBe(0);
    } finally {
      await pool.end();
    }
  });
});
