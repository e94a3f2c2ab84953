import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../service/errors.js';
import { openToolDatabase } from '../../service/tool-database.js';
import { serverUrl } from '../support/database.js';

describe('the database of the operator tools', () => {
  it('is DATABASE_URL when set', async () => {
    const notes: string[] = [];
    const db = await openToolDatabase({ DATABASE_URL: serverUrl() }, (line) => notes.push(line));
    try {
      expect((await db.pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
      expect(notes).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('asks for DATABASE_URL when there is neither a configured database nor a local stack', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-local-stack-'));
    try {
      await expect(openToolDatabase({ LOCAL_STATE_DIR: empty }, () => undefined)).rejects.toThrow(ConfigError);
      await expect(openToolDatabase({ LOCAL_STATE_DIR: empty }, () => undefined)).rejects.toThrow(/DATABASE_URL: is required .*run npm start first/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
