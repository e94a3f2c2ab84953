import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseKeyset } from '../../service/keys.js';
import { createMasker } from '../../service/masking.js';
import { EXIT } from '../../service/rekey.js';
import { emptyUserLoginsBeforeEach } from '../support/database.js';
import { cliEnv, runCli, spawnCli } from '../unmask/cli-env.js';
import { insertRows, someOriginals, storedRows, versionsOf } from './rows.js';

const k1Hex = crypto.randomBytes(64).toString('hex');
const k2Hex = crypto.randomBytes(64).toString('hex');
const k1Json = JSON.stringify({ active: 'k1', keys: { k1: k1Hex } });
const k2Json = JSON.stringify({ active: 'k2', keys: { k1: k1Hex, k2: k2Hex } });
const k1 = createMasker(parseKeyset(k1Json), 'encrypt');
const k2 = createMasker(parseKeyset(k2Json), 'encrypt');

describe('npm run rekey', () => {
  const db = emptyUserLoginsBeforeEach();
  const env = () => cliEnv({ DATABASE_URL: db.url, MASKING_KEYSET: k2Json });

  it('survives being killed half way: a second run finishes the job and every value is intact', async () => {
    const originals = someOriginals(300, 9);
    await insertRows(db.pool, k1, originals);

    const child = spawnCli('service/rekey.ts', ['--batch-size', '20', '--pause-ms', '250'], env());
    const killed = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (/rekey: batch 1: /.test(stdout)) child.kill('SIGKILL');
    });
    expect(await killed).toBe('SIGKILL');

    const halfway = versionsOf(await storedRows(db.pool));
    expect(halfway.k2).toBeGreaterThanOrEqual(40); // batch 1 committed: 20 rows, two values each
    expect(halfway.k1).toBeGreaterThan(0); // ...and the run did not get to finish

    const second = await runCli('service/rekey.ts', ['--batch-size', '50'], env());
    expect(second.code).toBe(EXIT.done);
    expect(second.stdout).toMatch(/rekey: done: \d+ row\(s\) re-encrypted to k2 in \d+ batch\(es\); 0 row value\(s\) could not be converted; 0 row\(s\) still hold an older version/);

    const rows = await storedRows(db.pool);
    expect(versionsOf(rows)).toEqual({ k2: 600 });
    expect(rows.map((r) => ({ ip: k2.unmask(r.masked_ip!, 'ip').value, deviceId: k2.unmask(r.masked_device_id!, 'device_id').value }))).toEqual(
      originals,
    );

    const third = await runCli('service/rekey.ts', [], env());
    expect(third.code).toBe(EXIT.done);
    expect(third.stdout).toMatch(/rekey: done: 0 row\(s\) re-encrypted to k2 in 0 batch\(es\)/);
  });

  it('exits non-zero and says what to do when values cannot be converted', async () => {
    await insertRows(db.pool, k1, someOriginals(2, 10));
    const onlyK2 = JSON.stringify({ active: 'k2', keys: { k2: k2Hex } });
    const result = await runCli('service/rekey.ts', [], cliEnv({ DATABASE_URL: db.url, MASKING_KEYSET: onlyK2 }));
    expect(result.code).toBe(EXIT.incomplete);
    expect(result.stdout).toMatch(/row id \d+ masked_ip left as it is: unknown-version: key version k1 is not in the keyset/);
    expect(result.stdout).toMatch(/4 row value\(s\) could not be converted; 2 row\(s\) still hold an older version/);
    expect(result.stdout).toMatch(/need their key version added back to the keyset/);
  });

  it('explains in hash mode why HMAC values cannot be re-keyed, and changes nothing', async () => {
    const hashed = createMasker(parseKeyset(k1Json), 'hash');
    await insertRows(db.pool, hashed, someOriginals(2, 11));
    const before = await storedRows(db.pool);
    const result = await runCli('service/rekey.ts', [], { ...env(), MASKING_MODE: 'hash' });
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/HMAC-SHA256 values are one-way, so they cannot be re-keyed without the raw ip and device_id values/);
    expect(await storedRows(db.pool)).toEqual(before);
  });

  it('rejects a bad --batch-size before touching anything', async () => {
    const result = await runCli('service/rekey.ts', ['--batch-size', '0'], env());
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/--batch-size: must be a whole number from 1 to 10000, got "0"/);
  });
});
