// One place builds the SQS client, so the emulator endpoint and retry policy are set the same way
// for the consumer and for every tool.
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';

export interface SqsClientOptions {
  region: string;
  /** AWS_ENDPOINT_URL; set for emulators only. */
  endpoint?: string | undefined;
  /** Concurrent requests we expect to keep open (receives + deletes + DLQ sends). */
  maxSockets?: number;
  /** Only for emulators; in AWS the default provider chain (the task role) is used. */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
}

export function createSqsClient(options: SqsClientOptions): SQSClient {
  const maxSockets = options.maxSockets ?? 64;
  return new SQSClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: 5,
    cacheMiddleware: true,
    logger: { debug() {}, warn() {} } as never,
    requestHandler: new NodeHttpHandler({
      // Long polls hold a socket for up to 20 s; the default pool of 50 is shared by everything else.
      httpsAgent: new Agent({ keepAlive: true, maxSockets }),
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      requestTimeout: 30_000,
      connectionTimeout: 5_000,
    }),
  });
}
