import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keysetFromHex, KeysetError, parseKeyset } from '../../service/keys.js';

const hexKey = () => crypto.randomBytes(64).toString('hex');

function keysetError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KeysetError);
    return (error as Error).message;
  }
  throw new Error('expected a KeysetError');
}

describe('keysetFromHex (MASKING_KEY)', () => {
  it('makes a keyset whose single, active version is k1', () => {
    const hex = hexKey();
    const keyset = keysetFromHex(hex);
    expect(keyset.active).toBe('k1');
    expect([...keyset.keys.keys()]).toEqual(['k1']);
    expect(Buffer.from(keyset.keys.get('k1')!).toString('hex')).toBe(hex);
  });

  it.each([
    ['a short key', 'ab'.repeat(32), /MASKING_KEY is 64 characters long; it must be 128 hex characters \(64 bytes\)/],
    ['a long key', 'ab'.repeat(65), /MASKING_KEY is 130 characters long/],
    ['a key with non-hex characters', 'zz'.repeat(64), /MASKING_KEY is not hexadecimal/],
    ['an all-zero placeholder key', '00'.repeat(64), /MASKING_KEY is all zeros/],
  ])('rejects %s, without quoting it', (_name, hex, message) => {
    const text = keysetError(() => keysetFromHex(hex));
    expect(text).toMatch(message);
    expect(text).not.toContain(hex.slice(0, 16));
  });
});

describe('parseKeyset', () => {
  it('reads the active version and every key', () => {
    const [a, b] = [hexKey(), hexKey()];
    const keyset = parseKeyset(JSON.stringify({ active: 'k2', keys: { k1: a, k2: b } }));
    expect(keyset.active).toBe('k2');
    expect([...keyset.keys.keys()].sort()).toEqual(['k1', 'k2']);
    expect(Buffer.from(keyset.keys.get('k1')!).toString('hex')).toBe(a);
  });

  const good = hexKey();
  const malformed: [string, string, RegExp][] = [
    ['not JSON', `{"active": "k1", "keys": {"k1": "${good}"`, /^keyset is not valid JSON$/],
    ['a JSON array', '[]', /must be a JSON object with "active" and "keys"/],
    ['a JSON string', '"k1"', /must be a JSON object/],
    ['an unexpected field', JSON.stringify({ active: 'k1', keys: { k1: good }, activ: 'k2' }), /unexpected field\(s\) "activ"/],
    ['no active version', JSON.stringify({ keys: { k1: good } }), /has no "active" version/],
    ['a non-string active version', JSON.stringify({ active: 1, keys: { k1: good } }), /"active" must be a string/],
    ['a badly named active version', JSON.stringify({ active: 'v1', keys: { k1: good } }), /"active" version "v1" is not of the form k<number>/],
    ['no keys', JSON.stringify({ active: 'k1' }), /has no "keys"/],
    ['keys as an array', JSON.stringify({ active: 'k1', keys: [good] }), /"keys" must be an object/],
    ['empty keys', JSON.stringify({ active: 'k1', keys: {} }), /"keys" is empty/],
    ['a badly named version', JSON.stringify({ active: 'k1', keys: { k1: good, 'k2:x': hexKey() } }), /version "k2:x" is not of the form/],
    ['a key that is not a string', JSON.stringify({ active: 'k1', keys: { k1: 42 } }), /key k1 must be a string of 128 hex characters, got number/],
    ['a short key', JSON.stringify({ active: 'k1', keys: { k1: good.slice(0, 64) } }), /key k1 is 64 characters long; it must be 128/],
    ['a non-hex key', JSON.stringify({ active: 'k1', keys: { k1: 'g'.repeat(128) } }), /key k1 is not hexadecimal/],
    ['an all-zero key', JSON.stringify({ active: 'k1', keys: { k1: '0'.repeat(128) } }), /key k1 is all zeros/],
    ['an active version without a key', JSON.stringify({ active: 'k3', keys: { k1: good, k2: hexKey() } }), /"active" version k3 has no key \(the keyset holds k1, k2\)/],
    ['one key under two versions', JSON.stringify({ active: 'k2', keys: { k1: good, k2: good } }), /versions k1 and k2 hold the same key/],
  ];

  it.each(malformed)('rejects %s with its own message, never quoting key material', (_name, json, message) => {
    const text = keysetError(() => parseKeyset(json));
    expect(text).toMatch(message);
    expect(text).not.toContain(good.slice(0, 16));
  });

  it('gives each malformed form a different message', () => {
    const messages = malformed.map(([, json]) => keysetError(() => parseKeyset(json)).replace(/"[^"]*"/g, ''));
    expect(new Set(messages).size).toBe(malformed.length - 1); // "a JSON array" and "a JSON string" share one
  });
});
