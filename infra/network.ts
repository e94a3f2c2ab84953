// The VPC: private subnets for tasks, isolated subnets for the database, and VPC endpoints so the
// tasks reach SQS, Secrets Manager, ECR, CloudWatch Logs and S3 without a NAT gateway or a public IP.
import * as aws from '@pulumi/aws';
import * as awsx from '@pulumi/awsx';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from './config.js';

export interface Network {
  vpcId: pulumi.Output<string>;
  privateSubnetIds: pulumi.Output<string[]>;
  isolatedSubnetIds: pulumi.Output<string[]>;
  /** Group of the long-running consumer tasks. */
  serviceSecurityGroupId: pulumi.Output<string>;
  /** Group of the one-off migration tasks (CD passes it to run-task). */
  migrationSecurityGroupId: pulumi.Output<string>;
}

const INTERFACE_ENDPOINTS = ['sqs', 'secretsmanager', 'ecr.api', 'ecr.dkr', 'logs'] as const;

const natStrategy = { none: 'None', single: 'Single', onePerAz: 'OnePerAz' } as const;

export function createNetwork(config: StackConfig): Network {
  const { prefix, region, network } = config;
  const withNat = network.natGateways !== 'none';

  const vpc = new awsx.ec2.Vpc(`${prefix}-vpc`, {
    cidrBlock: network.cidrBlock,
    numberOfAvailabilityZones: network.availabilityZones,
    // Private DNS of interface endpoints needs both.
    enableDnsHostnames: true,
    enableDnsSupport: true,
    subnetStrategy: 'Auto',
    subnetSpecs: [
      // Public subnets exist only to hold NAT gateways; nothing of ours runs in them.
      ...(withNat ? [{ type: awsx.ec2.SubnetType.Public, cidrMask: 26 }] : []),
      { type: awsx.ec2.SubnetType.Private, cidrMask: 20 },
      { type: awsx.ec2.SubnetType.Isolated, cidrMask: 24 },
    ],
    natGateways: { strategy: natStrategy[network.natGateways] },
    tags: { Name: `${prefix}-vpc` },
  });

  const serviceSg = new aws.ec2.SecurityGroup(`${prefix}-service-sg`, {
    vpcId: vpc.vpcId,
    description: 'login consumer tasks: no inbound, outbound to VPC endpoints and the database only',
    // No inline rules: rules are separate resources so groups can reference each other without a
    // cycle (mixing the two makes the provider fight itself). The provider removes AWS's default
    // allow-all egress rule from a new group, so only the rules below exist.
  });
  const migrationSg = new aws.ec2.SecurityGroup(`${prefix}-migration-sg`, {
    vpcId: vpc.vpcId,
    description: 'one-off migration tasks: no inbound, outbound to VPC endpoints and the database only',
  });
  const endpointSg = new aws.ec2.SecurityGroup(`${prefix}-endpoints-sg`, {
    vpcId: vpc.vpcId,
    description: 'VPC interface endpoints: HTTPS from the task security groups only',
  });

  const taskGroups = { service: serviceSg, migration: migrationSg };
  for (const [role, group] of Object.entries(taskGroups)) {
    new aws.vpc.SecurityGroupIngressRule(`${prefix}-endpoints-from-${role}`, {
      securityGroupId: endpointSg.id,
      referencedSecurityGroupId: group.id,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description: `HTTPS from the ${role} tasks`,
    });
    new aws.vpc.SecurityGroupEgressRule(`${prefix}-${role}-to-endpoints`, {
      securityGroupId: group.id,
      referencedSecurityGroupId: endpointSg.id,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description: 'HTTPS to the VPC interface endpoints',
    });
  }

  const privateSubnetIds = vpc.privateSubnetIds;
  for (const service of INTERFACE_ENDPOINTS) {
    new aws.ec2.VpcEndpoint(`${prefix}-${service.replace('.', '-')}-endpoint`, {
      vpcId: vpc.vpcId,
      serviceName: `com.amazonaws.${region}.${service}`,
      vpcEndpointType: 'Interface',
      privateDnsEnabled: true,
      subnetIds: privateSubnetIds,
      securityGroupIds: [endpointSg.id],
      tags: { Name: `${prefix}-${service}` },
    });
  }

  // ECR keeps image layers in S3, so pulls need the S3 gateway endpoint on the private route tables.
  // The tables are children of the awsx component; dependsOn waits until they all exist.
  const privateRouteTables = aws.ec2.getRouteTablesOutput(
    { vpcId: vpc.vpcId, filters: [{ name: 'association.subnet-id', values: privateSubnetIds }] },
    { dependsOn: [vpc] },
  );
  const s3 = new aws.ec2.VpcEndpoint(`${prefix}-s3-endpoint`, {
    vpcId: vpc.vpcId,
    serviceName: `com.amazonaws.${region}.s3`,
    vpcEndpointType: 'Gateway',
    routeTableIds: privateRouteTables.ids,
    tags: { Name: `${prefix}-s3` },
  });
  for (const [role, group] of Object.entries(taskGroups)) {
    new aws.vpc.SecurityGroupEgressRule(`${prefix}-${role}-to-s3`, {
      securityGroupId: group.id,
      prefixListId: s3.prefixListId,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description: 'HTTPS to S3 through the gateway endpoint (ECR image layers)',
    });
  }

  // With a NAT gateway the tasks may also reach HTTPS beyond AWS; without one there is no route.
  if (withNat) {
    for (const [role, group] of Object.entries(taskGroups)) {
      new aws.vpc.SecurityGroupEgressRule(`${prefix}-${role}-to-internet`, {
        securityGroupId: group.id,
        cidrIpv4: '0.0.0.0/0',
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        description: 'HTTPS beyond AWS through the NAT gateway',
      });
    }
  }

  return {
    vpcId: vpc.vpcId,
    privateSubnetIds,
    isolatedSubnetIds: vpc.isolatedSubnetIds,
    serviceSecurityGroupId: serviceSg.id,
    migrationSecurityGroupId: migrationSg.id,
  };
}
