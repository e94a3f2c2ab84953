import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../service/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => db.drop());

  it('create user_logins with the contract columns and types, then the added ones', async () => {
    await migrate(db.pool);
    const { rows } = await db.pool.query<{ column_name: string; data_type: string; character_maximum_length: number | null }>(
      `SELECT column_name, data_type, character_maximum_length FROM information_schema.columns
       WHERE table_name = 'user_logins' ORDER BY ordinal_position`,
    );
    expect(rows.slice(0, 7)).toEqual([
      { column_name: 'user_id', data_type: 'character varying', character_maximum_length: 128 },
      { column_name: 'device_type', data_type: 'character varying', character_maximum_length: 32 },
      { column_name: 'masked_ip', data_type: 'character varying', character_maximum_length: 256 },
      { column_name: 'masked_device_id', data_type: 'character varying', character_maximum_length: 256 },
      { column_name: 'locale', data_type: 'character varying', character_maximum_length: 32 },
      { column_name: 'app_version', data_type: 'integer', character_maximum_length: null },
      { column_name: 'create_date', data_type: 'date', character_maximum_length: null },
    ]);
    expect(rows.map((r) => r.column_name)).toEqual(expect.arrayContaining(['message_id', 'app_version_text']));
  });

  it('make message_id unique and index both masked columns', async () => {
    const { rows } = await db.pool.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE tablename = 'user_logins'`,
    );
    const defs = rows.map((r) => r.indexdef).join('\n');
    expect(defs).toMatch(/UNIQUE INDEX .* \(message_id\)/);
    expect(defs).toMatch(/INDEX user_logins_masked_ip_idx .* \(masked_ip\)/);
    expect(defs).toMatch(/INDEX user_logins_masked_device_id_idx .* \(masked_device_id\)/);
  });

  it('are idempotent: a second run has nothing to do', async () => {
    expect(await migrate(db.pool)).toEqual([]);
  });

  it('roll back and forward again', async () => {
    const applied = (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pgmigrations')).rows[0]!.n;
    expect(applied).toBeGreaterThanOrEqual(3);
    await migrate(db.pool, 'down', applied);
    const gone = await db.pool.query(`SELECT to_regclass('user_logins') AS t`);
    expect(gone.rows[0].t).toBeNull();
    expect(await migrate(db.pool)).toHaveLength(applied);
  });
});
