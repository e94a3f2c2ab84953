// After a contender has drained its queue: did it write what it should? A fast wrong answer must
// not win, so each contender is held to its own contract, checked against the database and the
// queues rather than against what the contender says it did.
import type { SQSClient } from '@aws-sdk/client-sqs';
import type pg from 'pg';
import { messagesLeft, queueDepth, type QueuePair } from '../service/local/queues.js';
import type { ContenderCounts, ContenderName } from './contenders/contender.js';
import type { Expected } from './expected.js';

export interface Check {
  what: string;
  expected: number;
  actual: number;
  ok: boolean;
}

export interface VerifyInput {
  name: ContenderName;
  sqs: SQSClient;
  pool: pg.Pool;
  queues: QueuePair;
  sentIds: readonly string[];
  expected: Expected;
  counts: ContenderCounts;
}

const check = (what: string, expected: number, actual: number): Check => ({ what, expected, actual, ok: expected === actual });

async function count(pool: pg.Pool, sql: string, values: unknown[] = []): Promise<number> {
  const result = await pool.query<{ n: string }>(sql, values);
  return Number(result.rows[0]!.n);
}

export async function verifyContender(input: VerifyInput): Promise<Check[]> {
  const { name, sqs, pool, queues, sentIds, expected, counts } = input;
  const sent = sentIds.length;
  const queue = await queueDepth(sqs, queues.queueUrl);
  const dlq = await queueDepth(sqs, queues.dlqUrl);
  const rows = await count(pool, 'SELECT count(*) AS n FROM user_logins');
  const ofThisRun = await count(pool, 'SELECT count(*) AS n FROM user_logins WHERE message_id = ANY($1::varchar[])', [sentIds]);
  const checks = [
    check('messages left on the queue (visible, in flight or delayed)', 0, messagesLeft(queue)),
    check('messages received at least once', 1, counts.received >= sent ? 1 : 0),
  ];
  switch (name) {
    case 'ceiling':
      checks.push(check('messages deleted', sent, counts.deleted), check('rows written (touches no database)', 0, rows));
      break;
    case 'naive':
      checks.push(
        check('rows written (one per valid message)', expected.naiveRows, rows),
        check("rows carrying one of this run's message ids", expected.naiveRows, ofThisRun),
      );
      break;
    case 'consumer':
      checks.push(
        check('rows written (one per valid message)', expected.consumerRows, rows),
        check("rows carrying one of this run's message ids", expected.consumerRows, ofThisRun),
        check('malformed messages in the DLQ', sent - expected.consumerRows, dlq.visible),
        check('rows with an unmasked ip or device_id', 0, await count(pool, "SELECT count(*) AS n FROM user_logins WHERE masked_ip NOT LIKE 'k_%:%' OR masked_device_id NOT LIKE 'k_%:%'")),
      );
      break;
  }
  return checks;
}
