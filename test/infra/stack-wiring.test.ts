// The wiring of the real program, run under Pulumi mocks with the real Pulumi.dev.yaml and the image
// tag CD would set.
import * as pulumi from '@pulumi/pulumi';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALARM_IDS } from '../../infra/alarms.js';
import { DLQ_RETENTION_SECONDS } from '../../infra/queue.js';
import { prepareWorkersFor } from '../../infra/service.js';
import { databaseReachableOnlyFrom, ofType, RESOURCE_TYPES as T, type CapturedResource } from './policies.js';
import { FAKE_PRIVATE_ROUTE_TABLES, FAKE_VPC, runStack, type StackRun } from './stack-under-mocks.js';

const IMAGE_TAG = '3f9c2e1a7b';
/** How Pulumi marks a secret value on its way to a provider. */
const SECRET_SIGNATURE_KEY = pulumi.runtime.specialSigKey;
const SECRET_SIGNATURE = pulumi.runtime.specialSecretSig;
let dev: StackRun;

beforeAll(async () => {
  dev = await runStack('dev', { 'login-pipeline:imageTag': IMAGE_TAG });
});

function one(type: string, nameEnd: string): CapturedResource {
  const found = ofType(dev.resources, type).filter((r) => r.name.endsWith(nameEnd));
  expect(found.map((r) => r.name), `exactly one ${type} named *${nameEnd}`).toHaveLength(1);
  return found[0]!;
}

interface Container {
  name: string;
  image: string;
  command: string[];
  user: string;
  readonlyRootFilesystem: boolean;
  stopTimeout: number;
  environment: { name: string; value: string }[];
  secrets?: { name: string; valueFrom: string }[];
  healthCheck?: { command: string[] };
  logConfiguration: { logDriver: string; options: Record<string, string> };
}

function container(family: string): Container {
  const task = one(T.taskDefinition, family);
  const [only] = JSON.parse(task.inputs.containerDefinitions as string) as Container[];
  return only!;
}

function env(c: Container): Record<string, string> {
  return Object.fromEntries(c.environment.map(({ name, value }) => [name, value]));
}

function statements(roleName: string): { Action: string[]; Resource: string | string[] }[] {
  const policy = one('aws:iam/rolePolicy:RolePolicy', roleName);
  return (JSON.parse(policy.inputs.policy as string) as { Statement: { Action: string[]; Resource: string | string[] }[] }).Statement;
}

describe('queue', () => {
  it('redrives to the DLQ after the configured number of receives', () => {
    const queue = one(T.queue, '-logins');
    const dlq = one(T.queue, '-logins-dlq');
    const redrive = JSON.parse(queue.inputs.redrivePolicy as string) as Record<string, unknown>;
    expect(redrive).toEqual({ deadLetterTargetArn: dlq.state.arn, maxReceiveCount: dev.config['login-pipeline:maxReceiveCount'] });
    expect(redrive.maxReceiveCount).toBe(5);
  });

  it('keeps dead letters for 14 days and lets only the login queue redrive into the DLQ', () => {
    const queue = one(T.queue, '-logins');
    const dlq = one(T.queue, '-logins-dlq');
    expect(dlq.inputs.messageRetentionSeconds).toBe(DLQ_RETENTION_SECONDS);
    expect(DLQ_RETENTION_SECONDS).toBe(14 * 24 * 3600);
    const allow = one('aws:sqs/redriveAllowPolicy:RedriveAllowPolicy', 'dlq-redrive-allow');
    expect(allow.inputs.queueUrl).toBe(dlq.state.url);
    expect(JSON.parse(allow.inputs.redriveAllowPolicy as string)).toEqual({
      redrivePermission: 'byQueue',
      sourceQueueArns: [queue.state.arn],
    });
  });

  it('gives the consumer the same visibility timeout as the queue', () => {
    const queue = one(T.queue, '-logins');
    expect(queue.inputs.visibilityTimeoutSeconds).toBe(60);
    expect(env(container('-consumer')).VISIBILITY_TIMEOUT_SECONDS).toBe(String(queue.inputs.visibilityTimeoutSeconds));
  });
});

describe('network', () => {
  it('runs the service in the private subnets with no public IP', () => {
    const service = one(T.service, '-consumer');
    const network = service.inputs.networkConfiguration as Record<string, unknown>;
    expect(network.subnets).toEqual(FAKE_VPC.privateSubnetIds);
    expect(network.assignPublicIp).toBe(false);
    expect(network.securityGroups).toEqual([one(T.securityGroup, '-service-sg').id]);
    expect(dev.outputs.privateSubnetIds).toEqual(FAKE_VPC.privateSubnetIds);
  });

  it('puts the database in the isolated subnets', () => {
    const subnets = one('aws:rds/subnetGroup:SubnetGroup', '-db-subnets');
    expect(subnets.inputs.subnetIds).toEqual(FAKE_VPC.isolatedSubnetIds);
    expect(one(T.instance, '-db').inputs.dbSubnetGroupName).toBe(subnets.state.name);
  });

  it('reaches SQS, Secrets Manager, ECR, Logs and S3 through VPC endpoints, with no NAT gateway by default', () => {
    const endpoints = ofType(dev.resources, 'aws:ec2/vpcEndpoint:VpcEndpoint');
    const interfaces = endpoints.filter((e) => e.inputs.vpcEndpointType === 'Interface');
    expect(interfaces.map((e) => String(e.inputs.serviceName).replace('com.amazonaws.eu-west-1.', '')).sort()).toEqual(
      ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'sqs'],
    );
    for (const endpoint of interfaces) {
      expect(endpoint.inputs.subnetIds).toEqual(FAKE_VPC.privateSubnetIds);
      expect(endpoint.inputs.privateDnsEnabled).toBe(true);
    }
    const s3 = endpoints.find((e) => e.inputs.vpcEndpointType === 'Gateway');
    expect(s3?.inputs.serviceName).toBe('com.amazonaws.eu-west-1.s3');
    expect(s3?.inputs.routeTableIds).toEqual(FAKE_PRIVATE_ROUTE_TABLES);
    const vpc = one('awsx:ec2:Vpc', '-vpc');
    expect(vpc.inputs.natGateways).toEqual({ strategy: 'None' });
    expect(vpc.inputs.numberOfAvailabilityZones).toBeGreaterThanOrEqual(2);
  });

  it('lets only the service and migration groups reach the database, on 5432', () => {
    const allowed = [one(T.securityGroup, '-service-sg').id, String(dev.outputs.migrationSecurityGroupId)];
    expect(databaseReachableOnlyFrom(allowed)(dev.resources)).toEqual([]);
    const dbGroup = one(T.securityGroup, '-db-sg').id;
    const sources = ofType(dev.resources, T.ingressRule)
      .filter((rule) => rule.inputs.securityGroupId === dbGroup)
      .map((rule) => rule.inputs.referencedSecurityGroupId);
    expect(sources.sort()).toEqual([...allowed].sort());
  });
});

describe('database', () => {
  it('is private, encrypted, TLS-only, with an RDS-managed password, backups and Performance Insights', () => {
    const db = one(T.instance, '-db');
    expect(db.inputs).toMatchObject({
      engine: 'postgres',
      engineVersion: '17',
      publiclyAccessible: false,
      storageEncrypted: true,
      manageMasterUserPassword: true,
      performanceInsightsEnabled: true,
      skipFinalSnapshot: false,
      port: 5432,
    });
    expect(db.inputs.password).toBeUndefined();
    expect(db.inputs.backupRetentionPeriod).toBeGreaterThan(0);
    const params = one('aws:rds/parameterGroup:ParameterGroup', '-db-params');
    expect(params.inputs.family).toBe('postgres17');
    expect(params.inputs.parameters).toContainEqual(expect.objectContaining({ name: 'rds.force_ssl', value: '1' }));
    expect(db.inputs.parameterGroupName).toBe(params.state.name);
  });
});

describe('consumer task', () => {
  it('runs the image tag from stack config as a non-root user on a read-only filesystem', () => {
    const consumer = container('-consumer');
    expect(consumer.image).toBe(`${String(dev.outputs.ecrRepositoryUrl)}:${IMAGE_TAG}`);
    expect(consumer.command).toEqual(['dist/service/main.js']);
    expect(consumer.user).not.toMatch(/^(0|root)(:|$)/);
    expect(consumer.readonlyRootFilesystem).toBe(true);
    expect(consumer.stopTimeout).toBe(30);
    expect(Number(env(consumer).SHUTDOWN_TIMEOUT_MS)).toBeLessThan(consumer.stopTimeout * 1000);
  });

  it('injects the keyset from Secrets Manager and passes only ARNs and plain settings as environment', () => {
    const consumer = container('-consumer');
    expect(consumer.secrets).toEqual([{ name: 'MASKING_KEYSET', valueFrom: dev.outputs.keysetSecretArn }]);
    expect(env(consumer)).toMatchObject({
      AWS_REGION: 'eu-west-1',
      QUEUE_URL: dev.outputs.queueUrl,
      DLQ_URL: dev.outputs.dlqUrl,
      DATABASE_HOST: dev.outputs.databaseEndpoint,
      DATABASE_PORT: '5432',
      DATABASE_NAME: 'logins',
      DATABASE_USER: 'login_admin',
      DATABASE_SECRET_ID: dev.outputs.databaseSecretArn,
      DATABASE_TLS: 'verify-full',
      MASKING_MODE: 'encrypt',
      SERVICE_NAME: 'login-consumer-dev',
      // dev runs 256 CPU units: even a quarter vCPU gets one worker, which costs less CPU per message.
      PREPARE_WORKERS: '1',
    });
  });

  it('starts one validation worker thread for each whole vCPU beyond the first, and one on tasks of a vCPU or less', () => {
    expect([256, 512, 1024, 2048, 3072, 4096].map(prepareWorkersFor)).toEqual([1, 1, 1, 1, 2, 3]);
  });

  it('checks health through the health endpoint script and logs to the log group', () => {
    const consumer = container('-consumer');
    expect(consumer.healthCheck?.command).toEqual(['CMD', '/nodejs/bin/node', '/app/dist/service/healthcheck.js']);
    expect(consumer.logConfiguration.logDriver).toBe('awslogs');
    expect(consumer.logConfiguration.options['awslogs-group']).toBe(dev.outputs.logGroupName);
  });

  it('rolls back a deploy that fails, through the deployment circuit breaker', () => {
    const service = one(T.service, '-consumer');
    expect(service.inputs.deploymentCircuitBreaker).toEqual({ enable: true, rollback: true });
    expect(service.inputs.launchType).toBe('FARGATE');
  });

  it('has a migration task definition running the same image with the migrate command', () => {
    const migrate = container('-migrate');
    expect(migrate.image).toBe(container('-consumer').image);
    expect(migrate.command).toEqual(['dist/service/migrate.js', 'up']);
    expect(env(migrate)).toMatchObject({ DATABASE_SECRET_ID: dev.outputs.databaseSecretArn, DATABASE_USER: 'login_admin' });
    expect(dev.outputs.migrationTaskFamily).toBe('login-pipeline-dev-migrate');
  });
});

describe('IAM', () => {
  it('lets the consumer receive, delete and change visibility on the queue, send to the DLQ and read the two secrets, and nothing else', () => {
    const granted = statements('-consumer-task').flatMap((s) =>
      s.Action.flatMap((action) => [s.Resource].flat().map((resource) => `${action} ${resource}`)),
    );
    const queueArn = one(T.queue, '-logins').state.arn;
    const dlqArn = one(T.queue, '-logins-dlq').state.arn;
    expect(granted.sort()).toEqual(
      [
        `sqs:ReceiveMessage ${queueArn}`,
        `sqs:DeleteMessage ${queueArn}`,
        `sqs:ChangeMessageVisibility ${queueArn}`,
        `sqs:SendMessage ${dlqArn}`,
        `secretsmanager:GetSecretValue ${dev.outputs.keysetSecretArn}`,
        `secretsmanager:GetSecretValue ${dev.outputs.databaseSecretArn}`,
      ].sort(),
    );
  });

  it('lets the execution role pull the image, write logs and read only the secret it injects', () => {
    const granted = statements('-task-execution').flatMap((s) =>
      s.Action.flatMap((action) => [s.Resource].flat().map((resource) => `${action} ${resource}`)),
    );
    const repoArn = one(T.repository, '-consumer').state.arn;
    const logGroupArn = one(T.logGroup, '-consumer-logs').state.arn;
    expect(granted.sort()).toEqual(
      [
        'ecr:GetAuthorizationToken *',
        `ecr:BatchCheckLayerAvailability ${repoArn}`,
        `ecr:GetDownloadUrlForLayer ${repoArn}`,
        `ecr:BatchGetImage ${repoArn}`,
        `logs:CreateLogStream ${logGroupArn}:log-stream:*`,
        `logs:PutLogEvents ${logGroupArn}:log-stream:*`,
        `secretsmanager:GetSecretValue ${dev.outputs.keysetSecretArn}`,
      ].sort(),
    );
  });
});

describe('autoscaling', () => {
  it('tracks visible messages per running task between the configured bounds', () => {
    const target = one('aws:appautoscaling/target:Target', '-consumer-scaling');
    expect(target.inputs).toMatchObject({ minCapacity: 1, maxCapacity: 2, resourceId: 'service/login-pipeline-dev/login-pipeline-dev-consumer' });
    const policy = one('aws:appautoscaling/policy:Policy', '-backlog-per-task');
    const spec = (policy.inputs.targetTrackingScalingPolicyConfiguration as Record<string, unknown>) as {
      targetValue: number;
      customizedMetricSpecification: { metrics: { id: string; expression?: string; returnData?: boolean; metricStat?: { metric: { metricName: string; dimensions: { name: string; value: string }[] } } }[] };
    };
    expect(spec.targetValue).toBe(1000);
    const metrics = spec.customizedMetricSpecification.metrics;
    const returned = metrics.filter((m) => m.returnData);
    expect(returned).toHaveLength(1);
    expect(returned[0]?.expression).toBe('visible / running');
    const visible = metrics.find((m) => m.id === 'visible')?.metricStat?.metric;
    expect(visible?.metricName).toBe('ApproximateNumberOfMessagesVisible');
    expect(visible?.dimensions).toEqual([{ name: 'QueueName', value: one(T.queue, '-logins').state.name }]);
    expect(metrics.find((m) => m.id === 'running')?.metricStat?.metric.metricName).toBe('RunningTaskCount');
  });
});

describe('alarms and outputs', () => {
  it('has one alarm per runbook entry, each ending with its runbook link', () => {
    const alarms = ofType(dev.resources, T.alarm);
    expect(alarms.map((a) => a.inputs.name).sort()).toEqual(ALARM_IDS.map((id) => `login-pipeline-dev-${id}`).sort());
    for (const id of ALARM_IDS) {
      const alarm = one(T.alarm, `-${id}`);
      expect(alarm.inputs.alarmDescription).toMatch(new RegExp(`Runbook: ${dev.config['login-pipeline:runbookBaseUrl'] as string}#${id}$`));
    }
  });

  it('alarms on consumer errors from the service metrics and on a non-empty DLQ', () => {
    expect(one(T.alarm, '-consumer-errors').inputs).toMatchObject({
      namespace: 'LoginPipeline',
      metricName: 'ConsumerErrors',
      dimensions: { Service: 'login-consumer-dev' },
    });
    expect(one(T.alarm, '-dlq-not-empty').inputs).toMatchObject({
      dimensions: { QueueName: one(T.queue, '-logins-dlq').state.name },
      comparisonOperator: 'GreaterThanThreshold',
      threshold: 0,
    });
  });

  it('subscribes the configured endpoints to the alarm topic', () => {
    const subscriptions = ofType(dev.resources, 'aws:sns/topicSubscription:TopicSubscription');
    expect(subscriptions.map((s) => [s.inputs.protocol, s.inputs.endpoint, s.inputs.topic])).toEqual([
      ['email', 'login-pipeline-dev-alerts@example.com', dev.outputs.alarmTopicArn],
    ]);
  });

  it('draws every alarmed signal on the dashboard', () => {
    const dashboard = one('aws:cloudwatch/dashboard:Dashboard', '-dashboard');
    const body = JSON.parse(dashboard.inputs.dashboardBody as string) as { widgets: { properties: { title: string } }[] };
    expect(body.widgets.map((w) => w.properties.title)).toEqual([...ALARM_IDS]);
  });

  it('exports every output CD reads', () => {
    for (const name of [
      'queueUrl', 'dlqUrl', 'clusterName', 'serviceName', 'migrationTaskDefinitionArn', 'migrationTaskFamily',
      'privateSubnetIds', 'migrationSecurityGroupId', 'ecrRepositoryUrl', 'databaseEndpoint', 'alarmTopicArn', 'logGroupName',
    ]) {
      expect(dev.outputs[name], name).toBeTruthy();
    }
  });
});

describe('masking keyset secret', () => {
  it('is generated as a 64-byte keyset, marked secret in state and kept out of every output', () => {
    const version = one('aws:secretsmanager/secretVersion:SecretVersion', '-masking-keyset-initial');
    // Pulumi hands a secret to the provider wrapped with its secret signature; a plain string would mean
    // the keyset sits unencrypted in the state file.
    const wrapped = version.inputs.secretString as { [SECRET_SIGNATURE_KEY]?: string; value?: string };
    expect(wrapped[SECRET_SIGNATURE_KEY]).toBe(SECRET_SIGNATURE);
    const keyset = JSON.parse(wrapped.value ?? '') as { active: string; keys: Record<string, string> };
    expect(version.inputs.secretId).toBe(one('aws:secretsmanager/secret:Secret', '-masking-keyset').id);
    expect(keyset.active).toBe('k1');
    expect(keyset.keys.k1).toMatch(/^[0-9a-f]{128}$/);
    expect(JSON.stringify(dev.outputs)).not.toContain(keyset.keys.k1);
  });
});
