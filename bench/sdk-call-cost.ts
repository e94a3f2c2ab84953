// Not part of `npm run bench`: `npx tsx bench/sdk-call-cost.ts` prints the CPU this process spends
// per SQS call (receive 10, then delete them in one batch) through the AWS SDK client the service
// uses, and through a bare HTTP POST of the same JSON-protocol request (unsigned: what is left when
// the SDK's middleware, schema serde and signing are taken away). The emulator runs in its own
// process, so only the client side is measured. It shows what bounds the ceiling and the consumer.
import http from 'node:http';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { createQueuePair, LOCAL_CREDENTIALS } from '../service/local/queues.js';
import { createSqsClient } from '../service/sqs-client.js';
import { forkBenchChild } from './child.js';
import type { EmulatorMessage } from './emulator-process.js';

const BATCHES = 1_000;
const LOOPS = 8;

const emulator = forkBenchChild<EmulatorMessage>('emulator-process.ts', { BENCH_SQS_LATENCY_MS: '0' });
const { direct } = await emulator.next<Extract<EmulatorMessage, { type: 'ready' }>>('ready', 60_000);
const sqs = createSqsClient({ region: 'us-east-1', endpoint: direct, credentials: LOCAL_CREDENTIALS });
const { queueUrl } = await createQueuePair(sqs, 'sdk-call-cost');
const agent = new http.Agent({ keepAlive: true, maxSockets: LOOPS * 2 });
const target = new URL(direct);

function bare(action: string, input: object): Promise<{ Messages?: { ReceiptHandle: string }[] }> {
  const payload = JSON.stringify(input);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: 'POST',
        path: '/',
        agent,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}`, 'content-length': Buffer.byteLength(payload) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString() || '{}')));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

const body = JSON.stringify({ user_id: '424cdd21-063a-43a7-b91b-7ca1a833afae', app_version: '2.3.0', device_type: 'android', ip: '199.172.111.135', locale: 'RU', device_id: '593-47-5928' });
for (const client of ['sdk', 'bare', 'sdk', 'bare', 'sdk', 'bare'] as const) {
  for (let i = 0; i < BATCHES; i++) {
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: String(j), MessageBody: body })) }));
  }
  const cpu = process.cpuUsage();
  let calls = 0;
  const loop = async (): Promise<void> => {
    for (;;) {
      const receive = { QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['SentTimestamp' as const] };
      const received = client === 'sdk' ? await sqs.send(new ReceiveMessageCommand(receive)) : await bare('ReceiveMessage', receive);
      calls++;
      const handles = (received.Messages ?? []).map((m) => m.ReceiptHandle!);
      if (handles.length === 0) return;
      const remove = { QueueUrl: queueUrl, Entries: handles.map((handle, i) => ({ Id: String(i), ReceiptHandle: handle })) };
      if (client === 'sdk') await sqs.send(new DeleteMessageBatchCommand(remove));
      else await bare('DeleteMessageBatch', remove);
      calls++;
    }
  };
  await Promise.all(Array.from({ length: LOOPS }, loop));
  const used = process.cpuUsage(cpu);
  console.log(`${client.padEnd(4)}: ${calls} calls, ${Math.round((used.user + used.system) / calls)} µs of CPU per call`);
}
sqs.destroy();
agent.destroy();
await emulator.kill();
