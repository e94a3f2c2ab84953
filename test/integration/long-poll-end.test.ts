// Stopping ends the long polls in flight through the SQS client's transport, while the calls that
// finish the work in hand (deletes, DLQ sends) go on.
import { ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueuePair, LOCAL_CREDENTIALS } from '../../service/local/queues.js';
import { startSqsEmulator, type SqsEmulator } from '../../service/local/sqs-emulator.js';
import { createSqsClient } from '../../service/sqs-client.js';

describe('an SQS client built with endLongPollsOn', () => {
  let emulator: SqsEmulator;
  let sqs: SQSClient;
  const receiving = new AbortController();
  beforeAll(async () => {
    emulator = await startSqsEmulator();
    sqs = createSqsClient({ region: 'us-east-1', endpoint: emulator.endpoint, credentials: LOCAL_CREDENTIALS, endLongPollsOn: receiving.signal });
  });
  afterAll(async () => {
    sqs.destroy();
    await emulator.stop();
  });

  it('ends a 20 s long poll at once when the signal aborts, and refuses new ones, but still sends', async () => {
    const { queueUrl } = await createQueuePair(sqs, 'long-poll-end');
    const started = performance.now();
    const poll = sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20 }));
    setTimeout(() => receiving.abort(), 200);
    await expect(poll).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - started).toBeLessThan(5_000);

    await expect(sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20 }))).rejects.toMatchObject({ name: 'AbortError' });
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{}' }));
    expect(sent.MessageId).toBeTruthy();
  });
});
