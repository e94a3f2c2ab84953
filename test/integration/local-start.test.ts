// `npm start` as a new user runs it, and a scan of everything a run logs for the raw PII it sent.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalIp } from '../../service/ip-address.js';
import { generateSample } from '../../service/local/sample-messages.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function runStart(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['start', '--silent', '--', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm start', () => {
  let state: string;
  let db: TestDatabase;
  beforeAll(async () => {
    state = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-start-'));
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await db.drop();
    fs.rmSync(state, { recursive: true, force: true });
  });

  it('on a fresh state folder, starts its own PostgreSQL and emulator, drains the sample and reports in JSON', async () => {
    const env: Record<string, string> = { LOCAL_STATE_DIR: path.join(state, 'fresh'), DATABASE_URL: '', MASKING_KEY: '', MASKING_MODE: '' };
    const { code, stdout, stderr } = await runStart(['--count', '400', '--json'], env);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout.trim());
    expect(report.received).toBe(400);
    const quarantined = Object.values(report.quarantined as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(report.written + quarantined + report.duplicatesSkipped).toBe(400);
    expect(quarantined).toBeGreaterThan(0);
    expect(report.deadLetterQueueDepth).toBe(quarantined);
    expect(report.elapsedMs).toBeGreaterThan(0);
    expect(report.sharedDeviceIds).toBeGreaterThan(0);
    // The local key is generated once and kept.
    expect(fs.readFileSync(path.join(state, 'fresh', 'masking-key'), 'utf8')).toMatch(/^[0-9a-f]{128}$/);
  }, 120_000);

  it('prints a readable table by default', async () => {
    const { code, stdout } = await runStart(['--count', '50'], { LOCAL_STATE_DIR: path.join(state, 'table'), DATABASE_URL: db.url });
    expect(code).toBe(0);
    expect(stdout).toMatch(/messages received\s+50/);
    expect(stdout).toMatch(/rows written to user_logins\s+\d+/);
  }, 120_000);

  it('rejects a bad flag with exit code 2 and its usage', async () => {
    const { code, stderr } = await runStart(['--count', 'many'], { LOCAL_STATE_DIR: path.join(state, 'bad') });
    expect(code).toBe(2);
    expect(stderr).toContain('--count must be a whole number');
  });

  it('never writes a raw ip or device_id to any log line, error or metric of a run', async () => {
    const bodies = generateSample({ count: 600, seed: 99, malformedShare: 0.2 });
    // Plus messages built to provoke every error path with PII inside.
    bodies.push(
      JSON.stringify({ user_id: 'u', app_version: '1.0', device_type: 'x', ip: '203.0.113.77', device_id: '777-77-7777', locale: 9 }),
      JSON.stringify({ user_id: 'u', app_version: 'bad', device_type: 'x', ip: '203.0.113.78', device_id: '777-77-7778' }),
      JSON.stringify({ user_id: 'u'.repeat(300), app_version: '1.0', device_type: 'x', ip: '203.0.113.79', device_id: '777-77-7779' }),
      '{"ip": "203.0.113.80", "device_id": "777-77-7780", broken json',
    );
    const file = path.join(state, 'messages.txt');
    fs.writeFileSync(file, bodies.join('\n'));
    const stateDir = path.join(state, 'pii');
    const { code, stdout, stderr } = await runStart(['--messages', file], { LOCAL_STATE_DIR: stateDir, DATABASE_URL: db.url, LOG_LEVEL: 'trace', METRICS_INTERVAL_MS: '200' });
    expect(code, stderr).toBe(0);
    const logged = fs.readFileSync(path.join(stateDir, 'consumer.log'), 'utf8');
    expect(logged).toContain('message quarantined to the DLQ');
    expect(logged).toContain('MessagesReceived');

    const secrets = new Set<string>();
    for (const body of bodies) {
      const found = body.matchAll(/"(?:ip|device_id)":\s*"([^"]+)"/g);
      for (const [, value] of found) {
        secrets.add(value!);
        const canonical = canonicalIp(value!);
        if (canonical) secrets.add(canonical);
      }
    }
    expect(secrets.size).toBeGreaterThan(100);
    const everything = [logged, stdout, stderr].join('\n');
    const leaked = [...secrets].filter((value) => everything.includes(value));
    expect(leaked).toEqual([]);
  }, 120_000);

  it('--serve keeps the stack and the consumer up, so npm run redrive works against it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'service/local/start.ts', '--count', '300', '--json', '--serve'], {
      cwd: ROOT,
      env: { ...process.env, LOCAL_STATE_DIR: path.join(state, 'serve'), DATABASE_URL: db.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 90_000;
      while (!stderr.includes('press Ctrl-C to stop')) {
        if (Date.now() > deadline) throw new Error(`npm start --serve did not come up: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const report = JSON.parse(stdout.trim());
      expect(report.quarantinedTotal).toBeGreaterThan(0);
      const env: Record<string, string> = {};
      for (const [, name, value] of stderr.matchAll(/export (\w+)='([^']*)'/g)) env[name!] = value!;
      expect(Object.keys(env)).toEqual(expect.arrayContaining(['QUEUE_URL', 'DLQ_URL', 'AWS_ENDPOINT_URL', 'AWS_REGION']));

      const redrive = (args: string[]) =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const r = spawn(process.execPath, ['--import', 'tsx', 'service/redrive.ts', ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } });
          let out = '';
          r.stdout.on('data', (c: Buffer) => (out += c.toString()));
          r.stderr.on('data', (c: Buffer) => (out += c.toString()));
          r.once('exit', (code) => resolve({ code, out }));
        });
      const dry = await redrive(['--dry-run']);
      expect(dry.code, dry.out).toBe(0);
      expect(dry.out).toContain(`dry run: ${report.quarantinedTotal} message(s) in the DLQ`);
      const moved = await redrive([]);
      expect(moved.code, moved.out).toBe(0);
      expect(moved.out).toContain(`redrive: ${report.quarantinedTotal} moved to the login queue`);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  }, 150_000);
});
