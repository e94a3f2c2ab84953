// Each policy must catch the breakage it exists for: the real dev stack is captured once, then a copy
// is broken on purpose in one place and the policy has to report exactly that.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  alarmsNotifyTopic,
  databaseIsPrivate,
  databaseReachableOnlyFrom,
  encryptionEverywhere,
  logsHaveRetention,
  noPublicTaskIp,
  noWildcardIam,
  ofType,
  RESOURCE_TYPES as T,
  tasksAreHardened,
  type CapturedResource,
} from './policies.js';
import { runStack } from './stack-under-mocks.js';

let healthy: CapturedResource[];
let allowedDatabaseClients: string[];

beforeAll(async () => {
  const run = await runStack('dev', { 'login-pipeline:imageTag': 'policy-fixture' });
  healthy = run.resources;
  const [service] = ofType(healthy, T.service);
  allowedDatabaseClients = [
    ...(service!.inputs.networkConfiguration as { securityGroups: string[] }).securityGroups,
    String(run.outputs.migrationSecurityGroupId),
  ];
});

/** A deep copy of the healthy stack with `breakIt` applied to the first resource of `type` it accepts. */
function broken(type: string, breakIt: (resource: CapturedResource) => void, which: (r: CapturedResource) => boolean = () => true) {
  const copy = structuredClone(healthy);
  const target = copy.find((resource) => resource.type === type && which(resource));
  if (!target) throw new Error(`fixture has no ${type} to break`);
  breakIt(target);
  return copy;
}

function rewritePolicy(resource: CapturedResource, edit: (statements: Record<string, unknown>[]) => void): void {
  const document = JSON.parse(resource.inputs.policy as string) as { Statement: Record<string, unknown>[] };
  edit(document.Statement);
  resource.inputs.policy = JSON.stringify(document);
}

function rewriteContainer(resource: CapturedResource, edit: (container: Record<string, unknown>) => void): void {
  const containers = JSON.parse(resource.inputs.containerDefinitions as string) as Record<string, unknown>[];
  edit(containers[0]!);
  resource.inputs.containerDefinitions = JSON.stringify(containers);
}

describe('policies hold on the real stack', () => {
  it('reports nothing for the stack as the program builds it', () => {
    for (const policy of [databaseIsPrivate, encryptionEverywhere, noWildcardIam, alarmsNotifyTopic, logsHaveRetention, tasksAreHardened, noPublicTaskIp]) {
      expect(policy(healthy)).toEqual([]);
    }
    expect(databaseReachableOnlyFrom(allowedDatabaseClients)(healthy)).toEqual([]);
  });
});

describe('a stack broken on purpose fails its policy', () => {
  it('a publicly accessible database', () => {
    const stack = broken(T.instance, (db) => (db.inputs.publiclyAccessible = true));
    expect(databaseIsPrivate(stack)).toEqual([expect.stringContaining('publiclyAccessible must be false')]);
  });

  it('an unencrypted queue, database or topic', () => {
    expect(encryptionEverywhere(broken(T.queue, (q) => delete q.inputs.sqsManagedSseEnabled))).toEqual([
      expect.stringContaining('queue is not encrypted'),
    ]);
    expect(encryptionEverywhere(broken(T.instance, (db) => (db.inputs.storageEncrypted = false)))).toEqual([
      expect.stringContaining('storageEncrypted must be true'),
    ]);
    expect(encryptionEverywhere(broken(T.topic, (topic) => delete topic.inputs.kmsMasterKeyId))).toEqual([
      expect.stringContaining('topic has no KMS key'),
    ]);
  });

  it('a wildcard action, a wildcard resource, or an AWS-managed policy', () => {
    const wildcardAction = broken(T.rolePolicy, (p) => rewritePolicy(p, (s) => (s[0]!.Action = ['sqs:*'])), (p) => p.name.endsWith('-consumer-task'));
    expect(noWildcardIam(wildcardAction)).toEqual([expect.stringContaining('wildcard action "sqs:*"')]);

    const wildcardResource = broken(T.rolePolicy, (p) => rewritePolicy(p, (s) => (s[0]!.Resource = '*')), (p) => p.name.endsWith('-consumer-task'));
    expect(noWildcardIam(wildcardResource)).toEqual([expect.stringContaining('Resource "*"')]);

    const managed = structuredClone(healthy);
    managed.push({
      type: T.attachment,
      name: 'execution-managed',
      id: 'execution-managed-id',
      inputs: { role: 'x', policyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy' },
      state: {},
    });
    expect(noWildcardIam(managed)).toEqual([expect.stringContaining('AmazonECSTaskExecutionRolePolicy')]);
  });

  it('an alarm that does not notify on OK', () => {
    const stack = broken(T.alarm, (alarm) => (alarm.inputs.okActions = []));
    expect(alarmsNotifyTopic(stack)).toEqual([expect.stringContaining('okActions does not notify the alarm topic')]);
  });

  it('a log group that keeps logs forever', () => {
    const stack = broken(T.logGroup, (group) => delete group.inputs.retentionInDays);
    expect(logsHaveRetention(stack)).toEqual([expect.stringContaining('no retention')]);
  });

  it('a database rule open to an address range', () => {
    const stack = broken(
      T.ingressRule,
      (rule) => {
        delete rule.inputs.referencedSecurityGroupId;
        rule.inputs.cidrIpv4 = '0.0.0.0/0';
      },
      (rule) => rule.name.includes('-db-from-'),
    );
    expect(databaseReachableOnlyFrom(allowedDatabaseClients)(stack).length).toBeGreaterThan(0);
  });

  it('a database rule admitting a group other than the task groups', () => {
    expect(databaseReachableOnlyFrom(allowedDatabaseClients.slice(0, 1))(healthy)).toEqual([
      expect.stringContaining('-db-from-migration: admits'),
    ]);
  });

  it('a container running as root, with a writable filesystem or a secret in plain environment', () => {
    const root = broken(T.taskDefinition, (t) => rewriteContainer(t, (c) => delete c.user));
    expect(tasksAreHardened(root)).toEqual([expect.stringContaining('runs as root')]);
    const writable = broken(T.taskDefinition, (t) => rewriteContainer(t, (c) => (c.readonlyRootFilesystem = false)));
    expect(tasksAreHardened(writable)).toEqual([expect.stringContaining('root filesystem is writable')]);
    const plainSecret = broken(
      T.taskDefinition,
      (t) => rewriteContainer(t, (c) => (c.environment as unknown[]).push({ name: 'MASKING_KEYSET', value: '{"active":"k1"}' })),
      (t) => t.name.endsWith('-consumer'),
    );
    expect(tasksAreHardened(plainSecret)).toEqual([expect.stringContaining('MASKING_KEYSET as a plain environment value')]);
  });

  it('a service whose tasks get a public IP', () => {
    const stack = broken(T.service, (service) => ((service.inputs.networkConfiguration as Record<string, unknown>).assignPublicIp = true));
    expect(noPublicTaskIp(stack)).toEqual([expect.stringContaining('public IP')]);
  });
});
