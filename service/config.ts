// The one place that reads the environment. Everything is validated here, at start-up, so a bad
// value stops the process before the first poll instead of surfacing as a confusing runtime error.
import { ConfigError } from './errors.js';
import { defaultPrepareWorkers } from './preparer.js';

export type MaskingMode = 'encrypt' | 'hash';

/** Where the masking keys come from; resolved to key bytes by service/keys.ts. */
export type KeySource =
  | { kind: 'hex'; hex: string }
  | { kind: 'keyset-json'; json: string }
  | { kind: 'secret'; secretId: string };

export type DatabaseSource =
  | { kind: 'url'; url: string }
  | {
      kind: 'parts';
      host: string;
      port: number;
      database: string;
      /** RDS-managed secret with `username` and `password`; re-read on every new connection. */
      secretId?: string;
      user?: string;
      password?: string;
    };

export interface DatabaseConfig {
  source: DatabaseSource;
  /** `verify-full` (default for host/port form) verifies the server certificate against the RDS CA bundle. */
  tls: 'disable' | 'verify-full';
  /** DATABASE_CA_FILE: PEM bundle that verify-full trusts. Default: the shipped certs/rds-global-bundle.pem. */
  caFile: string | undefined;
  /** Connections in the pool; each in-flight batch write holds one. Default 4. */
  poolSize: number;
}

export interface Config {
  region: string;
  /** AWS_ENDPOINT_URL: the SDK's own variable, set only for emulators. */
  endpoint: string | undefined;
  queueUrl: string;
  dlqUrl: string;
  database: DatabaseConfig;
  masking: { mode: MaskingMode; keys: KeySource };
  /**
   * Receives kept in flight at once, so queue latency is overlapped. Default 16: with real SQS round
   * trips (~20 ms) four loops stop near 1,400 msg/s, sixteen stay CPU-bound, and with no latency the two
   * measure the same (docs/performance.md).
   */
  receiveConcurrency: number;
  /**
   * Worker threads that validate and mask, off the thread that drives SQS; 0 does it inline.
   * Default: one per core beyond the first (at least one).
   */
  prepareWorkers: number;
  /** MaxNumberOfMessages per receive, 1..10. Default 10. */
  receiveBatchSize: number;
  /** Long-poll wait, 0..20 s. Default 20. */
  waitTimeSeconds: number;
  /** Visibility timeout asked for on receive, in seconds. Default 60. */
  visibilityTimeoutSeconds: number;
  /** Flush a write batch at this many rows... Default 500. */
  flushRows: number;
  /** ...or when its oldest row has waited this long, whichever first. Default 200 ms. */
  flushIntervalMs: number;
  /** Port of the HTTP health endpoint; 0 picks a free port. Default 8080. */
  healthPort: number;
  healthHost: string;
  /** How long a graceful stop may take before giving up on what is in hand. Default 25 s (< ECS's 30 s). */
  shutdownTimeoutMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  metricsNamespace: string;
  serviceName: string;
  /** How often metrics are emitted as EMF lines. Default 60 s. */
  metricsIntervalMs: number;
}

type Env = Record<string, string | undefined>;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, 'is required but not set');
  return value;
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function url(env: Env, name: string, value: string): string {
  try {
    new URL(value);
  } catch (cause) {
    throw new ConfigError(name, 'is not a valid URL', { cause });
  }
  return value;
}

function readKeys(env: Env): KeySource {
  const hex = optional(env, 'MASKING_KEY');
  const json = optional(env, 'MASKING_KEYSET');
  const secretId = optional(env, 'MASKING_KEY_SECRET_ID');
  const given = [hex && 'MASKING_KEY', json && 'MASKING_KEYSET', secretId && 'MASKING_KEY_SECRET_ID'].filter(Boolean);
  if (given.length > 1) {
    throw new ConfigError(given.join('/'), 'set only one source of masking keys');
  }
  if (hex !== undefined) {
    // Shape only; service/keys.ts owns what a valid key is.
    return { kind: 'hex', hex };
  }
  if (json !== undefined) return { kind: 'keyset-json', json };
  if (secretId !== undefined) return { kind: 'secret', secretId };
  throw new ConfigError('MASKING_KEY', 'is required (or MASKING_KEYSET / MASKING_KEY_SECRET_ID)');
}

/** Masking mode and key source: what `npm run unmask` and `npm run rekey` need, without the queue settings. */
export function readMaskingConfig(env: Env): Config['masking'] {
  return { mode: oneOf(env, 'MASKING_MODE', ['encrypt', 'hash'], 'encrypt'), keys: readKeys(env) };
}

export function readDatabaseConfig(env: Env): DatabaseConfig {
  const poolSize = integer(env, 'DATABASE_POOL_SIZE', 4, 1, 100);
  const caFile = optional(env, 'DATABASE_CA_FILE');
  const databaseUrl = optional(env, 'DATABASE_URL');
  if (databaseUrl !== undefined) {
    const parsed = url(env, 'DATABASE_URL', databaseUrl);
    if (!/^postgres(ql)?:$/.test(new URL(parsed).protocol)) {
      throw new ConfigError('DATABASE_URL', 'must be a postgres:// or postgresql:// URL');
    }
    return { source: { kind: 'url', url: parsed }, tls: oneOf(env, 'DATABASE_TLS', ['disable', 'verify-full'], 'disable'), caFile, poolSize };
  }
  const host = optional(env, 'DATABASE_HOST');
  if (host === undefined) throw new ConfigError('DATABASE_URL', 'is required (or DATABASE_HOST with DATABASE_SECRET_ID)');
  const secretId = optional(env, 'DATABASE_SECRET_ID');
  const user = optional(env, 'DATABASE_USER');
  const password = optional(env, 'DATABASE_PASSWORD');
  if (secretId === undefined && (user === undefined || password === undefined)) {
    throw new ConfigError('DATABASE_SECRET_ID', 'is required with DATABASE_HOST (or DATABASE_USER and DATABASE_PASSWORD)');
  }
  if (user === undefined) {
    // PostgreSQL's startup message names the user before any password is asked for, so the user
    // cannot wait for the secret that pg reads at each new connection.
    throw new ConfigError('DATABASE_USER', "is required with DATABASE_SECRET_ID (the secret's username, e.g. the RDS master user)");
  }
  return {
    source: {
      kind: 'parts',
      host,
      port: integer(env, 'DATABASE_PORT', 5432, 1, 65535),
      database: optional(env, 'DATABASE_NAME') ?? 'postgres',
      secretId,
      user,
      password,
    },
    tls: oneOf(env, 'DATABASE_TLS', ['disable', 'verify-full'], 'verify-full'),
    caFile,
    poolSize,
  };
}

export function loadConfig(env: Env = process.env): Config {
  return {
    region: required(env, 'AWS_REGION'),
    endpoint: optional(env, 'AWS_ENDPOINT_URL') && url(env, 'AWS_ENDPOINT_URL', optional(env, 'AWS_ENDPOINT_URL')!),
    queueUrl: url(env, 'QUEUE_URL', required(env, 'QUEUE_URL')),
    dlqUrl: url(env, 'DLQ_URL', required(env, 'DLQ_URL')),
    database: readDatabaseConfig(env),
    masking: readMaskingConfig(env),
    // 48 long polls: at a real SQS round trip (20 ms in the benchmark) each loop waits most of its
    // time on the network; 32 drained about a seventh slower than 48 and 64 no faster, and with no
    // added latency the three were level (docs/performance.md). Idle, they cost 48 requests per 20 s
    // per task, about $2.50 a month.
    receiveConcurrency: integer(env, 'RECEIVE_CONCURRENCY', 48, 1, 64),
    prepareWorkers: integer(env, 'PREPARE_WORKERS', defaultPrepareWorkers(), 0, 64),
    receiveBatchSize: integer(env, 'RECEIVE_BATCH_SIZE', 10, 1, 10),
    waitTimeSeconds: integer(env, 'WAIT_TIME_SECONDS', 20, 0, 20),
    visibilityTimeoutSeconds: integer(env, 'VISIBILITY_TIMEOUT_SECONDS', 60, 5, 43_200),
    flushRows: integer(env, 'FLUSH_ROWS', 500, 1, 10_000),
    flushIntervalMs: integer(env, 'FLUSH_INTERVAL_MS', 200, 1, 60_000),
    healthPort: integer(env, 'HEALTH_PORT', 8080, 0, 65535),
    healthHost: optional(env, 'HEALTH_HOST') ?? '0.0.0.0',
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 25_000, 1_000, 120_000),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    metricsNamespace: optional(env, 'METRICS_NAMESPACE') ?? 'LoginPipeline',
    serviceName: optional(env, 'SERVICE_NAME') ?? 'login-consumer',
    metricsIntervalMs: integer(env, 'METRICS_INTERVAL_MS', 60_000, 100, 3_600_000),
  };
}
