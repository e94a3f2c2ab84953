// Who is asking, for the audit trail: the AWS caller identity wherever AWS credentials are in play
// (an ECS task, an operator with a profile), otherwise the OS user of a local stack.
import { GetCallerIdentityCommand, STSClient, type GetCallerIdentityCommandOutput } from '@aws-sdk/client-sts';
import os from 'node:os';

export interface StsLike {
  send(command: GetCallerIdentityCommand): Promise<GetCallerIdentityCommandOutput>;
}

export interface Caller {
  actor: string;
  actorKind: 'aws' | 'os';
  osUser: string;
  host: string;
}

export class CallerIdentityError extends Error {
  override readonly name = 'CallerIdentityError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const AWS_CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
];

/**
 * Whether to ask STS. Decided from the environment rather than by trying, because trying walks the
 * SDK's whole credential chain, which ends by probing the EC2 metadata address.
 */
export function usesAwsIdentity(env: Record<string, string | undefined>, keysFromSecretsManager: boolean): boolean {
  return keysFromSecretsManager || AWS_CREDENTIAL_VARIABLES.some((name) => Boolean(env[name]?.trim()));
}

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return `uid:${process.getuid?.() ?? 'unknown'}`;
  }
}

export async function identifyCaller(useAws: boolean, sts: StsLike = new STSClient({ maxAttempts: 3 })): Promise<Caller> {
  const local = { osUser: osUser(), host: os.hostname() };
  if (!useAws) return { actor: local.osUser, actorKind: 'os', ...local };
  let output: GetCallerIdentityCommandOutput;
  try {
    output = await sts.send(new GetCallerIdentityCommand({}));
  } catch (cause) {
    throw new CallerIdentityError(`cannot establish the AWS caller identity (${cause instanceof Error ? cause.name : 'error'})`, { cause });
  }
  if (!output.Arn) throw new CallerIdentityError('STS returned no caller ARN');
  return { actor: output.Arn, actorKind: 'aws', ...local };
}
