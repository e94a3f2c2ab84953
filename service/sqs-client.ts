// One place builds the SQS client, so the emulator endpoint and retry policy are set the same way
// for the consumer and for every tool.
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { setMaxListeners } from 'node:events';
import { Agent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import { SigningSha256 } from './signing-hash.js';

export interface SqsClientOptions {
  region: string;
  /** AWS_ENDPOINT_URL; set for emulators only. */
  endpoint?: string | undefined;
  /** Concurrent requests we expect to keep open (receives + deletes + DLQ sends). */
  maxSockets?: number;
  /** Only for emulators; in AWS the default provider chain (the task role) is used. */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** Cuts every ReceiveMessage in flight, and any sent later, when this signal aborts: a shutdown does not wait out 20 s long polls. */
  endLongPollsOn?: AbortSignal;
  /**
   * Who checks the MD5 digests SQS returns for message bodies. 'sdk' (the default): the SDK, on this
   * thread, and a mismatch fails the whole call. 'caller': the SDK does not, and the caller must check
   * MD5OfBody of what it receives and MD5OfMessageBody of what it sends (service/body-checksum.ts).
   */
  bodyChecksums?: 'sdk' | 'caller';
}

type HandleArgs = Parameters<NodeHttpHandler['handle']>;

/**
 * Long polls are ended through the transport, not through `send(command, { abortSignal })`: the SDK
 * reuses a command's resolved middleware stack (cacheMiddleware) only for calls made without
 * options, and resolving it afresh cost a receive about a tenth of its CPU.
 */
class LongPollEndingHandler extends NodeHttpHandler {
  constructor(
    options: ConstructorParameters<typeof NodeHttpHandler>[0],
    private readonly end: AbortSignal,
  ) {
    super(options);
  }

  override handle(request: HandleArgs[0], options: HandleArgs[1] = {}): ReturnType<NodeHttpHandler['handle']> {
    // The JSON protocol names the operation in this header.
    const receive = request.headers['x-amz-target'] === 'AmazonSQS.ReceiveMessage';
    return super.handle(request, receive && !options.abortSignal ? { ...options, abortSignal: this.end } : options);
  }
}

/**
 * No `info` and no `error`: the SDK's default no-op logger still makes it build a redacted copy of
 * every request and response to pass to `info`, and an `error` logger would be handed the request,
 * whose message bodies hold raw PII. Our callers log failures themselves.
 */
const SDK_LOGGER = { debug() {}, warn() {} } as unknown as NonNullable<SQSClientConfig['logger']>;

/**
 * Middleware that does nothing for a service in ECS. The user agent is rebuilt and escaped on every
 * call, and recursion detection reads two environment variables per call for Lambda's X-Ray trace
 * header. Without both, with the MD5 checks moved off the SQS thread as well, the consumer drained
 * about a tenth faster (docs/performance.md).
 */
const UNNEEDED_MIDDLEWARE = ['getUserAgentMiddleware', 'recursionDetectionMiddleware'];

export function createSqsClient(options: SqsClientOptions): SQSClient {
  const maxSockets = options.maxSockets ?? 64;
  // Each receive in flight listens on the signal until its request closes (the SDK then removes the
  // listener); more than Node's default of 10 is expected, not a leak.
  if (options.endLongPollsOn) setMaxListeners(maxSockets, options.endLongPollsOn);
  const handlerOptions = {
    // Long polls hold a socket for up to 20 s; the default pool of 50 is shared by everything else.
    httpsAgent: new Agent({ keepAlive: true, maxSockets }),
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
    requestTimeout: 30_000,
    connectionTimeout: 5_000,
  };
  const client = new SQSClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: 5,
    // The middleware stack is the same for every call of a command; resolving it per call cost
    // about a fifth of the SDK's CPU per call (bench/sdk-call-cost.ts).
    cacheMiddleware: true,
    logger: SDK_LOGGER,
    requestHandler: options.endLongPollsOn ? new LongPollEndingHandler(handlerOptions, options.endLongPollsOn) : new NodeHttpHandler(handlerOptions),
    ...(options.bodyChecksums === 'caller' ? { md5: false } : {}),
    // Every request's signature is an HMAC; this one keeps the key as a KeyObject (signing-hash.ts).
    sha256: SigningSha256,
  });
  for (const name of UNNEEDED_MIDDLEWARE) client.middlewareStack.remove(name);
  withFastProperties(client.config);
  return client;
}

/**
 * The SDK copies the client's resolved config into a new object two or three times per call
 * (`{ ...config, ...context }` in its serde and endpoint middleware). The config is built by a chain
 * of Object.assign calls that leave its 47 properties in V8's dictionary mode, where one such copy
 * took about 13 µs, against under 2 µs for the same properties in fast mode. V8 turns an object back
 * into fast mode when it serves as a prototype and a lookup through it runs in code that V8 has begun
 * to profile, which the loop below does once (a few dozen lookups suffice; 1,000 leave a margin).
 * It changes no property. If a later V8 stops doing this, calls only cost what they did before;
 * test/unit/sqs-client-config.test.ts would say so. Measured: 17 % less CPU per SDK call, and in
 * alternating bench rounds 23 % less CPU per message for the consumer (docs/performance.md).
 */
function withFastProperties(object: object): void {
  const heir = Object.create(object) as Record<string, unknown>;
  let seen: unknown;
  for (let i = 0; i < 1_000; i++) seen = heir.region;
  void seen;
}
