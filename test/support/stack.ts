// A real SQS wire protocol (the emulator over HTTP, through the real AWS SDK) and a real PostgreSQL
// database, with helpers to run the service against them the way `npm run consume` does.
import { ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import crypto from 'node:crypto';
import { loadConfig, type Config } from '../../service/config.js';
import { createLogger, type Logger } from '../../service/logger.js';
import { createQueuePair, LOCAL_CREDENTIALS, messagesLeft, queueDepth, sendBodies } from '../../service/local/queues.js';
import { startSqsEmulator, type SqsEmulator } from '../../service/local/sqs-emulator.js';
import { startService, type RunningService } from '../../service/service.js';
import { createSqsClient } from '../../service/sqs-client.js';

export const TEST_KEY = 'a1'.repeat(64);

export interface TestQueues {
  emulator: SqsEmulator;
  sqs: SQSClient;
  queueUrl: string;
  dlqUrl: string;
  stop(): Promise<void>;
}

export async function startTestQueues(options: { visibilityTimeoutSeconds?: number; maxReceiveCount?: number } = {}): Promise<TestQueues> {
  const emulator = await startSqsEmulator();
  const sqs = createSqsClient({ region: 'us-east-1', endpoint: emulator.endpoint, credentials: LOCAL_CREDENTIALS });
  const { queueUrl, dlqUrl } = await createQueuePair(sqs, `logins-${crypto.randomBytes(4).toString('hex')}`, options);
  return {
    emulator,
    sqs,
    queueUrl,
    dlqUrl,
    async stop() {
      sqs.destroy();
      await emulator.stop();
    },
  };
}

export function testEnv(queues: TestQueues, databaseUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: queues.emulator.endpoint,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    QUEUE_URL: queues.queueUrl,
    DLQ_URL: queues.dlqUrl,
    DATABASE_URL: databaseUrl,
    MASKING_KEY: TEST_KEY,
    HEALTH_HOST: '127.0.0.1',
    HEALTH_PORT: '0',
    FLUSH_INTERVAL_MS: '50',
    ...overrides,
  };
}

/** Collects log lines in memory, so tests can read (and scan) everything the service logged. */
export function memoryLogger(level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ level, name: 'test-consumer', destination: { write: (line: string) => lines.push(line) } });
  return { logger, lines };
}

export async function startTestService(
  queues: TestQueues,
  databaseUrl: string,
  overrides: Record<string, string> = {},
): Promise<{ service: RunningService; config: Config; logs: string[]; metricLines: string[] }> {
  const config = loadConfig(testEnv(queues, databaseUrl, overrides));
  const { logger, lines } = memoryLogger();
  const metricLines: string[] = [];
  const service = await startService(config, { logger, credentials: LOCAL_CREDENTIALS, metricsSink: (line) => metricLines.push(line) });
  return { service, config, logs: lines, metricLines };
}

export { sendBodies };

/** Waits until the queue holds nothing, visible or in flight, on two polls in a row. */
export async function waitForEmpty(sqs: SQSClient, queueUrl: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let empty = 0;
  while (empty < 2) {
    if (Date.now() > deadline) throw new Error(`queue not drained within ${timeoutMs} ms: ${JSON.stringify(await queueDepth(sqs, queueUrl))}`);
    const depth = await queueDepth(sqs, queueUrl);
    empty = messagesLeft(depth) === 0 ? empty + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Everything in a queue, received with all attributes (the messages become invisible for a while). */
export async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const response = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 300,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (!response.Messages || response.Messages.length === 0) return all;
    all.push(...response.Messages);
  }
}
