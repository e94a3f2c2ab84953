// PostgreSQL on RDS, in the isolated subnets, reachable on 5432 only from the consumer's and the
// migration task's security groups. RDS owns the master password (in Secrets Manager, rotated by
// RDS); the tasks read it at connection time, so nothing of it passes through Pulumi.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from './config.js';
import type { Network } from './network.js';

export interface Database {
  instance: aws.rds.Instance;
  identifier: string;
  address: pulumi.Output<string>;
  port: pulumi.Output<number>;
  name: string;
  masterUsername: string;
  /** ARN of the RDS-managed secret holding {username, password}. */
  masterSecretArn: pulumi.Output<string>;
  securityGroupId: pulumi.Output<string>;
}

export const POSTGRES_PORT = 5432;

export function createDatabase(config: StackConfig, network: Network): Database {
  const { prefix, database: db } = config;
  const identifier = `${prefix}-db`;

  const securityGroup = new aws.ec2.SecurityGroup(`${prefix}-db-sg`, {
    vpcId: network.vpcId,
    description: 'login database: PostgreSQL from the consumer and migration tasks only',
  });
  const clients = {
    service: network.serviceSecurityGroupId,
    migration: network.migrationSecurityGroupId,
  };
  for (const [role, clientGroupId] of Object.entries(clients)) {
    new aws.vpc.SecurityGroupIngressRule(`${prefix}-db-from-${role}`, {
      securityGroupId: securityGroup.id,
      referencedSecurityGroupId: clientGroupId,
      ipProtocol: 'tcp',
      fromPort: POSTGRES_PORT,
      toPort: POSTGRES_PORT,
      description: `PostgreSQL from the ${role} tasks`,
    });
    new aws.vpc.SecurityGroupEgressRule(`${prefix}-${role}-to-db`, {
      securityGroupId: clientGroupId,
      referencedSecurityGroupId: securityGroup.id,
      ipProtocol: 'tcp',
      fromPort: POSTGRES_PORT,
      toPort: POSTGRES_PORT,
      description: 'PostgreSQL to the login database',
    });
  }

  const subnetGroup = new aws.rds.SubnetGroup(`${prefix}-db-subnets`, {
    subnetIds: network.isolatedSubnetIds,
    description: 'isolated subnets: no route to or from the internet',
  });

  const parameterGroup = new aws.rds.ParameterGroup(`${prefix}-db-params`, {
    family: `postgres${db.engineVersion}`,
    description: 'login database: TLS required for every connection',
    parameters: [
      { name: 'rds.force_ssl', value: '1' },
      // Statements slower than a second are worth a log line when a batch write turns slow.
      { name: 'log_min_duration_statement', value: '1000' },
    ],
  });

  // Created before the instance so RDS's exported logs land in a group with a retention we chose,
  // rather than one RDS creates that never expires.
  const logGroup = new aws.cloudwatch.LogGroup(`${prefix}-db-postgresql-logs`, {
    name: `/aws/rds/instance/${identifier}/postgresql`,
    retentionInDays: db.logRetentionDays,
  });

  const instance = new aws.rds.Instance(
    identifier,
    {
      identifier,
      engine: 'postgres',
      engineVersion: db.engineVersion,
      autoMinorVersionUpgrade: true,
      instanceClass: db.instanceClass,
      allocatedStorage: db.allocatedStorageGb,
      maxAllocatedStorage: db.maxAllocatedStorageGb,
      storageType: 'gp3',
      storageEncrypted: true,
      dbName: db.name,
      username: db.masterUsername,
      manageMasterUserPassword: true,
      port: POSTGRES_PORT,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [securityGroup.id],
      publiclyAccessible: false,
      parameterGroupName: parameterGroup.name,
      // The consumer verifies the server certificate (DATABASE_TLS=verify-full) against this CA.
      caCertIdentifier: 'rds-ca-rsa2048-g1',
      multiAz: db.multiAz,
      deletionProtection: db.deletionProtection,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${identifier}-final`,
      copyTagsToSnapshot: true,
      backupRetentionPeriod: db.backupRetentionDays,
      backupWindow: '03:00-03:30',
      maintenanceWindow: 'sun:04:00-sun:05:00',
      performanceInsightsEnabled: true,
      performanceInsightsRetentionPeriod: 7,
      enabledCloudwatchLogsExports: ['postgresql'],
    },
    { dependsOn: [logGroup] },
  );

  return {
    instance,
    identifier,
    address: instance.address,
    port: instance.port,
    name: db.name,
    masterUsername: db.masterUsername,
    masterSecretArn: instance.masterUserSecrets.apply((secrets) => {
      const arn = secrets[0]?.secretArn;
      if (!arn) throw new Error(`RDS instance ${identifier} reported no managed master secret`);
      return arn;
    }),
    securityGroupId: securityGroup.id,
  };
}
