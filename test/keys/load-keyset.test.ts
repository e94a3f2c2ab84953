// Secrets Manager has no emulator here: the real SDK client is used with its `send` stubbed, so the
// command we build, the parsing and the error mapping are all the real ones.
import crypto from 'node:crypto';
import {
  DecryptionFailure,
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
  type GetSecretValueCommandOutput,
} from '@aws-sdk/client-secrets-manager';
import { describe, expect, it, vi } from 'vitest';
import { KeysetError, loadKeyset } from '../../service/keys.js';

function stubbedClient(respond: (command: GetSecretValueCommand) => GetSecretValueCommandOutput | Error) {
  const client = new SecretsManagerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const send = vi.spyOn(client, 'send').mockImplementation(async (command: unknown) => {
    const result = respond(command as GetSecretValueCommand);
    if (result instanceof Error) throw result;
    return result;
  });
  return { client, send };
}

const metadata = { $metadata: {} };

/** Secrets Manager models no AccessDeniedException; the SDK raises its generic exception with that name. */
function accessDenied() {
  return new SecretsManagerServiceException({ ...metadata, name: 'AccessDeniedException', $fault: 'client', message: 'denied' });
}

async function loadError(promise: Promise<unknown>): Promise<KeysetError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeysetError);
  return error as KeysetError;
}

describe('loadKeyset', () => {
  it('reads MASKING_KEY hex as the single version k1', async () => {
    const keyset = await loadKeyset({ kind: 'hex', hex: crypto.randomBytes(64).toString('hex') });
    expect(keyset.active).toBe('k1');
  });

  it('reads a keyset from MASKING_KEYSET, and names the variable when it is malformed', async () => {
    const json = JSON.stringify({ active: 'k1', keys: { k1: crypto.randomBytes(64).toString('hex') } });
    expect((await loadKeyset({ kind: 'keyset-json', json })).active).toBe('k1');
    const error = await loadError(loadKeyset({ kind: 'keyset-json', json: '{"active":"k1"}' }));
    expect(error.message).toBe('MASKING_KEYSET: keyset has no "keys"');
  });

  it('fetches the named secret from Secrets Manager and parses it', async () => {
    const keys = { k1: crypto.randomBytes(64).toString('hex'), k2: crypto.randomBytes(64).toString('hex') };
    const { client, send } = stubbedClient(() => ({ ...metadata, SecretString: JSON.stringify({ active: 'k2', keys }) }));
    const keyset = await loadKeyset({ kind: 'secret', secretId: 'login-pipeline/masking-keys' }, { secretsClient: client });
    expect(keyset.active).toBe('k2');
    expect([...keyset.keys.keys()].sort()).toEqual(['k1', 'k2']);
    expect(send).toHaveBeenCalledOnce();
    const command = send.mock.calls[0]![0] as GetSecretValueCommand;
    expect(command).toBeInstanceOf(GetSecretValueCommand);
    expect(command.input).toEqual({ SecretId: 'login-pipeline/masking-keys' });
  });

  it.each([
    ['a secret that does not exist', new ResourceNotFoundException({ ...metadata, message: 'not found' }), /does not exist, or this role cannot see it/],
    ['access denied', accessDenied(), /access denied .*secretsmanager:GetSecretValue/],
    ['a KMS decryption failure', new DecryptionFailure({ ...metadata, message: 'kms' }), /cannot be decrypted with its KMS key/],
    ['a network failure', Object.assign(new Error('connect ECONNREFUSED'), { name: 'TimeoutError' }), /could not be read \(TimeoutError\)/],
  ])('stops with a KeysetError naming the secret on %s, keeping the cause', async (_name, failure, message) => {
    const { client } = stubbedClient(() => failure);
    const error = await loadError(loadKeyset({ kind: 'secret', secretId: 'masking' }, { secretsClient: client }));
    expect(error.message).toMatch(/^MASKING_KEY_SECRET_ID: secret masking /);
    expect(error.message).toMatch(message);
    expect((error.cause as Error).cause).toBe(failure);
  });

  it('rejects a binary secret', async () => {
    const { client } = stubbedClient(() => ({ ...metadata, SecretBinary: new Uint8Array([1, 2, 3]) }));
    const error = await loadError(loadKeyset({ kind: 'secret', secretId: 'masking' }, { secretsClient: client }));
    expect(error.message).toMatch(/holds binary data; a JSON string was expected/);
  });

  it('rejects a malformed keyset in the secret without quoting the secret', async () => {
    const short = crypto.randomBytes(32).toString('hex');
    const { client } = stubbedClient(() => ({ ...metadata, SecretString: JSON.stringify({ active: 'k1', keys: { k1: short } }) }));
    const error = await loadError(loadKeyset({ kind: 'secret', secretId: 'masking' }, { secretsClient: client }));
    expect(error.message).toBe(
      'MASKING_KEY_SECRET_ID secret masking: keyset key k1 is 64 characters long; it must be 128 hex characters (64 bytes)',
    );
    expect(error.message).not.toContain(short.slice(0, 12));
  });

  it('rejects a secret that is not JSON without echoing it', async () => {
    const { client } = stubbedClient(() => ({ ...metadata, SecretString: 'ab12cd34-not-json' }));
    const error = await loadError(loadKeyset({ kind: 'secret', secretId: 'masking' }, { secretsClient: client }));
    expect(error.message).toBe('MASKING_KEY_SECRET_ID secret masking: keyset is not valid JSON');
  });
});
