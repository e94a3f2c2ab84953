// Stack configuration is checked once, at start: a bad value stops the program with the key's name
// before any resource is registered.
import { describe, expect, it } from 'vitest';
import { StackConfigError } from '../../infra/config.js';
import { ofType } from './policies.js';
import { runStack } from './stack-under-mocks.js';

describe('stack configuration', () => {
  it('rejects a maximum task count below the minimum, naming the key', async () => {
    const run = runStack('prod', { 'login-pipeline:minTasks': 3, 'login-pipeline:maxTasks': 2 });
    // The program is imported afresh for each run, so its error class is a different instance: match by name.
    await expect(run).rejects.toMatchObject({ name: StackConfigError.name, key: 'maxTasks' });
    await expect(run).rejects.toThrow(/login-pipeline:maxTasks/);
  });

  it('rejects an alarm subscription without an endpoint', async () => {
    await expect(runStack('dev', { 'login-pipeline:alarmSubscriptions': [{ protocol: 'email' }] })).rejects.toThrow(
      /alarmSubscriptions: entry 0 needs a protocol and an endpoint/,
    );
  });

  it('rejects a single availability zone', async () => {
    await expect(runStack('dev', { 'login-pipeline:availabilityZones': 1 })).rejects.toThrow(/availabilityZones/);
  });

  it('adds public subnets, NAT gateways and HTTPS egress beyond AWS only when NAT is asked for', async () => {
    const run = await runStack('dev', { 'login-pipeline:natGateways': 'single', 'login-pipeline:imageTag': 'nat-test' });
    const [vpc] = ofType(run.resources, 'awsx:ec2:Vpc');
    expect(vpc!.inputs.natGateways).toEqual({ strategy: 'Single' });
    expect((vpc!.inputs.subnetSpecs as { type: string }[]).map((s) => s.type)).toEqual(['Public', 'Private', 'Isolated']);
    const openEgress = (resources: typeof run.resources) =>
      ofType(resources, 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule')
        .filter((rule) => rule.inputs.cidrIpv4 === '0.0.0.0/0')
        .map((rule) => `${String(rule.inputs.ipProtocol)}/${String(rule.inputs.toPort)}`);
    expect(openEgress(run.resources)).toEqual(['tcp/443', 'tcp/443']);

    const withoutNat = await runStack('dev', { 'login-pipeline:imageTag': 'nat-test' });
    const [plainVpc] = ofType(withoutNat.resources, 'awsx:ec2:Vpc');
    expect((plainVpc!.inputs.subnetSpecs as { type: string }[]).map((s) => s.type)).toEqual(['Private', 'Isolated']);
    expect(openEgress(withoutNat.resources)).toEqual([]);
  });
});
