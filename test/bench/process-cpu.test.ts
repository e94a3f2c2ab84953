// The emulator's and PostgreSQL's CPU per message come from /proc: a process and everything under
// it, the processes that already exited included.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clockTicks, parseStat, processTreeCpuMs } from '../../bench/process-cpu.js';
import { postmasterPid } from '../../service/local/postgres-server.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'process-cpu-'));
  dirs.push(dir);
  return dir;
}

/** A /proc/<pid>/stat line: fields from the state on, with utime, stime, cutime and cstime where Linux puts them. */
function statLine(pid: number, comm: string, ppid: number, ticks: { own: number; reaped?: number }): string {
  const after = ['S', String(ppid), ...Array.from({ length: 9 }, () => '0'), String(ticks.own), '0', String(ticks.reaped ?? 0), '0', '20', '0', '1'];
  return `${pid} (${comm}) ${after.join(' ')}\n`;
}

function fakeProc(processes: { pid: number; comm?: string; ppid: number; own: number; reaped?: number }[]): string {
  const root = tempDir();
  for (const p of processes) {
    fs.mkdirSync(path.join(root, String(p.pid)));
    fs.writeFileSync(path.join(root, String(p.pid), 'stat'), statLine(p.pid, p.comm ?? 'postgres', p.ppid, p));
  }
  fs.mkdirSync(path.join(root, 'self'));
  return root;
}

describe('reading CPU time from /proc', () => {
  it('finds the fields after a command name that holds spaces and parentheses', () => {
    expect(parseStat(statLine(7, 'postgres: bench (copy) ) x', 1, { own: 42, reaped: 5 }))).toEqual({ ppid: 1, ownTicks: 42, reapedTicks: 5 });
    expect(parseStat('not a stat line')).toBeNull();
  });

  it('counts a process, every descendant, and the children it already reaped, but nothing beside them', () => {
    const proc = fakeProc([
      { pid: 10, ppid: 1, own: 100, reaped: 30 }, // the postmaster, which reaped backends worth 30 ticks
      { pid: 11, ppid: 10, own: 200 },
      { pid: 12, ppid: 10, own: 50 },
      { pid: 13, ppid: 11, own: 7 },
      { pid: 20, ppid: 1, own: 999 }, // unrelated
      { pid: 1, comm: 'init', ppid: 0, own: 5_000 },
    ]);
    expect(processTreeCpuMs(10, proc)).toBeCloseTo(((100 + 30 + 200 + 50 + 7) * 1000) / clockTicks());
    expect(processTreeCpuMs(11, proc)).toBeCloseTo(((200 + 7) * 1000) / clockTicks());
  });

  it('is null for a process that is not running, or without /proc', () => {
    expect(processTreeCpuMs(99, fakeProc([{ pid: 10, ppid: 1, own: 1 }]))).toBeNull();
    expect(processTreeCpuMs(10, path.join(tempDir(), 'missing'))).toBeNull();
  });

  it('reads the postmaster from postmaster.pid, and nothing from a data directory without one', () => {
    const dataDir = tempDir();
    expect(postmasterPid(dataDir)).toBeNull();
    fs.writeFileSync(path.join(dataDir, 'postmaster.pid'), '4242\n/var/lib/pg\n1700000000\n5432\n');
    expect(postmasterPid(dataDir)).toBe(4242);
    fs.writeFileSync(path.join(dataDir, 'postmaster.pid'), 'garbage\n');
    expect(postmasterPid(dataDir)).toBeNull();
  });

  it.runIf(process.platform === 'linux')(
    "counts a real child's CPU, while it runs and after its parent reaped it",
    { timeout: 30_000 },
    async () => {
      // A shell whose child burns 300 ms of CPU, says so, then either stays (&) or exits and is waited for.
      const burn = `node -e "const end = Date.now() + 300; while (Date.now() < end); console.log('burnt'); setTimeout(() => {}, process.argv[1] === 'stay' ? 30000 : 0)"`;
      for (const mode of ['stay', 'exit']) {
        const script = mode === 'stay' ? `${burn} stay & wait` : `${burn} exit; echo reaped; sleep 30`;
        const shell = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        try {
          const before = processTreeCpuMs(shell.pid!);
          expect(before, mode).not.toBeNull();
          await new Promise<void>((resolve) => {
            let out = '';
            shell.stdout.on('data', (chunk: Buffer) => {
              out += chunk.toString();
              if (out.includes(mode === 'stay' ? 'burnt' : 'reaped')) resolve();
            });
          });
          expect(processTreeCpuMs(shell.pid!)! - before!, mode).toBeGreaterThanOrEqual(250);
        } finally {
          // Its child first (node, or sleep), which would otherwise outlive it holding the pipe open.
          spawnSync('pkill', ['-KILL', '-P', String(shell.pid)]);
          shell.kill('SIGKILL');
        }
      }
    },
  );
});
