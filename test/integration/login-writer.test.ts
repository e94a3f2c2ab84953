// How a batch of rows reaches user_logins, against a real PostgreSQL: COPY first, the
// duplicate-skipping insert only for a batch that meets a message already written, and row by row
// only for a batch holding a row the database refuses.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../../service/errors.js';
import type { LoginRow } from '../../service/login-event.js';
import { writeRows } from '../../service/login-writer.js';
import { COPY_USER_LOGINS } from '../../service/sql/copy-user-logins.js';
import { createTestDatabase, emptyUserLoginsBeforeEach } from '../support/database.js';

const row = (messageId: string, overrides: Partial<LoginRow> = {}): LoginRow => ({
  messageId,
  userId: `user-${messageId}`,
  deviceType: 'android',
  maskedIp: `k1:ip-${messageId}`,
  maskedDeviceId: `k1:device-${messageId}`,
  locale: 'RU',
  appVersion: 2_003_000,
  appVersionText: '2.3.0',
  createDate: '2026-11-22',
  ...overrides,
});

/** The real pool, with the name (or text) of every statement it or its clients are given written down. */
function recording(pool: pg.Pool): { pool: pg.Pool; statements: string[] } {
  const statements: string[] = [];
  const note = (config: { name?: string; text: string }): void => {
    statements.push(config.name ?? config.text);
  };
  const query = (config: pg.QueryConfig) => {
    note(config);
    return pool.query(config);
  };
  const connect = async () => {
    const client = await pool.connect();
    return new Proxy(client, {
      get: (target, key) =>
        key === 'query'
          ? (config: { name?: string; text: string }) => {
              note(config);
              return target.query(config as pg.QueryConfig);
            }
          : Reflect.get(target, key, target),
    });
  };
  return { pool: { query, connect } as unknown as pg.Pool, statements };
}

const COPY = COPY_USER_LOGINS;
const SKIPPING = 'insert-user-logins-skip-duplicates';

describe('writing a batch to user_logins', () => {
  const db = emptyUserLoginsBeforeEach();

  const messageIds = async (): Promise<string[]> =>
    (await db.pool.query<{ message_id: string }>('SELECT message_id FROM user_logins ORDER BY message_id')).rows.map((r) => r.message_id);

  it('a batch of new messages goes in with one COPY', async () => {
    const { pool, statements } = recording(db.pool);
    const result = await writeRows(pool, [row('a'), row('b'), row('c')]);
    expect(result).toEqual({ inserted: 3, duplicates: 0, refused: [] });
    expect(statements).toEqual([COPY]);
    expect(await messageIds()).toEqual(['a', 'b', 'c']);
  });

  it('a batch holding a redelivered message writes the new ones once and counts the old one as a duplicate', async () => {
    await writeRows(db.pool, [row('b')]);
    const { pool, statements } = recording(db.pool);
    const result = await writeRows(pool, [row('a'), row('b', { userId: 'second delivery' }), row('c')]);
    expect(result).toEqual({ inserted: 2, duplicates: 1, refused: [] });
    expect(statements).toEqual([COPY, SKIPPING]);
    expect(await messageIds()).toEqual(['a', 'b', 'c']);
    const { rows } = await db.pool.query(`SELECT user_id FROM user_logins WHERE message_id = 'b'`);
    expect(rows).toEqual([{ user_id: 'user-b' }]);
  });

  it("values holding COPY's special characters, or none at all, are read back as they were written", async () => {
    const odd = row('odd', {
      userId: 'tab\there, newline\nthere, return\rand a backslash \\ at the end\\',
      deviceType: '\\N',
      maskedIp: 'k1:\\.',
      maskedDeviceId: 'k1:ünïcödé ✓',
      locale: null,
      appVersionText: '\\t',
    });
    const { pool, statements } = recording(db.pool);
    await writeRows(pool, [row('plain'), odd]);
    // Written by the COPY itself: a misread field would fail it, and the row-by-row fallback would hide that.
    expect(statements).toEqual([COPY]);
    const { rows } = await db.pool.query(
      `SELECT user_id, device_type, masked_ip, masked_device_id, locale, app_version, app_version_text, to_char(create_date, 'YYYY-MM-DD') AS create_date
       FROM user_logins WHERE message_id = 'odd'`,
    );
    expect(rows).toEqual([
      {
        user_id: odd.userId,
        device_type: odd.deviceType,
        masked_ip: odd.maskedIp,
        masked_device_id: odd.maskedDeviceId,
        locale: null,
        app_version: odd.appVersion,
        app_version_text: odd.appVersionText,
        create_date: odd.createDate,
      },
    ]);
  });

  it('the same message twice in one batch makes one row', async () => {
    const result = await writeRows(db.pool, [row('a'), row('a'), row('b')]);
    expect(result).toEqual({ inserted: 2, duplicates: 1, refused: [] });
    expect(await messageIds()).toEqual(['a', 'b']);
  });

  describe('with a row the database refuses', () => {
    beforeAll(async () => {
      await db.pool.query(`ALTER TABLE user_logins ADD CONSTRAINT test_no_zz_locale CHECK (locale IS DISTINCT FROM 'ZZ')`);
    });
    afterAll(async () => {
      await db.pool.query('ALTER TABLE user_logins DROP CONSTRAINT test_no_zz_locale');
    });

    it('writes the others row by row and hands back the refused one with its SQLSTATE', async () => {
      const { pool, statements } = recording(db.pool);
      const refused = row('b', { locale: 'ZZ' });
      const result = await writeRows(pool, [row('a'), refused, row('c')]);
      expect(result).toEqual({ inserted: 2, duplicates: 0, refused: [{ row: refused, sqlState: '23514' }] });
      // No second whole-batch attempt: it would fail on the same row.
      expect(statements).toEqual([COPY, SKIPPING, SKIPPING, SKIPPING]);
      expect(await messageIds()).toEqual(['a', 'c']);
    });

    it('also skips a redelivered message among them', async () => {
      await writeRows(db.pool, [row('a')]);
      const refused = row('b', { locale: 'ZZ' });
      const result = await writeRows(db.pool, [row('a'), refused, row('c')]);
      expect(result).toEqual({ inserted: 1, duplicates: 1, refused: [{ row: refused, sqlState: '23514' }] });
      expect(await messageIds()).toEqual(['a', 'c']);
    });
  });

  it('a database that cannot take the batch is an outage, not a bad row', async () => {
    const bare = await createTestDatabase({ migrate: false });
    try {
      const error = await writeRows(bare.pool, [row('a')]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect((error as DatabaseUnavailableError).cause).toMatchObject({ code: '42P01' });
    } finally {
      await bare.drop();
    }
  });
});
