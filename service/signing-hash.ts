// SHA-256 for the SDK's request signing (SigV4), with HMAC keys held as KeyObjects. Given a Buffer
// key, Node 24's createHmac first asks whether it is a KeyObject and then whether it is a CryptoKey,
// and each answer "no" is a private-field check that throws and is caught: about 25 µs per HMAC on
// Node 24.21, against under 5 µs for a KeyObject (Node 20 costs the same either way). SigV4 signs
// every request with an HMAC under the day's signing key, which the SDK caches as one Uint8Array,
// so that key becomes a KeyObject once. Otherwise this does what the SDK's own Sha256 does.
import crypto from 'node:crypto';

type SourceData = string | ArrayBuffer | ArrayBufferView;

interface CachedKey {
  /** A copy of the bytes the key was made from: a buffer changed after the fact makes a new key. */
  bytes: Buffer;
  key: crypto.KeyObject;
}

/** Weak, so that a signing key the SDK lets go of (a new day, new credentials) takes its KeyObject with it. */
const keyObjects = new WeakMap<object, CachedKey>();

function toBuffer(data: ArrayBuffer | ArrayBufferView): Buffer {
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}

/** Strings already take Node's quick path. */
export function hmacKey(secret: SourceData): string | crypto.KeyObject {
  if (typeof secret === 'string') return secret;
  const bytes = toBuffer(secret);
  const cached = keyObjects.get(secret);
  if (cached?.bytes.equals(bytes)) return cached.key;
  const made = { bytes: Buffer.from(bytes), key: crypto.createSecretKey(bytes) };
  keyObjects.set(secret, made);
  return made.key;
}

export class SigningSha256 {
  readonly digestLength = 32;
  private hash: crypto.Hash | crypto.Hmac;
  private finished = false;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.create();
  }

  update(data: Uint8Array): void {
    if (this.finished) throw new Error('Attempted to update an already finished hash.');
    this.hash.update(data);
  }

  async digest(): Promise<Uint8Array> {
    // As the SDK's: an HMAC is finished by its digest, a plain hash can be read again and go on.
    let out: Buffer;
    if (this.secret) {
      this.finished = true;
      out = this.hash.digest();
    } else {
      out = (this.hash as crypto.Hash).copy().digest();
    }
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }

  reset(): void {
    this.hash = this.create();
    this.finished = false;
  }

  private create(): crypto.Hash | crypto.Hmac {
    return this.secret ? crypto.createHmac('sha256', hmacKey(this.secret)) : crypto.createHash('sha256');
  }
}
