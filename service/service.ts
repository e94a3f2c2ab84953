// Wires configuration to a running consumer: keys, masker, pool, SQS client, health endpoint and
// metrics. `npm run consume` (main.ts) and the local `npm start` both start the service through here,
// so the local run exercises the production code path.
import type { SQSClient } from '@aws-sdk/client-sqs';
import type pg from 'pg';
import type { Config } from './config.js';
import { Consumer } from './consumer.js';
import { databaseCheck } from './database-check.js';
import { createPool, warmPool } from './db-pool.js';
import { startHealthServer, type HealthServer } from './health-server.js';
import { loadKeyset } from './keys.js';
import type { Logger } from './logger.js';
import { Metrics, type MetricsSink } from './metrics.js';
import { createPreparer } from './preparer.js';
import { createSqsClient } from './sqs-client.js';

export interface ServiceOptions {
  logger: Logger;
  /** Where EMF lines go; stdout in production. */
  metricsSink?: MetricsSink;
  /** Emulator credentials, for local runs only. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Start the HTTP health endpoint (default true). */
  health?: boolean;
}

export interface RunningService {
  readonly consumer: Consumer;
  readonly metrics: Metrics;
  readonly health: HealthServer | undefined;
  /** Graceful stop of everything; resolves `clean: false` if the shutdown deadline passed. */
  stop(): Promise<{ clean: boolean }>;
}

export async function startService(config: Config, options: ServiceOptions): Promise<RunningService> {
  const { logger } = options;
  // Keys first: a bad keyset must stop start-up before anything connects anywhere.
  const keyset = await loadKeyset(config.masking.keys);
  const preparer = await createPreparer(keyset, config.masking.mode, config.prepareWorkers);
  const metrics = new Metrics({
    namespace: config.metricsNamespace,
    service: config.serviceName,
    sink: options.metricsSink ?? ((line) => process.stdout.write(`${line}\n`)),
  });
  const pool: pg.Pool = createPool(config.database);
  const receiving = new AbortController();
  const sqs: SQSClient = createSqsClient({
    region: config.region,
    endpoint: config.endpoint,
    credentials: options.credentials,
    maxSockets: config.receiveConcurrency * 2 + 16,
    endLongPollsOn: receiving.signal,
    // Received bodies are checked by the preparer, on a worker thread when there is one.
    bodyChecksums: 'caller',
  });
  const consumer = new Consumer(
    { sqs, receiving, pool, preparer, logger, metrics },
    { ...config, maxConcurrentFlushes: config.database.poolSize },
  );
  const databaseReachable = databaseCheck(pool);
  const health =
    options.health === false
      ? undefined
      : await startHealthServer({
          host: config.healthHost,
          port: config.healthPort,
          status: async () => {
            const status = consumer.status();
            const reachable = await databaseReachable();
            return { ...status, databaseUp: status.databaseUp && reachable, ready: status.ready && reachable };
          },
        });
  const connected = await warmPool(pool, config.database.poolSize);
  if (connected < config.database.poolSize) {
    logger.warn({ connected, poolSize: config.database.poolSize }, 'could not open every database connection at start; writes will retry');
  }
  metrics.startEmitting(config.metricsIntervalMs);
  consumer.start();
  logger.info(
    { mode: config.masking.mode, keyVersion: keyset.active, prepareWorkers: config.prepareWorkers, healthPort: health?.port, region: config.region },
    'service started',
  );

  let stopping: Promise<{ clean: boolean }> | undefined;
  return {
    consumer,
    metrics,
    health,
    stop() {
      stopping ??= (async () => {
        const result = await consumer.stop();
        metrics.stopEmitting();
        await health?.close();
        await pool.end().catch(() => undefined);
        await preparer.close();
        sqs.destroy();
        return result;
      })();
      return stopping;
    },
  };
}
