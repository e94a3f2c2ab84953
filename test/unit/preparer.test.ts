import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keysetFromHex } from '../../service/keys.js';
import { generateSample } from '../../service/local/sample-messages.js';
import { createMasker } from '../../service/masking.js';
import { fromResponse, toRequestFields, toResponse } from '../../service/prepare-wire.js';
import { createPreparer, prepareMessages, type Preparer } from '../../service/preparer.js';
import type { ReceivedMessage } from '../../service/received-message.js';

const keyset = keysetFromHex('5e'.repeat(64));
const messages: ReceivedMessage[] = generateSample({ count: 300, seed: 5, malformedShare: 0.2 }).map((body, i) => ({
  messageId: `m-${i}`,
  receiptHandle: `r-${i}`,
  body,
  md5OfBody: crypto.createHash('md5').update(body).digest('hex'),
  // Hours apart, so that the run spans days and each row's create_date is checked, not one date for all.
  sentTimestamp: Date.UTC(2026, 10, 21, 12) + i * 3_600_000,
}));

describe('preparing messages on worker threads', () => {
  let workers: Preparer;
  let inline: Preparer;
  beforeAll(async () => {
    workers = await createPreparer(keyset, 'encrypt', 2);
    inline = await createPreparer(keyset, 'encrypt', 0);
  });
  afterAll(async () => {
    await workers.close();
    await inline.close();
  });

  it('gives exactly what preparing on this thread gives, in order', async () => {
    const batches = Array.from({ length: 30 }, (_, i) => messages.slice(i * 10, i * 10 + 10));
    const fromWorkers = (await Promise.all(batches.map((batch) => workers.prepare(batch)))).flat();
    const fromInline = (await Promise.all(batches.map((batch) => inline.prepare(batch)))).flat();
    expect(fromWorkers).toEqual(fromInline);
    expect(fromWorkers.map((o) => o.message.messageId)).toEqual(messages.map((m) => m.messageId));
    expect(fromWorkers.filter((o) => o.kind === 'row').length).toBeGreaterThan(200);
    expect(fromWorkers.filter((o) => o.kind === 'rejected').length).toBeGreaterThan(20);
  });

  it('prepares a receive made on its own in a later turn, without waiting for others to travel with it', async () => {
    for (const batch of [messages.slice(0, 10), messages.slice(10, 13), messages.slice(13, 14)]) {
      expect(await workers.prepare(batch)).toEqual(await inline.prepare(batch));
    }
  });

  it('leaves a message whose body does not match its MD5OfBody to reappear, naming the message and not the body', async () => {
    const damaged = { ...messages[0]!, body: messages[0]!.body.replace('"', ' "') };
    for (const preparer of [workers, inline]) {
      const [outcome, intact] = await preparer.prepare([damaged, messages[1]!]);
      expect(outcome).toMatchObject({ kind: 'failed', message: { messageId: 'm-0' } });
      const error = (outcome as { error: string }).error;
      expect(error).toBe('BodyChecksumError: message m-0: its body does not match the MD5 SQS sent with it');
      expect(intact!.kind).not.toBe('failed');
    }
  });
});

describe('what crosses to a prepare worker and back', () => {
  it('goes as flat values: no receipt handle and no field names out, no message id or date back', () => {
    const receive = messages.slice(0, 10);
    const request = toRequestFields(receive);
    expect(request).toEqual(receive.flatMap((m) => [m.messageId, m.body, m.md5OfBody, m.sentTimestamp]));
    expect(request.some((value) => typeof value === 'string' && value.startsWith('r-'))).toBe(false);
    const outcomes = prepareMessages(receive, createMasker(keyset, 'encrypt'));
    const response = toResponse(1, outcomes);
    expect(response.rows.every((value) => value === null || typeof value !== 'object')).toBe(true);
    expect(response.rows).not.toContain(receive[0]!.messageId);
    expect(fromResponse(response, receive)).toEqual(outcomes);
  });
});
