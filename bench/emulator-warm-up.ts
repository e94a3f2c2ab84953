// Real SQS is a fleet that has been serving for years; the emulator standing in for it is a Node
// process whose request handlers start as cold, unoptimised code. Left cold, whichever contender
// drains first pays for the emulator's warm-up as well as its own: at 10,000 messages the first
// ceiling of a run drained at 3,611 msg/s and the second, a minute later, at 6,443. So before any
// contender is measured, the bench puts a queue's worth of traffic through every call the contenders
// make (send, receive with attributes, delete in batches, a DLQ move, the depth the bench watches),
// from its own client, and deletes that queue again.
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createQueuePair, deleteQueuePair, messagesLeft, queueDepth, sendBodies } from '../service/local/queues.js';
import { generateSample } from '../service/local/sample-messages.js';
import { ORIGIN_SENT_TIMESTAMP } from '../service/received-message.js';
import { BenchError } from './bench-error.js';

/** Receive loops the warm-up keeps going at once: enough to keep the emulator busy, as a contender does. */
const LOOPS = 16;

export interface EmulatorWarmUp {
  /** Messages sent, received and deleted. */
  messages: number;
  /** Of those, moved to the DLQ first, as the consumer moves rejected ones. */
  quarantined: number;
  elapsedMs: number;
}

/** Sends `messages` sample bodies to a queue of its own, drains it to empty, and deletes it. */
export async function warmUpEmulator(sqs: SQSClient, messages: number, name = 'bench-emulator-warm-up'): Promise<EmulatorWarmUp> {
  const started = Date.now();
  const queues = await createQueuePair(sqs, name);
  try {
    await sendBodies(sqs, queues.queueUrl, generateSample({ count: messages, seed: 7 }));
    let received = 0;
    let quarantined = 0;
    // Two of the loops take the consumer's quarantine path for every receive (a DLQ send with
    // attributes, then the delete); a quarter of them also read the depth, as the bench does.
    const loop = async (index: number): Promise<void> => {
      for (;;) {
        const response = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queues.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
            VisibilityTimeout: 60,
            MessageSystemAttributeNames: ['SentTimestamp'],
            MessageAttributeNames: [ORIGIN_SENT_TIMESTAMP],
          }),
        );
        const batch = response.Messages ?? [];
        if (batch.length === 0) return;
        received += batch.length;
        if (index < 2) {
          await sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: queues.dlqUrl,
              Entries: batch.map((m, i) => ({
                Id: String(i),
                MessageBody: m.Body ?? '',
                MessageAttributes: { quarantine_reason: { DataType: 'String', StringValue: 'warm_up' } },
              })),
            }),
          );
          quarantined += batch.length;
        }
        const deleted = await sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl: queues.queueUrl, Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
        );
        if (deleted.Failed && deleted.Failed.length > 0) throw new BenchError(`the emulator refused ${deleted.Failed.length} deletes during its warm-up`);
        if (index % 4 === 0) await queueDepth(sqs, queues.queueUrl);
      }
    };
    await Promise.all(Array.from({ length: LOOPS }, (_, i) => loop(i)));
    const left = messagesLeft(await queueDepth(sqs, queues.queueUrl));
    if (received !== messages || left !== 0) {
      throw new BenchError(`the emulator's warm-up queue received ${received} of ${messages} messages and still holds ${left}`);
    }
    return { messages, quarantined, elapsedMs: Date.now() - started };
  } finally {
    // Its memory back before the first contender seeds its own queue.
    await deleteQueuePair(sqs, queues);
  }
}
