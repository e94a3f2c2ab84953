import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRedriveConfig } from '../../service/dlq-config.js';
import { MAX_RECEIVE_REASON, redriveDlq } from '../../service/dlq-redrive.js';
import { createQueuePair, type QueuePair } from '../../service/local/queues.js';
import { startSqsEmulator, type SqsEmulator } from '../../service/local/sqs-emulator.js';
import { createSqsClient } from '../../service/sqs-client.js';

/**
 * Runs the CLI as `npm run redrive` does. Asynchronously: the emulator answers from this process,
 * so a blocking spawn would deadlock.
 */
function redriveCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['service/redrive.ts', ...args], { cwd: ROOT, env }, (error, stdout, stderr) => {
      resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const REGION = 'us-east-1';
// Fake but realistic PII: it must never appear in the tool's output.
const IP = '199.172.111.135';
const DEVICE_ID = '593-47-5928';
const event = (n: number) =>
  JSON.stringify({ user_id: `424cdd21-0000-4000-8000-00000000000${n}`, app_version: '2.3.0', device_type: 'android', ip: IP, locale: 'RU', device_id: DEVICE_ID });

function quarantined(reason: string, originSent: number): Record<string, MessageAttributeValue> {
  return {
    quarantine_reason: { DataType: 'String', StringValue: reason },
    quarantine_detail: { DataType: 'String', StringValue: `rejected: ${reason}` },
    source_message_id: { DataType: 'String', StringValue: `source-${reason}` },
    origin_sent_timestamp: { DataType: 'Number', StringValue: String(originSent) },
    quarantined_at: { DataType: 'String', StringValue: new Date(originSent + 1000).toISOString() },
  };
}

/** The DLQ's contents as the scenarios need them: two quarantine reasons and one SQS-moved message. */
const SEEDED = [
  { body: '{"user_id": not json', attributes: quarantined('not_json', 1_700_000_000_000) },
  { body: `  ${event(1)}\n`, attributes: quarantined('ip_invalid', 1_700_000_001_000) },
  { body: event(2), attributes: quarantined('ip_invalid', 1_700_000_002_000) },
  { body: `{"note":"ünïcødé ✓ kept byte for byte","ip":"${IP}"}`, attributes: undefined },
];

async function seed(sqs: SQSClient, dlqUrl: string): Promise<void> {
  for (const { body, attributes } of SEEDED) {
    await sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: body, ...(attributes ? { MessageAttributes: attributes } : {}) }));
  }
}

async function drain(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 600,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['SentTimestamp'],
      }),
    );
    if (Messages.length === 0) return all;
    all.push(...Messages);
  }
}

async function visibleCount(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(Attributes?.ApproximateNumberOfMessages);
}

// Always against the in-process emulator; also against LocalStack when CI provides one.
const backends: [string, (() => Promise<{ endpoint: string; stop(): Promise<void> }>) | undefined][] = [
  ['the SQS emulator', () => startSqsEmulator({ region: REGION })],
  [
    'LocalStack',
    process.env.TEST_LOCALSTACK_ENDPOINT ? async () => ({ endpoint: process.env.TEST_LOCALSTACK_ENDPOINT!, stop: async () => undefined }) : undefined,
  ],
];

describe.each(backends.filter(([, start]) => start !== undefined))('redrive against %s', (_name, start) => {
  let server: { endpoint: string; stop(): Promise<void> } | SqsEmulator;
  let sqs: SQSClient;
  let n = 0;

  beforeAll(async () => {
    server = await start!();
    sqs = createSqsClient({ region: REGION, endpoint: server.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });
  afterAll(async () => {
    sqs?.destroy();
    await server?.stop();
  });

  async function freshQueues(): Promise<QueuePair> {
    const queues = await createQueuePair(sqs, `redrive-${Date.now()}-${n++}`);
    await seed(sqs, queues.dlqUrl);
    return queues;
  }

  it('a dry run counts by reason and leaves every message in the DLQ, visible', async () => {
    const { queueUrl, dlqUrl } = await freshQueues();
    const report = await redriveDlq({ sqs, queueUrl, dlqUrl, dryRun: true });
    expect(report).toEqual({
      dryRun: true,
      examined: 4,
      byReason: { not_json: 1, ip_invalid: 2, [MAX_RECEIVE_REASON]: 1 },
      moved: 0,
      sentNotDeleted: 0,
      failed: 0,
    });
    // Visible again at once, not after the 300 s the dry run held them for.
    expect(await visibleCount(sqs, dlqUrl)).toBe(4);
    expect((await drain(sqs, dlqUrl)).map((m) => m.Body).sort()).toEqual(SEEDED.map((s) => s.body).sort());
    expect(await drain(sqs, queueUrl)).toEqual([]);
  });

  it('a redrive moves every message back with its body unchanged and its original send time', async () => {
    const { queueUrl, dlqUrl } = await freshQueues();
    const report = await redriveDlq({ sqs, queueUrl, dlqUrl, dryRun: false });
    expect(report).toMatchObject({ dryRun: false, examined: 4, moved: 4, failed: 0, sentNotDeleted: 0 });
    expect(await drain(sqs, dlqUrl)).toEqual([]);

    const moved = await drain(sqs, queueUrl);
    expect(moved.map((m) => m.Body).sort()).toEqual(SEEDED.map((s) => s.body).sort());
    for (const message of moved) {
      const names = Object.keys(message.MessageAttributes ?? {});
      expect(names.filter((name) => name.startsWith('quarantine'))).toEqual([]);
      const seeded = SEEDED.find((s) => s.body === message.Body)!;
      const origin = Number(message.MessageAttributes?.origin_sent_timestamp?.StringValue);
      if (seeded.attributes) {
        expect(origin).toBe(Number(seeded.attributes.origin_sent_timestamp!.StringValue));
        expect(message.MessageAttributes?.source_message_id?.StringValue).toBe(seeded.attributes.source_message_id!.StringValue);
      } else {
        // Moved by SQS after maxReceiveCount: its DLQ SentTimestamp is the best original time we have.
        expect(origin).toBeGreaterThan(Date.now() - 600_000);
        expect(origin).toBeLessThanOrEqual(Date.now());
      }
    }
  });

  it('--max moves only that many and leaves the rest in the DLQ', async () => {
    const { queueUrl, dlqUrl } = await freshQueues();
    const report = await redriveDlq({ sqs, queueUrl, dlqUrl, dryRun: false, max: 3 });
    expect(report).toMatchObject({ examined: 3, moved: 3 });
    expect((await drain(sqs, queueUrl)).length).toBe(3);
    expect((await drain(sqs, dlqUrl)).length).toBe(1);
  });

  it('npm run redrive prints counts and reasons, never a message body', async () => {
    const { queueUrl, dlqUrl } = await freshQueues();
    const env = { ...process.env, AWS_REGION: REGION, AWS_ENDPOINT_URL: server.endpoint, QUEUE_URL: queueUrl, DLQ_URL: dlqUrl };
    const dry = await redriveCli(['--dry-run'], env);
    expect(dry.stderr).not.toMatch(/error/i);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('dry run: 4 message(s) in the DLQ, all left in place');
    expect(dry.stdout).toMatch(/ip_invalid: 2\n.*max_receive_count_exceeded: 1\n.*not_json: 1/s);

    const run = await redriveCli([], env);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('redrive: 4 moved to the login queue, 0 failed, 0 sent but not deleted from the DLQ (of 4 examined)');
    for (const output of [dry.stdout, dry.stderr, run.stdout, run.stderr]) {
      expect(output).not.toContain(IP);
      expect(output).not.toContain(DEVICE_ID);
      expect(output).not.toContain('not json');
    }
  });
});

describe('redrive configuration', () => {
  const env = { AWS_REGION: REGION, QUEUE_URL: 'http://127.0.0.1:1/000000000000/logins', DLQ_URL: 'http://127.0.0.1:1/000000000000/logins-dlq' };

  it('reads the queues from the environment and the flags from the command line', () => {
    expect(readRedriveConfig(env, ['--dry-run', '--max', '25'])).toEqual({
      region: REGION,
      endpoint: undefined,
      queueUrl: env.QUEUE_URL,
      dlqUrl: env.DLQ_URL,
      dryRun: true,
      max: 25,
    });
    expect(readRedriveConfig(env, ['--max=3'])).toMatchObject({ dryRun: false, max: 3 });
  });

  it.each(['QUEUE_URL', 'DLQ_URL', 'AWS_REGION'])('a missing %s exits 2 naming it', async (name) => {
    const result = await redriveCli(['--dry-run'], { PATH: process.env.PATH, ...env, [name]: '' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`configuration error: ${name}: is required but not set`);
  });

  it('rejects an unknown flag and a bad --max', () => {
    expect(() => readRedriveConfig(env, ['--force'])).toThrow('--force: is not an option of redrive');
    expect(() => readRedriveConfig(env, ['--max', '0'])).toThrow('--max: must be a positive whole number');
    expect(() => readRedriveConfig({ ...env, DLQ_URL: env.QUEUE_URL }, [])).toThrow('DLQ_URL: must differ from QUEUE_URL');
  });
});
