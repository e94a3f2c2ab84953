// The whole stack, wired in the order of the architecture: network, queues, secrets, database,
// image registry, IAM, service, scaling, alarms. index.ts exports what this returns as stack outputs.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { createAlarms } from './alarms.js';
import { createAutoscaling } from './autoscaling.js';
import type { StackConfig } from './config.js';
import { createDashboard } from './dashboard.js';
import { createDatabase } from './database.js';
import { createNetwork } from './network.js';
import { createQueues } from './queue.js';
import { createRegistry } from './registry.js';
import { createRoles } from './roles.js';
import { createSecrets } from './secrets.js';
import { createService } from './service.js';

/** The outputs CD reads with `pulumi stack output`; the names are part of the contract with CD. */
export interface StackOutputs {
  queueUrl: pulumi.Output<string>;
  dlqUrl: pulumi.Output<string>;
  clusterName: pulumi.Output<string>;
  serviceName: pulumi.Output<string>;
  migrationTaskDefinitionArn: pulumi.Output<string>;
  migrationTaskFamily: pulumi.Output<string>;
  privateSubnetIds: pulumi.Output<string[]>;
  migrationSecurityGroupId: pulumi.Output<string>;
  ecrRepositoryUrl: pulumi.Output<string>;
  databaseEndpoint: pulumi.Output<string>;
  databasePort: pulumi.Output<number>;
  alarmTopicArn: pulumi.Output<string>;
  logGroupName: pulumi.Output<string>;
  dashboardName: pulumi.Output<string>;
  keysetSecretArn: pulumi.Output<string>;
  databaseSecretArn: pulumi.Output<string>;
}

export function createStack(config: StackConfig): StackOutputs {
  const accountId = aws.getCallerIdentityOutput().accountId;

  const network = createNetwork(config);
  const queues = createQueues(config);
  const secrets = createSecrets(config);
  const database = createDatabase(config, network);
  const repository = createRegistry(config);

  const logGroup = new aws.cloudwatch.LogGroup(`${config.prefix}-consumer-logs`, {
    name: `/ecs/${config.prefix}`,
    retentionInDays: config.service.logRetentionDays,
  });

  const roles = createRoles(config, {
    accountId,
    queueArn: queues.queue.arn,
    dlqArn: queues.dlq.arn,
    keysetSecretArn: secrets.keysetSecretArn,
    databaseSecretArn: database.masterSecretArn,
    repositoryArn: repository.arn,
    logGroupArn: logGroup.arn,
  });

  const consumer = createService(config, {
    network,
    queues,
    database,
    keysetSecretArn: secrets.keysetSecretArn,
    repositoryUrl: repository.repositoryUrl,
    logGroup,
    roles,
  });
  createAutoscaling(config, queues, consumer);

  const alarms = createAlarms(config, accountId, queues, consumer, database);
  const dashboard = createDashboard(config, alarms.specs);

  return {
    queueUrl: queues.queue.url,
    dlqUrl: queues.dlq.url,
    clusterName: consumer.cluster.name,
    serviceName: consumer.service.name,
    migrationTaskDefinitionArn: consumer.migrationTaskDefinition.arn,
    migrationTaskFamily: consumer.migrationTaskDefinition.family,
    privateSubnetIds: network.privateSubnetIds,
    migrationSecurityGroupId: network.migrationSecurityGroupId,
    ecrRepositoryUrl: repository.repositoryUrl,
    databaseEndpoint: database.address,
    databasePort: database.port,
    alarmTopicArn: alarms.topic.arn,
    logGroupName: logGroup.name,
    dashboardName: dashboard.dashboardName,
    keysetSecretArn: secrets.keysetSecretArn,
    databaseSecretArn: database.masterSecretArn,
  };
}
