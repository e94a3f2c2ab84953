// Runs a bench entry point as its own Node process, compiled (compile.ts), with an IPC channel, so
// the SQS emulator and each contender get an event loop and a memory footprint of their own.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { compiledBench } from './compile.js';
import { pinnedLauncher } from './core-split.js';

export class BenchChildError extends Error {
  override readonly name = 'BenchChildError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface BenchChild<Message> {
  readonly process: ChildProcess;
  /** The next message of one of `types` the child sends; rejects if the child exits first. */
  next<T extends Message>(types: string | readonly string[], timeoutMs?: number): Promise<T>;
  send(message: unknown): void;
  /** Resolves when the child has exited: after `graceMs` on its own, then SIGTERM, then SIGKILL. */
  kill(graceMs?: number): Promise<void>;
}

export function forkBenchChild<Message extends { type: string }>(
  file: string,
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
  /** taskset's CPU list to confine the child to from its start (its threads inherit it); default: this process's. */
  cpus?: string,
): BenchChild<Message> {
  // BENCH_CHILD_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", is for profiling a contender.
  const execArgv = [...nodeArgs, ...(process.env.BENCH_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  // fork runs execPath with execArgv before the module, so taskset starts and becomes Node, IPC channel and all.
  const launcher = cpus === undefined ? undefined : pinnedLauncher(cpus);
  const child = fork(path.join(compiledBench(), 'bench', file.replace(/\.ts$/, '.js')), [], {
    ...(launcher ? { execPath: launcher.execPath, execArgv: [...launcher.prefixArgs, ...execArgv] } : { execArgv }),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const inbox: Message[] = [];
  const waiters = new Set<() => void>();
  let exited: string | undefined;
  child.on('message', (message) => {
    inbox.push(message as Message);
    for (const wake of waiters) wake();
  });
  const exitedPromise = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = `${file} exited (${signal ?? code})`;
      for (const wake of waiters) wake();
      resolve();
    });
  });
  return {
    process: child,
    async next<T extends Message>(types: string | readonly string[], timeoutMs = 600_000): Promise<T> {
      const wanted: readonly string[] = typeof types === 'string' ? [types] : types;
      const type = wanted.join('" or "');
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = inbox.findIndex((m) => wanted.includes(m.type));
        if (index >= 0) return inbox.splice(index, 1)[0] as T;
        if (exited) throw new BenchChildError(`${exited} before sending "${type}"`);
        const left = deadline - Date.now();
        if (left <= 0) throw new BenchChildError(`${file} sent no "${type}" within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, left);
          function done(): void {
            clearTimeout(timer);
            waiters.delete(done);
            resolve();
          }
          waiters.add(done);
        });
      }
    },
    send(message) {
      child.send(message as object);
    },
    async kill(graceMs = 0) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (graceMs > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exitedPromise, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
        clearTimeout(timer);
        if (child.exitCode !== null || child.signalCode !== null) return;
      }
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
}
