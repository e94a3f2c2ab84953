// Per environment: a deploy role for CD and a read-only preview role for pull requests.
//
// The deploy role may run `pulumi up` of its stage: manage the services the stack is built from in
// this region, manage IAM roles only under the stage's own name prefix (so it cannot touch these
// roles or anything else in the account), and use the state bucket and secrets key. GitHub's
// environment protection (required reviewers, main branch only) decides when a job may ask for it.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { BootstrapConfig } from './config.js';
import { environmentSubject, githubTrustPolicy, pullRequestSubject } from './github-oidc.js';
import type { StateBackend } from './state-backend.js';

/** Services of the main stack (network, queue, database, service, alarms, registry, secrets). */
export const STACK_SERVICES = [
  'ec2',
  'ecs',
  'ecr',
  'rds',
  'sqs',
  'sns',
  'kms',
  'logs',
  'cloudwatch',
  'secretsmanager',
  'application-autoscaling',
  'elasticloadbalancing',
] as const;

export interface EnvironmentRoles {
  deploy: aws.iam.Role;
  preview: aws.iam.Role;
}

type Statement = Record<string, unknown>;

export function deployPolicy(
  config: BootstrapConfig,
  environment: string,
  accountId: pulumi.Input<string>,
  state: StateBackend,
): pulumi.Output<string> {
  const stagePrefix = `${config.stackPrefix}-${environment}-`;
  const statements: Statement[] = [
    {
      Sid: 'ManageStackServicesInRegion',
      Effect: 'Allow',
      Action: STACK_SERVICES.map((service) => `${service}:*`),
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': config.region } },
    },
    {
      Sid: 'ManageStageRolesOnly',
      Effect: 'Allow',
      Action: [
        'iam:CreateRole',
        'iam:DeleteRole',
        'iam:GetRole',
        'iam:UpdateRole',
        'iam:UpdateAssumeRolePolicy',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:ListRoleTags',
        'iam:PutRolePolicy',
        'iam:GetRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:ListRolePolicies',
        'iam:ListAttachedRolePolicies',
        'iam:ListInstanceProfilesForRole',
        'iam:PassRole',
      ],
      Resource: pulumi.interpolate`arn:aws:iam::${accountId}:role/${stagePrefix}*`,
    },
    {
      Sid: 'ServiceLinkedRolesOfTheStack',
      Effect: 'Allow',
      Action: 'iam:CreateServiceLinkedRole',
      Resource: '*',
      Condition: {
        StringEquals: {
          'iam:AWSServiceName': ['ecs.amazonaws.com', 'rds.amazonaws.com', 'ecs.application-autoscaling.amazonaws.com'],
        },
      },
    },
    {
      Sid: 'PulumiState',
      Effect: 'Allow',
      Action: ['s3:ListBucket', 's3:GetBucketLocation', 's3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      Resource: [state.bucket.arn, pulumi.interpolate`${state.bucket.arn}/*`],
    },
    {
      Sid: 'PulumiSecretsAndStateKey',
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      Resource: state.key.arn,
    },
    {
      // kms:* above must not reach the key that guards every stack's secrets.
      Sid: 'KeepTheStateKey',
      Effect: 'Deny',
      Action: ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:CreateGrant', 'kms:RevokeGrant'],
      Resource: state.key.arn,
    },
    {
      Sid: 'WhoAmI',
      Effect: 'Allow',
      Action: ['sts:GetCallerIdentity'],
      Resource: '*',
    },
  ];
  return pulumi.jsonStringify({ Version: '2012-10-17', Statement: statements });
}

export function previewPolicy(state: StateBackend): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadPulumiState',
        Effect: 'Allow',
        Action: ['s3:ListBucket', 's3:GetBucketLocation', 's3:GetObject'],
        Resource: [state.bucket.arn, pulumi.interpolate`${state.bucket.arn}/*`],
      },
      {
        // A preview takes the stack's lock like an update does; nothing else in the bucket is writable.
        Sid: 'PulumiLocks',
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:DeleteObject'],
        Resource: pulumi.interpolate`${state.bucket.arn}/.pulumi/locks/*`,
      },
      {
        Sid: 'DecryptStackSecrets',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Resource: state.key.arn,
      },
    ],
  });
}

export function createEnvironmentRoles(
  config: BootstrapConfig,
  environment: string,
  oidcProviderArn: pulumi.Input<string>,
  accountId: pulumi.Input<string>,
  state: StateBackend,
): EnvironmentRoles {
  const name = `${config.stackPrefix}-deploy-${environment}`;
  const deploy = new aws.iam.Role(name, {
    name,
    description: `CD of ${config.githubRepository} into ${environment} (GitHub environment ${environment} only)`,
    assumeRolePolicy: githubTrustPolicy(oidcProviderArn, [environmentSubject(config.githubRepository, environment)]),
    maxSessionDuration: 3600,
  });
  new aws.iam.RolePolicy(name, { role: deploy.id, policy: deployPolicy(config, environment, accountId, state) });

  const previewName = `${config.stackPrefix}-preview-${environment}`;
  const preview = new aws.iam.Role(previewName, {
    name: previewName,
    description: `pulumi preview of ${environment} for pull requests of ${config.githubRepository} (read only)`,
    assumeRolePolicy: githubTrustPolicy(oidcProviderArn, [pullRequestSubject(config.githubRepository)]),
    maxSessionDuration: 3600,
  });
  new aws.iam.RolePolicyAttachment(`${previewName}-read-only`, {
    role: preview.name,
    policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
  });
  new aws.iam.RolePolicy(previewName, { role: preview.id, policy: previewPolicy(state) });

  return { deploy, preview };
}
