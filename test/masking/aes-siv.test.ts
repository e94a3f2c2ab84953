// The native AES-SIV against @noble/ciphers' audited one: the same bytes for every length around the
// block boundaries, every key size and associated-data count, and the same refusals.
import crypto from 'node:crypto';
import { aessiv } from '@noble/ciphers/aes.js';
import { describe, expect, it } from 'vitest';
import { createAesSiv, SivAuthenticationError } from '../../service/aes-siv.js';

const lengths = [...Array.from({ length: 50 }, (_, i) => i), 63, 64, 65, 127, 128, 129, 173, 1000];

describe('AES-SIV on node:crypto', () => {
  for (const keyBytes of [32, 48, 64]) {
    it(`seals exactly as @noble/ciphers does with a ${keyBytes}-byte key, for 0 to 3 associated-data components and plaintexts of 0 to 1,000 bytes`, () => {
      for (let adCount = 0; adCount <= 3; adCount++) {
        const key = crypto.randomBytes(keyBytes);
        const ad = Array.from({ length: adCount }, (_, i) => new Uint8Array(crypto.randomBytes(i * 9)));
        const bound = createAesSiv(key).bind(ad);
        for (const length of lengths) {
          const plaintext = new Uint8Array(crypto.randomBytes(length));
          const sealed = bound.seal(plaintext);
          expect(Buffer.from(sealed).toString('hex'), `${length} bytes, ${adCount} AD`).toBe(Buffer.from(aessiv(key, ...ad).encrypt(plaintext)).toString('hex'));
          expect(Buffer.from(bound.open(sealed)).equals(Buffer.from(plaintext))).toBe(true);
        }
      }
    });
  }

  it('opens what @noble/ciphers sealed, and is deterministic across calls on one bound object', () => {
    const key = crypto.randomBytes(64);
    const ad = [new TextEncoder().encode('ip')];
    const bound = createAesSiv(key).bind(ad);
    const plaintext = new TextEncoder().encode('2001:db8::1');
    const theirs = aessiv(key, ...ad).encrypt(plaintext);
    expect(new TextDecoder().decode(bound.open(theirs))).toBe('2001:db8::1');
    expect(bound.seal(plaintext).equals(bound.seal(plaintext))).toBe(true);
  });

  it('refuses a value with any single bit flipped, a truncated one, and one sealed under other associated data', () => {
    const key = crypto.randomBytes(64);
    const ip = createAesSiv(key).bind([new TextEncoder().encode('ip')]);
    const deviceId = createAesSiv(key).bind([new TextEncoder().encode('device_id')]);
    const sealed = ip.seal(new TextEncoder().encode('199.172.111.135'));
    for (let bit = 0; bit < sealed.length * 8; bit++) {
      const altered = Buffer.from(sealed);
      altered[bit >> 3]! ^= 1 << (bit & 7);
      expect(() => ip.open(altered)).toThrow(SivAuthenticationError);
    }
    expect(() => ip.open(sealed.subarray(0, sealed.length - 1))).toThrow(SivAuthenticationError);
    expect(() => ip.open(sealed.subarray(0, 15))).toThrow(SivAuthenticationError);
    expect(() => deviceId.open(sealed)).toThrow(SivAuthenticationError);
  });

  it('seals a mixed list in one sealEach exactly as it seals each value alone, whatever the lengths and associated data', () => {
    const siv = createAesSiv(crypto.randomBytes(64));
    const lists = [siv.bind([new TextEncoder().encode('ip')]), siv.bind([new TextEncoder().encode('device_id')]), siv.bind([])];
    const requests = lengths.map((length, i) => ({ bound: lists[i % lists.length]!, plaintext: new Uint8Array(crypto.randomBytes(length)) }));
    const together = siv.sealEach(requests);
    expect(together).toHaveLength(requests.length);
    requests.forEach(({ bound, plaintext }, i) => {
      expect(together[i]!.toString('hex'), `${plaintext.length} bytes`).toBe(bound.seal(plaintext).toString('hex'));
      expect(Buffer.from(bound.open(together[i]!)).equals(Buffer.from(plaintext))).toBe(true);
    });
    expect(siv.sealEach([])).toEqual([]);
  });

  it('refuses to seal under associated data bound with another key', () => {
    const foreign = createAesSiv(crypto.randomBytes(64)).bind([]);
    expect(() => createAesSiv(crypto.randomBytes(64)).sealEach([{ bound: foreign, plaintext: new Uint8Array(4) }])).toThrow(/bound under another key/);
  });

  it('rejects a key that is not 32, 48 or 64 bytes', () => {
    expect(() => createAesSiv(crypto.randomBytes(16))).toThrow(/32, 48 or 64 bytes, not 16/);
  });
});
