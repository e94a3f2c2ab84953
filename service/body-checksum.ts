// SQS sends the MD5 of every body it hands out (MD5OfBody) or takes in (MD5OfMessageBody). The
// consumer's SQS client leaves checking them to us (bodyChecksums: 'caller' in sqs-client.ts), so
// received bodies are checked on a prepare worker rather than on the thread that drives SQS.
import crypto from 'node:crypto';

/** True when `md5Hex` is the MD5 of `body`'s UTF-8 bytes. A missing digest does not match, as in the SDK. */
export function bodyMatchesMd5(body: string, md5Hex: string | undefined): boolean {
  // The one-shot crypto.hash took half the time of createHash().update().digest() per body.
  return md5Hex !== undefined && md5Hex !== '' && crypto.hash('md5', body, 'hex') === md5Hex;
}

/** A body that does not match the digest SQS sent with it: damaged between SQS and us, or by SQS. */
export class BodyChecksumError extends Error {
  override readonly name: string = 'BodyChecksumError';
  constructor(readonly messageId: string) {
    super(`message ${messageId}: its body does not match the MD5 SQS sent with it`);
  }
}
