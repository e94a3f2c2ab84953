import os from 'node:os';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it, vi } from 'vitest';
import { CallerIdentityError, identifyCaller, usesAwsIdentity } from '../../service/caller-identity.js';

function sts(respond: () => Promise<object>) {
  const client = new STSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const send = vi.spyOn(client, 'send').mockImplementation(respond as never);
  return { client, send };
}

describe('who asked, for the audit trail', () => {
  it('is the AWS caller ARN when AWS credentials are in play', async () => {
    const { client, send } = sts(async () => ({ $metadata: {}, Arn: 'arn:aws:sts::123456789012:assumed-role/ops/alice', Account: '123456789012' }));
    const caller = await identifyCaller(true, client);
    expect(caller).toEqual({
      actor: 'arn:aws:sts::123456789012:assumed-role/ops/alice',
      actorKind: 'aws',
      osUser: os.userInfo().username,
      host: os.hostname(),
    });
    expect(send.mock.calls[0]![0]).toBeInstanceOf(GetCallerIdentityCommand);
  });

  it('refuses to go on when the AWS identity cannot be established', async () => {
    const { client } = sts(async () => {
      throw Object.assign(new Error('expired'), { name: 'ExpiredTokenException' });
    });
    await expect(identifyCaller(true, client)).rejects.toThrow(new CallerIdentityError('cannot establish the AWS caller identity (ExpiredTokenException)'));
  });

  it('is the OS user on a local stack, without calling AWS', async () => {
    const { client, send } = sts(async () => ({}));
    expect(await identifyCaller(false, client)).toMatchObject({ actor: os.userInfo().username, actorKind: 'os' });
    expect(send).not.toHaveBeenCalled();
  });

  it('uses AWS when keys come from Secrets Manager or any AWS credential variable is set, and only then', () => {
    expect(usesAwsIdentity({}, true)).toBe(true);
    expect(usesAwsIdentity({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/x' }, false)).toBe(true);
    expect(usesAwsIdentity({ AWS_PROFILE: 'ops' }, false)).toBe(true);
    expect(usesAwsIdentity({ AWS_REGION: 'eu-west-1', AWS_PROFILE: ' ' }, false)).toBe(false);
  });
});
