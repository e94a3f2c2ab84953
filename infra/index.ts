// Pulumi entry point (Pulumi.yaml `main`). Each export is a stack output.
import { loadStackConfig } from './config.js';
import { createStack } from './stack.js';

const outputs = createStack(loadStackConfig());

export const queueUrl = outputs.queueUrl;
export const dlqUrl = outputs.dlqUrl;
export const clusterName = outputs.clusterName;
export const serviceName = outputs.serviceName;
export const migrationTaskDefinitionArn = outputs.migrationTaskDefinitionArn;
export const migrationTaskFamily = outputs.migrationTaskFamily;
export const privateSubnetIds = outputs.privateSubnetIds;
export const migrationSecurityGroupId = outputs.migrationSecurityGroupId;
export const ecrRepositoryUrl = outputs.ecrRepositoryUrl;
export const databaseEndpoint = outputs.databaseEndpoint;
export const databasePort = outputs.databasePort;
export const alarmTopicArn = outputs.alarmTopicArn;
export const logGroupName = outputs.logGroupName;
export const dashboardName = outputs.dashboardName;
export const keysetSecretArn = outputs.keysetSecretArn;
export const databaseSecretArn = outputs.databaseSecretArn;
