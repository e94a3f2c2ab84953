// What must hold in every stage, and what differs between them, each stack built from its real
// Pulumi.<stage>.yaml. Stacks run one after another in this file: each run resets Pulumi's mocks and
// configuration and imports the program afresh.
import { beforeAll, describe, expect, it } from 'vitest';
import { databaseReachableOnlyFrom, EVERY_STAGE_POLICIES, ofType, RESOURCE_TYPES as T } from './policies.js';
import { runStack, type StackRun } from './stack-under-mocks.js';

const stacks: Record<string, StackRun> = {};

beforeAll(async () => {
  for (const stage of ['dev', 'prod']) {
    stacks[stage] = await runStack(stage, { 'login-pipeline:imageTag': `${stage}-0a1b2c3` });
  }
  stacks['dev-before-first-image'] = await runStack('dev');
});

function database(run: StackRun): Record<string, unknown> {
  const [db] = ofType(run.resources, T.instance);
  return db!.inputs;
}

describe.each(['dev', 'prod'])('every stage: %s', (stage) => {
  it.each(Object.entries(EVERY_STAGE_POLICIES))('%s', (_name, policy) => {
    expect(policy(stacks[stage]!.resources)).toEqual([]);
  });

  it('the database is reachable only from the service and migration groups', () => {
    const run = stacks[stage]!;
    const [service] = ofType(run.resources, T.service);
    const serviceGroups = (service!.inputs.networkConfiguration as { securityGroups: string[] }).securityGroups;
    expect(databaseReachableOnlyFrom([...serviceGroups, String(run.outputs.migrationSecurityGroupId)])(run.resources)).toEqual([]);
  });

  it('keeps a final snapshot and automated backups of the database', () => {
    const db = database(stacks[stage]!);
    expect(db.skipFinalSnapshot).toBe(false);
    expect(db.finalSnapshotIdentifier).toBe(`login-pipeline-${stage}-db-final`);
    expect(db.backupRetentionPeriod).toBeGreaterThanOrEqual(1);
  });

  it('names every resource after its stage', () => {
    expect(stacks[stage]!.outputs.clusterName).toBe(`login-pipeline-${stage}`);
  });
});

describe('stage differences', () => {
  it('prod runs a Multi-AZ database with deletion protection; dev a single-AZ one it can delete', () => {
    expect(database(stacks.prod!)).toMatchObject({ multiAz: true, deletionProtection: true });
    expect(database(stacks.dev!)).toMatchObject({ multiAz: false, deletionProtection: false });
  });

  it('prod keeps at least two tasks running and may scale further than dev', () => {
    const bounds = (run: StackRun) => ofType(run.resources, 'aws:appautoscaling/target:Target')[0]!.inputs;
    expect(bounds(stacks.prod!).minCapacity).toBeGreaterThanOrEqual(2);
    expect(Number(bounds(stacks.prod!).maxCapacity)).toBeGreaterThan(Number(bounds(stacks.dev!).maxCapacity));
  });

  it('prod spreads over more availability zones and keeps logs and backups longer', () => {
    const zones = (run: StackRun) => ofType(run.resources, 'awsx:ec2:Vpc')[0]!.inputs.numberOfAvailabilityZones as number;
    expect(zones(stacks.prod!)).toBeGreaterThan(zones(stacks.dev!));
    const retention = (run: StackRun) => ofType(run.resources, T.logGroup).map((g) => g.inputs.retentionInDays as number);
    expect(Math.min(...retention(stacks.prod!))).toBeGreaterThan(Math.max(...retention(stacks.dev!)));
    expect(Number(database(stacks.prod!).backupRetentionPeriod)).toBeGreaterThan(Number(database(stacks.dev!).backupRetentionPeriod));
  });
});

describe('a stack deployed before CD pushed its first image', () => {
  it('creates the service with no task and lets autoscaling start none', () => {
    const run = stacks['dev-before-first-image']!;
    const [service] = ofType(run.resources, T.service);
    expect(service!.inputs.desiredCount).toBe(0);
    const [target] = ofType(run.resources, 'aws:appautoscaling/target:Target');
    expect(target!.inputs).toMatchObject({ minCapacity: 0, maxCapacity: 0 });
  });
});
