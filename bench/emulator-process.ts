// Child process: the SQS emulator (fauxqs) on loopback, and with BENCH_SQS_LATENCY_MS > 0 the
// delaying proxy in front of it. Kept out of the contenders' process so that the emulator's work
// does not share their event loop, as real SQS would not. Exits when the parent goes.
import { startSqsEmulator } from '../service/local/sqs-emulator.js';
import { startLatencyProxy, type LatencyProxy } from './latency-proxy.js';

export type EmulatorMessage =
  | { type: 'ready'; direct: string; endpoint: string }
  | { type: 'forwarded'; count: number }
  | { type: 'first-receive'; queueUrl: string; at: number | null };

const latencyMs = Number(process.env.BENCH_SQS_LATENCY_MS ?? '0');
/** Wall-clock time each queue's first ReceiveMessage arrived: a drain is timed from it, as the issue defines. */
const firstReceive = new Map<string, number>();
const emulator = await startSqsEmulator({
  region: 'us-east-1',
  onCall(action, queueUrl) {
    if (action === 'ReceiveMessage' && queueUrl !== undefined && !firstReceive.has(queueUrl)) firstReceive.set(queueUrl, Date.now());
  },
});
let proxy: LatencyProxy | undefined;
if (latencyMs > 0) proxy = await startLatencyProxy({ target: emulator.endpoint, latencyMs });

const send = (message: EmulatorMessage): void => {
  process.send?.(message);
};
process.on('message', (message: { type: string; queueUrl?: string }) => {
  if (message.type === 'forwarded') send({ type: 'forwarded', count: proxy?.forwarded ?? 0 });
  if (message.type === 'first-receive' && message.queueUrl !== undefined) {
    send({ type: 'first-receive', queueUrl: message.queueUrl, at: firstReceive.get(message.queueUrl) ?? null });
  }
});
const stop = async (): Promise<void> => {
  await proxy?.stop();
  await emulator.stop();
  process.exit(0);
};
process.on('disconnect', () => void stop());
process.on('SIGTERM', () => void stop());
send({ type: 'ready', direct: emulator.endpoint, endpoint: proxy?.endpoint ?? emulator.endpoint });
