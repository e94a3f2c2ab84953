// Child process: the SQS emulator (fauxqs) on loopback, and with BENCH_SQS_LATENCY_MS > 0 the
// delaying proxy in front of it. Kept out of the contenders' process so that the emulator's work
// does not share their event loop, as real SQS would not. It also keeps, per queue, the SQS calls
// made on it and when its first ReceiveMessage arrived, for the benchmark to read. Exits when the
// parent goes.
import { startSqsEmulator } from '../service/local/sqs-emulator.js';
import { installEmulatorFifo } from './emulator-fifo.js';
import { installEmulatorInflightIndex } from './emulator-inflight.js';
import { startLatencyProxy, type LatencyProxy } from './latency-proxy.js';

export type EmulatorMessage =
  | { type: 'ready'; direct: string; endpoint: string }
  | { type: 'queue-stats'; calls: number; firstReceiveAt: number | null };

/** What the benchmark itself calls to watch a drain; not counted as the contender's. */
const WATCHING = 'GetQueueAttributes';

const latencyMs = Number(process.env.BENCH_SQS_LATENCY_MS ?? '0');
const calls = new Map<string, number>();
const firstReceive = new Map<string, number>();
await installEmulatorFifo();
await installEmulatorInflightIndex();
const emulator = await startSqsEmulator({
  region: 'us-east-1',
  onCall(action, queueUrl) {
    if (queueUrl === undefined || action === WATCHING) return;
    calls.set(queueUrl, (calls.get(queueUrl) ?? 0) + 1);
    if (action === 'ReceiveMessage' && !firstReceive.has(queueUrl)) firstReceive.set(queueUrl, Date.now());
  },
});
let proxy: LatencyProxy | undefined;
if (latencyMs > 0) proxy = await startLatencyProxy({ target: emulator.endpoint, latencyMs });

const send = (message: EmulatorMessage): void => {
  process.send?.(message);
};
process.on('message', (message: { type: string; queueUrls?: string[] }) => {
  if (message.type !== 'queue-stats' || !message.queueUrls) return;
  const [first] = message.queueUrls;
  send({
    type: 'queue-stats',
    calls: message.queueUrls.reduce((sum, url) => sum + (calls.get(url) ?? 0), 0),
    firstReceiveAt: (first !== undefined ? firstReceive.get(first) : undefined) ?? null,
  });
});
const stop = async (): Promise<void> => {
  await proxy?.stop();
  await emulator.stop();
  process.exit(0);
};
process.on('disconnect', () => void stop());
process.on('SIGTERM', () => void stop());
send({ type: 'ready', direct: emulator.endpoint, endpoint: proxy?.endpoint ?? emulator.endpoint });
