// The one module that owns the cryptography of PII masking. docs/keys.md describes the construction
// byte for byte; keep the two in step.
//
//   encrypt: k<n>:base64url( AES-256-SIV(key_n, AD = [utf8(field)], utf8(value)) )   (RFC 5297)
//   hash:    k<n>:base64url( HMAC-SHA256(HKDF-SHA256(key_n, info = "login-pipeline mask hmac-sha256 " + field), utf8(value)) )
//
// Both are deterministic (equal inputs give equal outputs, so duplicates can be found in SQL) and
// keyed (without the key nobody can test a guess, so 2^32 IPv4 addresses cannot be enumerated).
import crypto from 'node:crypto';
import { createAesSiv, type AesSiv, type BoundSiv, type SealRequest } from './aes-siv.js';
import type { MaskingMode } from './config.js';
import { MaskingError } from './errors.js';
import { isKeyVersion, type Keyset } from './keys.js';

export type PiiField = 'ip' | 'device_id';
export const PII_FIELDS: readonly PiiField[] = ['ip', 'device_id'];

/** The masked columns are varchar(256); PostgreSQL counts characters, and ours are all ASCII. */
export const MASKED_MAX_CHARS = 256;
const SIV_TAG_BYTES = 16;
const HMAC_BYTES = 32;
const HMAC_INFO_PREFIX = 'login-pipeline mask hmac-sha256 ';
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The input cannot be masked into varchar(256); the message gives sizes, never the value. */
export class MaskedValueTooLongError extends MaskingError {
  override readonly name = 'MaskedValueTooLongError';
  constructor(
    readonly field: PiiField,
    readonly inputBytes: number,
    readonly maxInputBytes: number,
  ) {
    super(
      `${field}: value is ${inputBytes} bytes of UTF-8; its masked form would not fit varchar(${MASKED_MAX_CHARS}) ` +
        `(at most ${maxInputBytes} bytes can be masked)`,
    );
  }
}

/** Why a masked value could not be turned back into its original. */
export type UnmaskFailure = 'malformed' | 'unknown-version' | 'tampered' | 'irreversible';

export class UnmaskError extends MaskingError {
  override readonly name = 'UnmaskError';
  constructor(
    readonly reason: UnmaskFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface Unmasked {
  readonly field: PiiField;
  readonly version: string;
  readonly value: string;
}

export interface MaskRequest {
  field: PiiField;
  value: string;
}

export interface Masker {
  readonly mode: MaskingMode;
  /** The version new values are masked with, e.g. 'k1'. */
  readonly activeVersion: string;
  /** Deterministic; throws MaskedValueTooLongError if the output would not fit varchar(256). */
  mask(field: PiiField, value: string): string;
  /**
   * What `mask` gives for each request, or the MaskingError it would throw for that one alone. The
   * consumer masks a whole receive this way: in encrypt mode the AES of all its values then takes two
   * calls into OpenSSL rather than two per value, and those calls, not the AES, were most of the cost.
   */
  maskEach(requests: readonly MaskRequest[]): (string | MaskingError)[];
  /** The largest input, in UTF-8 bytes, that `mask` accepts under the active version. */
  readonly maxInputBytes: number;
  /** The version prefix of a well-formed masked value, or undefined. Does not check the key or the tag. */
  versionOf(masked: string): string | undefined;
  /**
   * The original of an encrypt-mode value, under any version held. Without `field`, each field is
   * tried: the SIV tag authenticates the field, so at most one can succeed. Throws UnmaskError.
   */
  unmask(masked: string, field?: PiiField): Unmasked;
  /** The value re-masked under the active version; the same string if it already is. Throws UnmaskError. */
  remask(field: PiiField, masked: string): string;
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** The largest input whose masked form fits, for a prefix of `prefixChars` and `overhead` bytes added. */
function maxBytesFor(prefixChars: number, overhead: number): number {
  // Unpadded base64url turns b bytes into ceil(4b/3) characters.
  return Math.floor(((MASKED_MAX_CHARS - prefixChars) * 3) / 4) - overhead;
}

function encodeValue(field: PiiField, value: string): Uint8Array {
  if (typeof value !== 'string') throw new MaskingError(`${field}: value must be a string`);
  // A lone UTF-16 surrogate would be replaced by U+FFFD when encoded, so it could never be recovered as given.
  if (!value.isWellFormed()) throw new MaskingError(`${field}: value is not well-formed Unicode`);
  // Buffer.from takes small values from Node's pool; TextEncoder allocated a new buffer for each, at
  // about 0.6 µs a value against 0.23.
  return Buffer.from(value, 'utf8');
}

/** AES-SIV (RFC 5297) with each associated-data component as its own S2V input. Exported for its test vectors. */
export function sivSeal(key: Uint8Array, associatedData: readonly Uint8Array[], plaintext: Uint8Array): Uint8Array {
  return createAesSiv(key).bind(associatedData).seal(plaintext);
}

/** Inverse of sivSeal; throws if the tag does not verify (wrong key, wrong AD, or altered bytes). */
export function sivOpen(key: Uint8Array, associatedData: readonly Uint8Array[], sealed: Uint8Array): Uint8Array {
  return createAesSiv(key).bind(associatedData).open(sealed);
}

/** HMAC-SHA256 (RFC 2104 / 4231). Exported for its test vectors. */
export function hmacSha256(key: crypto.KeyObject | Uint8Array, data: Uint8Array): Uint8Array {
  return crypto.createHmac('sha256', key).update(data).digest();
}

/** The per-field HMAC key: HKDF-SHA256 (RFC 5869), empty salt, info names the field. */
export function deriveHmacKey(key: Uint8Array, field: PiiField): Uint8Array {
  return new Uint8Array(crypto.hkdfSync('sha256', key, new Uint8Array(0), utf8.encode(HMAC_INFO_PREFIX + field), HMAC_BYTES));
}

interface VersionKeys {
  readonly aesSiv: AesSiv;
  /** AES-SIV bound to each field's associated data, so S2V over the field name is done once. */
  readonly siv: ReadonlyMap<PiiField, BoundSiv>;
  readonly hmac: ReadonlyMap<PiiField, crypto.KeyObject>;
}

export function createMasker(keyset: Keyset, mode: MaskingMode): Masker {
  const versions = new Map<string, VersionKeys>();
  for (const [version, key] of keyset.keys) {
    // Derived once per version and field here, so the hot path does no key derivation.
    const hmac = new Map(PII_FIELDS.map((field) => [field, crypto.createSecretKey(deriveHmacKey(key, field))] as const));
    const aesSiv = createAesSiv(key);
    const siv = new Map(PII_FIELDS.map((field) => [field, aesSiv.bind([utf8.encode(field)])] as const));
    versions.set(version, { aesSiv, siv, hmac });
  }
  const active = versions.get(keyset.active);
  if (active === undefined) throw new MaskingError(`active key version ${keyset.active} is not in the keyset`);
  const prefix = `${keyset.active}:`;
  const maxInputBytes = mode === 'encrypt' ? maxBytesFor(prefix.length, SIV_TAG_BYTES) : Number.POSITIVE_INFINITY;

  function sivFor(keys: VersionKeys, field: PiiField): BoundSiv {
    const siv = keys.siv.get(field);
    if (siv === undefined) throw new MaskingError(`unknown PII field ${JSON.stringify(field)}`);
    return siv;
  }

  function maskEach(requests: readonly MaskRequest[]): (string | MaskingError)[] {
    const results = new Array<string | MaskingError>(requests.length);
    const seals: SealRequest[] = [];
    const sealedAt: number[] = [];
    for (let i = 0; i < requests.length; i++) {
      const { field, value } = requests[i]!;
      try {
        const siv = sivFor(active!, field);
        const bytes = encodeValue(field, value);
        if (mode === 'hash') {
          results[i] = prefix + Buffer.from(hmacSha256(active!.hmac.get(field)!, bytes)).toString('base64url');
        } else if (bytes.length > maxInputBytes) {
          results[i] = new MaskedValueTooLongError(field, bytes.length, maxInputBytes);
        } else {
          seals.push({ bound: siv, plaintext: bytes });
          sealedAt.push(i);
        }
      } catch (error) {
        if (!(error instanceof MaskingError)) throw error;
        results[i] = error;
      }
    }
    if (seals.length > 0) {
      const sealed = active!.aesSiv.sealEach(seals);
      for (let j = 0; j < sealed.length; j++) results[sealedAt[j]!] = prefix + sealed[j]!.toString('base64url');
    }
    return results;
  }

  function mask(field: PiiField, value: string): string {
    const [masked] = maskEach([{ field, value }]);
    if (typeof masked !== 'string') throw masked!;
    return masked;
  }

  function split(masked: string): { version: string; body: Uint8Array } {
    if (typeof masked !== 'string' || masked.length > MASKED_MAX_CHARS) {
      throw new UnmaskError('malformed', `not a masked value (masked values are at most ${MASKED_MAX_CHARS} characters)`);
    }
    const colon = masked.indexOf(':');
    const version = colon > 0 ? masked.slice(0, colon) : '';
    const encoded = masked.slice(colon + 1);
    if (!isKeyVersion(version) || !BASE64URL.test(encoded)) {
      throw new UnmaskError('malformed', 'not a masked value (expected k<number>:<base64url>)');
    }
    const body = Buffer.from(encoded, 'base64url');
    // Node's decoder ignores stray trailing bits; a non-canonical encoding is an altered value.
    if (body.toString('base64url') !== encoded) throw new UnmaskError('malformed', 'not a masked value (invalid base64url)');
    return { version, body };
  }

  function versionOf(masked: string): string | undefined {
    try {
      return split(masked).version;
    } catch {
      return undefined;
    }
  }

  function unmask(masked: string, field?: PiiField): Unmasked {
    if (mode === 'hash') {
      throw new UnmaskError('irreversible', 'MASKING_MODE is hash: HMAC-SHA256 values are one-way and cannot be unmasked');
    }
    const { version, body } = split(masked);
    const keys = versions.get(version);
    if (keys === undefined) {
      throw new UnmaskError('unknown-version', `key version ${version} is not in the keyset (it holds ${[...versions.keys()].join(', ')})`);
    }
    if (body.length < SIV_TAG_BYTES) throw new UnmaskError('malformed', 'not a masked value (too short to hold a SIV tag)');
    for (const candidate of field === undefined ? PII_FIELDS : [field]) {
      let plain: Uint8Array;
      try {
        plain = sivFor(keys, candidate).open(body);
      } catch {
        continue;
      }
      try {
        return { field: candidate, version, value: utf8Strict.decode(plain) };
      } catch {
        // Authentic but not UTF-8 cannot come from mask(); treat it like any other forgery.
        break;
      }
    }
    throw new UnmaskError(
      'tampered',
      `does not authenticate under key ${version}${field === undefined ? '' : ` as ${field}`}: altered, truncated, or masked with a different key`,
    );
  }

  function remask(field: PiiField, masked: string): string {
    if (mode === 'hash') {
      throw new UnmaskError('irreversible', 'MASKING_MODE is hash: HMAC-SHA256 values cannot be re-keyed without the original values');
    }
    if (masked.startsWith(prefix)) {
      // Still authenticate it: a rekey must never pass on a value it cannot vouch for.
      unmask(masked, field);
      return masked;
    }
    return mask(field, unmask(masked, field).value);
  }

  return { mode, activeVersion: keyset.active, maxInputBytes, mask, maskEach, versionOf, unmask, remask };
}
