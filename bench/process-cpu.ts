// CPU time that a drain costs the processes around the contender: the SQS emulator and PostgreSQL.
// On these two shared cores all of them compete for the same CPU, so a contender that makes the
// database work pays for it in its own rate; the contender's own CPU/msg alone does not show that.
// Read from Linux's /proc: elsewhere the figures are null.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

interface ProcStat {
  ppid: number;
  /** utime + stime, in clock ticks. */
  ownTicks: number;
  /** cutime + cstime: children this process has waited for, in clock ticks. */
  reapedTicks: number;
}

/**
 * /proc/<pid>/stat's fields after the command name, which is in parentheses and may itself hold
 * spaces and parentheses: so the split is at the last ')'.
 */
export function parseStat(text: string): ProcStat | null {
  const end = text.lastIndexOf(')');
  if (end < 0) return null;
  const fields = text.slice(end + 2).trim().split(' ');
  const [ppid, utime, stime, cutime, cstime] = [1, 11, 12, 13, 14].map((i) => Number(fields[i]));
  if ([ppid, utime, stime, cutime, cstime].some((v) => !Number.isFinite(v))) return null;
  return { ppid: ppid!, ownTicks: utime! + stime!, reapedTicks: cutime! + cstime! };
}

let ticksPerSecond: number | undefined;
/** Linux's clock ticks per second, in which /proc counts CPU time (almost always 100). */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const answer = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim());
    ticksPerSecond = Number.isInteger(answer) && answer > 0 ? answer : 100;
  }
  return ticksPerSecond;
}

/** Every process's stat, by pid; null without /proc. */
function readProcesses(procRoot: string): Map<number, ProcStat> | null {
  let entries: string[];
  try {
    entries = fs.readdirSync(procRoot);
  } catch {
    return null;
  }
  const stats = new Map<number, ProcStat>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = parseStat(fs.readFileSync(path.join(procRoot, entry, 'stat'), 'utf8'));
      if (stat) stats.set(Number(entry), stat);
    } catch {
      // Gone between the listing and the read.
    }
  }
  return stats;
}

/** `rootPid`'s tree, as processTreeCpuMs describes it, from one reading of every process. */
function treeCpuMs(stats: Map<number, ProcStat> | null, rootPid: number): number | null {
  if (!stats?.has(rootPid)) return null;
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of stats) {
    const siblings = children.get(ppid);
    if (siblings) siblings.push(pid);
    else children.set(ppid, [pid]);
  }
  let ticks = 0;
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    const stat = stats.get(pid)!;
    ticks += stat.ownTicks + stat.reapedTicks;
    pending.push(...(children.get(pid) ?? []));
  }
  return (ticks * 1000) / clockTicks();
}

/**
 * CPU time in ms of `rootPid` and every process descending from it, all their threads, plus what the
 * ones that already exited had used, as far as their parents have reaped them (PostgreSQL's
 * postmaster reaps its backends). A difference of two readings is what the tree spent in between,
 * even if backends came and went. Null if `rootPid` is not running or there is no /proc.
 */
export function processTreeCpuMs(rootPid: number, procRoot = '/proc'): number | null {
  return treeCpuMs(readProcesses(procRoot), rootPid);
}

/** The processes around the contenders, to read before and after each drain. */
export interface NeighbourPids {
  emulator: number | null;
  postgres: number | null;
}

export interface NeighbourCpu {
  emulatorMs: number | null;
  postgresMs: number | null;
}

/** Both from one pass over /proc. */
export function neighbourCpu(pids: NeighbourPids, procRoot = '/proc'): NeighbourCpu {
  const stats = readProcesses(procRoot);
  return {
    emulatorMs: pids.emulator === null ? null : treeCpuMs(stats, pids.emulator),
    postgresMs: pids.postgres === null ? null : treeCpuMs(stats, pids.postgres),
  };
}

/** What the neighbours spent between two readings, in µs per message; null where either reading was. */
export function neighbourCpuPerMessage(before: NeighbourCpu, after: NeighbourCpu, messages: number): { emulator: number | null; postgres: number | null } {
  const per = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : Math.round(((b - a) * 1000) / messages));
  return { emulator: per(before.emulatorMs, after.emulatorMs), postgres: per(before.postgresMs, after.postgresMs) };
}
