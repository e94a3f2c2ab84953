import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { skipWithout } from '../support/system-tools.js';
import { createFakeAws, type FakeAws } from './fake-aws.js';
import { REPO_WORKFLOWS } from './fixture-workflows.js';
import { StackOutputsError, stackOutputsToEnv } from '../../.github/scripts/stack-outputs-to-env.js';

const SCRIPTS = path.resolve(REPO_WORKFLOWS, '..', 'scripts');
const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/login-pipeline-dev';
const SHA = '0123456789abcdef0123456789abcdef01234567';
const IMAGE = `${REPO}:${SHA}`;
const OLD_TD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/login-migrate:7';
const NEW_TD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/login-migrate:8';
const TASK = 'arn:aws:ecs:eu-west-1:123456789012:task/login/0f1e2d3c4b5a';

// The scripts shape JSON with jq, as GitHub's runners provide it.
const noJq = skipWithout('jq', 'install it with: sudo apt-get install -y jq (macOS: brew install jq)');

let aws: FakeAws;
beforeEach((context) => {
  if (noJq) context.skip();
  aws = createFakeAws();
});
afterEach(() => {
  if (!noJq) aws.remove();
});

describe('run-migration.sh', () => {
  const env = {
    CLUSTER_NAME: 'login',
    MIGRATION_TASK_DEFINITION_ARN: OLD_TD,
    PRIVATE_SUBNET_IDS: 'subnet-a,subnet-b',
    MIGRATION_SECURITY_GROUP_ID: 'sg-migrate',
    ECR_REPOSITORY_URL: REPO,
    IMAGE_TAG: SHA,
  };

  function stackMigrationTaskDefinition(): void {
    aws.answer('ecs', 'describe-task-definition', {
      taskDefinition: {
        taskDefinitionArn: OLD_TD,
        family: 'login-migrate',
        revision: 7,
        status: 'ACTIVE',
        registeredAt: '2026-01-01T00:00:00Z',
        compatibilities: ['EC2', 'FARGATE'],
        requiresAttributes: [{ name: 'ecs.capability.execution-role-awslogs' }],
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
        taskRoleArn: 'arn:aws:iam::123456789012:role/task',
        containerDefinitions: [
          {
            name: 'migrate',
            image: `${REPO}:previous`,
            command: ['node', 'dist/service/migrate.js', 'up'],
            logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/login', 'awslogs-stream-prefix': 'migrate' } },
          },
          { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable' },
        ],
      },
      tags: [{ key: 'stack', value: 'dev' }],
    });
    aws.answer('ecs', 'register-task-definition', NEW_TD);
    aws.answer('ecs', 'run-task', { tasks: [{ taskArn: TASK }], failures: [] });
    aws.answer('logs', 'get-log-events', 'migrations: ran 1700000000000_user-logins');
  }

  function migrationExits(exitCode: number | null, extra: Record<string, unknown> = {}): void {
    aws.answer('ecs', 'describe-tasks', {
      tasks: [{ taskArn: TASK, lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', containers: [{ name: 'migrate', image: IMAGE, exitCode, ...extra }] }],
    });
  }

  it('runs the new image in the private subnets, waits for it, and passes when it exits 0', async () => {
    stackMigrationTaskDefinition();
    migrationExits(0);
    const result = await aws.run(path.join(SCRIPTS, 'run-migration.sh'), env);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('migrations succeeded');

    const registered = aws.input('ecs', 'register-task-definition') as Record<string, unknown> & { containerDefinitions: { image: string }[] };
    expect(registered.containerDefinitions.map((c) => c.image)).toEqual([IMAGE, 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable']);
    for (const readOnly of ['taskDefinitionArn', 'revision', 'status', 'registeredAt', 'compatibilities', 'requiresAttributes']) {
      expect(registered).not.toHaveProperty(readOnly);
    }
    expect(registered).toMatchObject({ family: 'login-migrate', taskRoleArn: 'arn:aws:iam::123456789012:role/task', tags: [{ key: 'stack', value: 'dev' }] });

    const calls = aws.calls();
    expect(calls.map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual([
      'ecs describe-task-definition',
      'ecs register-task-definition',
      'ecs run-task',
      'ecs wait',
      'ecs describe-tasks',
      'logs get-log-events',
    ]);
    const runTask = calls[2]!;
    expect(runTask).toContain(`--task-definition ${NEW_TD}`);
    expect(runTask).toContain('--launch-type FARGATE');
    expect(runTask).toContain(
      '--network-configuration {"awsvpcConfiguration":{"subnets":["subnet-a","subnet-b"],"securityGroups":["sg-migrate"],"assignPublicIp":"DISABLED"}}',
    );
    expect(calls[3]).toBe(`ecs wait tasks-stopped --cluster login --tasks ${TASK}`);
  });

  it('stops the deploy when the migration exits non-zero', async () => {
    stackMigrationTaskDefinition();
    migrationExits(1);
    const result = await aws.run(path.join(SCRIPTS, 'run-migration.sh'), env);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`::error::migration task ${TASK} failed; not deploying ${SHA}`);
    expect(result.stdout).toContain('container migrate: exitCode=1');
  });

  it('stops the deploy when the task never ran its container (no exit code)', async () => {
    stackMigrationTaskDefinition();
    migrationExits(null, { reason: 'CannotPullContainerError' });
    const result = await aws.run(path.join(SCRIPTS, 'run-migration.sh'), env);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('container migrate: exitCode=none reason=CannotPullContainerError');
  });

  it('stops the deploy without waiting when ECS cannot start the task', async () => {
    stackMigrationTaskDefinition();
    aws.answer('ecs', 'run-task', { tasks: [], failures: [{ reason: 'RESOURCE:ENI' }] });
    const result = await aws.run(path.join(SCRIPTS, 'run-migration.sh'), env);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('ECS could not start the migration task');
    expect(aws.calls().some((c) => c.startsWith('ecs wait'))).toBe(false);
  });

  it('keeps waiting when the CLI waiter gives up before a long migration ends', async () => {
    stackMigrationTaskDefinition();
    aws.answer('ecs', 'wait', '', { call: 1, exit: 255 });
    migrationExits(0);
    const result = await aws.run(path.join(SCRIPTS, 'run-migration.sh'), env);
    expect(result.status).toBe(0);
    expect(aws.calls().filter((c) => c.startsWith('ecs wait'))).toHaveLength(2);
  });

  it('refuses a migration task definition that does not run our image', async () => {
    stackMigrationTaskDefinition();
    const result = await aws.run(path.join(SCRIPTS, 'run-migration.sh'), { ...env, ECR_REPOSITORY_URL: `${REPO}-other` });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('no container of');
    expect(aws.calls().some((c) => c.startsWith('ecs run-task'))).toBe(false);
  });
});

describe('smoke-check.sh', () => {
  const SERVICE_TD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/login-consumer:12';
  const env = {
    CLUSTER_NAME: 'login',
    SERVICE_NAME: 'login-consumer',
    QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/logins',
    ECR_REPOSITORY_URL: REPO,
    IMAGE_TAG: SHA,
    SMOKE_SAMPLES: '3',
    SMOKE_INTERVAL_SECONDS: '0',
  };

  function healthyService(overrides: { running?: number; images?: string[]; health?: string; depths?: number[] } = {}): void {
    aws.answer('ecs', 'describe-services', { desiredCount: 2, runningCount: overrides.running ?? 2, taskDefinition: SERVICE_TD, deployments: [{ status: 'PRIMARY' }] });
    aws.answer('ecs', 'describe-task-definition', overrides.images ?? [IMAGE]);
    aws.answer('ecs', 'list-tasks', 'arn:task/a\tarn:task/b');
    aws.answer('ecs', 'describe-tasks', {
      tasks: ['a', 'b'].map((id) => ({ taskArn: `arn:task/${id}`, taskDefinitionArn: SERVICE_TD, lastStatus: 'RUNNING', healthStatus: overrides.health ?? 'HEALTHY' })),
    });
    (overrides.depths ?? [40, 12, 0]).forEach((depth, i) => aws.answer('sqs', 'get-queue-attributes', String(depth), { call: i + 1 }));
  }

  it('passes when the new tasks are all running, healthy and the queue drains', async () => {
    healthyService();
    const result = await aws.run(path.join(SCRIPTS, 'smoke-check.sh'), env);
    expect(result.stdout).toContain(`smoke check passed: 2 healthy tasks of ${SERVICE_TD}, queue 40 -> 0`);
    expect(result.status).toBe(0);
  });

  it.each([
    ['fewer tasks run than desired', { running: 1 }, 'running 1 != desired 2'],
    ['the service still runs the previous image', { images: [`${REPO}:previous`] }, `does not run ${IMAGE}`],
    ['a task is unhealthy', { health: 'UNHEALTHY' }, 'not every running task is a HEALTHY task'],
    ['the queue keeps growing', { depths: [10, 50, 90] }, 'queue grew from 10 to 90 messages'],
  ])('fails when %s', async (_what, overrides, message) => {
    healthyService(overrides);
    const result = await aws.run(path.join(SCRIPTS, 'smoke-check.sh'), env);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(message);
  });
});

describe('stack outputs for the deploy scripts', () => {
  const outputs = {
    queueUrl: 'https://sqs/q',
    dlqUrl: 'https://sqs/dlq',
    clusterName: 'login',
    serviceName: 'login-consumer',
    migrationTaskDefinitionArn: 'arn:td/migrate:1',
    migrationTaskFamily: 'login-migrate',
    privateSubnetIds: ['subnet-a', 'subnet-b'],
    migrationSecurityGroupId: 'sg-1',
    ecrRepositoryUrl: REPO,
    databaseEndpoint: 'db:5432',
    alarmTopicArn: 'arn:sns',
    logGroupName: '/login',
  };

  it('become the variables the scripts read', () => {
    expect(stackOutputsToEnv(outputs)).toEqual(
      expect.arrayContaining(['PRIVATE_SUBNET_IDS=subnet-a,subnet-b', `ECR_REPOSITORY_URL=${REPO}`, 'MIGRATION_TASK_DEFINITION_ARN=arn:td/migrate:1']),
    );
  });

  it('a missing output or an injected line break stops the deploy', () => {
    const { migrationSecurityGroupId: _dropped, ...missing } = outputs;
    expect(() => stackOutputsToEnv(missing)).toThrow(StackOutputsError);
    expect(() => stackOutputsToEnv({ ...outputs, clusterName: 'login\nIMAGE_TAG=evil' })).toThrow('line break');
  });
});
