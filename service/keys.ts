// Masking keys: what a valid keyset is, and where it is read from. A bad keyset stops start-up with a
// KeysetError whose message says what is wrong; no message or cause ever carries key material.
import type { KeySource } from './config.js';
import { createSecretsManagerClient, readSecretString, SecretError, type SecretsClient } from './secrets.js';

/** Every version's key is 64 bytes: AES-256-SIV takes two 256-bit halves (RFC 5297 §2.2). */
export const KEY_BYTES = 64;
const KEY_HEX_CHARS = KEY_BYTES * 2;
/** Versions prefix every masked value (`k1:`), so they stay short and never contain the separator. */
const VERSION_PATTERN = /^k[1-9][0-9]{0,5}$/;

export interface Keyset {
  /** The version new values are masked with. */
  readonly active: string;
  /** Every version this process can unmask, active included. */
  readonly keys: ReadonlyMap<string, Uint8Array>;
}

export class KeysetError extends Error {
  override readonly name = 'KeysetError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isKeyVersion(version: string): boolean {
  return VERSION_PATTERN.test(version);
}

/** Version names are operator-chosen labels, not secrets, but a typo can be long: quote a bounded part. */
function quoted(text: string): string {
  return JSON.stringify(text.length > 20 ? `${text.slice(0, 20)}…` : text);
}

function decodeKey(label: string, hex: unknown): Uint8Array {
  if (typeof hex !== 'string') {
    throw new KeysetError(`${label} must be a string of ${KEY_HEX_CHARS} hex characters, got ${hex === null ? 'null' : typeof hex}`);
  }
  if (hex.length !== KEY_HEX_CHARS) {
    throw new KeysetError(
      `${label} is ${hex.length} characters long; it must be ${KEY_HEX_CHARS} hex characters (${KEY_BYTES} bytes)`,
    );
  }
  if (!/^[0-9a-fA-F]+$/.test(hex)) throw new KeysetError(`${label} is not hexadecimal (only 0-9 and a-f are allowed)`);
  const key = Uint8Array.from(Buffer.from(hex, 'hex'));
  // An all-zero key is a placeholder someone forgot to replace, and masks nothing.
  if (key.every((byte) => byte === 0)) throw new KeysetError(`${label} is all zeros`);
  return key;
}

/** MASKING_KEY: one key, which is version k1. */
export function keysetFromHex(hex: string): Keyset {
  return { active: 'k1', keys: new Map([['k1', decodeKey('MASKING_KEY', hex.trim())]]) };
}

/** `{"active": "k2", "keys": {"k1": "<128 hex>", "k2": "<128 hex>"}}` */
export function parseKeyset(json: string): Keyset {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    // The parser's own message quotes the text around the error, which may be key material.
    throw new KeysetError('keyset is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new KeysetError('keyset must be a JSON object with "active" and "keys"');
  }
  const record = parsed as Record<string, unknown>;
  const unexpected = Object.keys(record).filter((name) => name !== 'active' && name !== 'keys');
  if (unexpected.length > 0) {
    throw new KeysetError(`keyset has unexpected field(s) ${unexpected.map(quoted).join(', ')}; only "active" and "keys" are allowed`);
  }
  const { active, keys } = record;
  if (active === undefined) throw new KeysetError('keyset has no "active" version');
  if (typeof active !== 'string') throw new KeysetError('keyset "active" must be a string such as "k1"');
  if (!isKeyVersion(active)) throw new KeysetError(`keyset "active" version ${quoted(active)} is not of the form k<number>, such as "k1"`);
  if (keys === undefined) throw new KeysetError('keyset has no "keys"');
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) {
    throw new KeysetError('keyset "keys" must be an object mapping each version to its key');
  }
  const entries = Object.entries(keys as Record<string, unknown>);
  if (entries.length === 0) throw new KeysetError('keyset "keys" is empty');
  const decoded = new Map<string, Uint8Array>();
  const seen = new Map<string, string>();
  for (const [version, hex] of entries) {
    if (!isKeyVersion(version)) throw new KeysetError(`keyset version ${quoted(version)} is not of the form k<number>, such as "k1"`);
    const key = decodeKey(`keyset key ${version}`, hex);
    const fingerprint = Buffer.from(key).toString('base64');
    const twin = seen.get(fingerprint);
    // Re-using a key under a new name would make a rotation that rotates nothing.
    if (twin !== undefined) throw new KeysetError(`keyset versions ${twin} and ${version} hold the same key`);
    seen.set(fingerprint, version);
    decoded.set(version, key);
  }
  if (!decoded.has(active)) {
    throw new KeysetError(`keyset "active" version ${active} has no key (the keyset holds ${[...decoded.keys()].join(', ')})`);
  }
  return { active, keys: decoded };
}

export interface LoadKeysetDeps {
  /** Secrets Manager client; defaults to one for the environment's region and credentials. */
  secretsClient?: SecretsClient;
}

/** Resolves the configured KeySource. Every failure, including an unreadable secret, is a KeysetError. */
export async function loadKeyset(source: KeySource, deps: LoadKeysetDeps = {}): Promise<Keyset> {
  switch (source.kind) {
    case 'hex':
      return keysetFromHex(source.hex);
    case 'keyset-json':
      return prefixed('MASKING_KEYSET', () => parseKeyset(source.json));
    case 'secret': {
      let json: string;
      try {
        json = await readSecretString(deps.secretsClient ?? createSecretsManagerClient(), source.secretId);
      } catch (error) {
        if (error instanceof SecretError) throw new KeysetError(`MASKING_KEY_SECRET_ID: ${error.message}`, { cause: error });
        throw error;
      }
      return prefixed(`MASKING_KEY_SECRET_ID secret ${source.secretId}`, () => parseKeyset(json));
    }
  }
}

function prefixed(where: string, parse: () => Keyset): Keyset {
  try {
    return parse();
  } catch (error) {
    if (error instanceof KeysetError) throw new KeysetError(`${where}: ${error.message}`);
    throw error;
  }
}
