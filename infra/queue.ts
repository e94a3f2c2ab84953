// The login queue and its dead-letter queue. SQS moves a message to the DLQ after maxReceiveCount
// failed receives; the consumer also sends quarantined (invalid) messages there itself.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from './config.js';

export interface Queues {
  queue: aws.sqs.Queue;
  dlq: aws.sqs.Queue;
}

const DAY_SECONDS = 86_400;
/** The SQS maximum, so a message that reached the DLQ is kept as long as SQS allows. */
export const DLQ_RETENTION_SECONDS = 14 * DAY_SECONDS;

export function createQueues(config: StackConfig): Queues {
  const { prefix, queue: settings } = config;

  const dlq = new aws.sqs.Queue(`${prefix}-logins-dlq`, {
    name: `${prefix}-logins-dlq`,
    messageRetentionSeconds: DLQ_RETENTION_SECONDS,
    sqsManagedSseEnabled: true,
  });

  const queue = new aws.sqs.Queue(`${prefix}-logins`, {
    name: `${prefix}-logins`,
    messageRetentionSeconds: settings.retentionDays * DAY_SECONDS,
    // The consumer asks for the same timeout on each receive (VISIBILITY_TIMEOUT_SECONDS is set from
    // this value); it flushes within 200 ms, so 60 s leaves ample room for a slow database write.
    visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
    receiveWaitTimeSeconds: 20,
    sqsManagedSseEnabled: true,
    redrivePolicy: pulumi.jsonStringify({
      deadLetterTargetArn: dlq.arn,
      maxReceiveCount: settings.maxReceiveCount,
    }),
  });

  // Only the login queue may use this DLQ, so a redrive back goes to the right place.
  new aws.sqs.RedriveAllowPolicy(`${prefix}-logins-dlq-redrive-allow`, {
    queueUrl: dlq.url,
    redriveAllowPolicy: pulumi.jsonStringify({
      redrivePermission: 'byQueue',
      sourceQueueArns: [queue.arn],
    }),
  });

  return { queue, dlq };
}
