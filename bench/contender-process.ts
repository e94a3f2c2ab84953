// Child process: one contender, alone in its process so that its throughput and its peak RSS are its
// own. Protocol with bench/bench.ts: it sends `started` (with the wall-clock time it began setting
// up), drains until told `stop`, and sends `done` with its counts, the CPU it used from the end of
// that set-up (or, with a warm-up, from the bench's `clock`: only the measured number left) to its
// stop, and its peak RSS.
import fs from 'node:fs';
import { startCeiling } from './contenders/ceiling.js';
import { startConsumer } from './contenders/consumer.js';
import type { ContenderContext, ContenderCounts, ContenderName, StartContender } from './contenders/contender.js';
import { startNaive } from './contenders/naive.js';

export type ContenderMessage =
  | { type: 'started'; at: number }
  | { type: 'done'; counts: ContenderCounts; cpuMs: number; peakRssMb: number; cpus: string | null }
  | { type: 'failed'; error: string };

const STARTERS: Record<ContenderName, StartContender> = { ceiling: startCeiling, naive: startNaive, consumer: startConsumer };

const send = (message: ContenderMessage): void => {
  process.send?.(message);
};

/** Exits once the last message is out, so nothing left open (keep-alive sockets, a log file) keeps the process. */
const finish = (message: ContenderMessage): void => {
  if (!process.send) process.exit(0);
  process.send(message, () => process.exit(0));
};

/** The CPUs this process may run on, as Linux lists them ("0" or "0-1"); null where /proc does not say. */
function allowedCpus(): string | null {
  try {
    return /^Cpus_allowed_list:\s*(\S+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
}

/** Resolves at the next message of `type` from the bench. */
const asked = (type: 'stop' | 'clock'): Promise<void> =>
  new Promise((resolve) => {
    const listener = (message: { type: string }): void => {
      if (message.type !== type) return;
      process.off('message', listener);
      resolve();
    };
    process.on('message', listener);
  });

try {
  const name = process.env.BENCH_CONTENDER as ContenderName;
  const context = JSON.parse(process.env.BENCH_CONTEXT ?? '{}') as ContenderContext;
  const start = STARTERS[name];
  if (!start) throw new Error(`unknown contender "${name}"`);
  const at = Date.now();
  const running = await start(context);
  // Every thread of this process (the consumer's prepare worker too), not the emulator's or PostgreSQL's.
  let cpuSince = process.cpuUsage();
  void asked('clock').then(() => (cpuSince = process.cpuUsage()));
  send({ type: 'started', at });
  await asked('stop');
  const counts = await running.stop();
  const cpu = process.cpuUsage(cpuSince);
  // maxRSS is in kibibytes: the process's high-water mark, not the size at the end.
  finish({ type: 'done', counts, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10, cpus: allowedCpus() });
} catch (error) {
  finish({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
}
