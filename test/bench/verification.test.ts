// The benchmark's verification must be able to say no: a contender that drains fast but writes the
// wrong thing is marked wrong, whichever way it is wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueuePair, LOCAL_CREDENTIALS, sendBodies } from '../../service/local/queues.js';
import { startSqsEmulator, type SqsEmulator } from '../../service/local/sqs-emulator.js';
import { createSqsClient } from '../../service/sqs-client.js';
import { verifyContender } from '../../bench/verify.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import type { SQSClient } from '@aws-sdk/client-sqs';

describe('benchmark verification', () => {
  let emulator: SqsEmulator;
  let sqs: SQSClient;
  let db: TestDatabase;
  beforeAll(async () => {
    emulator = await startSqsEmulator();
    sqs = createSqsClient({ region: 'us-east-1', endpoint: emulator.endpoint, credentials: LOCAL_CREDENTIALS });
    db = await createTestDatabase();
  });
  afterAll(async () => {
    sqs.destroy();
    await emulator.stop();
    await db.drop();
  });

  it('fails a consumer that left messages behind, wrote no rows and sent nothing to the DLQ', async () => {
    const queues = await createQueuePair(sqs, 'verify-wrong');
    const sentIds = await sendBodies(sqs, queues.queueUrl, ['{"not":"drained"}', 'x']);
    const checks = await verifyContender({
      name: 'consumer',
      sqs,
      pool: db.pool,
      queues,
      sentIds,
      expected: { consumerRows: 1, naiveRows: 1 },
      counts: { received: 2, deleted: 2, written: 1 },
    });
    const failed = checks.filter((c) => !c.ok).map((c) => c.what);
    expect(failed).toEqual(
      expect.arrayContaining([
        'messages left on the queue (visible, in flight or delayed)',
        'rows written (one per valid message)',
        'malformed messages in the DLQ',
      ]),
    );
  });

  it('fails a ceiling that says it deleted fewer messages than were sent', async () => {
    const queues = await createQueuePair(sqs, 'verify-ceiling');
    const checks = await verifyContender({
      name: 'ceiling',
      sqs,
      pool: db.pool,
      queues,
      sentIds: ['a', 'b', 'c'],
      expected: { consumerRows: 3, naiveRows: 3 },
      counts: { received: 3, deleted: 2, written: 0 },
    });
    expect(checks.find((c) => c.what === 'messages deleted')).toMatchObject({ expected: 3, actual: 2, ok: false });
    // An empty queue and an untouched database are right for the ceiling.
    expect(checks.filter((c) => c.what !== 'messages deleted').every((c) => c.ok)).toBe(true);
  });
});
