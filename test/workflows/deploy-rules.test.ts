import { describe, expect, it } from 'vitest';
import { loadFixture, REPO_WORKFLOWS } from './fixture-workflows.js';
import { loadWorkflowDir } from './load-workflows.js';
import { ALL_CHECKS, type Check } from './workflow-checks.js';

const checks = Object.entries(ALL_CHECKS) as [string, Check][];

describe('the repository workflows', () => {
  const workflows = loadWorkflowDir(REPO_WORKFLOWS);

  it.each(checks)('keep the rule %s', (_name, check) => {
    expect(check(workflows)).toEqual([]);
  });

  it('deploy dev then prod through the shared deploy workflow, each in its own environment', () => {
    const cd = workflows.get('cd.yml')!;
    const prod = cd.jobs.find((job) => job.id === 'deploy-prod')!;
    expect(prod.needs).toEqual(['deploy-dev']);
    expect(cd.jobs.find((job) => job.id === 'deploy-dev')!.with).toEqual({ environment: 'dev' });
    expect(prod.with).toEqual({ environment: 'prod' });
  });
});

describe('a deliberately broken workflow fails the rule it breaks', () => {
  it.each(checks)('the valid fixture keeps %s', (_name, check) => {
    expect(check(loadFixture('valid'))).toEqual([]);
  });

  const broken: [fixture: string, rule: keyof typeof ALL_CHECKS, problem: RegExp][] = [
    ['migrate-after-up', 'deployOrder', /dev: "pulumi up" runs before "run migrations"/],
    ['prod-not-after-dev', 'prodAfterDev', /prod deploy \(deploy-prod\) does not need the dev deploy/],
    ['long-lived-keys', 'oidc', /prod: configure-aws-credentials (has no role-to-assume|is given long-lived keys)/],
    ['shared-concurrency', 'concurrencyPerEnvironment', /prod: .*deploy-dev/],
    ['unpinned-action', 'pinnedActions', /pulumi\/actions@main is not pinned/],
    ['broad-permissions', 'leastPermissions', /build: permissions write-all/],
    ['untrusted-run', 'noExpressionsInRun', /github\.event\.pull_request\.title.*untrusted/],
    ['build-per-environment', 'buildOnce', /built by exactly one job, found 2/],
    ['ci-skips-tests', 'ciRunsSuite', /no pull_request workflow runs/],
    ['preview-one-stage', 'previewPerStage', /no pull request preview of stage prod/],
  ];

  it.each(broken)('%s fails %s', (fixture, rule, problem) => {
    const problems = ALL_CHECKS[rule](loadFixture(fixture));
    expect(problems.join('\n')).toMatch(problem);
  });
});
