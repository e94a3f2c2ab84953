// `--contender-cores N`: the contender's process on N cores of its own, and everything else the
// bench runs (the SQS emulator, the embedded PostgreSQL, this process) on the others. On a 2-core
// machine they otherwise all share both cores, which a task in AWS does not: there SQS and RDS run
// elsewhere, and the task's threads have its vCPUs to themselves. A server given by --database-url
// stays where it is. Linux only, through util-linux's `taskset`, since Node has no call to set a
// thread's affinity.
import { execFileSync } from 'node:child_process';

export class CoreSplitError extends Error {
  override readonly name = 'CoreSplitError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface CoreSplit {
  /** taskset's list format, e.g. "0" or "0,1". */
  contender: string;
  rest: string;
}

/** The CPUs of a taskset list such as "0-3,6", in order. */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(',')) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!range) throw new CoreSplitError(`not a CPU list: "${list}"`);
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    for (let cpu = from; cpu <= to; cpu++) cpus.push(cpu);
  }
  return cpus;
}

/** The first `contenderCores` of the CPUs this process may use go to the contender, the rest to everything else. */
export function splitCores(contenderCores: number, available: readonly number[]): CoreSplit {
  if (!Number.isInteger(contenderCores) || contenderCores < 1 || contenderCores >= available.length) {
    throw new CoreSplitError(
      `--contender-cores ${contenderCores}: this process may run on ${available.length} core(s) (${available.join(',')}); ` +
        'the contender needs at least one and the emulator and PostgreSQL at least one other',
    );
  }
  return { contender: available.slice(0, contenderCores).join(','), rest: available.slice(contenderCores).join(',') };
}

function taskset(args: string[]): string {
  try {
    return execFileSync('taskset', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (cause) {
    throw new CoreSplitError(`taskset ${args.join(' ')} failed (--contender-cores needs Linux and util-linux's taskset)`, { cause });
  }
}

/** The CPUs a process may run on, from taskset's "pid 42's current affinity list: 0,1". */
export function affinityOf(pid: number): number[] {
  const out = taskset(['-c', '-p', String(pid)]);
  return parseCpuList(out.slice(out.lastIndexOf(':') + 1));
}

/** Every thread of `pid` onto `cpus`; threads and processes it starts later inherit it. */
export function setAffinity(pid: number, cpus: string): void {
  taskset(['-a', '-c', '-p', cpus, String(pid)]);
}

/** How to start a Node child on `cpus` from its first instruction: through taskset, which then runs Node. */
export function pinnedLauncher(cpus: string): { execPath: string; prefixArgs: string[] } {
  return { execPath: 'taskset', prefixArgs: ['-c', cpus, process.execPath] };
}
