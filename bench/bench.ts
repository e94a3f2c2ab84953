// The benchmark, in one run: a real PostgreSQL, the SQS emulator in its own process (behind the
// latency proxy if asked), and for each contender a fresh queue seeded with the same messages and a
// fresh database. Each contender runs alone in its own process; this process only seeds, watches
// the queue drain, and verifies. Throughput is messages per second from the contender's first
// ReceiveMessage (as the emulator saw it) to an empty queue (nothing visible, in flight or delayed);
// the time a contender takes to start is reported apart. With a warm-up, the queue holds that many
// more messages ahead of the measured ones, and the clock starts when only as many as are measured
// are left to finish.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import pg from 'pg';
import { loadConfig } from '../service/config.js';
import { keysetFromHex } from '../service/keys.js';
import { createDatabase, dropDatabase } from '../service/local/databases.js';
import { postmasterPid, startLocalPostgres, type LocalPostgres } from '../service/local/postgres-server.js';
import { createQueuePair, deleteQueuePair, LOCAL_CREDENTIALS, messagesLeft, queueDepth, sendBodies, type QueuePair } from '../service/local/queues.js';
import { generateSample } from '../service/local/sample-messages.js';
import { createMasker } from '../service/masking.js';
import { migrate } from '../service/migrate.js';
import { createSqsClient } from '../service/sqs-client.js';
import { BenchError } from './bench-error.js';
import { forkBenchChild, type BenchChild } from './child.js';
import { affinityOf, setAffinity, splitCores, type CoreSplit } from './core-split.js';
import { imageRuntime } from './image-node-options.js';
import type { ContenderMessage } from './contender-process.js';
import type { ContenderContext, ContenderCounts, ContenderName } from './contenders/contender.js';
import type { EmulatorMessage } from './emulator-process.js';
import { warmUpEmulator, type EmulatorWarmUp } from './emulator-warm-up.js';
import { expectedOutcome } from './expected.js';
import { flatnessOf, sizeOrder, type Flatness } from './flatness.js';
import { measureMasking, type MaskingThroughput } from './masking-throughput.js';
import { neighbourCpu, neighbourCpuPerMessage, type NeighbourCpu, type NeighbourPids } from './process-cpu.js';
import { ratiosByRound, ratiosOf, type RatioName, type RoundRatios } from './ratios.js';
import { crossedAt, receivedPerSecond, type DepthSample } from './receive-rate.js';
import { verifyContender, type Check } from './verify.js';

const REGION = 'us-east-1';
/**
 * How often the drain is watched near its end; the error this adds to elapsed time is at most this.
 * While more than DEPTH_NEAR_EMPTY messages are left it is watched ten times less often: each look
 * is an SQS call whose CPU comes out of the contender's two cores.
 */
const DEPTH_POLL_MS = 20;
const DEPTH_POLL_FAR_MS = 200;
const DEPTH_NEAR_EMPTY = 2_000;
/** With a warm-up, the queue is watched every DEPTH_POLL_MS from this many messages before the clock starts. */
const DEPTH_NEAR_CLOCK = 6_000;
/** The consumer's tuning variables a benchmark run passes through from the environment. */
const TUNING_VARIABLES = [
  'RECEIVE_CONCURRENCY',
  'PREPARE_WORKERS',
  'RECEIVE_BATCH_SIZE',
  'WAIT_TIME_SECONDS',
  'VISIBILITY_TIMEOUT_SECONDS',
  'FLUSH_ROWS',
  'FLUSH_INTERVAL_MS',
  'DATABASE_POOL_SIZE',
  'MASKING_MODE',
  'LOG_LEVEL',
];

export interface BenchOptions {
  /** Messages seeded for each contender, unless `sizes` is given. */
  count: number;
  /**
   * Backlog sizes to run each contender at, all in this run, a round at a time, their order
   * reversed every other round (bench/flatness.ts); the result's `count` is the largest. Default:
   * `count` alone.
   */
  sizes?: readonly number[];
  /** Messages for the naive contender, whose drain at real SQS latency would take very long. Default: count. */
  naiveCount?: number;
  /** Added to every SQS call by the proxy; 0 for none. */
  sqsLatencyMs: number;
  contenders: readonly ContenderName[];
  /**
   * Runs of each contender, interleaved (ceiling, naive, consumer, ceiling, …) so that load from
   * elsewhere on a shared machine falls on all of them alike; each reports its median run. Default 1.
   */
  repeat?: number;
  /** An existing server's URL (its `postgres` database); default: an embedded server in a temp dir. */
  databaseUrl?: string;
  /**
   * Run the embedded server with fsync, synchronous commit and full-page writes off, for every
   * contender alike. Off by default since 2026-12-04: PostgreSQL ships durable and RDS is always
   * durable, and a commit that does not wait for the disk spares the naive contender's
   * one-commit-per-row most, which no deployment would see.
   */
  fsyncOff?: boolean;
  /**
   * Messages seeded ahead of the measured ones on the same queue and drained by the same running
   * contender, so that the measured messages meet a contender whose code is compiled and optimised
   * and whose pipeline is already full, as a long-running task meets a backlog. The clock starts
   * when only the measured number of messages are left to finish (visible, in flight or delayed).
   * Default 0: from cold.
   */
  warmUp?: number;
  /**
   * Messages put through the emulator before any contender runs, so that none of them drains against
   * its cold code (bench/emulator-warm-up.ts). Default 0.
   */
  emulatorWarmUp?: number;
  /**
   * Cores each contender's process gets to itself; the emulator, the embedded PostgreSQL and the
   * bench run on the others (bench/core-split.ts). Default 0: everything shares every core.
   */
  contenderCores?: number;
  /** How long masking alone is measured, per mode. */
  maskingMs: number;
  seed?: number;
  /** Progress lines (to stderr by the CLI). */
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface ContenderResult {
  messages: number;
  msgsPerSec: number;
  elapsedMs: number;
  peakRssMb: number;
  /**
   * CPU time of the contender's process, all its threads, per message: from the end of its start-up
   * to its stop. What a task pays per message; the emulator's and PostgreSQL's CPU are not in it.
   */
  cpuUsPerMessage: number;
  /**
   * CPU time of the SQS emulator's process and of PostgreSQL's (every server process) over the same
   * span, per message (bench/process-cpu.ts). The emulator's includes the bench's own watching of the
   * queue, the same for every contender. Null off Linux, and PostgreSQL's with --database-url.
   */
  emulatorCpuUsPerMessage: number | null;
  postgresCpuUsPerMessage: number | null;
  /** From the contender's process starting its work to its first ReceiveMessage; not in elapsedMs. */
  startupMs: number;
  verified: boolean;
  checks: Check[];
  counts: ContenderCounts;
  /** msgs/s of every run, when repeated; the figures above are from the median run. */
  runs?: number[];
  /** SQS calls the contender made on its queue and DLQ per 1,000 messages, counted by the emulator. */
  sqsCallsPer1000: number;
  /** Messages first received in each whole second from the first receive (bench/receive-rate.ts). */
  receivedPerSecond: number[];
  /** With a warm-up: from the first receive to the moment only the measured number of messages were left to finish. */
  warmUpMs?: number;
  /** The CPUs the contender's process could run on, read inside it (Linux's list, e.g. "0-1"); null off Linux. */
  cpus: string | null;
}

export interface BenchResult {
  date: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string };
  count: number;
  sqsLatencyMs: number;
  /** Messages each contender drained ahead of the measured ones, on the same queue (0: it started cold). */
  warmUp: number;
  /** What went through the emulator before the first contender; null if nothing did. */
  emulatorWarmUp: EmulatorWarmUp | null;
  /** With --contender-cores: the CPUs the contenders ran on, and those the rest ran on; null if all shared every core. */
  coreSplit: CoreSplit | null;
  /** Which PostgreSQL the run wrote to, and whether its commits waited for the disk. */
  postgres: 'embedded, durable' | 'embedded, fsync off' | 'external';
  /** The consumer's effective settings for this run. */
  consumerSettings: Record<string, number | string>;
  contenders: Partial<Record<ContenderName, ContenderResult>>;
  /** From each contender's (median) run. */
  ratios: Partial<Record<RatioName, number>>;
  /** With --repeat: each round's ratio from that round's runs, and their median (bench/ratios.ts). */
  ratiosByRound?: Partial<Record<RatioName, RoundRatios>>;
  /**
   * With --sizes: each size's results, as `contenders` and the ratios are for `count` (the largest
   * size), and each contender's flatness across the sizes.
   */
  sizes?: SizeResult[];
  flatness?: Partial<Record<ContenderName, Flatness>>;
  masking: MaskingThroughput;
  verified: boolean;
}

export interface SizeResult {
  count: number;
  contenders: Partial<Record<ContenderName, ContenderResult>>;
  ratios: Partial<Record<RatioName, number>>;
  ratiosByRound?: Partial<Record<RatioName, RoundRatios>>;
}

/** Each contender's median run (with every run's rate, if it ran more than once), and the ratios between them. */
function summarize(count: number, runs: Partial<Record<ContenderName, ContenderResult[]>>): SizeResult {
  const contenders: Partial<Record<ContenderName, ContenderResult>> = {};
  for (const [name, all] of Object.entries(runs) as [ContenderName, ContenderResult[]][]) {
    const sorted = [...all].sort((a, b) => a.msgsPerSec - b.msgsPerSec);
    const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
    contenders[name] = all.length > 1 ? { ...median, verified: all.every((r) => r.verified), runs: all.map((r) => r.msgsPerSec) } : median;
  }
  const ratios = ratiosOf(Object.fromEntries(Object.entries(contenders).map(([name, r]) => [name, r.msgsPerSec])));
  const rounds = Object.values(runs)[0]?.length ?? 0;
  if (rounds < 2) return { count, contenders, ratios };
  return { count, contenders, ratios, ratiosByRound: ratiosByRound(Object.fromEntries(Object.entries(runs).map(([name, all]) => [name, all.map((r) => r.msgsPerSec)]))) };
}

const round = (value: number, digits = 0): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** Generous: a tenth of the slowest plausible rate, so a stuck contender fails rather than hangs. */
const drainTimeoutMs = (messages: number): number => 60_000 + messages * 100;

/**
 * Runs one contender in its own process until its queue is empty, then stops it. With `measured`
 * fewer than the queue holds (a warm-up), the bench tells the contender when only `measured` are
 * left to finish, so that the CPU it reports is spent on those alone. Returns when the run began
 * (before its set-up), when only `measured` were left (if that was asked), when the queue was
 * first seen empty, and what the contender reported.
 */
async function drainWith(
  name: ContenderName,
  context: ContenderContext,
  sqs: SQSClient,
  seeded: number,
  measured: number,
  cpus: string | undefined,
  neighbours: NeighbourPids,
): Promise<{
  launchedAt: number;
  clockStartedAt?: number;
  endedAt: number;
  samples: DepthSample[];
  outcome: Extract<ContenderMessage, { type: 'done' }>;
  neighbourCpu: { before: NeighbourCpu; after: NeighbourCpu };
}> {
  // Only the consumer is deployed, so only it runs as the image runs it.
  const image = name === 'consumer' ? imageRuntime() : undefined;
  const child = forkBenchChild<ContenderMessage>(
    'contender-process.ts',
    { BENCH_CONTENDER: name, BENCH_CONTEXT: JSON.stringify(context), ...image?.env },
    image?.nodeOptions ?? [],
    cpus,
  );
  try {
    const started = await child.next<Extract<ContenderMessage, { type: 'started' | 'failed' }>>(['started', 'failed'], 120_000);
    if (started.type === 'failed') throw new BenchError(`${name} failed to start: ${started.error}`);
    const clockAt = measured < seeded ? measured : undefined;
    // Over the span the contender counts its own CPU: from the end of its start-up (or of its
    // warm-up) to its stop.
    let before = neighbourCpu(neighbours);
    const { clockStartedAt, endedAt, samples } = await drained(sqs, context.queueUrl, child, drainTimeoutMs(seeded), clockAt, () => {
      before = neighbourCpu(neighbours);
    });
    child.send({ type: 'stop' });
    const done = await child.next<Extract<ContenderMessage, { type: 'done' | 'failed' }>>(['done', 'failed'], 60_000);
    const after = neighbourCpu(neighbours);
    if (done.type === 'failed') throw new BenchError(`${name} failed: ${done.error}`);
    return {
      launchedAt: started.at,
      endedAt,
      samples,
      outcome: done,
      neighbourCpu: { before, after },
      ...(clockStartedAt === undefined ? {} : { clockStartedAt }),
    };
  } finally {
    // A contender that said `done` exits by itself (and writes its profile, if one was asked for).
    await child.kill(5_000);
  }
}

/**
 * Resolves at the moment the queue is first seen empty: nothing visible, in flight or delayed. With
 * `clockAt`, it also finds when the messages left (visible, in flight or delayed: not yet finished)
 * fell to that many, between two looks taken DEPTH_POLL_MS apart, and tells the contender (`clock`)
 * as soon as it has seen it. Counting what is left rather than what is visible starts the clock with
 * exactly the measured number of messages still to finish, however many the warm-up had in flight.
 */
async function drained(
  sqs: SQSClient,
  queueUrl: string,
  child: BenchChild<ContenderMessage>,
  timeoutMs: number,
  clockAt?: number,
  onClock?: () => void,
): Promise<{ clockStartedAt?: number; endedAt: number; samples: DepthSample[] }> {
  const deadline = Date.now() + timeoutMs;
  const samples: DepthSample[] = [];
  let clockStartedAt: number | undefined;
  for (;;) {
    const depth = await queueDepth(sqs, queueUrl);
    const at = Date.now();
    const left = messagesLeft(depth);
    samples.push({ at, visible: depth.visible, left });
    if (clockAt !== undefined && clockStartedAt === undefined && left <= clockAt) {
      clockStartedAt = crossedAt(samples, clockAt);
      child.send({ type: 'clock' });
      onClock?.();
    }
    if (left === 0) return { endedAt: at, samples, ...(clockStartedAt === undefined ? {} : { clockStartedAt }) };
    if (child.process.exitCode !== null) throw new BenchError('the contender exited before the queue was empty');
    if (at > deadline) throw new BenchError(`the queue was not empty after ${timeoutMs} ms (${depth.visible} visible, ${depth.inFlight} in flight)`);
    const nearClock = clockStartedAt === undefined && clockAt !== undefined && left - clockAt <= DEPTH_NEAR_CLOCK;
    await new Promise((resolve) => setTimeout(resolve, left > DEPTH_NEAR_EMPTY && !nearClock ? DEPTH_POLL_FAR_MS : DEPTH_POLL_MS));
  }
}

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const log = options.log ?? (() => undefined);
  const env = options.env ?? process.env;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'login-pipeline-bench-'));
  const cleanups: (() => Promise<void>)[] = [];
  try {
    // First, so that the server and the emulator started below inherit the other cores, and last to be undone.
    let coreSplit: CoreSplit | null = null;
    if (options.contenderCores) {
      const own = affinityOf(process.pid);
      coreSplit = splitCores(options.contenderCores, own);
      setAffinity(process.pid, coreSplit.rest);
      cleanups.push(async () => setAffinity(process.pid, own.join(',')));
      log(`contenders on core(s) ${coreSplit.contender}; this process, PostgreSQL and the emulator on core(s) ${coreSplit.rest}`);
    }
    let serverUrl = options.databaseUrl;
    let serverDataDir: string | undefined;
    if (!serverUrl) {
      log(`starting PostgreSQL${options.fsyncOff ? ' with fsync and synchronous commit off' : ''}…`);
      const server: LocalPostgres = await startLocalPostgres({ dataDir: path.join(tmp, 'pgdata'), fast: options.fsyncOff === true });
      cleanups.push(() => server.remove());
      serverUrl = server.url;
      serverDataDir = server.dataDir;
    }

    log(`starting the SQS emulator in its own process${options.sqsLatencyMs > 0 ? `, behind a ${options.sqsLatencyMs} ms proxy` : ''}…`);
    const emulator = forkBenchChild<EmulatorMessage>('emulator-process.ts', { BENCH_SQS_LATENCY_MS: String(options.sqsLatencyMs) });
    cleanups.push(() => emulator.kill());
    const { direct, endpoint } = await emulator.next<Extract<EmulatorMessage, { type: 'ready' }>>('ready', 60_000);
    // An external server's processes are not ours to find: its CPU goes unreported.
    const neighbours: NeighbourPids = {
      emulator: emulator.process.pid ?? null,
      postgres: serverDataDir === undefined ? null : postmasterPid(serverDataDir),
    };
    /** The SQS calls made on a queue and its DLQ so far, and when the queue's first ReceiveMessage arrived. */
    const queueStats = async (queues: QueuePair): Promise<{ calls: number; firstReceiveAt: number | null }> => {
      emulator.send({ type: 'queue-stats', queueUrls: [queues.queueUrl, queues.dlqUrl] });
      return emulator.next<Extract<EmulatorMessage, { type: 'queue-stats' }>>('queue-stats', 10_000);
    };
    // Seeding and watching go straight to the emulator: only the contenders pay the latency.
    const sqs = createSqsClient({ region: REGION, endpoint: direct, credentials: LOCAL_CREDENTIALS });
    cleanups.push(async () => sqs.destroy());
    let emulatorWarmUp: EmulatorWarmUp | null = null;
    if (options.emulatorWarmUp) {
      log(`warming the emulator up with ${options.emulatorWarmUp} messages…`);
      emulatorWarmUp = await warmUpEmulator(sqs, options.emulatorWarmUp);
    }

    const maskingKey = crypto.randomBytes(64).toString('hex');
    const sizes = options.sizes ?? [options.count];
    // Each size drains the first that many: the same mix, and the smaller runs' bodies a prefix of the larger's.
    const bodies = generateSample({ count: Math.max(...sizes), seed: options.seed ?? 42 });
    const tuning = Object.fromEntries(TUNING_VARIABLES.filter((name) => env[name]).map((name) => [name, env[name]!]));
    const settingsProbe = loadConfig({
      ...tuning,
      AWS_REGION: REGION,
      QUEUE_URL: 'http://127.0.0.1/q',
      DLQ_URL: 'http://127.0.0.1/d',
      DATABASE_URL: 'postgres://127.0.0.1/x',
      MASKING_KEY: maskingKey,
    });
    // The bench's own masker, with the consumer's mode, works out which bodies must become rows.
    const masker = createMasker(keysetFromHex(maskingKey), settingsProbe.masking.mode);

    const result: BenchResult = {
      date: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
        memoryGb: round(os.totalmem() / 2 ** 30, 1),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
      },
      count: Math.max(...sizes),
      sqsLatencyMs: options.sqsLatencyMs,
      warmUp: options.warmUp ?? 0,
      emulatorWarmUp,
      coreSplit,
      postgres: options.databaseUrl ? 'external' : options.fsyncOff ? 'embedded, fsync off' : 'embedded, durable',
      consumerSettings: {
        receiveConcurrency: settingsProbe.receiveConcurrency,
        receiveBatchSize: settingsProbe.receiveBatchSize,
        flushRows: settingsProbe.flushRows,
        flushIntervalMs: settingsProbe.flushIntervalMs,
        databasePoolSize: settingsProbe.database.poolSize,
        maskingMode: settingsProbe.masking.mode,
      },
      contenders: {},
      ratios: {},
      masking: { encrypt: 0, hash: 0 },
      verified: true,
    };

    const contextFor = (queues: QueuePair, databaseUrl: string, logFile: string): ContenderContext => ({
      region: REGION,
      endpoint,
      queueUrl: queues.queueUrl,
      dlqUrl: queues.dlqUrl,
      databaseUrl,
      consumerEnv: {
        ...tuning,
        AWS_REGION: REGION,
        AWS_ENDPOINT_URL: endpoint,
        QUEUE_URL: queues.queueUrl,
        DLQ_URL: queues.dlqUrl,
        DATABASE_URL: databaseUrl,
        MASKING_KEY: maskingKey,
        HEALTH_HOST: '127.0.0.1',
        HEALTH_PORT: '0',
      },
      receiveConcurrency: settingsProbe.receiveConcurrency,
      logFile: path.join(tmp, logFile),
    });
    /** A fresh migrated database and a fresh queue pair seeded with `messages`. */
    const freshRun = async (name: string, database: string, queuePrefix: string, messages: readonly string[], created: { database?: string; queues?: QueuePair }) => {
      const databaseUrl = await createDatabase(serverUrl, database);
      created.database = database;
      const migrating = new pg.Pool({ connectionString: databaseUrl, max: 1 });
      try {
        await migrate(migrating);
      } finally {
        await migrating.end();
      }
      const queues = await createQueuePair(sqs, queuePrefix);
      created.queues = queues;
      const sentIds = await sendBodies(sqs, queues.queueUrl, messages);
      const seeded = await queueDepth(sqs, queues.queueUrl);
      if (seeded.visible !== messages.length) throw new BenchError(`${name}: seeded ${messages.length} messages but the queue shows ${seeded.visible}`);
      return { databaseUrl, queues, sentIds };
    };
    // Ahead of the measured bodies on the same queue: the FIFO the emulator keeps (emulator-fifo.ts) hands them out first.
    const warmUpBodies = options.warmUp ? generateSample({ count: options.warmUp, seed: (options.seed ?? 42) + 1 }) : [];

    const runs = new Map<number, Partial<Record<ContenderName, ContenderResult[]>>>(sizes.map((count) => [count, {}]));
    // Within a round the consumer runs right after the ceiling, so that the pair the first goal
    // compares meets the machine at nearly the same speed; naive, which takes a minute, goes last.
    const order = (['ceiling', 'consumer', 'naive'] as const).filter((name) => options.contenders.includes(name));
    const schedule = Array.from({ length: options.repeat ?? 1 }, (_, i) => sizeOrder(sizes, i).flatMap((count) => order.map((name) => ({ name, count })))).flat();
    for (const { name, count } of schedule) {
      const messages = bodies.slice(0, name === 'naive' ? Math.min(count, options.naiveCount ?? count) : count);
      const id = `${name}_${crypto.randomBytes(4).toString('hex')}`;
      const measured: { database?: string; queues?: QueuePair } = {};
      const seeded = [...warmUpBodies, ...messages];
      let pool: pg.Pool | undefined;
      try {
        log(`${name}: seeding ${warmUpBodies.length > 0 ? `${warmUpBodies.length} messages to warm up on, then ` : ''}${messages.length} messages…`);
        const { databaseUrl, queues, sentIds } = await freshRun(name, `bench_${id}`, `bench-${id.replace('_', '-')}`, seeded, measured);
        pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
        const context = contextFor(queues, databaseUrl, `${name}.log`);
        log(`${name}: draining…`);
        const before = await queueStats(queues);
        const drain = await drainWith(name, context, sqs, seeded.length, messages.length, coreSplit?.contender, neighbours);
        const { launchedAt, clockStartedAt, endedAt, samples, outcome } = drain;
        const neighbourUs = neighbourCpuPerMessage(drain.neighbourCpu.before, drain.neighbourCpu.after, messages.length);
        const after = await queueStats(queues);
        if (after.firstReceiveAt === null) throw new BenchError(`${name}: the emulator saw no ReceiveMessage on its queue`);
        // The emulator saw the first receive after the proxy had held it for the added latency.
        const firstReceiveAt = after.firstReceiveAt - options.sqsLatencyMs;
        const startedAt = clockStartedAt ?? firstReceiveAt;
        // Every message seeded is held to the contract, the warm-up's too.
        const checks = await verifyContender({ name, sqs, pool, queues, sentIds, expected: expectedOutcome(seeded, masker), counts: outcome.counts });
        const elapsedMs = endedAt - startedAt;
        const calls = after.calls - before.calls;
        const contender: ContenderResult = {
          messages: messages.length,
          msgsPerSec: round(messages.length / (elapsedMs / 1000)),
          elapsedMs,
          peakRssMb: outcome.peakRssMb,
          cpus: outcome.cpus,
          cpuUsPerMessage: round((outcome.cpuMs * 1000) / messages.length),
          emulatorCpuUsPerMessage: neighbourUs.emulator,
          postgresCpuUsPerMessage: neighbourUs.postgres,
          startupMs: Math.max(0, firstReceiveAt - launchedAt),
          verified: checks.every((c) => c.ok),
          checks,
          counts: outcome.counts,
          sqsCallsPer1000: round((calls / seeded.length) * 1000),
          receivedPerSecond: receivedPerSecond(samples, startedAt),
          ...(clockStartedAt === undefined ? {} : { warmUpMs: clockStartedAt - firstReceiveAt }),
        };
        (runs.get(count)![name] ??= []).push(contender);
        result.verified &&= contender.verified;
        log(`${name}: ${contender.msgsPerSec} msg/s, ${elapsedMs} ms, ${contender.cpuUsPerMessage} µs CPU/msg (emulator ${contender.emulatorCpuUsPerMessage ?? 'n/a'}, PostgreSQL ${contender.postgresCpuUsPerMessage ?? 'n/a'}), peak RSS ${contender.peakRssMb} MB, ${contender.verified ? 'verified' : 'WRONG'}`);
      } finally {
        await pool?.end();
        const { queues, database } = measured;
        if (queues) {
          // Free the emulator's memory before the next contender seeds its own copy.
          await deleteQueuePair(sqs, queues);
        }
        if (database) await dropDatabase(serverUrl, database);
      }
    }

    const bySize = sizes.map((count) => summarize(count, runs.get(count)!));
    const largest = bySize.reduce((a, b) => (b.count > a.count ? b : a));
    result.contenders = largest.contenders;
    result.ratios = largest.ratios;
    if (largest.ratiosByRound) result.ratiosByRound = largest.ratiosByRound;
    if (sizes.length > 1) {
      result.sizes = bySize;
      result.flatness = {};
      for (const name of order) {
        // By what each run drained: --naive-count can cap naive at the same number at every size.
        const flatness = flatnessOf(sizes.map((count) => ({ count: runs.get(count)![name]?.[0]?.messages ?? count, runs: runs.get(count)![name] ?? [] })));
        if (flatness) result.flatness[name] = flatness;
      }
    }

    log('measuring masking alone…');
    result.masking = measureMasking(options.maskingMs);
    return result;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

