import crypto from 'node:crypto';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../service/caller-identity.js';
import { parseKeyset } from '../../service/keys.js';
import { createMasker } from '../../service/masking.js';
import { EXIT, unmaskWithAudit } from '../../service/unmask.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { cliEnv, runCli } from './cli-env.js';

const keysetJson = JSON.stringify({ active: 'k2', keys: { k1: crypto.randomBytes(64).toString('hex'), k2: crypto.randomBytes(64).toString('hex') } });
const keyset = parseKeyset(keysetJson);
const k1 = createMasker({ active: 'k1', keys: new Map([['k1', keyset.keys.get('k1')!]]) }, 'encrypt');
const k2 = createMasker(keyset, 'encrypt');
const ip = '199.172.111.135';
const deviceId = '593-47-5928';

interface AuditRow {
  actor: string;
  actor_kind: string;
  os_user: string;
  reason: string;
  masked_values: string[];
  value_count: number;
  recovered_count: number;
  accessed_at: Date;
}

describe('npm run unmask', () => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  const audit = async () => (await db.pool.query<AuditRow>('SELECT * FROM pii_access_log ORDER BY id')).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    env = cliEnv({ DATABASE_URL: db.url, MASKING_KEYSET: keysetJson });
  });
  afterAll(async () => db.drop());

  it('prints the original of values under every key version, after recording who asked and why', async () => {
    const values = [k1.mask('ip', ip), k1.mask('device_id', deviceId), k2.mask('ip', ip), k2.mask('device_id', deviceId)];
    const before = new Date();
    const result = await runCli('service/unmask.ts', ['--reason', 'ticket SEC-42: fraud review', ...values], env);
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      `${values[0]}\tip\t${ip}`,
      `${values[1]}\tdevice_id\t${deviceId}`,
      `${values[2]}\tip\t${ip}`,
      `${values[3]}\tdevice_id\t${deviceId}`,
    ]);
    const rows = await audit();
    expect(rows.at(-1)).toMatchObject({
      actor: os.userInfo().username,
      actor_kind: 'os',
      reason: 'ticket SEC-42: fraud review',
      masked_values: values,
      value_count: 4,
      recovered_count: 4,
    });
    expect(rows.at(-1)!.accessed_at.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1_000);
  });

  it('reads masked values from stdin, one a line', async () => {
    const masked = k2.mask('device_id', deviceId);
    const result = await runCli('service/unmask.ts', ['--reason', 'stdin check'], env, `\n${masked}\r\n\n`);
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toBe(`${masked}\tdevice_id\t${deviceId}\n`);
  });

  it('rejects tampered, unknown-version and malformed values one by one, still recording the request', async () => {
    const good = k2.mask('ip', ip);
    const tampered = good.slice(0, -3) + (good.at(-3) === 'A' ? 'B' : 'A') + good.slice(-2);
    const unknown = `k9:${good.slice(3)}`;
    const result = await runCli('service/unmask.ts', ['--reason', 'mixed input', tampered, good, unknown, 'not-a-value'], env);
    expect(result.code).toBe(EXIT.someFailed);
    expect(result.stdout).toBe(`${good}\tip\t${ip}\n`);
    expect(result.stderr).toMatch(/value 1 \(k2:[^)]*\): tampered: does not authenticate under key k2/);
    expect(result.stderr).toMatch(/value 3 \(k9:[^)]*\): unknown-version: key version k9 is not in the keyset \(it holds k1, k2\)/);
    expect(result.stderr).toMatch(/value 4 \(not-a-value\): malformed: not a masked value/);
    expect((await audit()).at(-1)).toMatchObject({ reason: 'mixed input', value_count: 4, recovered_count: 1 });
  });

  it('requires --reason, and then neither prints nor records anything', async () => {
    const count = (await audit()).length;
    const result = await runCli('service/unmask.ts', [k2.mask('ip', ip)], env);
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/--reason is required/);
    expect(result.stdout).toBe('');
    expect(await audit()).toHaveLength(count);
  });

  it('refuses in hash mode, explaining that HMAC values are irreversible', async () => {
    const result = await runCli('service/unmask.ts', ['--reason', 'x', 'k1:abc'], { ...env, MASKING_MODE: 'hash' });
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/HMAC-SHA256, which is one-way by design/);
    expect(result.stdout).toBe('');
  });

  it('stops with exit 2 on a malformed keyset, naming the problem', async () => {
    const result = await runCli('service/unmask.ts', ['--reason', 'x', 'k1:abc'], { ...env, MASKING_KEYSET: '{"active":"k2","keys":{}}' });
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/MASKING_KEYSET: keyset "keys" is empty/);
  });

  it('prints nothing when the audit row cannot be written', async () => {
    const unmigrated = await createTestDatabase({ migrate: false });
    try {
      const result = await runCli('service/unmask.ts', ['--reason', 'no audit table', k2.mask('ip', ip)], { ...env, DATABASE_URL: unmigrated.url });
      expect(result.code).toBe(EXIT.auditFailed);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/audit record could not be written .* nothing is shown: relation "pii_access_log" does not exist/);
      expect(result.stderr).not.toContain(ip);
    } finally {
      await unmigrated.drop();
    }
  });
});

describe('unmaskWithAudit', () => {
  let db: TestDatabase;
  const caller: Caller = { actor: 'arn:aws:sts::123456789012:assumed-role/pii-recovery/alice', actorKind: 'aws', osUser: 'alice', host: 'bastion' };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());

  it('has the audit row committed before the first value is written out', async () => {
    const masked = k1.mask('device_id', deviceId);
    const seenAtFirstLine: number[] = [];
    const lines: string[] = [];
    const pending: Promise<void>[] = [];
    const { exitCode, audit } = await unmaskWithAudit({
      masker: k2,
      pool: db.pool,
      caller,
      reason: 'precedence check',
      values: [masked],
      out: (line) => {
        lines.push(line);
        // Looked up on another connection, so only a committed row is visible.
        pending.push(db.pool.query('SELECT count(*)::int AS n FROM pii_access_log').then((r) => void seenAtFirstLine.push(r.rows[0].n)));
      },
      err: () => undefined,
    });
    await Promise.all(pending);
    expect(exitCode).toBe(EXIT.ok);
    expect(lines).toEqual([`${masked}\tdevice_id\t${deviceId}`]);
    expect(seenAtFirstLine).toEqual([1]);
    const { rows } = await db.pool.query('SELECT actor, actor_kind, os_user, host FROM pii_access_log WHERE id = $1', [audit!.id]);
    expect(rows[0]).toEqual({ actor: caller.actor, actor_kind: 'aws', os_user: 'alice', host: 'bastion' });
  });

  it('keeps the trail append-only', async () => {
    await expect(db.pool.query(`UPDATE pii_access_log SET reason = 'edited'`)).rejects.toThrow(/append-only/);
    await expect(db.pool.query('DELETE FROM pii_access_log')).rejects.toThrow(/append-only/);
  });
});
