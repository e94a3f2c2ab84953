// The ceiling: receive ten at a time with the consumer's concurrency and delete each batch in the
// background, touching no database. What the emulator and the SDK allow at most.
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS } from '../../service/local/queues.js';
import { createSqsClient } from '../../service/sqs-client.js';
import type { ContenderCounts, StartContender } from './contender.js';

export const startCeiling: StartContender = async (context) => {
  const abort = new AbortController();
  // The same client settings service.ts gives the consumer: socket budget, long polls ended by the
  // transport rather than per call, and no MD5 checks on this thread (the consumer makes them on its
  // prepare worker; a no-op consumer makes none).
  const sqs = createSqsClient({
    region: context.region,
    endpoint: context.endpoint,
    credentials: LOCAL_CREDENTIALS,
    maxSockets: context.receiveConcurrency * 2 + 16,
    endLongPollsOn: abort.signal,
    bodyChecksums: 'caller',
  });
  const counts: ContenderCounts = { received: 0, deleted: 0, written: 0 };
  const deletes = new Set<Promise<void>>();

  const remove = async (handles: string[]): Promise<void> => {
    const response = await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: context.queueUrl, Entries: handles.map((h, i) => ({ Id: String(i), ReceiptHandle: h })) }),
    );
    counts.deleted += response.Successful?.length ?? 0;
  };

  const loop = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      let messages;
      try {
        const response = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: context.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 20,
            VisibilityTimeout: 60,
            MessageSystemAttributeNames: ['SentTimestamp'],
          }),
        );
        messages = response.Messages ?? [];
      } catch (error) {
        if (abort.signal.aborted) return;
        throw error;
      }
      if (messages.length === 0) continue;
      counts.received += messages.length;
      const work = remove(messages.map((m) => m.ReceiptHandle!));
      deletes.add(work);
      void work.finally(() => deletes.delete(work));
    }
  };
  const loops = Array.from({ length: context.receiveConcurrency }, loop);

  return {
    async stop() {
      abort.abort();
      await Promise.all(loops);
      await Promise.all(deletes);
      sqs.destroy();
      return counts;
    },
  };
};
