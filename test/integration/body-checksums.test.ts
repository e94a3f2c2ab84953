// The MD5 digests SQS sends with bodies are still checked when the consumer's client leaves them to
// the caller: a damaged received body is never prepared, and a DLQ copy that arrived damaged does not
// count as moved. A small server speaks SQS's JSON protocol here, because no emulator sends a wrong digest.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keysetFromHex } from '../../service/keys.js';
import { LOCAL_CREDENTIALS } from '../../service/local/queues.js';
import { LoginQueue } from '../../service/login-queue.js';
import { createPreparer } from '../../service/preparer.js';
import { createSqsClient } from '../../service/sqs-client.js';

const md5 = (text: string): string => crypto.createHash('md5').update(text).digest('hex');
const BODY = JSON.stringify({ user_id: '424cdd21-063a-43a7-b91b-7ca1a833afae', app_version: '2.3.0', device_type: 'android', ip: '10.1.2.3', locale: 'RU', device_id: '111-22-3333' });

interface Call {
  target: string;
  headers: http.IncomingHttpHeaders;
  input: { Entries?: { Id: string; MessageBody?: string; ReceiptHandle?: string }[] };
}

describe('MD5 digests of message bodies, checked by the caller', () => {
  let server: http.Server;
  let endpoint: string;
  const calls: Call[] = [];
  const answer = (call: Call): object => {
    switch (call.target) {
      case 'AmazonSQS.ReceiveMessage':
        return {
          Messages: [
            { MessageId: 'm-damaged', ReceiptHandle: 'r-damaged', Body: BODY, MD5OfBody: md5(`${BODY} `), Attributes: { SentTimestamp: '1763726400000' } },
            { MessageId: 'm-intact', ReceiptHandle: 'r-intact', Body: BODY, MD5OfBody: md5(BODY), Attributes: { SentTimestamp: '1763726400000' } },
          ],
        };
      case 'AmazonSQS.SendMessageBatch':
        // The DLQ reports the first entry's body with a digest of something else.
        return {
          Successful: call.input.Entries!.map((e, i) => ({ Id: e.Id, MessageId: `dlq-${e.Id}`, MD5OfMessageBody: md5(i === 0 ? 'other' : e.MessageBody!) })),
          Failed: [],
        };
      case 'AmazonSQS.DeleteMessageBatch':
        return { Successful: call.input.Entries!.map((e) => ({ Id: e.Id })), Failed: [] };
      default:
        throw new Error(`unexpected ${call.target}`);
    }
  };

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const call = { target: String(request.headers['x-amz-target']), headers: request.headers, input: JSON.parse(Buffer.concat(chunks).toString()) };
        calls.push(call);
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(answer(call)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const client = (bodyChecksums: 'sdk' | 'caller'): SQSClient => createSqsClient({ region: 'us-east-1', endpoint, credentials: LOCAL_CREDENTIALS, bodyChecksums });
  const queueOptions = (): ConstructorParameters<typeof LoginQueue>[1] => ({ queueUrl: `${endpoint}/000000000000/logins`, dlqUrl: `${endpoint}/000000000000/logins-dlq`, receiveBatchSize: 10, waitTimeSeconds: 0, visibilityTimeoutSeconds: 30 });

  it('by default the SDK fails the whole receive on a damaged body', async () => {
    const sqs = client('sdk');
    await expect(sqs.send(new ReceiveMessageCommand({ QueueUrl: queueOptions().queueUrl }))).rejects.toThrow('Invalid MD5 checksum on messages: m-damaged');
    sqs.destroy();
  });

  it('left to the caller, the damaged message is received but never prepared, and the intact one is', async () => {
    const sqs = client('caller');
    const preparer = await createPreparer(keysetFromHex('5e'.repeat(64)), 'encrypt', 1);
    try {
      const messages = await new LoginQueue(sqs, queueOptions()).receive();
      expect(messages.map((m) => [m.messageId, m.md5OfBody])).toEqual([
        ['m-damaged', md5(`${BODY} `)],
        ['m-intact', md5(BODY)],
      ]);
      const outcomes = await preparer.prepare(messages);
      expect(outcomes.map((o) => o.kind)).toEqual(['failed', 'row']);
      const error = (outcomes[0] as { error: string }).error;
      expect(error).toContain('BodyChecksumError: message m-damaged');
      expect(error).not.toContain('10.1.2.3');
    } finally {
      await preparer.close();
      sqs.destroy();
    }
  });

  it('does not count a DLQ copy reported with another digest as moved, and keeps its original', async () => {
    const sqs = client('caller');
    const queue = new LoginQueue(sqs, queueOptions());
    const [first, second] = await queue.receive();
    calls.length = 0;
    const rejection = { reason: 'not_json', detail: 'test' };
    const { moved, failedIds } = await queue.quarantine([
      { message: first!, rejection },
      { message: second!, rejection },
    ]);
    expect(moved.map((item) => item.message.messageId)).toEqual(['m-intact']);
    expect(failedIds).toEqual(['m-damaged']);
    const deletes = calls.filter((c) => c.target === 'AmazonSQS.DeleteMessageBatch').flatMap((c) => c.input.Entries!.map((e) => e.ReceiptHandle));
    expect(deletes).toEqual(['r-intact']);
    sqs.destroy();
  });

  it('sends no user-agent headers: the middleware that builds them on every call is removed', async () => {
    const sqs = client('caller');
    calls.length = 0;
    await new LoginQueue(sqs, queueOptions()).receive();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.headers['x-amz-user-agent']).toBeUndefined();
    expect(calls[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=/);
    sqs.destroy();
  });
});
