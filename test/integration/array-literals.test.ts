// The array literals the consumer's insert sends, read back by a real PostgreSQL.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayLiteral } from '../../service/sql/insert-user-logins.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

// pg's own serializer for parameters, which the consumer's literals replace.
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(value: unknown): unknown };

describe('array literals for the batch insert', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await db.drop();
  });

  const readBack = async (values: (string | null)[]): Promise<unknown> => (await db.pool.query('SELECT $1::varchar[] AS a', [arrayLiteral(values)])).rows[0].a;

  it('reads back exactly the strings it was given, quotes, backslashes, braces, commas, spaces, NULL and all', async () => {
    const tricky = ['plain', 'a"b', 'back\\slash', '\\"', '{x,y}', ' padded ', '', 'NULL', 'null', 'ünï€😀', 'k1:AbC-_09'];
    expect(await readBack(tricky)).toEqual(tricky);
    expect(await readBack(['x', null, 'y'])).toEqual(['x', null, 'y']);
    expect(await readBack([null])).toEqual([null]);
    expect(await readBack([])).toEqual([]);
  });

  it('is the text pg itself would send for the same array', () => {
    for (const values of [['a', 'b"c', null, 'd\\e'], ['k1:x', 'k1:y'], [230, 96], ['RU', null], [null], ['']]) {
      expect(arrayLiteral(values)).toBe(prepareValue(values));
    }
  });

  it('sends integers that an integer[] cast reads as numbers', async () => {
    const { rows } = await db.pool.query('SELECT $1::integer[] AS a', [arrayLiteral([230, 96, 0])]);
    expect(rows[0].a).toEqual([230, 96, 0]);
  });
});
