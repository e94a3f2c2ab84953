// The consumer on ECS Fargate: a cluster, the consumer's task definition and service, and a second
// task definition that runs migrations from the same image as a one-off task.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from './config.js';
import type { Database } from './database.js';
import type { Network } from './network.js';
import type { Queues } from './queue.js';
import type { Roles } from './roles.js';

export interface ServiceInputs {
  network: Network;
  queues: Queues;
  database: Database;
  keysetSecretArn: pulumi.Output<string>;
  repositoryUrl: pulumi.Output<string>;
  logGroup: aws.cloudwatch.LogGroup;
  roles: Roles;
}

export interface ConsumerService {
  cluster: aws.ecs.Cluster;
  service: aws.ecs.Service;
  consumerTaskDefinition: aws.ecs.TaskDefinition;
  migrationTaskDefinition: aws.ecs.TaskDefinition;
}

/** The distroless image's non-root user (see service/Dockerfile). */
export const CONTAINER_USER = '65532:65532';
/** Node's path in the distroless image: it has no shell and no node on PATH for a health check. */
const NODE = '/nodejs/bin/node';
/** ECS waits this long after SIGTERM; the consumer's SHUTDOWN_TIMEOUT_MS (25 s) drains inside it. */
export const STOP_TIMEOUT_SECONDS = 30;
const SHUTDOWN_TIMEOUT_MS = 25_000;

type EnvironmentValue = pulumi.Input<string> | pulumi.Input<number>;

/**
 * One worker thread per whole vCPU beyond the first, and at least one. Inside a Fargate task Node
 * sees the host's vCPUs, not the task's share, so its own default would start one per host core
 * beyond the first. A task of a vCPU or less still gets one: under a CPU quota, validating and
 * masking on a worker cost less CPU per message than on the main thread (149-151 against 184-210 µs
 * at half a vCPU, and 1,269 against 1,180 msg/s at a quarter; docs/performance.md, "A task's CPU
 * quota").
 */
export function prepareWorkersFor(cpuUnits: number): number {
  return Math.max(1, Math.floor(cpuUnits / 1024) - 1);
}

/** ECS wants every value as a string; Outputs inside are resolved by pulumi.jsonStringify. */
function environment(values: Record<string, EnvironmentValue>) {
  return Object.entries(values).map(([name, value]) => ({
    name,
    value: pulumi.output(value).apply((resolved) => String(resolved)),
  }));
}

function logConfiguration(config: StackConfig, logGroupName: pulumi.Input<string>, streamPrefix: string) {
  return {
    logDriver: 'awslogs',
    options: {
      'awslogs-group': logGroupName,
      'awslogs-region': config.region,
      'awslogs-stream-prefix': streamPrefix,
      // A slow CloudWatch Logs endpoint must never block the consumer's stdout.
      mode: 'non-blocking',
      'max-buffer-size': '25m',
    },
  };
}

export function createService(config: StackConfig, inputs: ServiceInputs): ConsumerService {
  const { prefix, service: settings } = config;
  const { network, queues, database, roles } = inputs;
  // Without an image yet (a fresh stack, before CD's first push) the service exists but runs nothing.
  const imageTag = settings.imageTag ?? 'unset';
  const desiredCount = settings.imageTag === undefined ? 0 : settings.minTasks;
  const image = pulumi.interpolate`${inputs.repositoryUrl}:${imageTag}`;

  const cluster = new aws.ecs.Cluster(`${prefix}-cluster`, {
    name: `${prefix}`,
    settings: [{ name: 'containerInsights', value: 'enabled' }],
  });

  const databaseEnvironment: Record<string, EnvironmentValue> = {
    DATABASE_HOST: database.address,
    DATABASE_PORT: database.port,
    DATABASE_NAME: database.name,
    // PostgreSQL's startup message names the user before the password, so it is passed up front.
    DATABASE_USER: database.masterUsername,
    // An ARN, not a secret: the task role reads the secret at each new connection, so an RDS
    // password rotation never leaves the consumer with a stale password.
    DATABASE_SECRET_ID: database.masterSecretArn,
  };

  const common = {
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: String(settings.cpu),
    memory: String(settings.memory),
    runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: settings.cpuArchitecture },
    executionRoleArn: roles.executionRole.arn,
    // The root filesystem is read-only; /tmp is the one writable place, and it is per task.
    volumes: [{ name: 'tmp' }],
  };
  const hardening = {
    user: CONTAINER_USER,
    readonlyRootFilesystem: true,
    privileged: false,
    linuxParameters: { initProcessEnabled: true, capabilities: { drop: ['ALL'] } },
    mountPoints: [{ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false }],
    stopTimeout: STOP_TIMEOUT_SECONDS,
  };

  const consumerTaskDefinition = new aws.ecs.TaskDefinition(`${prefix}-consumer`, {
    family: `${prefix}-consumer`,
    ...common,
    taskRoleArn: roles.consumerTaskRole.arn,
    containerDefinitions: pulumi.jsonStringify([
      {
        name: 'consumer',
        image,
        essential: true,
        ...hardening,
        command: ['dist/service/main.js'],
        environment: environment({
          AWS_REGION: config.region,
          QUEUE_URL: queues.queue.url,
          DLQ_URL: queues.dlq.url,
          ...databaseEnvironment,
          DATABASE_TLS: 'verify-full',
          MASKING_MODE: settings.maskingMode,
          HEALTH_PORT: settings.healthPort,
          LOG_LEVEL: settings.logLevel,
          METRICS_NAMESPACE: settings.metricsNamespace,
          SERVICE_NAME: settings.serviceName,
          VISIBILITY_TIMEOUT_SECONDS: config.queue.visibilityTimeoutSeconds,
          SHUTDOWN_TIMEOUT_MS,
          PREPARE_WORKERS: prepareWorkersFor(settings.cpu),
        }),
        secrets: [{ name: 'MASKING_KEYSET', valueFrom: inputs.keysetSecretArn }],
        healthCheck: {
          command: ['CMD', NODE, '/app/dist/service/healthcheck.js'],
          interval: 15,
          timeout: 5,
          retries: 3,
          startPeriod: 30,
        },
        logConfiguration: logConfiguration(config, inputs.logGroup.name, 'consumer'),
      },
    ]),
  });

  const migrationTaskDefinition = new aws.ecs.TaskDefinition(`${prefix}-migrate`, {
    family: `${prefix}-migrate`,
    ...common,
    taskRoleArn: roles.migrationTaskRole.arn,
    containerDefinitions: pulumi.jsonStringify([
      {
        name: 'migrate',
        image,
        essential: true,
        ...hardening,
        command: ['dist/service/migrate.js', 'up'],
        environment: environment({ AWS_REGION: config.region, ...databaseEnvironment, DATABASE_TLS: 'verify-full' }),
        logConfiguration: logConfiguration(config, inputs.logGroup.name, 'migrate'),
      },
    ]),
  });

  const service = new aws.ecs.Service(
    `${prefix}-consumer`,
    {
      name: `${prefix}-consumer`,
      cluster: cluster.arn,
      taskDefinition: consumerTaskDefinition.arn,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      desiredCount,
      networkConfiguration: {
        subnets: network.privateSubnetIds,
        securityGroups: [network.serviceSecurityGroupId],
        assignPublicIp: false,
      },
      deploymentCircuitBreaker: { enable: true, rollback: true },
      // The consumer is idempotent, so a brief overlap of old and new tasks is safe and keeps the
      // queue drained during a deploy.
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      enableEcsManagedTags: true,
      propagateTags: 'SERVICE',
      waitForSteadyState: true,
    },
    // Autoscaling owns the running count once the service exists.
    { ignoreChanges: ['desiredCount'] },
  );

  return { cluster, service, consumerTaskDefinition, migrationTaskDefinition };
}
