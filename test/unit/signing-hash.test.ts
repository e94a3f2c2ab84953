// The SHA-256 the service's SQS client signs requests with (service/signing-hash.ts): it must sign
// exactly as the SDK's own, and hold a binary HMAC key as one KeyObject.
import crypto from 'node:crypto';
import { Sha256 as SdkSha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { hmacKey, SigningSha256 } from '../../service/signing-hash.js';
import { createSqsClient } from '../../service/sqs-client.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

function sqsRequest(target: string, body: string) {
  return {
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4566,
    path: '/',
    query: {},
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target, host: '127.0.0.1:4566', 'content-length': String(body.length) },
    body,
  };
}

async function authorization(sha256: unknown, request: ReturnType<typeof sqsRequest>, signingDate: Date): Promise<string> {
  const signer = new SignatureV4({ credentials, region: 'eu-west-1', service: 'sqs', sha256: sha256 as never });
  const signed = (await signer.sign(request as never, { signingDate })) as unknown as { headers: Record<string, string> };
  return signed.headers.authorization!;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

async function digestOf(hash: { update(data: Uint8Array): void; digest(): Promise<Uint8Array> }, data: string): Promise<string> {
  hash.update(Buffer.from(data));
  return hex(await hash.digest());
}

describe('the SHA-256 the SQS client signs with', () => {
  it('signs every request exactly as the SDK’s own SHA-256 does, day after day', async () => {
    const requests = [
      sqsRequest('AmazonSQS.ReceiveMessage', JSON.stringify({ QueueUrl: 'http://127.0.0.1:4566/000000000000/logins', MaxNumberOfMessages: 10 })),
      sqsRequest('AmazonSQS.DeleteMessageBatch', JSON.stringify({ Entries: [{ Id: '0', ReceiptHandle: 'a'.repeat(180) }] })),
    ];
    for (const day of ['2026-11-21T23:59:59Z', '2026-11-22T00:00:01Z', '2026-11-22T10:00:00Z']) {
      for (const request of requests) {
        const ours = await authorization(SigningSha256, request, new Date(day));
        expect(ours).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/sqs\/aws4_request, SignedHeaders=.+, Signature=[0-9a-f]{64}$/);
        expect(ours).toBe(await authorization(SdkSha256, request, new Date(day)));
      }
    }
  });

  it('hashes and HMACs as node:crypto does, with string, byte and ArrayBuffer keys', async () => {
    const data = 'login event';
    expect(await digestOf(new SigningSha256(), data)).toBe(crypto.createHash('sha256').update(data).digest('hex'));
    const bytes = crypto.randomBytes(32);
    const expected = crypto.createHmac('sha256', bytes).update(data).digest('hex');
    expect(await digestOf(new SigningSha256(new Uint8Array(bytes)), data)).toBe(expected);
    expect(await digestOf(new SigningSha256(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 32)), data)).toBe(expected);
    expect(await digestOf(new SigningSha256('secret'), data)).toBe(crypto.createHmac('sha256', 'secret').update(data).digest('hex'));
  });

  it('keeps the SDK’s contract: a plain hash reads again and goes on, an HMAC is finished by its digest until reset', async () => {
    const plain = new SigningSha256();
    plain.update(Buffer.from('a'));
    const first = hex(await plain.digest());
    expect(hex(await plain.digest())).toBe(first);
    plain.update(Buffer.from('b'));
    expect(hex(await plain.digest())).toBe(crypto.createHash('sha256').update('ab').digest('hex'));

    const hmac = new SigningSha256('key');
    hmac.update(Buffer.from('a'));
    await hmac.digest();
    expect(() => hmac.update(Buffer.from('b'))).toThrow(/already finished/);
    hmac.reset();
    expect(await digestOf(hmac, 'b')).toBe(crypto.createHmac('sha256', 'key').update('b').digest('hex'));
  });

  it('makes a binary key into one KeyObject, reused while its bytes stay the same', () => {
    const signingKey = new Uint8Array(crypto.randomBytes(32));
    const key = hmacKey(signingKey);
    expect(key).toBeInstanceOf(crypto.KeyObject);
    expect(hmacKey(signingKey)).toBe(key);
    expect(hmacKey('a string key')).toBe('a string key');
  });

  it('makes a new key when the bytes of a key buffer change after use', async () => {
    const buffer = new Uint8Array(32).fill(1);
    const before = hmacKey(buffer);
    buffer.fill(2);
    expect(hmacKey(buffer)).not.toBe(before);
    expect(await digestOf(new SigningSha256(buffer), 'x')).toBe(crypto.createHmac('sha256', Buffer.alloc(32, 2)).update('x').digest('hex'));
  });

  it('is what createSqsClient gives the SDK', () => {
    const client = createSqsClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:9', credentials });
    try {
      expect(client.config.sha256).toBe(SigningSha256);
    } finally {
      client.destroy();
    }
  });
});
