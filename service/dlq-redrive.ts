// Inspect and redrive the DLQ. Dry run: count what is there by quarantine reason and put every
// message back, visible. Redrive: send each message to the login queue with its body unchanged and
// its original send time, and delete it from the DLQ only once the login queue has it.
// Bodies hold raw PII (ip, device_id): nothing here logs, returns or throws a body.
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { QueueError } from './errors.js';
import { ORIGIN_SENT_TIMESTAMP } from './received-message.js';

/** What a message moved to the DLQ by SQS itself (after maxReceiveCount) is counted as. */
export const MAX_RECEIVE_REASON = 'max_receive_count_exceeded';
/** A reason attribute that is not a plain code is counted under this, never printed. */
export const UNRECOGNISED_REASON = 'unrecognised_reason';
/** SQS batch limit for receive, send, delete and change-visibility. */
const SQS_BATCH = 10;

export interface RedriveOptions {
  sqs: SQSClient;
  queueUrl: string;
  dlqUrl: string;
  dryRun: boolean;
  /** Stop after this many messages. Default: until the DLQ answers empty. */
  max?: number | undefined;
  /**
   * How long received messages stay hidden. In a dry run this must outlast the whole run, or a
   * message reappears and is counted twice. Default 300 s.
   */
  visibilityTimeoutSeconds?: number;
  /** Long-poll wait per receive; an empty answer after it ends the run. Default 2 s. */
  waitTimeSeconds?: number;
}

export interface RedriveReport {
  dryRun: boolean;
  /** Messages received from the DLQ. */
  examined: number;
  /** examined, by quarantine_reason. */
  byReason: Record<string, number>;
  /** Sent to the login queue and deleted from the DLQ. */
  moved: number;
  /** Sent to the login queue but still in the DLQ (delete failed): would be redriven again. */
  sentNotDeleted: number;
  /** Could not be sent; left in the DLQ, visible again. */
  failed: number;
}

function reasonOf(message: Message): string {
  const reason = message.MessageAttributes?.quarantine_reason?.StringValue;
  if (reason === undefined) return MAX_RECEIVE_REASON;
  return /^[a-z0-9_.-]{1,64}$/i.test(reason) ? reason : UNRECOGNISED_REASON;
}

/** Attributes for the login queue: quarantine bookkeeping dropped, the original send time kept. */
export function redriveAttributes(message: Message): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (name.startsWith('quarantine')) continue;
    attributes[name] = { DataType: value.DataType, StringValue: value.StringValue, BinaryValue: value.BinaryValue };
  }
  if (attributes[ORIGIN_SENT_TIMESTAMP] === undefined) {
    const sent = message.Attributes?.SentTimestamp;
    if (sent !== undefined) attributes[ORIGIN_SENT_TIMESTAMP] = { DataType: 'Number', StringValue: sent };
  }
  return attributes;
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += SQS_BATCH) out.push(items.slice(i, i + SQS_BATCH));
  return out;
}

export async function redriveDlq(options: RedriveOptions): Promise<RedriveReport> {
  const { sqs, dlqUrl, queueUrl, dryRun } = options;
  const report: RedriveReport = { dryRun, examined: 0, byReason: {}, moved: 0, sentNotDeleted: 0, failed: 0 };
  const held: Message[] = [];
  // Only what is in the DLQ when we start: a message the consumer rejects again lands back in the DLQ
  // while we work, and chasing it would loop for as long as the consumer runs.
  const limit = Math.min(options.max ?? Infinity, await visibleCount(sqs, dlqUrl));
  try {
    while (report.examined < limit) {
      const wanted = Math.min(SQS_BATCH, limit - report.examined);
      const received = await receive(options, wanted);
      if (received.length === 0) break;
      for (const message of received) {
        report.examined++;
        const reason = reasonOf(message);
        report.byReason[reason] = (report.byReason[reason] ?? 0) + 1;
      }
      if (dryRun) held.push(...received);
      else await moveBatch(sqs, queueUrl, dlqUrl, received, report, held);
    }
  } finally {
    // Whatever we still hold (all of it in a dry run, the unsent ones otherwise) becomes visible
    // again at once instead of after the visibility timeout.
    await release(sqs, dlqUrl, held);
  }
  return report;
}

async function visibleCount(sqs: SQSClient, dlqUrl: string): Promise<number> {
  try {
    const response = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    return Number(response.Attributes?.ApproximateNumberOfMessages ?? 0);
  } catch (cause) {
    throw new QueueError('reading the DLQ depth failed', dlqUrl, [], { cause });
  }
}

async function receive(options: RedriveOptions, wanted: number): Promise<Message[]> {
  try {
    const response = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.dlqUrl,
        MaxNumberOfMessages: wanted,
        WaitTimeSeconds: options.waitTimeSeconds ?? 2,
        VisibilityTimeout: options.visibilityTimeoutSeconds ?? 300,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['SentTimestamp'],
      }),
    );
    return (response.Messages ?? []).filter((m) => m.ReceiptHandle !== undefined && m.Body !== undefined);
  } catch (cause) {
    throw new QueueError('receiving from the DLQ failed', options.dlqUrl, [], { cause });
  }
}

async function moveBatch(
  sqs: SQSClient,
  queueUrl: string,
  dlqUrl: string,
  messages: Message[],
  report: RedriveReport,
  held: Message[],
): Promise<void> {
  let failedIds: Set<string>;
  try {
    const response = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((message, i) => ({
          Id: String(i),
          MessageBody: message.Body!,
          MessageAttributes: redriveAttributes(message),
        })),
      }),
    );
    failedIds = new Set((response.Failed ?? []).map((f) => f.Id ?? ''));
  } catch (cause) {
    held.push(...messages);
    throw new QueueError('sending to the login queue failed', queueUrl, messages.map((m) => m.MessageId ?? ''), { cause });
  }
  const sent = messages.filter((_, i) => !failedIds.has(String(i)));
  const unsent = messages.filter((_, i) => failedIds.has(String(i)));
  report.failed += unsent.length;
  held.push(...unsent);
  if (sent.length === 0) return;
  const notDeleted = await deleteFromDlq(sqs, dlqUrl, sent);
  report.moved += sent.length - notDeleted;
  report.sentNotDeleted += notDeleted;
}

async function deleteFromDlq(sqs: SQSClient, dlqUrl: string, messages: Message[]): Promise<number> {
  try {
    const response = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: dlqUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
    return response.Failed?.length ?? 0;
  } catch {
    return messages.length;
  }
}

async function release(sqs: SQSClient, dlqUrl: string, messages: Message[]): Promise<void> {
  for (const batch of chunks(messages)) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: dlqUrl,
        Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })),
      }),
    );
  }
}
