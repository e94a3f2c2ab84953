// The consumer as ECS runs it (a process receiving real signals): SIGTERM drains and exits 0 well
// within the 30 s stop timeout; a second signal exits at once; nothing is lost either way.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queueDepth } from '../../service/local/queues.js';
import { generateSample } from '../../service/local/sample-messages.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { sendBodies, startTestQueues, startTestService, testEnv, waitFor, waitForEmpty, type TestQueues } from '../support/stack.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function startConsumerProcess(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<{ code: number | null; signal: string | null }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'service/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => output, exited };
}

describe('stopping the consumer', () => {
  let db: TestDatabase;
  let queues: TestQueues;
  let running: ChildProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());
  afterEach(async () => {
    running?.kill('SIGKILL');
    await queues?.stop();
  });

  it('on SIGTERM, writes and acknowledges what it holds and exits 0 well within 30 s', async () => {
    queues = await startTestQueues();
    const bodies = generateSample({ count: 3000, seed: 11, malformedShare: 0 });
    await sendBodies(queues.sqs, queues.queueUrl, bodies);
    const proc = startConsumerProcess(testEnv(queues, db.url, { VISIBILITY_TIMEOUT_SECONDS: '5', FLUSH_INTERVAL_MS: '200' }));
    running = proc.child;
    await waitFor(async () => (await db.pool.query('SELECT count(*)::int AS n FROM user_logins')).rows[0].n > 0, 30_000, 'first rows');

    const signalledAt = Date.now();
    proc.child.kill('SIGTERM');
    const { code } = await proc.exited;
    const stopMs = Date.now() - signalledAt;
    expect(code).toBe(0);
    expect(stopMs).toBeLessThan(10_000);
    expect(proc.output()).toContain('"clean":true');

    // What it did not finish reappears; another consumer picks it up; every message is one row.
    const { service } = await startTestService(queues, db.url);
    await waitForEmpty(queues.sqs, queues.queueUrl, 60_000);
    await service.stop();
    const { rows } = await db.pool.query('SELECT count(*)::int AS n, count(DISTINCT message_id)::int AS d FROM user_logins');
    expect(rows[0]).toEqual({ n: 3000, d: 3000 });
  });

  it('on a second signal, exits at once; what it held reappears later', async () => {
    queues = await startTestQueues();
    await db.pool.query('TRUNCATE user_logins');
    await sendBodies(queues.sqs, queues.queueUrl, generateSample({ count: 100, seed: 12, malformedShare: 0 }));
    // A database that never answers keeps the first stop waiting for its 20 s deadline.
    const proc = startConsumerProcess(
      testEnv(queues, db.url, { DATABASE_URL: 'postgres://nobody:x@127.0.0.1:9/none', SHUTDOWN_TIMEOUT_MS: '20000', VISIBILITY_TIMEOUT_SECONDS: '30' }),
    );
    running = proc.child;
    await waitFor(async () => (await queueDepth(queues.sqs, queues.queueUrl)).inFlight > 0, 30_000, 'messages in hand');
    await waitFor(() => proc.output().includes('database unavailable'), 30_000, 'the outage to be noticed');

    const signalledAt = Date.now();
    proc.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    proc.child.kill('SIGTERM');
    const { code } = await proc.exited;
    expect(Date.now() - signalledAt).toBeLessThan(3_000);
    expect(code).toBe(143);
    // Nothing was deleted: every message is still on the queue, in flight until its timeout.
    const depth = await queueDepth(queues.sqs, queues.queueUrl);
    expect(depth.visible + depth.inFlight).toBe(100);
  });

  it('refuses to start with bad configuration, exit code 2 and the variable named', async () => {
    queues = await startTestQueues();
    const env = testEnv(queues, db.url, { RECEIVE_BATCH_SIZE: '11' });
    const proc = startConsumerProcess(env);
    running = proc.child;
    const { code } = await proc.exited;
    expect(code).toBe(2);
    expect(proc.output()).toContain('RECEIVE_BATCH_SIZE');

    const noKey = { ...testEnv(queues, db.url) } as Record<string, string>;
    delete noKey.MASKING_KEY;
    const second = startConsumerProcess(noKey);
    running = second.child;
    expect((await second.exited).code).toBe(2);
    expect(second.output()).toContain('MASKING_KEY');

    const shortKey = startConsumerProcess(testEnv(queues, db.url, { MASKING_KEY: 'abcd' }));
    running = shortKey.child;
    expect((await shortKey.exited).code).toBe(2);
    expect(shortKey.output()).toMatch(/MASKING_KEY.*128 hex/);
  });
});
