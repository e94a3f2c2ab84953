// Reads GitHub workflow files into a small typed model, and expands local reusable workflows
// (`uses: ./.github/workflows/x.yml`) into the jobs they run, with `${{ inputs.* }}` replaced by the
// caller's `with:` values, so the checks see each environment's real job whichever way it is written.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

export type Permissions = Record<string, string> | 'read-all' | 'write-all' | undefined;

export interface Job {
  /** For an expanded reusable workflow: `caller/calleeJob`. */
  id: string;
  file: string;
  needs: string[];
  permissions: Permissions;
  environment: string | undefined;
  concurrency: { group: string; cancelInProgress: unknown } | undefined;
  steps: Step[];
  /** Set on a job that calls a reusable workflow. */
  uses: string | undefined;
  with: Record<string, unknown>;
  env: Record<string, unknown>;
  /** For an expanded job: the calling job's permissions, which cap the callee's. */
  callerPermissions?: Permissions;
}

export interface Workflow {
  file: string;
  name: string | undefined;
  on: Record<string, unknown>;
  permissions: Permissions;
  jobs: Job[];
  raw: Record<string, unknown>;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function asList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

function normaliseOn(on: unknown): Record<string, unknown> {
  if (typeof on === 'string') return { [on]: null };
  if (Array.isArray(on)) return Object.fromEntries(on.map((event) => [String(event), null]));
  return asRecord(on);
}

function readJob(file: string, id: string, raw: Record<string, unknown>): Job {
  const environment = raw.environment;
  const concurrency = raw.concurrency;
  return {
    id,
    file,
    needs: asList(raw.needs),
    permissions: raw.permissions as Permissions,
    environment: typeof environment === 'string' ? environment : (asRecord(environment).name as string | undefined),
    concurrency:
      concurrency === undefined
        ? undefined
        : typeof concurrency === 'string'
          ? { group: concurrency, cancelInProgress: undefined }
          : { group: String(asRecord(concurrency).group ?? ''), cancelInProgress: asRecord(concurrency)['cancel-in-progress'] },
    steps: (Array.isArray(raw.steps) ? raw.steps : []).map((step) => asRecord(step) as Step),
    uses: typeof raw.uses === 'string' ? raw.uses : undefined,
    with: asRecord(raw.with),
    env: asRecord(raw.env),
  };
}

export function parseWorkflow(file: string, text: string): Workflow {
  const raw = asRecord(parse(text));
  return {
    file,
    name: typeof raw.name === 'string' ? raw.name : undefined,
    on: normaliseOn(raw.on),
    permissions: raw.permissions as Permissions,
    jobs: Object.entries(asRecord(raw.jobs)).map(([id, job]) => readJob(file, id, asRecord(job))),
    raw,
  };
}

/** Every workflow file in a directory, by file name. */
export function loadWorkflowDir(dir: string): Map<string, Workflow> {
  const workflows = new Map<string, Workflow>();
  for (const name of readdirSync(dir).sort()) {
    if (!/\.ya?ml$/.test(name)) continue;
    workflows.set(name, parseWorkflow(name, readFileSync(path.join(dir, name), 'utf8')));
  }
  return workflows;
}

/** Replaces `${{ inputs.NAME }}` with the caller's value, everywhere in a parsed value. */
function substituteInputs<T>(value: T, inputs: Record<string, unknown>): T {
  if (typeof value === 'string') {
    return value.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (whole, name: string) =>
      name in inputs ? String(inputs[name]) : whole,
    ) as T;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => substituteInputs(item, inputs)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteInputs(v, inputs)])) as T;
  }
  return value;
}

export class WorkflowReferenceError extends Error {
  override readonly name = 'WorkflowReferenceError';
}

/**
 * The jobs a workflow really runs: its own, with each job that calls a local reusable workflow
 * replaced by the callee's jobs (ids `caller/job`). A caller's `needs` become needs on every job of
 * the callee, and jobs that needed the caller now need all of the callee's jobs.
 */
export function expandJobs(workflow: Workflow, all: Map<string, Workflow>): Job[] {
  const expansion = new Map<string, string[]>();
  const expanded: Job[] = [];
  for (const job of workflow.jobs) {
    const local = job.uses?.match(/^\.\/\.github\/workflows\/([^/@]+\.ya?ml)$/);
    if (!local) {
      expanded.push(job);
      continue;
    }
    const callee = all.get(local[1]!);
    if (!callee) throw new WorkflowReferenceError(`${workflow.file}: job ${job.id} calls missing ${job.uses}`);
    const ids: string[] = [];
    for (const inner of callee.jobs) {
      const resolved = substituteInputs({ ...inner }, job.with);
      const id = `${job.id}/${inner.id}`;
      ids.push(id);
      expanded.push({
        ...resolved,
        id,
        needs: [...job.needs, ...inner.needs.map((need) => `${job.id}/${need}`)],
        callerPermissions: job.permissions,
      });
    }
    expansion.set(job.id, ids);
  }
  return expanded.map((job) => ({ ...job, needs: job.needs.flatMap((need) => expansion.get(need) ?? [need]) }));
}

/** Every job this one waits for, directly or through others. */
export function transitiveNeeds(job: Job, jobs: Job[]): Set<string> {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const seen = new Set<string>();
  const queue = [...job.needs];
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    queue.push(...(byId.get(id)?.needs ?? []));
  }
  return seen;
}
