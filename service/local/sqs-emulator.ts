// An SQS-compatible server (fauxqs) in this process, bound to loopback only. Its CLI listens on
// 0.0.0.0, so we build the app and listen ourselves.
import { buildApp } from 'fauxqs';

export interface SqsEmulator {
  /** Give this to the SDK as `endpoint`: the emulator's queue URLs name a host that does not resolve. */
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

export async function startSqsEmulator(options: { port?: number; region?: string } = {}): Promise<SqsEmulator> {
  const app = buildApp({ logger: false, defaultRegion: options.region ?? 'us-east-1' });
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('SQS emulator did not report a TCP port');
  let stopped = false;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
    },
  };
}
