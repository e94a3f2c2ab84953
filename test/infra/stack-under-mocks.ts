// Runs the real Pulumi program (infra/index.ts) under pulumi.runtime.setMocks with the configuration
// of a real Pulumi.<stage>.yaml, and captures every resource it registers with its resolved inputs.
import * as pulumi from '@pulumi/pulumi';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { parse } from 'yaml';
import type { CapturedResource } from './policies.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ACCOUNT_ID = '123456789012';
/** What the awsx VPC component reports under mocks (remote components' children never appear). */
export const FAKE_VPC = {
  vpcId: 'vpc-0fake',
  privateSubnetIds: ['subnet-private-a', 'subnet-private-b'],
  isolatedSubnetIds: ['subnet-isolated-a', 'subnet-isolated-b'],
  publicSubnetIds: [] as string[],
};
export const FAKE_PRIVATE_ROUTE_TABLES = ['rtb-private-a', 'rtb-private-b'];

export interface StackRun {
  stage: string;
  config: Record<string, unknown>;
  resources: CapturedResource[];
  outputs: Record<string, unknown>;
  invokes: { token: string; inputs: Record<string, unknown> }[];
}

export function projectName(): string {
  const project = parse(readFileSync(path.join(ROOT, 'Pulumi.yaml'), 'utf8')) as { name: string };
  return project.name;
}

export function stageConfig(stage: string): Record<string, unknown> {
  const file = parse(readFileSync(path.join(ROOT, `Pulumi.${stage}.yaml`), 'utf8')) as { config: Record<string, unknown> };
  return file.config;
}

function arnFor(type: string, name: string, region: string): string {
  const service = type.split(':')[1]?.split('/')[0] ?? 'unknown';
  return `arn:aws:${service}:${region}:${ACCOUNT_ID}:${name}`;
}

function fakeState(args: pulumi.runtime.MockResourceArgs, region: string): Record<string, unknown> {
  const inputs = args.inputs as Record<string, unknown>;
  const name = (inputs.name as string | undefined) ?? args.name;
  const base = { ...inputs, name, arn: arnFor(args.type, name, region) };
  switch (args.type) {
    case 'awsx:ec2:Vpc':
      return { ...FAKE_VPC };
    case 'aws:sqs/queue:Queue':
      return { ...base, url: `https://sqs.${region}.amazonaws.com/${ACCOUNT_ID}/${name}` };
    case 'aws:ecr/repository:Repository':
      return { ...base, repositoryUrl: `${ACCOUNT_ID}.dkr.ecr.${region}.amazonaws.com/${name}` };
    case 'aws:rds/instance:Instance':
      return {
        ...base,
        address: `${name}.abc.${region}.rds.amazonaws.com`,
        port: 5432,
        masterUserSecrets: [{ secretArn: `arn:aws:secretsmanager:${region}:${ACCOUNT_ID}:secret:rds!db-fake`, secretStatus: 'active' }],
      };
    case 'aws:ec2/vpcEndpoint:VpcEndpoint':
      return { ...base, prefixListId: 'pl-s3fake' };
    case 'aws:ecs/taskDefinition:TaskDefinition':
      return { ...base, arn: `arn:aws:ecs:${region}:${ACCOUNT_ID}:task-definition/${String(inputs.family)}:1` };
    case 'aws:kms/key:Key':
      return { ...base, keyId: `${args.name}-key-id` };
    default:
      return base;
  }
}

/** Resolves once the program's outputs are known and no registration is still in flight. */
async function settle(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs)) {
    resolved[key] = pulumi.Output.isInstance(value)
      ? await new Promise((resolve) => (value as pulumi.Output<unknown>).apply(resolve))
      : value;
  }
  // Resources that no output depends on (alarms, rules) may register after the outputs resolve.
  // waitForRPCs is internal to the SDK (not in its typings), so check it is still there.
  const waitForRpcs = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
  if (typeof waitForRpcs !== 'function') throw new Error('@pulumi/pulumi no longer exports runtime.waitForRPCs');
  await waitForRpcs();
  return resolved;
}

/**
 * Loads Pulumi.<stage>.yaml (plus `overrides`, e.g. the imageTag CD would set), points Pulumi's mocks
 * at it and imports infra/index.ts afresh.
 */
export async function runStack(stage: string, overrides: Record<string, unknown> = {}): Promise<StackRun> {
  const config = { ...stageConfig(stage), ...overrides };
  const resources: CapturedResource[] = [];
  const invokes: StackRun['invokes'] = [];
  const region = String(config['aws:region']);

  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(config).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
    ),
  );
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const state = fakeState(args, region);
        const id = `${args.name}-id`;
        resources.push({ type: args.type, name: args.name, id, inputs: args.inputs as Record<string, unknown>, state });
        return { id, state };
      },
      call(args) {
        invokes.push({ token: args.token, inputs: args.inputs as Record<string, unknown> });
        switch (args.token) {
          case 'aws:index/getCallerIdentity:getCallerIdentity':
            return { accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:user/ci`, userId: 'AIDAFAKE', id: ACCOUNT_ID };
          case 'aws:ec2/getRouteTables:getRouteTables':
            return { ids: FAKE_PRIVATE_ROUTE_TABLES, id: 'rtbs', vpcId: args.inputs.vpcId };
          default:
            throw new Error(`unmocked invoke ${args.token}`);
        }
      },
    },
    projectName(),
    stage,
    false,
  );

  vi.resetModules();
  const program = (await import('../../infra/index.js')) as Record<string, unknown>;
  const outputs = await settle(program);
  return { stage, config, resources, outputs, invokes };
}
