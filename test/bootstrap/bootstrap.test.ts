// The bootstrap stack under Pulumi mocks: who may assume which role is the whole point of it, so
// the trust and permission policies are read back and checked statement by statement.
import * as pulumi from '@pulumi/pulumi';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBootstrap } from '../../infra/bootstrap/bootstrap.js';
import { validateBootstrapConfig, type BootstrapConfig } from '../../infra/bootstrap/config.js';
import { githubTrustPolicy } from '../../infra/bootstrap/github-oidc.js';

const ACCOUNT = '123456789012';
const REPOSITORY = 'acme/login-pipeline';

interface Captured {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const resources: Captured[] = [];
let outputs: Record<string, unknown>;

const config: BootstrapConfig = validateBootstrapConfig({ githubRepository: REPOSITORY, environments: ['dev', 'prod'], region: 'eu-west-1' });

function settle<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = args.inputs as Record<string, unknown>;
        resources.push({ type: args.type, name: args.name, inputs });
        const name = (inputs.name as string | undefined) ?? args.name;
        const arn =
          args.type === 'aws:iam/role:Role'
            ? `arn:aws:iam::${ACCOUNT}:role/${name}`
            : args.type === 'aws:iam/openIdConnectProvider:OpenIdConnectProvider'
              ? `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`
              : `arn:aws:${args.type.split(':')[1]?.split('/')[0]}:eu-west-1:${ACCOUNT}:${name}`;
        return { id: `${args.name}-id`, state: { ...inputs, name, arn, keyId: `${args.name}-key`, bucket: inputs.bucket ?? name } };
      },
      call(args) {
        if (args.token === 'aws:index/getCallerIdentity:getCallerIdentity') return { accountId: ACCOUNT, arn: 'arn', userId: 'u', id: ACCOUNT };
        throw new Error(`unmocked invoke ${args.token}`);
      },
    },
    'login-pipeline-bootstrap',
    'main',
    false,
  );
  const created = createBootstrap(config);
  outputs = Object.fromEntries(await Promise.all(Object.entries(created).map(async ([k, v]) => [k, await settle(v as pulumi.Output<unknown>)])));
  const waitForRpcs = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
  await waitForRpcs?.();
});

const ofType = (type: string) => resources.filter((r) => r.type === type);
const role = (name: string) => ofType('aws:iam/role:Role').find((r) => r.inputs.name === name)!;
const statements = (policy: unknown) => (JSON.parse(String(policy)) as { Statement: Statement[] }).Statement;
const inlinePolicy = (roleName: string) => ofType('aws:iam/rolePolicy:RolePolicy').find((p) => p.name === roleName)!.inputs.policy;

describe('GitHub OIDC', () => {
  it('creates the token.actions.githubusercontent.com provider for the STS audience', () => {
    const [provider] = ofType('aws:iam/openIdConnectProvider:OpenIdConnectProvider');
    expect(provider!.inputs).toMatchObject({ url: 'https://token.actions.githubusercontent.com', clientIdLists: ['sts.amazonaws.com'] });
  });

  it.each(['dev', 'prod'])('the %s deploy role trusts only that GitHub environment of this repository', (env) => {
    const [trust, ...others] = statements(role(`login-pipeline-deploy-${env}`).inputs.assumeRolePolicy);
    expect(others).toEqual([]);
    expect(trust).toEqual({
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': `repo:${REPOSITORY}:environment:${env}`,
        },
      },
    });
  });

  it('preview roles trust pull requests of this repository and are read-only', () => {
    for (const env of ['dev', 'prod']) {
      const name = `login-pipeline-preview-${env}`;
      const [trust] = statements(role(name).inputs.assumeRolePolicy);
      expect(trust!.Condition!.StringEquals!['token.actions.githubusercontent.com:sub']).toBe(`repo:${REPOSITORY}:pull_request`);
      const attached = ofType('aws:iam/rolePolicyAttachment:RolePolicyAttachment').filter((a) => a.inputs.role === name);
      expect(attached.map((a) => a.inputs.policyArn)).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess']);
      const writes = statements(inlinePolicy(name)).filter((s) => [s.Action].flat().some((a) => /Put|Delete|Encrypt/.test(a)));
      expect(writes.map((s) => s.Resource)).toEqual([expect.stringMatching(/\/\.pulumi\/locks\/\*$/)]);
    }
  });

  it('a trust policy with a wildcard subject is refused', () => {
    expect(() => githubTrustPolicy('arn:provider', [`repo:${REPOSITORY}:*`])).toThrow(/without wildcards/);
  });
});

describe('deploy permissions', () => {
  it.each(['dev', 'prod'])('the %s deploy role manages IAM roles only under its own stage prefix', (env) => {
    const iam = statements(inlinePolicy(`login-pipeline-deploy-${env}`)).filter(
      (s) => s.Effect === 'Allow' && [s.Action].flat().some((a) => a.startsWith('iam:') && a !== 'iam:CreateServiceLinkedRole'),
    );
    expect(iam).toHaveLength(1);
    expect(iam[0]!.Resource).toBe(`arn:aws:iam::${ACCOUNT}:role/login-pipeline-${env}-*`);
    expect([iam[0]!.Action].flat()).not.toContain('iam:*');
  });

  it('service-wide permissions are limited to the stack region, and never reach the state key policy', () => {
    const policy = statements(inlinePolicy('login-pipeline-deploy-prod'));
    const wide = policy.find((s) => s.Sid === 'ManageStackServicesInRegion')!;
    expect(wide.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } });
    expect([wide.Action].flat()).not.toContain('iam:*');
    expect([wide.Action].flat().some((a) => a.startsWith('s3:') || a.startsWith('iam:') || a === '*')).toBe(false);
    const deny = policy.find((s) => s.Effect === 'Deny')!;
    expect(deny.Action).toEqual(expect.arrayContaining(['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion']));
  });
});

describe('state backend', () => {
  it('is a private, versioned, KMS-encrypted bucket reachable only over TLS', () => {
    const [block] = ofType('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock');
    expect(block!.inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    expect(ofType('aws:s3/bucketVersioning:BucketVersioning')[0]!.inputs.versioningConfiguration).toEqual({ status: 'Enabled' });
    const [sse] = ofType('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration');
    expect(JSON.stringify(sse!.inputs.rules)).toContain('aws:kms');
    const [deny] = statements(ofType('aws:s3/bucketPolicy:BucketPolicy')[0]!.inputs.policy);
    expect(deny).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });

  it('outputs what GitHub variables and stack init need', () => {
    expect(outputs.deployRoleArns).toEqual({
      dev: `arn:aws:iam::${ACCOUNT}:role/login-pipeline-deploy-dev`,
      prod: `arn:aws:iam::${ACCOUNT}:role/login-pipeline-deploy-prod`,
    });
    expect(outputs.pulumiBackendUrl).toBe(`s3://login-pipeline-pulumi-state-${ACCOUNT}?region=eu-west-1`);
    expect(outputs.secretsProvider).toBe('awskms://alias/login-pipeline-pulumi?region=eu-west-1');
  });
});

describe('bootstrap configuration', () => {
  it.each([
    ['OWNER/REPO', 'githubRepository'],
    ['acme/*', 'githubRepository'],
    ['acme', 'githubRepository'],
  ])('refuses repository "%s"', (githubRepository, key) => {
    expect(() => validateBootstrapConfig({ githubRepository, environments: ['dev'], region: 'eu-west-1' })).toThrow(
      expect.objectContaining({ key }),
    );
  });

  it('refuses a wildcard or duplicated environment', () => {
    expect(() => validateBootstrapConfig({ githubRepository: REPOSITORY, environments: ['*'], region: 'eu-west-1' })).toThrow(/environments/);
    expect(() => validateBootstrapConfig({ githubRepository: REPOSITORY, environments: ['dev', 'dev'], region: 'eu-west-1' })).toThrow(/twice/);
  });
});
