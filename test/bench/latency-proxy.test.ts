// The latency proxy makes every SQS call cost at least the added latency, and forwards it intact.
import { ListQueuesCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLatencyProxy, type LatencyProxy } from '../../bench/latency-proxy.js';
import { createQueuePair, LOCAL_CREDENTIALS } from '../../service/local/queues.js';
import { startSqsEmulator, type SqsEmulator } from '../../service/local/sqs-emulator.js';
import { createSqsClient } from '../../service/sqs-client.js';

describe('latency proxy', () => {
  let emulator: SqsEmulator;
  let proxy: LatencyProxy;
  let viaProxy: SQSClient;
  beforeAll(async () => {
    emulator = await startSqsEmulator();
    proxy = await startLatencyProxy({ target: emulator.endpoint, latencyMs: 60 });
    viaProxy = createSqsClient({ region: 'us-east-1', endpoint: proxy.endpoint, credentials: LOCAL_CREDENTIALS });
  });
  afterAll(async () => {
    viaProxy.destroy();
    await proxy.stop();
    await emulator.stop();
  });

  it('adds its latency to each call and passes the answer through unchanged', async () => {
    const { queueUrl } = await createQueuePair(viaProxy, 'through-proxy');
    expect(proxy.connections).toBeGreaterThan(0);
    // On a kept-alive connection too: each call, not each connection, pays the latency.
    for (let call = 0; call < 3; call++) {
      const started = performance.now();
      const listed = await viaProxy.send(new ListQueuesCommand({}));
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(59);
      expect(listed.QueueUrls).toContain(queueUrl);
    }
  });

  it('passes a large request through whole and in order', async () => {
    const { queueUrl } = await createQueuePair(viaProxy, 'large-through-proxy');
    const body = 'x'.repeat(200_000) + 'end';
    await viaProxy.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    const received = await viaProxy.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
    expect(received.Messages?.[0]?.Body).toBe(body);
  });
});
