// An SQS-compatible server (fauxqs) in this process, bound to loopback only. Its CLI listens on
// 0.0.0.0, so we build the app and listen ourselves.
import { buildApp } from 'fauxqs';

export interface SqsEmulator {
  /** Give this to the SDK as `endpoint`: the emulator's queue URLs name a host that does not resolve. */
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface SqsEmulatorOptions {
  port?: number;
  region?: string;
  /** Told of each SQS call as it arrives (its action, e.g. 'ReceiveMessage', and its QueueUrl): the benchmark times drains by it. */
  onCall?: (action: string, queueUrl: string | undefined) => void;
}

export async function startSqsEmulator(options: SqsEmulatorOptions = {}): Promise<SqsEmulator> {
  const app = buildApp({ logger: false, defaultRegion: options.region ?? 'us-east-1' });
  const onCall = options.onCall;
  if (onCall) {
    // preHandler: the JSON body is parsed by then. The SDK speaks the JSON protocol, whose action is
    // the X-Amz-Target header, "AmazonSQS.<Action>".
    app.addHook('preHandler', (request, _reply, done) => {
      const target = request.headers['x-amz-target'];
      if (typeof target === 'string' && target.startsWith('AmazonSQS.')) {
        const body = request.body as { QueueUrl?: unknown } | undefined;
        onCall(target.slice('AmazonSQS.'.length), typeof body?.QueueUrl === 'string' ? body.QueueUrl : undefined);
      }
      done();
    });
  }
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
