// Reads secrets from AWS Secrets Manager and parses the database one. Errors name the secret and
// what went wrong, never its content.
import {
  GetSecretValueCommand,
  SecretsManagerClient,
  type GetSecretValueCommandOutput,
} from '@aws-sdk/client-secrets-manager';

/** The one call we make; a SecretsManagerClient satisfies it, and tests stub its `send`. */
export interface SecretsClient {
  send(command: GetSecretValueCommand): Promise<GetSecretValueCommandOutput>;
}

export class SecretError extends Error {
  override readonly name = 'SecretError';
  constructor(
    readonly secretId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`secret ${secretId} ${message}`, options);
  }
}

/** Region and credentials come from the SDK's own chain (AWS_REGION, the ECS task role). */
export function createSecretsManagerClient(): SecretsManagerClient {
  return new SecretsManagerClient({ maxAttempts: 3 });
}

const REASONS: Record<string, string> = {
  ResourceNotFoundException: 'does not exist, or this role cannot see it',
  AccessDeniedException: 'cannot be read: access denied (the role needs secretsmanager:GetSecretValue, and kms:Decrypt for a customer-managed key)',
  DecryptionFailure: 'cannot be decrypted with its KMS key',
  InvalidRequestException: 'cannot be read now (it may be scheduled for deletion)',
  InvalidParameterException: 'cannot be read: the request was refused as invalid',
};

export async function readSecretString(client: SecretsClient, secretId: string): Promise<string> {
  let output: GetSecretValueCommandOutput;
  try {
    output = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  } catch (cause) {
    const name = cause instanceof Error ? cause.name : 'UnknownError';
    throw new SecretError(secretId, REASONS[name] ?? `could not be read (${name})`, { cause });
  }
  if (output.SecretString === undefined) {
    throw new SecretError(secretId, output.SecretBinary ? 'holds binary data; a JSON string was expected' : 'has no value');
  }
  return output.SecretString;
}

export interface DatabaseCredentials {
  readonly username: string;
  readonly password: string;
}

/** An RDS-managed secret: `{"username": "...", "password": "..."}` (other fields are ignored). */
export function parseDatabaseSecret(secretId: string, json: string): DatabaseCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    // The parser's message quotes the text near the error, which may be the password.
    throw new SecretError(secretId, 'is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SecretError(secretId, 'must be a JSON object with "username" and "password"');
  }
  const { username, password } = parsed as Record<string, unknown>;
  if (typeof username !== 'string' || username === '') throw new SecretError(secretId, 'has no "username" string');
  if (typeof password !== 'string' || password === '') throw new SecretError(secretId, 'has no "password" string');
  return { username, password };
}

export async function readDatabaseCredentials(client: SecretsClient, secretId: string): Promise<DatabaseCredentials> {
  return parseDatabaseSecret(secretId, await readSecretString(client, secretId));
}
