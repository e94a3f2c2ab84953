// Child process: one contender, alone in its process so that its throughput and its peak RSS are its
// own. Protocol with bench/bench.ts: it sends `started` (with the wall-clock time it began
// receiving), drains until told `stop`, then sends `done` with its counts and peak RSS.
import { startCeiling } from './contenders/ceiling.js';
import { startConsumer } from './contenders/consumer.js';
import type { ContenderContext, ContenderCounts, ContenderName, StartContender } from './contenders/contender.js';
import { startNaive } from './contenders/naive.js';

export type ContenderMessage =
  | { type: 'started'; at: number }
  | { type: 'done'; counts: ContenderCounts; peakRssMb: number }
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

try {
  const name = process.env.BENCH_CONTENDER as ContenderName;
  const context = JSON.parse(process.env.BENCH_CONTEXT ?? '{}') as ContenderContext;
  const start = STARTERS[name];
  if (!start) throw new Error(`unknown contender "${name}"`);
  const at = Date.now();
  const running = await start(context);
  send({ type: 'started', at });
  process.on('message', (message: { type: string }) => {
    if (message.type !== 'stop') return;
    running.stop().then(
      (counts) => {
        // maxRSS is in kibibytes: the process's high-water mark, not the size at the end.
        finish({ type: 'done', counts, peakRssMb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10 });
      },
      (error: unknown) => {
        finish({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
      },
    );
  });
} catch (error) {
  finish({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
}
