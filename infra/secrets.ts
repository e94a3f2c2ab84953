// The masking keyset. Its key is generated here on the first deploy and never again: the version
// ignores later changes, so neither a re-run of the program (which draws new random bytes) nor a
// rekey done by the unmask/rekey tools is ever overwritten by `pulumi up`.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { randomBytes } from 'node:crypto';
import type { StackConfig } from './config.js';

export interface Secrets {
  keysetSecretArn: pulumi.Output<string>;
}

/** The keyset format the consumer reads: {"active": "k1", "keys": {"k1": "<128 hex chars>"}}. */
export function newKeysetJson(): string {
  return JSON.stringify({ active: 'k1', keys: { k1: randomBytes(64).toString('hex') } });
}

export function createSecrets(config: StackConfig): Secrets {
  const { prefix } = config;

  const keyset = new aws.secretsmanager.Secret(`${prefix}-masking-keyset`, {
    name: `${prefix}/masking-keyset`,
    description: 'Keyset for deterministic masking of ip and device_id (JSON: active key id and hex keys)',
    // A deleted keyset makes every masked value unreadable; keep the longest undo window.
    recoveryWindowInDays: 30,
  });

  new aws.secretsmanager.SecretVersion(
    `${prefix}-masking-keyset-initial`,
    { secretId: keyset.id, secretString: pulumi.secret(newKeysetJson()) },
    { ignoreChanges: ['secretString'] },
  );

  return { keysetSecretArn: keyset.arn };
}
