// What the pipeline needs of an SQS message, read once from the SDK's shape.
import type { Message } from '@aws-sdk/client-sqs';

/** Set by quarantine and kept by redrive, so a message redriven days later keeps its create_date. */
export const ORIGIN_SENT_TIMESTAMP = 'origin_sent_timestamp';

export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** MD5OfBody as SQS sent it ('' if it sent none), checked before the body is used (body-checksum.ts). */
  md5OfBody: string;
  /** ms since epoch the message was first sent (origin_sent_timestamp if redriven, else SentTimestamp). */
  sentTimestamp: number;
}

export function fromSqs(message: Message, receivedAt: number): ReceivedMessage | undefined {
  if (!message.MessageId || !message.ReceiptHandle) return undefined;
  const origin = Number(message.MessageAttributes?.[ORIGIN_SENT_TIMESTAMP]?.StringValue);
  const sent = Number(message.Attributes?.SentTimestamp);
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body ?? '',
    md5OfBody: message.MD5OfBody ?? '',
    sentTimestamp: Number.isFinite(origin) && origin > 0 ? origin : Number.isFinite(sent) && sent > 0 ? sent : receivedAt,
  };
}
