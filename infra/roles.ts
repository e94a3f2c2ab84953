// Least-privilege IAM for the tasks. Every statement names its resources; the one wildcard is
// ecr:GetAuthorizationToken, which AWS only grants on "*".
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from './config.js';

export interface RoleInputs {
  accountId: pulumi.Input<string>;
  queueArn: pulumi.Input<string>;
  dlqArn: pulumi.Input<string>;
  keysetSecretArn: pulumi.Input<string>;
  databaseSecretArn: pulumi.Input<string>;
  repositoryArn: pulumi.Input<string>;
  logGroupArn: pulumi.Input<string>;
}

export interface Roles {
  /** Assumed by the consumer's code. */
  consumerTaskRole: aws.iam.Role;
  /** Assumed by the migration code: it only needs the database secret. */
  migrationTaskRole: aws.iam.Role;
  /** Used by ECS itself to pull the image, write logs and inject secrets. */
  executionRole: aws.iam.Role;
}

interface Statement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: pulumi.Input<string> | pulumi.Input<string>[];
}

function taskAssumeRolePolicy(config: StackConfig, accountId: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'ecs-tasks.amazonaws.com' },
        Action: 'sts:AssumeRole',
        // Only ECS acting for this account and region may assume it (confused-deputy guard).
        Condition: {
          StringEquals: { 'aws:SourceAccount': accountId },
          ArnLike: { 'aws:SourceArn': pulumi.interpolate`arn:aws:ecs:${config.region}:${accountId}:*` },
        },
      },
    ],
  });
}

function role(config: StackConfig, accountId: pulumi.Input<string>, purpose: string, statements: Statement[]): aws.iam.Role {
  const name = `${config.prefix}-${purpose}`;
  const created = new aws.iam.Role(name, {
    assumeRolePolicy: taskAssumeRolePolicy(config, accountId),
    description: `login-pipeline ${config.stack}: ${purpose}`,
  });
  new aws.iam.RolePolicy(name, {
    role: created.id,
    policy: pulumi.jsonStringify({ Version: '2012-10-17', Statement: statements }),
  });
  return created;
}

export function createRoles(config: StackConfig, inputs: RoleInputs): Roles {
  const readDatabaseSecret: Statement = {
    Sid: 'ReadDatabaseSecret',
    Effect: 'Allow',
    Action: ['secretsmanager:GetSecretValue'],
    Resource: inputs.databaseSecretArn,
  };

  const consumerTaskRole = role(config, inputs.accountId, 'consumer-task', [
    {
      Sid: 'ConsumeLoginQueue',
      Effect: 'Allow',
      Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'],
      Resource: inputs.queueArn,
    },
    { Sid: 'QuarantineToDlq', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: inputs.dlqArn },
    {
      Sid: 'ReadSecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [inputs.keysetSecretArn, inputs.databaseSecretArn],
    },
  ]);

  const migrationTaskRole = role(config, inputs.accountId, 'migration-task', [readDatabaseSecret]);

  const executionRole = role(config, inputs.accountId, 'task-execution', [
    // The registry login token is account-wide; AWS accepts no narrower resource for this action.
    { Sid: 'RegistryLogin', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' },
    {
      Sid: 'PullImage',
      Effect: 'Allow',
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      Resource: inputs.repositoryArn,
    },
    {
      Sid: 'WriteLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: pulumi.interpolate`${inputs.logGroupArn}:log-stream:*`,
    },
    {
      Sid: 'InjectMaskingKeyset',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: inputs.keysetSecretArn,
    },
  ]);

  return { consumerTaskRole, migrationTaskRole, executionRole };
}
