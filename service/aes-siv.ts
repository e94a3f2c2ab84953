// AES-SIV (RFC 5297) on node:crypto's AES, which runs in OpenSSL with the CPU's AES instructions.
// @noble/ciphers' pure-JavaScript AES-SIV was the masking hot path's largest cost (it also expands
// the AES key afresh for every value); this module keeps one AES context per key half and the S2V
// state of each associated-data list, so a value costs a few block encryptions. Its output is
// checked byte for byte against RFC 5297's vectors and against @noble/ciphers on random inputs
// (test/masking/vectors.test.ts, test/masking/aes-siv.test.ts).
import crypto from 'node:crypto';

const BLOCK = 16;
const ZERO_BLOCK = Buffer.alloc(BLOCK);

/** The tag did not verify: wrong key, wrong associated data, or altered bytes. */
export class SivAuthenticationError extends Error {
  override readonly name = 'SivAuthenticationError';
  constructor() {
    super('AES-SIV: the tag does not verify');
  }
}

/** Doubling in GF(2^128) (RFC 5297 section 2.3): shift left one bit, reduce by x^128 + x^7 + x^2 + x + 1. */
function dbl(block: Buffer): Buffer {
  const out = Buffer.allocUnsafe(BLOCK);
  let carry = 0;
  for (let i = BLOCK - 1; i >= 0; i--) {
    const byte = block[i]!;
    out[i] = ((byte << 1) & 0xff) | carry;
    carry = byte >>> 7;
  }
  if (carry) out[BLOCK - 1]! ^= 0x87;
  return out;
}

function xorBlockInto(target: Buffer, offset: number, mask: Uint8Array): void {
  for (let i = 0; i < BLOCK; i++) target[offset + i]! ^= mask[i]!;
}

/**
 * One raw AES block cipher for one key. ECB without padding has no state between calls as long as
 * whole blocks go in, so the context (and its key schedule) is made once and reused.
 */
function blockCipher(key: Uint8Array): (blocks: Buffer) => Buffer {
  const cipher = crypto.createCipheriv(`aes-${key.length * 8}-ecb`, key, null).setAutoPadding(false);
  return (blocks) => cipher.update(blocks);
}

/** AES-CMAC (RFC 4493) with its subkeys derived once. */
function cmac(encrypt: (blocks: Buffer) => Buffer): (message: Uint8Array) => Buffer {
  const k1 = dbl(encrypt(ZERO_BLOCK));
  const k2 = dbl(k1);
  return (message) => {
    const blocks = Math.max(1, Math.ceil(message.length / BLOCK));
    const complete = message.length > 0 && message.length % BLOCK === 0;
    let x: Buffer = Buffer.alloc(BLOCK);
    for (let b = 0; b < blocks - 1; b++) {
      xorBlockInto(x, 0, message.subarray(b * BLOCK, (b + 1) * BLOCK));
      x = encrypt(x);
    }
    const last = Buffer.alloc(BLOCK);
    const tail = message.subarray((blocks - 1) * BLOCK);
    last.set(tail);
    if (!complete) last[tail.length] = 0x80;
    xorBlockInto(last, 0, complete ? k1 : k2);
    xorBlockInto(last, 0, x);
    return encrypt(last);
  };
}

/** One key's AES-SIV with one fixed list of associated-data components. */
export interface BoundSiv {
  /** V || C: the 16-byte synthetic IV (the tag), then the ciphertext, as long as the plaintext. */
  seal(plaintext: Uint8Array): Buffer;
  /** The plaintext; throws SivAuthenticationError if the tag does not verify. */
  open(sealed: Uint8Array): Buffer;
}

export interface AesSiv {
  /** Precomputes S2V over `associatedData` (RFC 5297 allows at most 126 components). */
  bind(associatedData: readonly Uint8Array[]): BoundSiv;
}

/** `key` is 32, 48 or 64 bytes: AES-128-, -192- or -256-SIV. Its first half authenticates (S2V), its second encrypts (CTR). */
export function createAesSiv(key: Uint8Array): AesSiv {
  if (![32, 48, 64].includes(key.length)) throw new RangeError(`AES-SIV key must be 32, 48 or 64 bytes, not ${key.length}`);
  const half = key.length / 2;
  const mac = cmac(blockCipher(key.subarray(0, half)));
  const encryptCtr = blockCipher(key.subarray(half));

  /** AES-CTR keystream from the counter block `q`, incremented as a 128-bit big-endian number. */
  function ctr(q: Buffer, data: Uint8Array): Buffer {
    const blocks = Math.ceil(data.length / BLOCK);
    const counters = Buffer.allocUnsafe(blocks * BLOCK);
    const counter = Buffer.from(q);
    for (let b = 0; b < blocks; b++) {
      counter.copy(counters, b * BLOCK);
      for (let i = BLOCK - 1; i >= 0; i--) {
        counter[i] = (counter[i]! + 1) & 0xff;
        if (counter[i] !== 0) break;
      }
    }
    const stream = blocks > 0 ? encryptCtr(counters) : counters;
    const out = Buffer.allocUnsafe(data.length);
    for (let i = 0; i < data.length; i++) out[i] = data[i]! ^ stream[i]!;
    return out;
  }

  /** The counter block: V with the top bits of its last two 32-bit words cleared (RFC 5297 section 2.6). */
  function counterFrom(v: Uint8Array): Buffer {
    const q = Buffer.from(v.subarray(0, BLOCK));
    q[8]! &= 0x7f;
    q[12]! &= 0x7f;
    return q;
  }

  return {
    bind(associatedData) {
      if (associatedData.length > 126) throw new RangeError('AES-SIV takes at most 126 associated-data components');
      // S2V up to, not including, the plaintext: the same for every value under this list.
      let d = mac(ZERO_BLOCK);
      for (const component of associatedData) {
        d = dbl(d);
        xorBlockInto(d, 0, mac(component));
      }
      const state = d;
      const dblState = dbl(state);

      function s2v(plaintext: Uint8Array): Buffer {
        if (plaintext.length >= BLOCK) {
          const t = Buffer.from(plaintext);
          xorBlockInto(t, t.length - BLOCK, state);
          return mac(t);
        }
        const t = Buffer.alloc(BLOCK);
        t.set(plaintext);
        t[plaintext.length] = 0x80;
        xorBlockInto(t, 0, dblState);
        return mac(t);
      }

      return {
        seal(plaintext) {
          const v = s2v(plaintext);
          return Buffer.concat([v, ctr(counterFrom(v), plaintext)]);
        },
        open(sealed) {
          if (sealed.length < BLOCK) throw new SivAuthenticationError();
          const v = sealed.subarray(0, BLOCK);
          const plaintext = ctr(counterFrom(v), sealed.subarray(BLOCK));
          if (!crypto.timingSafeEqual(s2v(plaintext), v)) throw new SivAuthenticationError();
          return plaintext;
        },
      };
    },
  };
}
