// The SQS side of the pipeline: receive from the login queue, delete what is done, and move
// rejected messages to the dead-letter queue with their reason.
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { bodyMatchesMd5 } from './body-checksum.js';
import { QueueError } from './errors.js';
import type { Rejection } from './login-event.js';
import { fromSqs, ORIGIN_SENT_TIMESTAMP, type ReceivedMessage } from './received-message.js';

/** SQS's limit on entries in one batch call. */
export const SQS_MAX_BATCH = 10;

export interface LoginQueueOptions {
  queueUrl: string;
  dlqUrl: string;
  receiveBatchSize: number;
  waitTimeSeconds: number;
  visibilityTimeoutSeconds: number;
}

export interface Quarantined {
  message: ReceivedMessage;
  rejection: Rejection;
}

function chunks<T>(items: readonly T[], size = SQS_MAX_BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class LoginQueue {
  constructor(
    private readonly sqs: SQSClient,
    readonly options: LoginQueueOptions,
  ) {}

  /** Cut short, at shutdown, by the client's `endLongPollsOn` signal (sqs-client.ts). */
  async receive(): Promise<ReceivedMessage[]> {
    const { queueUrl, receiveBatchSize, waitTimeSeconds, visibilityTimeoutSeconds } = this.options;
    let response;
    try {
      response = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: receiveBatchSize,
          WaitTimeSeconds: waitTimeSeconds,
          VisibilityTimeout: visibilityTimeoutSeconds,
          MessageSystemAttributeNames: ['SentTimestamp'],
          MessageAttributeNames: [ORIGIN_SENT_TIMESTAMP],
        }),
      );
    } catch (cause) {
      throw new QueueError('ReceiveMessage failed', queueUrl, [], { cause });
    }
    const now = Date.now();
    const messages: ReceivedMessage[] = [];
    for (const raw of response.Messages ?? []) {
      const message = fromSqs(raw, now);
      if (message) messages.push(message);
    }
    return messages;
  }

  /**
   * Deletes in batches of ten, in parallel; entries that fail are tried once more. Returns the ids that
   * still failed: those messages reappear after their visibility timeout and, being already written,
   * come back as duplicates that make no second row.
   */
  async delete(messages: readonly ReceivedMessage[]): Promise<string[]> {
    const failed = await this.deleteOnce(messages);
    if (failed.length === 0) return [];
    const retry = messages.filter((m) => failed.includes(m.receiptHandle));
    const stillFailed = await this.deleteOnce(retry);
    return retry.filter((m) => stillFailed.includes(m.receiptHandle)).map((m) => m.messageId);
  }

  /** Returns the receipt handles that were not deleted. */
  private async deleteOnce(messages: readonly ReceivedMessage[]): Promise<string[]> {
    const results = await Promise.all(
      chunks(messages).map(async (batch) => {
        try {
          const response = await this.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: this.options.queueUrl,
              Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.receiptHandle })),
            }),
          );
          return (response.Failed ?? []).map((f) => batch[Number(f.Id)]!.receiptHandle);
        } catch {
          return batch.map((m) => m.receiptHandle);
        }
      }),
    );
    return results.flat();
  }

  /**
   * Sends each rejected message to the DLQ with its body unchanged and its reason as message
   * attributes, then deletes it from the login queue. A message is deleted only once the DLQ has it;
   * one that could not be sent stays where it is and is tried again when it reappears.
   */
  async quarantine(items: readonly Quarantined[]): Promise<{ moved: Quarantined[]; failedIds: string[] }> {
    const quarantinedAt = new Date().toISOString();
    const sent: Quarantined[] = [];
    const failedIds: string[] = [];
    await Promise.all(
      chunks(items).map(async (batch) => {
        try {
          const response = await this.sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: this.options.dlqUrl,
              Entries: batch.map(({ message, rejection }, i) => ({
                Id: String(i),
                MessageBody: message.body,
                MessageAttributes: quarantineAttributes(message, rejection, quarantinedAt),
              })),
            }),
          );
          const failed = new Set((response.Failed ?? []).map((f) => Number(f.Id)));
          // A copy the DLQ did not get intact does not count as moved: the original stays to be tried again.
          for (const entry of response.Successful ?? []) {
            if (!bodyMatchesMd5(batch[Number(entry.Id)]!.message.body, entry.MD5OfMessageBody)) failed.add(Number(entry.Id));
          }
          batch.forEach((item, i) => (failed.has(i) ? failedIds.push(item.message.messageId) : sent.push(item)));
        } catch {
          failedIds.push(...batch.map((item) => item.message.messageId));
        }
      }),
    );
    const notDeleted = await this.delete(sent.map((item) => item.message));
    return { moved: sent, failedIds: [...failedIds, ...notDeleted] };
  }
}

function quarantineAttributes(
  message: ReceivedMessage,
  rejection: Rejection,
  quarantinedAt: string,
): Record<string, MessageAttributeValue> {
  return {
    quarantine_reason: { DataType: 'String', StringValue: rejection.reason },
    quarantine_detail: { DataType: 'String', StringValue: rejection.detail },
    source_message_id: { DataType: 'String', StringValue: message.messageId },
    [ORIGIN_SENT_TIMESTAMP]: { DataType: 'Number', StringValue: String(message.sentTimestamp) },
    quarantined_at: { DataType: 'String', StringValue: quarantinedAt },
  };
}
