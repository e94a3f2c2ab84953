// Alarms to on-call. Every alarm notifies the topic on ALARM and on OK, and its description ends with
// the runbook anchor of the same id (docs/runbook.md).
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from './config.js';
import type { Database } from './database.js';
import type { Queues } from './queue.js';
import type { ConsumerService } from './service.js';

export const ALARM_IDS = [
  'dlq-not-empty',
  'oldest-message-age',
  'consumer-errors',
  'no-running-tasks',
  'service-cpu-high',
  'service-memory-high',
  'rds-cpu-high',
  'rds-free-storage-low',
  'rds-connections-high',
] as const;
export type AlarmId = (typeof ALARM_IDS)[number];

export interface AlarmSpec {
  summary: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, pulumi.Input<string>>;
  statistic: 'Sum' | 'Average' | 'Minimum' | 'Maximum';
  comparisonOperator: 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold';
  threshold: number;
  periodSeconds: number;
  evaluationPeriods: number;
  /** How a gap in the metric counts: the metric of an idle queue or an absent service has no data. */
  treatMissingData: 'notBreaching' | 'breaching' | 'missing';
}

export interface Alarms {
  topic: aws.sns.Topic;
  alarms: Record<AlarmId, aws.cloudwatch.MetricAlarm>;
  /** What each alarm watches; the dashboard draws the same metrics. */
  specs: Record<AlarmId, AlarmSpec>;
}

const GIB = 1024 ** 3;

function alarmTopic(config: StackConfig, accountId: pulumi.Input<string>): aws.sns.Topic {
  const { prefix } = config;
  // The AWS-managed SNS key does not let CloudWatch publish, so the topic gets its own key whose
  // policy admits the account (to manage it) and CloudWatch alarms (to publish).
  const key = new aws.kms.Key(`${prefix}-alarms-key`, {
    description: `login-pipeline ${config.stack}: encrypts the on-call alarm topic`,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    policy: pulumi.jsonStringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AccountAdministers',
          Effect: 'Allow',
          Principal: { AWS: pulumi.interpolate`arn:aws:iam::${accountId}:root` },
          Action: 'kms:*',
          // In a key policy "*" means this key and nothing else.
          Resource: '*',
        },
        {
          Sid: 'CloudWatchAlarmsPublish',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
        },
      ],
    }),
  });
  new aws.kms.Alias(`${prefix}-alarms-key`, { name: `alias/${prefix}-alarms`, targetKeyId: key.keyId });

  const topic = new aws.sns.Topic(`${prefix}-alarms`, {
    name: `${prefix}-alarms`,
    kmsMasterKeyId: key.arn,
  });
  config.alarms.subscriptions.forEach((subscription, index) => {
    new aws.sns.TopicSubscription(`${prefix}-alarms-${index}`, {
      topic: topic.arn,
      protocol: subscription.protocol,
      endpoint: subscription.endpoint,
    });
  });
  return topic;
}

export function alarmSpecs(config: StackConfig, queues: Queues, consumer: ConsumerService, database: Database): Record<AlarmId, AlarmSpec> {
  const thresholds = config.alarms;
  const service = { ClusterName: consumer.cluster.name, ServiceName: consumer.service.name };
  const rds = { DBInstanceIdentifier: database.identifier };
  return {
    'dlq-not-empty': {
      summary: 'Messages are waiting in the dead-letter queue: quarantined as invalid or failed maxReceiveCount times.',
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: queues.dlq.name },
      statistic: 'Maximum',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: 0,
      periodSeconds: 60,
      evaluationPeriods: 1,
      treatMissingData: 'notBreaching',
    },
    'oldest-message-age': {
      summary: `The oldest login event has waited more than ${thresholds.oldestMessageAgeSeconds} s: the consumer is behind or stuck.`,
      namespace: 'AWS/SQS',
      metricName: 'ApproximateAgeOfOldestMessage',
      dimensions: { QueueName: queues.queue.name },
      statistic: 'Maximum',
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      threshold: thresholds.oldestMessageAgeSeconds,
      periodSeconds: 60,
      evaluationPeriods: 5,
      treatMissingData: 'notBreaching',
    },
    'consumer-errors': {
      summary: `The consumer reported more than ${thresholds.consumerErrorsPer5Minutes} errors in 5 minutes (failed writes, failed SQS calls, unexpected errors).`,
      namespace: config.service.metricsNamespace,
      metricName: 'ConsumerErrors',
      dimensions: { Service: config.service.serviceName },
      statistic: 'Sum',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: thresholds.consumerErrorsPer5Minutes,
      periodSeconds: 300,
      evaluationPeriods: 1,
      treatMissingData: 'notBreaching',
    },
    'no-running-tasks': {
      summary: 'No consumer task is running: nothing is draining the login queue.',
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      dimensions: service,
      statistic: 'Minimum',
      comparisonOperator: 'LessThanThreshold',
      threshold: 1,
      periodSeconds: 60,
      evaluationPeriods: 3,
      // Container Insights stops reporting a service with no tasks: silence means none are running.
      treatMissingData: 'breaching',
    },
    'service-cpu-high': {
      summary: `Consumer CPU above ${thresholds.serviceCpuPercent}% for 15 minutes.`,
      namespace: 'AWS/ECS',
      metricName: 'CPUUtilization',
      dimensions: service,
      statistic: 'Average',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: thresholds.serviceCpuPercent,
      periodSeconds: 300,
      evaluationPeriods: 3,
      treatMissingData: 'missing',
    },
    'service-memory-high': {
      summary: `Consumer memory above ${thresholds.serviceMemoryPercent}% for 15 minutes.`,
      namespace: 'AWS/ECS',
      metricName: 'MemoryUtilization',
      dimensions: service,
      statistic: 'Average',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: thresholds.serviceMemoryPercent,
      periodSeconds: 300,
      evaluationPeriods: 3,
      treatMissingData: 'missing',
    },
    'rds-cpu-high': {
      summary: `Database CPU above ${thresholds.databaseCpuPercent}% for 15 minutes.`,
      namespace: 'AWS/RDS',
      metricName: 'CPUUtilization',
      dimensions: rds,
      statistic: 'Average',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: thresholds.databaseCpuPercent,
      periodSeconds: 300,
      evaluationPeriods: 3,
      treatMissingData: 'missing',
    },
    'rds-free-storage-low': {
      summary: `Database free storage below ${thresholds.databaseFreeStorageGb} GiB.`,
      namespace: 'AWS/RDS',
      metricName: 'FreeStorageSpace',
      dimensions: rds,
      statistic: 'Minimum',
      comparisonOperator: 'LessThanThreshold',
      threshold: thresholds.databaseFreeStorageGb * GIB,
      periodSeconds: 300,
      evaluationPeriods: 1,
      treatMissingData: 'missing',
    },
    'rds-connections-high': {
      summary: `More than ${thresholds.databaseConnections} database connections for 10 minutes.`,
      namespace: 'AWS/RDS',
      metricName: 'DatabaseConnections',
      dimensions: rds,
      statistic: 'Maximum',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: thresholds.databaseConnections,
      periodSeconds: 300,
      evaluationPeriods: 2,
      treatMissingData: 'missing',
    },
  };
}

export function runbookLink(config: StackConfig, id: AlarmId): string {
  return `Runbook: ${config.alarms.runbookBaseUrl}#${id}`;
}

export function createAlarms(
  config: StackConfig,
  accountId: pulumi.Input<string>,
  queues: Queues,
  consumer: ConsumerService,
  database: Database,
): Alarms {
  const topic = alarmTopic(config, accountId);
  const specs = alarmSpecs(config, queues, consumer, database);
  const alarms = Object.fromEntries(
    ALARM_IDS.map((id) => {
      const spec = specs[id];
      const alarm = new aws.cloudwatch.MetricAlarm(`${config.prefix}-${id}`, {
        name: `${config.prefix}-${id}`,
        alarmDescription: `${spec.summary} ${runbookLink(config, id)}`,
        namespace: spec.namespace,
        metricName: spec.metricName,
        dimensions: spec.dimensions,
        statistic: spec.statistic,
        comparisonOperator: spec.comparisonOperator,
        threshold: spec.threshold,
        period: spec.periodSeconds,
        evaluationPeriods: spec.evaluationPeriods,
        treatMissingData: spec.treatMissingData,
        alarmActions: [topic.arn],
        okActions: [topic.arn],
      });
      return [id, alarm];
    }),
  ) as Record<AlarmId, aws.cloudwatch.MetricAlarm>;
  return { topic, alarms, specs };
}
