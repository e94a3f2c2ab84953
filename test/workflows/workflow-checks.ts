// The rules our delivery workflows must keep, as functions over a directory of workflows. Each
// returns the problems it found (empty = rule kept), so a test can show both that the real
// workflows pass and that a workflow broken on purpose fails for the right reason.
import { expandJobs, transitiveNeeds, type Job, type Permissions, type Step, type Workflow } from './load-workflows.js';

export type Workflows = Map<string, Workflow>;
export type Check = (workflows: Workflows) => string[];

export const ENVIRONMENTS = ['dev', 'prod'] as const;

const isPush = (s: Step) => /push-image\.sh|docker push/.test(s.run ?? '');
const isMigrate = (s: Step) => /run-migration\.sh|aws ecs run-task/.test(s.run ?? '');
const isPulumi = (s: Step, command: string) =>
  (s.uses?.startsWith('pulumi/actions@') === true && String(s.with?.command ?? '') === command) ||
  new RegExp(`\\bpulumi ${command}\\b`).test(s.run ?? '');
const isSmoke = (s: Step) => /smoke-check\.sh/.test(s.run ?? '');
const isAwsAuth = (s: Step) => s.uses?.startsWith('aws-actions/configure-aws-credentials@') === true;

function isPushToMain(workflow: Workflow): boolean {
  if (!('push' in workflow.on)) return false;
  const push = workflow.on.push as { branches?: unknown } | null;
  const branches = push?.branches;
  return Array.isArray(branches) && branches.includes('main');
}

/** The workflow(s) that deploy on merge to main, with reusable workflows expanded. */
function deployWorkflows(workflows: Workflows): { workflow: Workflow; jobs: Job[] }[] {
  return [...workflows.values()]
    .filter(isPushToMain)
    .map((workflow) => ({ workflow, jobs: expandJobs(workflow, workflows) }))
    .filter(({ jobs }) => jobs.some((job) => job.environment !== undefined));
}

function environmentJobs(workflows: Workflows): { env: string; job: Job; jobs: Job[] }[] {
  return deployWorkflows(workflows).flatMap(({ jobs }) =>
    jobs.filter((job) => job.environment !== undefined).map((job) => ({ env: job.environment!, job, jobs })),
  );
}

/** Each environment has exactly one deploy job on merge to main. */
function requireEnvironments(workflows: Workflows): string[] {
  const found = environmentJobs(workflows).map(({ env }) => env);
  return ENVIRONMENTS.flatMap((env) => {
    const count = found.filter((e) => e === env).length;
    return count === 1 ? [] : [`expected one deploy job for environment ${env} on push to main, found ${count}`];
  });
}

const stepIndex = (job: Job, match: (s: Step) => boolean) => job.steps.findIndex(match);

export const deployOrder: Check = (workflows) => {
  const problems = requireEnvironments(workflows);
  for (const { env, job } of environmentJobs(workflows)) {
    const order: [string, number][] = [
      ['push the image', stepIndex(job, isPush)],
      ['run migrations', stepIndex(job, isMigrate)],
      ['pulumi up', stepIndex(job, (s) => isPulumi(s, 'up'))],
      ['smoke check', stepIndex(job, isSmoke)],
    ];
    for (const [what, index] of order) if (index < 0) problems.push(`${env}: no step to ${what}`);
    for (let i = 1; i < order.length; i++) {
      const [before, a] = order[i - 1]!;
      const [after, b] = order[i]!;
      if (a >= 0 && b >= 0 && a > b) problems.push(`${env}: "${after}" runs before "${before}"`);
    }
    const up = job.steps.find((s) => isPulumi(s, 'up'));
    if (up?.uses && !/login-pipeline:imageTag[\s\S]*github\.sha/.test(String(up.with?.['config-map'] ?? ''))) {
      problems.push(`${env}: pulumi up does not set login-pipeline:imageTag to the commit SHA`);
    }
  }
  return problems;
};

export const buildOnce: Check = (workflows) => {
  const problems: string[] = [];
  for (const { workflow, jobs } of deployWorkflows(workflows)) {
    const builders = jobs.filter((job) => job.steps.some((s) => /\bdocker build\b/.test(s.run ?? '')));
    if (builders.length !== 1) {
      problems.push(`${workflow.file}: the image must be built by exactly one job, found ${builders.length}`);
      continue;
    }
    const builder = builders[0]!;
    if (builder.environment !== undefined) problems.push(`${workflow.file}: the image is built inside the ${builder.environment} deploy`);
    for (const job of jobs.filter((j) => j.environment !== undefined)) {
      if (!transitiveNeeds(job, jobs).has(builder.id)) problems.push(`${job.environment}: deploy does not wait for the image build`);
    }
    if (!transitiveNeeds(builder, jobs).size || ![...transitiveNeeds(builder, jobs)].some((id) => runsTestSuite(jobs.find((j) => j.id === id)))) {
      problems.push(`${workflow.file}: the image is built without waiting for the test suite`);
    }
  }
  return problems;
};

export const prodAfterDev: Check = (workflows) => {
  const problems = requireEnvironments(workflows);
  if (problems.length > 0) return problems;
  const jobs = environmentJobs(workflows);
  const dev = jobs.find((j) => j.env === 'dev')!;
  const prod = jobs.find((j) => j.env === 'prod')!;
  if (!transitiveNeeds(prod.job, prod.jobs).has(dev.job.id)) {
    problems.push(`prod deploy (${prod.job.id}) does not need the dev deploy (${dev.job.id})`);
  }
  return problems;
};

function permission(permissions: Permissions, scope: string): string | undefined {
  if (permissions === 'write-all') return 'write';
  if (permissions === 'read-all') return 'read';
  return permissions?.[scope];
}

export const oidc: Check = (workflows) => {
  const problems = requireEnvironments(workflows);
  for (const { env, job } of environmentJobs(workflows)) {
    if (permission(job.permissions, 'id-token') !== 'write') problems.push(`${env}: job lacks permissions id-token: write`);
    if ('callerPermissions' in job && permission(job.callerPermissions, 'id-token') !== 'write') {
      problems.push(`${env}: the calling job does not grant id-token: write`);
    }
    const auth = job.steps.findIndex(isAwsAuth);
    const step = job.steps[auth];
    if (!step) {
      problems.push(`${env}: no aws-actions/configure-aws-credentials step`);
      continue;
    }
    if (!String(step.with?.['role-to-assume'] ?? '').trim()) problems.push(`${env}: configure-aws-credentials has no role-to-assume`);
    if (step.with?.['aws-access-key-id'] !== undefined || step.with?.['aws-secret-access-key'] !== undefined) {
      problems.push(`${env}: configure-aws-credentials is given long-lived keys`);
    }
    const firstAwsUse = job.steps.findIndex((s) => isPush(s) || isMigrate(s) || isPulumi(s, 'up'));
    if (firstAwsUse >= 0 && auth > firstAwsUse) problems.push(`${env}: AWS is used before authenticating`);
  }
  for (const workflow of workflows.values()) {
    if (/secrets\.AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY)/.test(JSON.stringify(workflow.raw))) {
      problems.push(`${workflow.file}: reads long-lived AWS keys from secrets`);
    }
  }
  return problems;
};

export const concurrencyPerEnvironment: Check = (workflows) => {
  const problems = requireEnvironments(workflows);
  const groups = new Map<string, string>();
  for (const { env, job } of environmentJobs(workflows)) {
    const group = job.concurrency?.group;
    if (!group) {
      problems.push(`${env}: deploy job has no concurrency group`);
      continue;
    }
    if (!group.includes(env)) problems.push(`${env}: concurrency group "${group}" is not specific to the environment`);
    if (/github\.(sha|run_id|run_number|ref)\b/.test(group)) problems.push(`${env}: concurrency group "${group}" differs per run`);
    const cancel = job.concurrency?.cancelInProgress;
    if (cancel === true || cancel === 'true') problems.push(`${env}: a new deploy would cancel one in progress`);
    const other = [...groups].find(([, g]) => g === group);
    if (other) problems.push(`${env}: shares concurrency group "${group}" with ${other[0]}`);
    groups.set(env, group);
  }
  return problems;
};

const PINNED = /@(?:[0-9a-f]{40}|v\d+\.\d+\.\d+)$/;

export const pinnedActions: Check = (workflows) => {
  const problems: string[] = [];
  for (const workflow of workflows.values()) {
    for (const job of workflow.jobs) {
      const uses = [job.uses, ...job.steps.map((s) => s.uses)].filter((u): u is string => u !== undefined);
      for (const ref of uses) {
        if (ref.startsWith('./')) continue;
        if (ref.startsWith('docker://')) {
          if (!/@sha256:[0-9a-f]{64}$|:[\w.-]+$/.test(ref) || /:latest$/.test(ref)) problems.push(`${workflow.file} ${job.id}: ${ref} is not pinned`);
          continue;
        }
        if (!PINNED.test(ref)) problems.push(`${workflow.file} ${job.id}: ${ref} is not pinned to a version or commit`);
      }
    }
  }
  return problems;
};

/** Write scopes a job may hold, and what in the job justifies each. */
const WRITE_NEEDS: Record<string, (job: Job, workflows: Workflows) => boolean> = {
  'id-token': (job, workflows) => job.steps.some(isAwsAuth) || calleeJobs(job, workflows).some((j) => j.steps.some(isAwsAuth)),
  'pull-requests': (job) => job.steps.some((s) => String(s.with?.['comment-on-pr'] ?? '') === 'true'),
};

function calleeJobs(job: Job, workflows: Workflows): Job[] {
  const local = job.uses?.match(/^\.\/\.github\/workflows\/([^/@]+)$/);
  return local ? (workflows.get(local[1]!)?.jobs ?? []) : [];
}

function isEmptyObject(value: unknown): boolean {
  return value !== null && typeof value === 'object' && Object.keys(value).length === 0;
}

export const leastPermissions: Check = (workflows) => {
  const problems: string[] = [];
  for (const workflow of workflows.values()) {
    if (!isEmptyObject(workflow.permissions)) problems.push(`${workflow.file}: workflow-level permissions must be {} (grant per job)`);
    for (const job of workflow.jobs) {
      const where = `${workflow.file} ${job.id}`;
      if (job.permissions === undefined) {
        problems.push(`${where}: declares no permissions (it would get the repository default)`);
        continue;
      }
      if (typeof job.permissions === 'string') {
        problems.push(`${where}: permissions ${job.permissions}`);
        continue;
      }
      for (const [scope, level] of Object.entries(job.permissions)) {
        if (level !== 'write') continue;
        const need = WRITE_NEEDS[scope];
        if (!need) problems.push(`${where}: ${scope}: write is never needed`);
        else if (!need(job, workflows)) problems.push(`${where}: ${scope}: write is not used by any step`);
      }
      for (const inner of calleeJobs(job, workflows)) {
        for (const [scope, level] of Object.entries(typeof inner.permissions === 'object' ? inner.permissions : {})) {
          const granted = permission(job.permissions, scope);
          if (level === 'write' ? granted !== 'write' : granted === undefined) {
            problems.push(`${where}: calls ${job.uses} whose job ${inner.id} needs ${scope}: ${level}, not granted`);
          }
        }
      }
    }
  }
  return problems;
};

export const noExpressionsInRun: Check = (workflows) => {
  const problems: string[] = [];
  for (const workflow of workflows.values()) {
    for (const job of workflow.jobs) {
      job.steps.forEach((step, i) => {
        for (const expression of (step.run ?? '').match(/\$\{\{[\s\S]*?\}\}/g) ?? []) {
          const untrusted = /github\.(event|head_ref)\b/.test(expression) ? ' (untrusted event data)' : '';
          problems.push(`${workflow.file} ${job.id} step ${step.id ?? step.name ?? i + 1}: ${expression} in run:${untrusted}; pass it through env:`);
        }
      });
    }
  }
  return problems;
};

const SUITE = ['npm ci', 'npm run lint', 'npm run typecheck', 'npm test'];

function runsTestSuite(job: Job | undefined): boolean {
  const runs = job?.steps.map((s) => s.run ?? '').join('\n') ?? '';
  return SUITE.every((command) => runs.includes(command));
}

export const ciRunsSuite: Check = (workflows) => {
  const ci = [...workflows.values()].filter((w) => 'pull_request' in w.on && w.jobs.some((job) => runsTestSuite(job)));
  if (ci.length === 0) return [`no pull_request workflow runs ${SUITE.join(', ')}`];
  const problems: string[] = [];
  const onPush = ci.some((w) => 'push' in w.on) || deployWorkflows(workflows).length > 0;
  if (!onPush) problems.push('CI does not run on pushes');
  return problems;
};

export const previewPerStage: Check = (workflows) => {
  const covered = new Set<string>();
  for (const workflow of workflows.values()) {
    if (!('pull_request' in workflow.on)) continue;
    for (const job of workflow.jobs) {
      for (const step of job.steps.filter((s) => isPulumi(s, 'preview'))) {
        if (String(step.with?.['comment-on-pr'] ?? '') !== 'true') continue;
        const stack = String(step.with?.['stack-name'] ?? '');
        const matrix = /\$\{\{\s*matrix\.([\w-]+)\s*\}\}/.exec(stack);
        if (!matrix) {
          covered.add(stack);
          continue;
        }
        const strategy = (workflow.raw.jobs as Record<string, { strategy?: { matrix?: Record<string, unknown> } }>)[job.id]?.strategy?.matrix ?? {};
        const key = matrix[1]!;
        const values = [
          ...(Array.isArray(strategy[key]) ? (strategy[key] as unknown[]) : []),
          ...(Array.isArray(strategy.include) ? (strategy.include as Record<string, unknown>[]).map((entry) => entry[key]) : []),
        ];
        for (const value of values) covered.add(String(value));
      }
    }
  }
  return ENVIRONMENTS.filter((env) => !covered.has(env)).map((env) => `no pull request preview of stage ${env} posted to the PR`);
};

export const ALL_CHECKS = {
  deployOrder,
  buildOnce,
  prodAfterDev,
  oidc,
  concurrencyPerEnvironment,
  pinnedActions,
  leastPermissions,
  noExpressionsInRun,
  ciRunsSuite,
  previewPerStage,
} satisfies Record<string, Check>;
