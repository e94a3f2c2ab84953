import crypto from 'node:crypto';
import { aessiv } from '@noble/ciphers/aes.js';
import { describe, expect, it } from 'vitest';
import type { Keyset } from '../../service/keys.js';
import { createMasker, MaskedValueTooLongError, UnmaskError, type PiiField } from '../../service/masking.js';

const key1 = crypto.randomBytes(64);
const key2 = crypto.randomBytes(64);
const k1Only: Keyset = { active: 'k1', keys: new Map([['k1', key1]]) };
const rotated: Keyset = { active: 'k2', keys: new Map([['k1', key1], ['k2', key2]]) };
const ip = '199.172.111.135';
const deviceId = '593-47-5928';

function unmaskError(fn: () => unknown): UnmaskError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UnmaskError);
    return error as UnmaskError;
  }
  throw new Error('expected an UnmaskError');
}

describe.each(['encrypt', 'hash'] as const)('a %s masker', (mode) => {
  const masker = createMasker(k1Only, mode);

  it('gives equal outputs for equal inputs, prefixed with the key version', () => {
    const a = masker.mask('ip', ip);
    expect(masker.mask('ip', ip)).toBe(a);
    expect(a).toMatch(/^k1:[A-Za-z0-9_-]+$/);
    expect(masker.mask('ip', '199.172.111.136')).not.toBe(a);
  });

  it('masks the same string differently as ip and as device_id', () => {
    expect(masker.mask('ip', deviceId)).not.toBe(masker.mask('device_id', deviceId));
  });

  it('masks differently under another key version', () => {
    expect(createMasker(rotated, mode).mask('ip', ip)).not.toBe(masker.mask('ip', ip));
  });

  it('refuses a string with a lone surrogate, which could never be recovered as given', () => {
    expect(() => masker.mask('device_id', 'abc\ud800')).toThrow(/not well-formed Unicode/);
  });

  it('masks a list at once as it masks each value alone, with each refusal in its own place', () => {
    const requests = [
      { field: 'ip', value: ip },
      { field: 'device_id', value: 'abc\ud800' },
      { field: 'device_id', value: deviceId },
      { field: 'ip', value: '2001:db8:85a3::8a2e:370:7334' },
      { field: 'ip', value: 'x'.repeat(400) },
      { field: 'device_id', value: '' },
    ] as const;
    const results = masker.maskEach(requests);
    expect(results).toHaveLength(requests.length);
    requests.forEach(({ field, value }, i) => {
      let alone: unknown;
      try {
        alone = masker.mask(field, value);
      } catch (error) {
        alone = error;
      }
      expect(results[i]).toEqual(alone);
    });
    expect(results[1]).toBeInstanceOf(Error);
    expect(typeof results[2]).toBe('string');
    // Hash outputs have a fixed length, so only encrypt mode refuses a long value.
    if (mode === 'encrypt') expect(results[4]).toBeInstanceOf(MaskedValueTooLongError);
    else expect(results[4]).toMatch(/^k1:/);
  });
});

describe('the encrypt construction (docs/keys.md)', () => {
  it('is AES-256-SIV with the field name as associated data, base64url after the version', () => {
    const masked = createMasker(k1Only, 'encrypt').mask('device_id', deviceId);
    const body = Buffer.from(masked.slice('k1:'.length), 'base64url');
    const plain = aessiv(key1, new TextEncoder().encode('device_id')).decrypt(body);
    expect(new TextDecoder().decode(plain)).toBe(deviceId);
  });

  it('fits varchar(256) up to 173 bytes under k1 and rejects 174 bytes with a reason, not the value', () => {
    const masker = createMasker(k1Only, 'encrypt');
    expect(masker.maxInputBytes).toBe(173);
    const longest = 'd'.repeat(173);
    expect(masker.mask('device_id', longest).length).toBeLessThanOrEqual(256);
    const secret = 'x'.repeat(170) + 'é€'; // 175 bytes of UTF-8 in 172 characters
    let thrown: unknown;
    try {
      masker.mask('device_id', secret);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MaskedValueTooLongError);
    const error = thrown as MaskedValueTooLongError;
    expect(error.field).toBe('device_id');
    expect(error.message).toMatch(/175 bytes.*varchar\(256\).*at most 173 bytes/);
    expect(error.message).not.toContain('xxxx');
  });
});

describe('the input limit of docs/keys.md', () => {
  it.each([
    ['k1', 173],
    ['k99', 173],
    ['k100', 172],
    ['k1000', 171],
    ['k999999', 170],
  ])('is %s: %i bytes, and the longest accepted input fills varchar(256) without passing it', (version, limit) => {
    const masker = createMasker({ active: version, keys: new Map([[version, key1]]) }, 'encrypt');
    expect(masker.maxInputBytes).toBe(limit);
    expect(masker.mask('ip', 'a'.repeat(limit)).length).toBeLessThanOrEqual(256);
    expect(masker.mask('ip', 'a'.repeat(limit)).length).toBeGreaterThan(252);
    expect(() => masker.mask('ip', 'a'.repeat(limit + 1))).toThrow(MaskedValueTooLongError);
  });
});

describe('the hash construction (docs/keys.md)', () => {
  it('is HMAC-SHA256 under an HKDF-SHA256 per-field key, base64url after the version', () => {
    const fieldKey = crypto.hkdfSync('sha256', key1, Buffer.alloc(0), 'login-pipeline mask hmac-sha256 ip', 32);
    const expected = crypto.createHmac('sha256', Buffer.from(fieldKey)).update(ip).digest('base64url');
    expect(createMasker(k1Only, 'hash').mask('ip', ip)).toBe(`k1:${expected}`);
  });

  it('always fits varchar(256): 46 characters whatever the input length', () => {
    expect(createMasker(k1Only, 'hash').mask('device_id', 'd'.repeat(10_000))).toHaveLength(46);
  });
});

describe('without the key, masked IPv4 addresses cannot be matched by trying addresses', () => {
  // A full 2^32 sweep is minutes of CPU; a /16 that contains the real address shows the same thing:
  // an unkeyed digest is found by the sweep, ours is not, and a wrong key finds nothing either.
  const target = '10.20.147.9';
  const candidates = Array.from({ length: 65_536 }, (_, i) => `10.20.${i >> 8}.${i & 255}`);
  const digest = (algorithm: string, value: string) => crypto.createHash(algorithm).update(value).digest();

  it('an unkeyed SHA-256 or MD5 is reversed by the sweep', () => {
    for (const algorithm of ['sha256', 'md5']) {
      const leaked = digest(algorithm, target);
      const found = candidates.filter((c) => digest(algorithm, c).equals(leaked));
      expect(found).toEqual([target]);
    }
  });

  it.each(['encrypt', 'hash'] as const)('a %s-mode value matches no candidate, whether unkeyed or under a guessed key', (mode) => {
    const masked = createMasker(k1Only, mode).mask('ip', target);
    const body = Buffer.from(masked.slice(3), 'base64url');
    const attacker = createMasker({ active: 'k1', keys: new Map([['k1', crypto.randomBytes(64)]]) }, mode);
    const hits = candidates.filter(
      (c) =>
        digest('sha256', c).equals(body) ||
        digest('md5', c).equals(body) ||
        crypto.createHmac('sha256', '').update(c).digest().equals(body) ||
        attacker.mask('ip', c) === masked,
    );
    expect(hits).toEqual([]);
  });
});

describe('unmask', () => {
  const masker = createMasker(rotated, 'encrypt');
  const oldMasker = createMasker(k1Only, 'encrypt');

  it.each([
    ['ip', ip],
    ['device_id', deviceId],
  ] as const)('recovers a %s under every version held, naming the field and version', (field, value) => {
    expect(masker.unmask(oldMasker.mask(field, value))).toEqual({ field, version: 'k1', value });
    expect(masker.unmask(masker.mask(field, value))).toEqual({ field, version: 'k2', value });
  });

  it('recovers non-ASCII and empty values exactly', () => {
    for (const value of ['', 'Ω-device-ç', '🙂']) expect(masker.unmask(masker.mask('device_id', value)).value).toBe(value);
  });

  it('rejects every single-character alteration as tampered, never returning a wrong plaintext', () => {
    const masked = masker.mask('ip', ip);
    for (let i = 3; i < masked.length; i++) {
      const swapped = masked[i] === 'A' ? 'B' : 'A';
      const altered = masked.slice(0, i) + swapped + masked.slice(i + 1);
      expect(['tampered', 'malformed']).toContain(unmaskError(() => masker.unmask(altered)).reason);
    }
  });

  it('rejects a value asked for as the wrong field', () => {
    expect(unmaskError(() => masker.unmask(masker.mask('ip', ip), 'device_id')).reason).toBe('tampered');
  });

  it('rejects a version the keyset does not hold, naming the versions it does', () => {
    const error = unmaskError(() => masker.unmask(`k7:${masker.mask('ip', ip).slice(3)}`));
    expect(error.reason).toBe('unknown-version');
    expect(error.message).toMatch(/k7 .*k1, k2/);
  });

  it.each(['', 'hello', 'k1', 'k1:', 'k1:abc$', 'K1:abcd', 'k01:abcd', 'k1:AAAA', `k1:${'A'.repeat(300)}`])(
    'rejects %j as not a masked value',
    (input) => {
      const reason = unmaskError(() => masker.unmask(input)).reason;
      expect(reason).toBe('malformed');
    },
  );

  it('rejects a value masked under another key carrying the same version name', () => {
    const foreign = createMasker({ active: 'k2', keys: new Map([['k2', crypto.randomBytes(64)]]) }, 'encrypt');
    expect(unmaskError(() => masker.unmask(foreign.mask('ip', ip))).reason).toBe('tampered');
  });

  it('refuses in hash mode, explaining that HMAC is one-way', () => {
    const hasher = createMasker(k1Only, 'hash');
    const error = unmaskError(() => hasher.unmask(hasher.mask('ip', ip)));
    expect(error.reason).toBe('irreversible');
    expect(error.message).toMatch(/one-way/);
  });

  it('never puts the original value in an error message', () => {
    const masked = masker.mask('device_id', deviceId);
    const messages = [
      unmaskError(() => masker.unmask(masked, 'ip')).message,
      unmaskError(() => masker.unmask(masked.slice(0, -2))).message,
    ];
    for (const message of messages) expect(message).not.toContain(deviceId);
  });
});

describe('remask', () => {
  const masker = createMasker(rotated, 'encrypt');
  const oldMasker = createMasker(k1Only, 'encrypt');

  it.each(['ip', 'device_id'] as PiiField[])('turns a k1 %s into exactly what the active k2 masks it to', (field) => {
    expect(masker.remask(field, oldMasker.mask(field, ip))).toBe(masker.mask(field, ip));
  });

  it('leaves an active-version value as it is, after checking it', () => {
    const current = masker.mask('ip', ip);
    expect(masker.remask('ip', current)).toBe(current);
    expect(unmaskError(() => masker.remask('device_id', current)).reason).toBe('tampered');
  });

  it('refuses in hash mode', () => {
    const hasher = createMasker(rotated, 'hash');
    expect(unmaskError(() => hasher.remask('ip', hasher.mask('ip', ip))).reason).toBe('irreversible');
  });
});
