// Queue set-up and inspection for local runs, tests and the benchmark (what Pulumi does in AWS).
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface QueuePair {
  queueUrl: string;
  dlqUrl: string;
}

/** The login queue and its DLQ, with the same redrive policy the stack sets up. */
export async function createQueuePair(
  sqs: SQSClient,
  name: string,
  options: { maxReceiveCount?: number; visibilityTimeoutSeconds?: number } = {},
): Promise<QueuePair> {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq`, Attributes: { MessageRetentionPeriod: '1209600' } }));
  const dlqUrl = dlq.QueueUrl!;
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 60),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: attrs.Attributes!.QueueArn, maxReceiveCount: options.maxReceiveCount ?? 5 }),
      },
    }),
  );
  return { queueUrl: queue.QueueUrl!, dlqUrl };
}

/** Deletes both queues, each whether or not the other could be: a clean-up that must not fail the caller. */
export async function deleteQueuePair(sqs: SQSClient, queues: QueuePair): Promise<void> {
  await sqs.send(new DeleteQueueCommand({ QueueUrl: queues.queueUrl })).catch(() => undefined);
  await sqs.send(new DeleteQueueCommand({ QueueUrl: queues.dlqUrl })).catch(() => undefined);
}

/** Sends bodies verbatim, ten to a call, several calls at once; returns the message ids SQS gave them. */
export async function sendBodies(sqs: SQSClient, queueUrl: string, bodies: readonly string[], concurrency = 8): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const start = next;
      next += 10;
      const batch = bodies.slice(start, start + 10);
      const response = await sqs.send(
        new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((body, i) => ({ Id: String(i), MessageBody: body })) }),
      );
      if (response.Failed && response.Failed.length > 0) {
        throw new Error(`sending sample messages failed for ${response.Failed.length} entries: ${response.Failed[0]!.Code}`);
      }
      for (const entry of response.Successful ?? []) if (entry.MessageId) ids.push(entry.MessageId);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return ids;
}

export interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

/** Messages not yet finished: visible, in flight or delayed. A queue is drained when this is 0. */
export function messagesLeft(depth: QueueDepth): number {
  return depth.visible + depth.inFlight + depth.delayed;
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const response = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  const a = response.Attributes ?? {};
  return {
    visible: Number(a.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}
