// PostgreSQL stops mid-run and comes back: every valid message still ends as exactly one row, and
// none reaches the DLQ, because the consumer stops receiving while the database is away.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalPostgres, type LocalPostgres } from '../../service/local/postgres-server.js';
import { queueDepth } from '../../service/local/queues.js';
import { generateSample } from '../../service/local/sample-messages.js';
import { migrate } from '../../service/migrate.js';
import { sendBodies, startTestQueues, startTestService, waitFor, waitForEmpty, type TestQueues } from '../support/stack.js';

describe('a PostgreSQL outage mid-run', () => {
  let server: LocalPostgres;
  let tmp: string;
  let queues: TestQueues;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'outage-'));
    server = await startLocalPostgres({ dataDir: path.join(tmp, 'pgdata'), fast: true });
    const pool = new pg.Pool({ connectionString: server.url });
    await migrate(pool);
    await pool.end();
    queues = await startTestQueues();
  });
  afterAll(async () => {
    await queues.stop();
    await server.remove();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('pauses receiving, resumes by itself, and loses or duplicates nothing', async () => {
    const bodies = generateSample({ count: 600, seed: 7, malformedShare: 0 });
    const before = bodies.slice(0, 300);
    const trigger = bodies.slice(300, 310);
    const during = bodies.slice(310);
    await sendBodies(queues.sqs, queues.queueUrl, before);
    // 16 long polls can take at most 160 of the 290 messages sent during the outage, whatever the
    // default concurrency is: the rest must stay on the queue.
    const { service, logs } = await startTestService(queues, server.url, { FLUSH_ROWS: '50', RECEIVE_CONCURRENCY: '16' });
    await waitFor(() => service.metrics.snapshot().written > 0, 20_000, 'first rows');

    await server.stop();
    // The consumer learns of the outage from its next write.
    await sendBodies(queues.sqs, queues.queueUrl, trigger);
    await waitFor(() => !service.consumer.status().databaseUp, 20_000, 'the consumer to notice the outage');
    await sendBodies(queues.sqs, queues.queueUrl, during);
    const ready = await fetch(`http://127.0.0.1:${service.health!.port}/health/ready`);
    expect(ready.status).toBe(503);
    expect((await fetch(`http://127.0.0.1:${service.health!.port}/health/live`)).status).toBe(200);

    // While the database is away nothing more is taken off the queue (beyond the few long polls that
    // were already waiting when it went).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const pausedAt = await queueDepth(queues.sqs, queues.queueUrl);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const stillPaused = await queueDepth(queues.sqs, queues.queueUrl);
    expect(pausedAt.visible).toBeGreaterThan(0);
    expect(stillPaused.visible).toBe(pausedAt.visible);

    await server.start();
    await waitForEmpty(queues.sqs, queues.queueUrl, 60_000);
    await service.stop();

    const pool = new pg.Pool({ connectionString: server.url });
    const { rows } = await pool.query('SELECT count(*)::int AS n, count(DISTINCT message_id)::int AS distinct_ids FROM user_logins');
    await pool.end();
    expect(rows[0]).toEqual({ n: 600, distinct_ids: 600 });
    expect(await queueDepth(queues.sqs, queues.dlqUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(service.consumer.status().databaseUp).toBe(true);
    expect(logs.some((line) => line.includes('database unavailable; receiving paused'))).toBe(true);
    expect(logs.some((line) => line.includes('database reachable again; receiving resumed'))).toBe(true);
  });

  it('turns an idle consumer not ready while the database is down, and ready again after', async () => {
    const { service } = await startTestService(queues, server.url);
    const ready = async (): Promise<number> => (await fetch(`http://127.0.0.1:${service.health!.port}/health/ready`)).status;
    try {
      expect(await ready()).toBe(200);
      await server.stop();
      await waitFor(async () => (await ready()) === 503, 15_000, 'not ready');
      await server.start();
      await waitFor(async () => (await ready()) === 200, 15_000, 'ready again');
    } finally {
      await service.stop();
    }
  });
});
