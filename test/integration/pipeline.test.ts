// The end-to-end path over the real SQS wire protocol and a real PostgreSQL: receive, validate,
// mask, write, acknowledge; rejected messages in the DLQ with their reason.
import { ChangeMessageVisibilityCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keysetFromHex } from '../../service/keys.js';
import { queueDepth } from '../../service/local/queues.js';
import { writeRows } from '../../service/login-writer.js';
import { createMasker } from '../../service/masking.js';
import { prepareRow } from '../../service/prepare-row.js';
import { fromSqs } from '../../service/received-message.js';
import type { RunningService } from '../../service/service.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { drainQueue, sendBodies, startTestQueues, startTestService, TEST_KEY, waitForEmpty, type TestQueues } from '../support/stack.js';

const login = (overrides: Record<string, unknown> = {}): string =>
  JSON.stringify({
    user_id: '424cdd21-063a-43a7-b91b-7ca1a833afae',
    app_version: '2.3.0',
    device_type: 'android',
    ip: '199.172.111.135',
    locale: 'RU',
    device_id: '593-47-5928',
    ...overrides,
  });

describe('the consumer, end to end', () => {
  let db: TestDatabase;
  let queues: TestQueues;
  let service: RunningService | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());
  beforeEach(async () => {
    queues = await startTestQueues();
    await db.pool.query('TRUNCATE user_logins');
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
    await queues.stop();
  });

  it('writes one row per valid message with masked PII and every contract column filled', async () => {
    const ids = await sendBodies(queues.sqs, queues.queueUrl, [login(), login({ user_id: 'u-2', locale: null, app_version: '0.96', ip: '2001:DB8::1' })]);
    ({ service } = await startTestService(queues, db.url));
    await waitForEmpty(queues.sqs, queues.queueUrl);
    await service.stop();

    const { rows } = await db.pool.query(
      `SELECT message_id, user_id, device_type, masked_ip, masked_device_id, locale, app_version, app_version_text,
              to_char(create_date, 'YYYY-MM-DD') AS create_date
       FROM user_logins ORDER BY user_id`,
    );
    expect(rows).toHaveLength(2);
    const today = new Date().toISOString().slice(0, 10);
    expect(rows[0]).toMatchObject({ user_id: '424cdd21-063a-43a7-b91b-7ca1a833afae', device_type: 'android', locale: 'RU', app_version: 2_003_000, app_version_text: '2.3.0', create_date: today });
    expect(rows[1]).toMatchObject({ user_id: 'u-2', locale: null, app_version: 96_000, app_version_text: '0.96' });
    expect(rows.map((r) => r.message_id).sort()).toEqual([...ids].sort());
    for (const row of rows) {
      expect(row.masked_ip).toMatch(/^k1:/);
      expect(row.masked_device_id).toMatch(/^k1:/);
      expect(JSON.stringify(row)).not.toContain('199.172.111.135');
      expect(JSON.stringify(row)).not.toContain('593-47-5928');
    }
    // Canonical IPv6 masks like any other spelling of the same address would.
    const masker = createMasker(keysetFromHex(TEST_KEY), 'encrypt');
    expect(rows[1].masked_ip).toBe(masker.mask('ip', '2001:db8::1'));
    expect(rows[0].masked_device_id).toBe(rows[1].masked_device_id);
    expect(service.metrics.snapshot()).toMatchObject({ received: 2, written: 2, duplicatesSkipped: 0, quarantined: {} });
  });

  it('quarantines each malformed message to the DLQ, body unchanged, with its reason, and writes the rest', async () => {
    const bad = {
      not_json: 'this is { not json',
      user_id_missing: '{"foo": "oops_wrong_msg_type", "bar": "123"}',
      ip_invalid: login({ ip: '999.1.1.1' }),
      app_version_invalid: login({ app_version: 'latest' }),
      device_id_too_long: login({ device_id: 'd'.repeat(400) }),
      device_type_not_string: login({ device_type: 7 }),
    };
    const good = Array.from({ length: 25 }, (_, i) => login({ user_id: `user-${i}` }));
    // Interleaved, so poison messages share receives and batches with valid ones.
    await sendBodies(queues.sqs, queues.queueUrl, [...good.slice(0, 10), ...Object.values(bad), ...good.slice(10)]);
    ({ service } = await startTestService(queues, db.url));
    await waitForEmpty(queues.sqs, queues.queueUrl);
    await service.stop();

    const count = await db.pool.query('SELECT count(*)::int AS n FROM user_logins');
    expect(count.rows[0].n).toBe(25);
    const dead = await drainQueue(queues.sqs, queues.dlqUrl);
    expect(dead).toHaveLength(Object.keys(bad).length);
    for (const message of dead) {
      const reason = message.MessageAttributes?.quarantine_reason?.StringValue as keyof typeof bad;
      expect(Object.keys(bad)).toContain(reason);
      expect(message.Body).toBe(bad[reason]);
      expect(message.MessageAttributes?.quarantine_detail?.StringValue).toBeTruthy();
      expect(message.MessageAttributes?.source_message_id?.StringValue).toMatch(/\S/);
      expect(Number(message.MessageAttributes?.origin_sent_timestamp?.StringValue)).toBeGreaterThan(0);
    }
    expect(service.metrics.snapshot().quarantined).toEqual(Object.fromEntries(Object.keys(bad).map((k) => [k, 1])));
  });

  it('a row PostgreSQL refuses goes to the DLQ with its SQLSTATE, and the rest of its batch is written', async () => {
    // Valid input the database still refuses: here a constraint the validator knows nothing of.
    await db.pool.query(`ALTER TABLE user_logins ADD CONSTRAINT test_no_zz_locale CHECK (locale IS DISTINCT FROM 'ZZ')`);
    try {
      const refused = login({ user_id: 'refused', locale: 'ZZ' });
      const good = Array.from({ length: 11 }, (_, i) => login({ user_id: `user-${i}` }));
      const [, refusedId] = await sendBodies(queues.sqs, queues.queueUrl, [good[0]!, refused, ...good.slice(1)]);
      ({ service } = await startTestService(queues, db.url));
      await waitForEmpty(queues.sqs, queues.queueUrl);
      await service.stop();

      const { rows } = await db.pool.query('SELECT user_id FROM user_logins ORDER BY user_id');
      expect(rows.map((r) => r.user_id)).toEqual(good.map((_, i) => `user-${i}`).sort());
      const dead = await drainQueue(queues.sqs, queues.dlqUrl);
      expect(dead).toHaveLength(1);
      expect(dead[0]!.Body).toBe(refused);
      expect(dead[0]!.MessageAttributes?.quarantine_reason?.StringValue).toBe('database_rejected');
      expect(dead[0]!.MessageAttributes?.quarantine_detail?.StringValue).toBe('PostgreSQL refused the row (SQLSTATE 23514)');
      expect(dead[0]!.MessageAttributes?.source_message_id?.StringValue).toBe(refusedId);
      expect(service.metrics.snapshot()).toMatchObject({ received: 12, written: 11, quarantined: { database_rejected: 1 } });
    } finally {
      await db.pool.query('ALTER TABLE user_logins DROP CONSTRAINT test_no_zz_locale');
    }
  });

  it('writes a burst smaller than a batch as soon as the queue runs dry, not when the flush interval ends', async () => {
    await sendBodies(queues.sqs, queues.queueUrl, [login(), login({ user_id: 'u-2' }), login({ user_id: 'u-3' }), '{"user_id": 1}']);
    ({ service } = await startTestService(queues, db.url, { FLUSH_INTERVAL_MS: '60000', FLUSH_ROWS: '500' }));
    // Far within the minute the interval would take: rows written and every message acknowledged or moved.
    await waitForEmpty(queues.sqs, queues.queueUrl, 15_000);
    const { rows } = await db.pool.query('SELECT user_id FROM user_logins ORDER BY user_id');
    expect(rows.map((r) => r.user_id)).toEqual(['424cdd21-063a-43a7-b91b-7ca1a833afae', 'u-2', 'u-3']);
    expect((await queueDepth(queues.sqs, queues.dlqUrl)).visible).toBe(1);
  });

  it('writes the end of a burst whose receives all came back full once the receives fall quiet, not when the flush interval ends', async () => {
    // Twenty messages, one receive loop: two full receives, then a long poll that waits its 20 s out.
    // No receive is ever short, so only the quiet spell after the last one says the queue ran dry.
    await sendBodies(queues.sqs, queues.queueUrl, Array.from({ length: 20 }, (_, i) => login({ user_id: `burst-${i}` })));
    ({ service } = await startTestService(queues, db.url, { FLUSH_INTERVAL_MS: '60000', FLUSH_ROWS: '500', RECEIVE_CONCURRENCY: '1', WAIT_TIME_SECONDS: '20' }));
    // Far within the long poll's 20 s and the interval's minute.
    await waitForEmpty(queues.sqs, queues.queueUrl, 10_000);
    const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM user_logins');
    expect(rows[0]!.n).toBe(20);
  });

  it('a redelivered message never makes a second row', async () => {
    const [id] = await sendBodies(queues.sqs, queues.queueUrl, [login()]);
    // A consumer that wrote the row and died before deleting the message:
    const received = await queues.sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.queueUrl, MessageSystemAttributeNames: ['All'] }));
    const message = fromSqs(received.Messages![0]!, Date.now())!;
    const prepared = prepareRow(message, createMasker(keysetFromHex(TEST_KEY), 'encrypt'));
    if (prepared.kind !== 'row') throw new Error('expected a row');
    await writeRows(db.pool, [prepared.row]);
    // ...so SQS delivers it again, with the same MessageId.
    await queues.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queues.queueUrl, ReceiptHandle: message.receiptHandle, VisibilityTimeout: 0 }));

    ({ service } = await startTestService(queues, db.url));
    await waitForEmpty(queues.sqs, queues.queueUrl);
    await service.stop();

    const { rows } = await db.pool.query('SELECT message_id FROM user_logins');
    expect(rows).toEqual([{ message_id: id }]);
    expect(service.metrics.snapshot()).toMatchObject({ received: 1, written: 0, duplicatesSkipped: 1 });
  });

  it('dates a row by when the message was first sent, also after a redrive from the DLQ', async () => {
    const sentLongAgo = Date.UTC(2026, 0, 31, 23, 59, 59);
    await queues.sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.queueUrl,
        MessageBody: login(),
        MessageAttributes: { origin_sent_timestamp: { DataType: 'Number', StringValue: String(sentLongAgo) } },
      }),
    );
    ({ service } = await startTestService(queues, db.url));
    await waitForEmpty(queues.sqs, queues.queueUrl);
    await service.stop();
    const { rows } = await db.pool.query(`SELECT to_char(create_date, 'YYYY-MM-DD') AS d FROM user_logins`);
    expect(rows).toEqual([{ d: '2026-01-31' }]);
  });

  it('answers its health endpoint: live and ready while running', async () => {
    ({ service } = await startTestService(queues, db.url));
    const base = `http://127.0.0.1:${service.health!.port}`;
    const live = await fetch(`${base}/health/live`);
    const ready = await fetch(`${base}/health/ready`);
    expect(live.status).toBe(200);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ live: true, ready: true, databaseUp: true });
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('emits CloudWatch EMF metrics for what it did', async () => {
    await sendBodies(queues.sqs, queues.queueUrl, [login(), 'not json']);
    let metricLines: string[];
    ({ service, metricLines } = await startTestService(queues, db.url));
    await waitForEmpty(queues.sqs, queues.queueUrl);
    await service.stop();
    const docs = metricLines.map((line) => JSON.parse(line) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string }[] } });
    const main = docs.find((d) => 'MessagesReceived' in d)!;
    expect(main._aws.CloudWatchMetrics[0]!.Namespace).toBe('LoginPipeline');
    expect(main).toMatchObject({ Service: 'login-consumer', MessagesReceived: 2, RowsWritten: 1, MessagesQuarantined: 1, DuplicatesSkipped: 0, ConsumerErrors: 0 });
    expect(docs.find((d) => d.Reason === 'not_json')).toMatchObject({ MessagesQuarantined: 1 });
    expect(docs.find((d) => 'BatchWriteLatency' in d)).toBeDefined();
    expect((await queueDepth(queues.sqs, queues.dlqUrl)).visible).toBe(1);
  });
});
