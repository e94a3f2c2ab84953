// The naive contender: what a typical take-home solution does. One loop: receive ten, then for each
// message parse, hash the PII, INSERT one row (autocommit), and DeleteMessage, one at a time. It uses
// the project's validation so that it writes exactly the rows it should, and plain SHA-256 for masking.
import crypto from 'node:crypto';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import pg from 'pg';
import { LOCAL_CREDENTIALS } from '../../service/local/queues.js';
import { utcDate } from '../../service/prepare-row.js';
import { createSqsClient } from '../../service/sqs-client.js';
import { validateBody } from '../../service/validate.js';
import type { ContenderCounts, StartContender } from './contender.js';

const INSERT = `INSERT INTO user_logins
  (message_id, user_id, device_type, masked_ip, masked_device_id, locale, app_version, app_version_text, create_date)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (message_id) DO NOTHING`;

const sha256 = (value: string): string => crypto.createHash('sha256').update(value).digest('hex');

export const startNaive: StartContender = async (context) => {
  const abort = new AbortController();
  const sqs = createSqsClient({ region: context.region, endpoint: context.endpoint, credentials: LOCAL_CREDENTIALS, endLongPollsOn: abort.signal });
  const db = new pg.Client({ connectionString: context.databaseUrl });
  await db.connect();
  const counts: ContenderCounts = { received: 0, deleted: 0, written: 0 };

  const loop = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      let messages;
      try {
        const response = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: context.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 20, MessageSystemAttributeNames: ['SentTimestamp'] }),
        );
        messages = response.Messages ?? [];
      } catch (error) {
        if (abort.signal.aborted) return;
        throw error;
      }
      counts.received += messages.length;
      for (const message of messages) {
        const validation = validateBody(message.Body ?? '');
        if (validation.ok) {
          const e = validation.event;
          const result = await db.query(INSERT, [
            message.MessageId,
            e.userId,
            e.deviceType,
            sha256(e.ip),
            sha256(e.deviceId),
            e.locale,
            e.appVersion,
            e.appVersionText,
            utcDate(Number(message.Attributes?.SentTimestamp ?? Date.now())),
          ]);
          counts.written += result.rowCount ?? 0;
        }
        // Malformed messages are logged and dropped, as such solutions usually do.
        await sqs.send(new DeleteMessageCommand({ QueueUrl: context.queueUrl, ReceiptHandle: message.ReceiptHandle! }));
        counts.deleted += 1;
      }
    }
  };
  const running = loop();

  return {
    async stop() {
      abort.abort();
      await running;
      await db.end();
      sqs.destroy();
      return counts;
    },
  };
};
