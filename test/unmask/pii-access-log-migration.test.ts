import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../service/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

describe('the pii_access_log migration', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());

  const table = async () => (await db.pool.query<{ t: string | null }>(`SELECT to_regclass('pii_access_log')::text AS t`)).rows[0]!.t;

  it('refuses a row without a reason or with counts that do not add up', async () => {
    const insert = (reason: string, values: string[], count: number, recovered: number) =>
      db.pool.query(
        `INSERT INTO pii_access_log (actor, actor_kind, os_user, host, reason, masked_values, value_count, recovered_count)
         VALUES ('me', 'os', 'me', 'h', $1, $2, $3, $4)`,
        [reason, values, count, recovered],
      );
    await expect(insert('   ', ['k1:x'], 1, 1)).rejects.toThrow(/check constraint/);
    await expect(insert('why', ['k1:x'], 2, 1)).rejects.toThrow(/check constraint/);
    await expect(insert('why', ['k1:x'], 1, 2)).rejects.toThrow(/check constraint/);
    await insert('why', ['k1:x'], 1, 1);
  });

  it('rolls back and forward again', async () => {
    // The key-collation migration came after it, so it is rolled back first.
    const since = ['1763700000200_compare-keys-bytewise', '1763700000100_create-pii-access-log'];
    expect(await migrate(db.pool, 'down', 2)).toEqual(since);
    expect(await table()).toBeNull();
    expect(await migrate(db.pool)).toEqual([...since].reverse());
    expect(await table()).toBe('pii_access_log');
  });
});
