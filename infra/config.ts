// The one place the stack reads its configuration. Every value is read and checked here, once, so a
// bad Pulumi.<stack>.yaml fails the preview with the key's name instead of half-way through an update.
import * as pulumi from '@pulumi/pulumi';

export type NatGatewayMode = 'none' | 'single' | 'onePerAz';

export interface AlarmSubscription {
  /** SNS protocol: email, https, sms, lambda, sqs, ... */
  protocol: string;
  endpoint: string;
}

export interface StackConfig {
  /** `login-pipeline-<stack>`: the prefix of every physical name. */
  prefix: string;
  stack: string;
  region: string;
  network: {
    cidrBlock: string;
    /** At least 2: the database subnet group and Multi-AZ need two zones. */
    availabilityZones: number;
    /** The service reaches AWS through VPC endpoints; a NAT gateway is only for egress beyond AWS. */
    natGateways: NatGatewayMode;
  };
  queue: {
    /** Receives before SQS moves a message to the DLQ. Default 5. */
    maxReceiveCount: number;
    /** Also passed to the consumer as VISIBILITY_TIMEOUT_SECONDS, so the two cannot disagree. Default 60. */
    visibilityTimeoutSeconds: number;
    /** Retention of the login queue. Default 4 days; the DLQ always keeps 14. */
    retentionDays: number;
  };
  database: {
    /** Major version, e.g. "17"; also picks the parameter group family. */
    engineVersion: string;
    instanceClass: string;
    allocatedStorageGb: number;
    maxAllocatedStorageGb: number;
    multiAz: boolean;
    deletionProtection: boolean;
    backupRetentionDays: number;
    name: string;
    masterUsername: string;
    logRetentionDays: number;
  };
  service: {
    /** Commit SHA set by CD. Unset only before the first image is pushed: the service then runs no task. */
    imageTag: string | undefined;
    cpu: number;
    memory: number;
    cpuArchitecture: 'X86_64' | 'ARM64';
    minTasks: number;
    maxTasks: number;
    /** Target of the backlog-per-task scaling policy, in visible messages per running task. */
    backlogPerTask: number;
    maskingMode: 'encrypt' | 'hash';
    logLevel: string;
    logRetentionDays: number;
    metricsNamespace: string;
    serviceName: string;
    healthPort: number;
  };
  alarms: {
    subscriptions: AlarmSubscription[];
    runbookBaseUrl: string;
    oldestMessageAgeSeconds: number;
    consumerErrorsPer5Minutes: number;
    serviceCpuPercent: number;
    serviceMemoryPercent: number;
    databaseCpuPercent: number;
    databaseFreeStorageGb: number;
    databaseConnections: number;
  };
}

export class StackConfigError extends Error {
  override readonly name = 'StackConfigError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`login-pipeline:${key}: ${message}`);
  }
}

function wholeNumber(config: pulumi.Config, key: string, fallback: number, min: number, max: number): number {
  const value = config.getNumber(key) ?? fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new StackConfigError(key, `must be a whole number between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function oneOf<T extends string>(config: pulumi.Config, key: string, allowed: readonly T[], fallback: T): T {
  const value = config.get(key) ?? fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new StackConfigError(key, `must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

function subscriptions(config: pulumi.Config): AlarmSubscription[] {
  const raw = config.getObject<unknown>('alarmSubscriptions') ?? [];
  if (!Array.isArray(raw)) throw new StackConfigError('alarmSubscriptions', 'must be a list of {protocol, endpoint}');
  return raw.map((entry: unknown, index) => {
    const { protocol, endpoint } = (entry ?? {}) as Record<string, unknown>;
    if (typeof protocol !== 'string' || typeof endpoint !== 'string' || !protocol || !endpoint) {
      throw new StackConfigError('alarmSubscriptions', `entry ${index} needs a protocol and an endpoint`);
    }
    return { protocol, endpoint };
  });
}

export function loadStackConfig(): StackConfig {
  const config = new pulumi.Config();
  const region = new pulumi.Config('aws').require('region');
  const stack = pulumi.getStack();
  const prefix = `${pulumi.getProject()}-${stack}`;

  const minTasks = wholeNumber(config, 'minTasks', 1, 1, 100);
  const maxTasks = wholeNumber(config, 'maxTasks', 4, 1, 100);
  if (maxTasks < minTasks) throw new StackConfigError('maxTasks', `must be at least minTasks (${minTasks})`);

  const allocatedStorageGb = wholeNumber(config, 'dbAllocatedStorageGb', 20, 20, 65_536);
  const maxAllocatedStorageGb = wholeNumber(config, 'dbMaxAllocatedStorageGb', 100, allocatedStorageGb, 65_536);
  const engineVersion = config.get('dbEngineVersion') ?? '17';
  if (!/^\d+$/.test(engineVersion)) {
    throw new StackConfigError('dbEngineVersion', `must be a major version like "17", got "${engineVersion}"`);
  }

  const imageTag = config.get('imageTag');
  if (imageTag !== undefined && !/^[\w][\w.-]{0,127}$/.test(imageTag)) {
    throw new StackConfigError('imageTag', `is not a valid image tag: "${imageTag}"`);
  }

  return {
    prefix,
    stack,
    region,
    network: {
      cidrBlock: config.get('vpcCidr') ?? '10.40.0.0/16',
      availabilityZones: wholeNumber(config, 'availabilityZones', 2, 2, 6),
      natGateways: oneOf(config, 'natGateways', ['none', 'single', 'onePerAz'] as const, 'none'),
    },
    queue: {
      maxReceiveCount: wholeNumber(config, 'maxReceiveCount', 5, 1, 1000),
      visibilityTimeoutSeconds: wholeNumber(config, 'visibilityTimeoutSeconds', 60, 5, 43_200),
      retentionDays: wholeNumber(config, 'queueRetentionDays', 4, 1, 14),
    },
    database: {
      engineVersion,
      instanceClass: config.get('dbInstanceClass') ?? 'db.t4g.small',
      allocatedStorageGb,
      maxAllocatedStorageGb,
      multiAz: config.getBoolean('dbMultiAz') ?? false,
      deletionProtection: config.getBoolean('dbDeletionProtection') ?? false,
      backupRetentionDays: wholeNumber(config, 'dbBackupRetentionDays', 7, 1, 35),
      name: config.get('dbName') ?? 'logins',
      masterUsername: config.get('dbMasterUsername') ?? 'login_admin',
      logRetentionDays: wholeNumber(config, 'dbLogRetentionDays', 30, 1, 3653),
    },
    service: {
      imageTag,
      cpu: wholeNumber(config, 'taskCpu', 512, 256, 16_384),
      memory: wholeNumber(config, 'taskMemory', 1024, 512, 122_880),
      cpuArchitecture: oneOf(config, 'cpuArchitecture', ['X86_64', 'ARM64'] as const, 'X86_64'),
      minTasks,
      maxTasks,
      backlogPerTask: wholeNumber(config, 'backlogPerTask', 1000, 1, 1_000_000),
      maskingMode: oneOf(config, 'maskingMode', ['encrypt', 'hash'] as const, 'encrypt'),
      logLevel: oneOf(config, 'logLevel', ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, 'info'),
      logRetentionDays: wholeNumber(config, 'logRetentionDays', 30, 1, 3653),
      metricsNamespace: config.get('metricsNamespace') ?? 'LoginPipeline',
      // Per stack, so dev and prod sharing an account never add up in one metric.
      serviceName: config.get('serviceName') ?? `login-consumer-${stack}`,
      healthPort: wholeNumber(config, 'healthPort', 8080, 1, 65_535),
    },
    alarms: {
      subscriptions: subscriptions(config),
      runbookBaseUrl: config.get('runbookBaseUrl') ?? 'https://github.com/OWNER/REPO/blob/main/docs/runbook.md',
      oldestMessageAgeSeconds: wholeNumber(config, 'alarmOldestMessageAgeSeconds', 300, 60, 1_209_600),
      consumerErrorsPer5Minutes: wholeNumber(config, 'alarmConsumerErrorsPer5Minutes', 10, 1, 1_000_000),
      serviceCpuPercent: wholeNumber(config, 'alarmServiceCpuPercent', 80, 1, 100),
      serviceMemoryPercent: wholeNumber(config, 'alarmServiceMemoryPercent', 80, 1, 100),
      databaseCpuPercent: wholeNumber(config, 'alarmDatabaseCpuPercent', 80, 1, 100),
      databaseFreeStorageGb: wholeNumber(config, 'alarmDatabaseFreeStorageGb', 5, 1, 65_536),
      databaseConnections: wholeNumber(config, 'alarmDatabaseConnections', 80, 1, 100_000),
    },
  };
}
