// AES-SIV (RFC 5297) on node:crypto's AES, which runs in OpenSSL with the CPU's AES instructions.
// @noble/ciphers' pure-JavaScript AES-SIV was the masking hot path's largest cost (it also expands
// the AES key afresh for every value); this module keeps one AES context per key half and the S2V
// state of each associated-data list, and seals a list of values with one call into OpenSSL per block
// position rather than two per value (each call costs far more than the AES it does). Its output is
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

/** One key's AES-SIV with one fixed list of associated-data components. */
export interface BoundSiv {
  /** V || C: the 16-byte synthetic IV (the tag), then the ciphertext, as long as the plaintext. */
  seal(plaintext: Uint8Array): Buffer;
  /** The plaintext; throws SivAuthenticationError if the tag does not verify. */
  open(sealed: Uint8Array): Buffer;
}

/** One value for `sealEach`: its plaintext and the associated data (bound by this key's `bind`) to seal it under. */
export interface SealRequest {
  bound: BoundSiv;
  plaintext: Uint8Array;
}

export interface AesSiv {
  /** Precomputes S2V over `associatedData` (RFC 5297 allows at most 126 components). */
  bind(associatedData: readonly Uint8Array[]): BoundSiv;
  /**
   * The same bytes as `request.bound.seal(request.plaintext)` for each request, with the AES work of
   * all of them done in a few calls into OpenSSL: for values of up to a block, two in all. Most of a
   * single seal's cost was the per-call overhead of those two calls, not the AES.
   */
  sealEach(requests: readonly SealRequest[]): Buffer[];
}

/** `key` is 32, 48 or 64 bytes: AES-128-, -192- or -256-SIV. Its first half authenticates (S2V), its second encrypts (CTR). */
export function createAesSiv(key: Uint8Array): AesSiv {
  if (![32, 48, 64].includes(key.length)) throw new RangeError(`AES-SIV key must be 32, 48 or 64 bytes, not ${key.length}`);
  const half = key.length / 2;
  const encryptMac = blockCipher(key.subarray(0, half));
  const encryptCtr = blockCipher(key.subarray(half));
  const k1 = dbl(encryptMac(ZERO_BLOCK));
  const k2 = dbl(k1);

  /**
   * AES-CMAC (RFC 4493) of each message, with one AES call per block position across all of them
   * (one call in all when none is longer than a block). Returns the tags back to back.
   */
  function cmacEach(messages: readonly Uint8Array[]): Buffer {
    const n = messages.length;
    let tags: Buffer = Buffer.alloc(n * BLOCK); // each message's CBC chaining value, and at the end its tag
    let rounds = 1;
    for (const m of messages) rounds = Math.max(rounds, Math.ceil(m.length / BLOCK));
    const active: number[] = [];
    for (let round = 0, from = 0; round < rounds; round++, from += BLOCK) {
      active.length = 0;
      for (let k = 0; k < n; k++) if (round === 0 || from < messages[k]!.length) active.push(k);
      const input = Buffer.allocUnsafe(active.length * BLOCK);
      for (let slot = 0; slot < active.length; slot++) {
        const k = active[slot]!;
        const m = messages[k]!;
        const at = slot * BLOCK;
        const tagAt = k * BLOCK;
        // The last block is xored with subkey K1 if it is complete, else padded with 10* and xored with K2.
        const last = from + BLOCK >= m.length;
        const subkey = last ? (m.length > 0 && m.length % BLOCK === 0 ? k1 : k2) : undefined;
        for (let i = 0; i < BLOCK; i++) {
          const j = from + i;
          let byte = j < m.length ? m[j]! : last && j === m.length ? 0x80 : 0;
          if (subkey) byte ^= subkey[i]!;
          input[at + i] = byte ^ tags[tagAt + i]!;
        }
      }
      const output = encryptMac(input);
      // In a round every message takes part in (the only round, for values of up to a block), the
      // output is already the chaining values in order.
      if (active.length === n) tags = output;
      else for (let slot = 0; slot < active.length; slot++) output.copy(tags, active[slot]! * BLOCK, slot * BLOCK, (slot + 1) * BLOCK);
    }
    return tags;
  }

  /**
   * The AES-CTR keystream for each length, each from the counter block its tag gives (RFC 5297
   * section 2.6: V with the top bits of its last two 32-bit words cleared, incremented as a 128-bit
   * big-endian number). Back to back, each rounded up to whole blocks, in one AES call.
   */
  function keystreams(tags: Uint8Array, lengths: readonly number[]): Buffer {
    let total = 0;
    for (const length of lengths) total += Math.ceil(length / BLOCK);
    const counters = Buffer.allocUnsafe(total * BLOCK);
    let at = 0;
    for (let k = 0; k < lengths.length; k++) {
      const blocks = Math.ceil(lengths[k]! / BLOCK);
      if (blocks === 0) continue;
      for (let i = 0; i < BLOCK; i++) counters[at + i] = tags[k * BLOCK + i]!;
      counters[at + 8]! &= 0x7f;
      counters[at + 12]! &= 0x7f;
      for (let b = 1; b < blocks; b++, at += BLOCK) {
        counters.copy(counters, at + BLOCK, at, at + BLOCK);
        for (let i = BLOCK - 1; i >= 0; i--) {
          counters[at + BLOCK + i] = (counters[at + BLOCK + i]! + 1) & 0xff;
          if (counters[at + BLOCK + i] !== 0) break;
        }
      }
      at += BLOCK;
    }
    return total > 0 ? encryptCtr(counters) : counters;
  }

  /** S2V's state before the plaintext, per bound list: only objects this key's `bind` made are accepted. */
  const states = new WeakMap<BoundSiv, { state: Buffer; dblState: Buffer }>();

  /** S2V's last input (RFC 5297 section 2.4): the plaintext with the state xored into its end, or padded and xored with dbl(state). */
  function s2vInput(bound: BoundSiv, plaintext: Uint8Array): Buffer {
    const s = states.get(bound);
    if (s === undefined) throw new RangeError('AES-SIV: associated data bound under another key');
    if (plaintext.length >= BLOCK) {
      const t = Buffer.from(plaintext);
      xorBlockInto(t, t.length - BLOCK, s.state);
      return t;
    }
    // Written byte by byte: a zero-filled Buffer.alloc is not taken from Node's pool.
    const t = Buffer.allocUnsafe(BLOCK);
    const d = s.dblState;
    for (let i = 0; i < BLOCK; i++) t[i] = (i < plaintext.length ? plaintext[i]! : i === plaintext.length ? 0x80 : 0) ^ d[i]!;
    return t;
  }

  function sealEach(requests: readonly SealRequest[]): Buffer[] {
    const n = requests.length;
    const inputs: Buffer[] = new Array<Buffer>(n);
    const lengths: number[] = new Array<number>(n);
    for (let k = 0; k < n; k++) {
      const { bound, plaintext } = requests[k]!;
      inputs[k] = s2vInput(bound, plaintext);
      lengths[k] = plaintext.length;
    }
    const tags = cmacEach(inputs);
    const stream = keystreams(tags, lengths);
    const sealed: Buffer[] = new Array<Buffer>(n);
    for (let k = 0, at = 0; k < n; k++) {
      const plaintext = requests[k]!.plaintext;
      const out = Buffer.allocUnsafe(BLOCK + plaintext.length);
      // Sixteen bytes are copied faster here than through Buffer#copy's call into C++.
      for (let i = 0, from = k * BLOCK; i < BLOCK; i++) out[i] = tags[from + i]!;
      for (let i = 0; i < plaintext.length; i++) out[BLOCK + i] = plaintext[i]! ^ stream[at + i]!;
      at += Math.ceil(plaintext.length / BLOCK) * BLOCK;
      sealed[k] = out;
    }
    return sealed;
  }

  return {
    sealEach,
    bind(associatedData) {
      if (associatedData.length > 126) throw new RangeError('AES-SIV takes at most 126 associated-data components');
      // S2V up to, not including, the plaintext: the same for every value under this list.
      let d = cmacEach([ZERO_BLOCK]);
      for (const component of associatedData) {
        d = dbl(d);
        xorBlockInto(d, 0, cmacEach([component]));
      }
      const bound: BoundSiv = {
        seal: (plaintext) => sealEach([{ bound, plaintext }])[0]!,
        open(sealed) {
          if (sealed.length < BLOCK) throw new SivAuthenticationError();
          const v = sealed.subarray(0, BLOCK);
          const stream = keystreams(v, [sealed.length - BLOCK]);
          const plaintext = Buffer.allocUnsafe(sealed.length - BLOCK);
          for (let i = 0; i < plaintext.length; i++) plaintext[i] = sealed[BLOCK + i]! ^ stream[i]!;
          if (!crypto.timingSafeEqual(cmacEach([s2vInput(bound, plaintext)]), v)) throw new SivAuthenticationError();
          return plaintext;
        },
      };
      states.set(bound, { state: d, dblState: dbl(d) });
      return bound;
    },
  };
}
