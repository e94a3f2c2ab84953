// `npm run bench`: the consumer against the ceiling and the naive baseline on this machine.
import { parseArgs } from 'node:util';
import { BenchError } from './bench-error.js';
import { runBench } from './bench.js';
import { CoreSplitError } from './core-split.js';
import { CONTENDERS, type ContenderName } from './contenders/contender.js';
import { formatJson, formatTable } from './report.js';

const USAGE = `usage: npm run bench -- [--count N | --sizes LIST] [--sqs-latency-ms L] [--json] [--contenders LIST] [--naive-count N]
  --count N           messages seeded for each contender (default 50000)
  --sizes LIST        comma-separated message counts, e.g. 10000,50000,200000: runs each contender at
                      each size in this one run, a round at a time (with --repeat), and reports how flat
                      its throughput and peak RSS stay across them; instead of --count
  --sqs-latency-ms L  add L ms to every SQS call through a delaying proxy (default 0)
  --json              print one JSON object instead of the table
  --contenders LIST   comma-separated subset of ${CONTENDERS.join(',')} (default all)
  --repeat R          run each contender R times, a round at a time (ceiling, consumer, naive), and
                      report each one's median run and each round's own ratios
  --naive-count N     messages for the naive contender, at most (default: --count or each of --sizes,
                      or 2000 with added latency, where it drains about 40 messages a second)
  --database-url URL  use this PostgreSQL server instead of an embedded one
  --fsync-off         run the embedded PostgreSQL with fsync, synchronous commit and full-page writes
                      off (default: durable, as PostgreSQL ships and as RDS runs; off was the
                      default until 2026-12-04)
  --timeline          also print each contender's messages received in each second of its drain
  --contender-cores N each contender's process on N cores of its own, and PostgreSQL, the emulator and
                      the bench on the others, as SQS and RDS are not on a task's cores (Linux,
                      taskset; default 0: everything shares every core)
  --emulator-warm-up N
                      messages put through the SQS emulator before the first contender, so that no
                      contender drains against its cold code, as none meets a cold SQS (default 20000;
                      0 for none)
  --warm-up N         seed N more messages ahead of the measured ones on each contender's queue; the same
                      running process drains them all, and the clock starts when only as many as are
                      measured are left to finish: a warm process with its pipeline full, as a
                      long-running task meets a backlog (default 0: cold, from the first receive)
The consumer's tuning variables (RECEIVE_CONCURRENCY, FLUSH_ROWS, ...) are read from the environment.`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function whole(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      count: { type: 'string' },
      sizes: { type: 'string' },
      'sqs-latency-ms': { type: 'string' },
      json: { type: 'boolean', default: false },
      contenders: { type: 'string' },
      'naive-count': { type: 'string' },
      repeat: { type: 'string' },
      'database-url': { type: 'string' },
      timeline: { type: 'boolean', default: false },
      'fsync-off': { type: 'boolean', default: false },
      'warm-up': { type: 'string' },
      'emulator-warm-up': { type: 'string' },
      'contender-cores': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.sizes !== undefined && values.count !== undefined) throw new UsageError('--sizes gives the counts; leave out --count');
  const sizes = values.sizes?.split(',').map((raw) => whole('sizes', raw.trim(), 0, 10, 5_000_000));
  if (sizes && new Set(sizes).size !== sizes.length) throw new UsageError(`--sizes names a count twice: "${values.sizes}"`);
  const count = sizes ? Math.max(...sizes) : whole('count', values.count, 50_000, 10, 5_000_000);
  const sqsLatencyMs = whole('sqs-latency-ms', values['sqs-latency-ms'], 0, 0, 1_000);
  const naiveCount = whole('naive-count', values['naive-count'], sqsLatencyMs > 0 ? Math.min(count, 2_000) : count, 10, count);
  const contenders = (values.contenders ?? CONTENDERS.join(',')).split(',').map((c) => c.trim()) as ContenderName[];
  for (const c of contenders) if (!CONTENDERS.includes(c)) throw new UsageError(`--contenders: unknown contender "${c}"`);

  if (values['fsync-off'] && values['database-url']) {
    throw new UsageError('--fsync-off sets up the embedded server; a server given by --database-url keeps its own fsync settings');
  }

  const result = await runBench({
    count,
    ...(sizes ? { sizes } : {}),
    naiveCount,
    sqsLatencyMs,
    contenders,
    repeat: whole('repeat', values.repeat, 1, 1, 20),
    warmUp: whole('warm-up', values['warm-up'], 0, 0, 1_000_000),
    emulatorWarmUp: whole('emulator-warm-up', values['emulator-warm-up'], 20_000, 0, 1_000_000),
    contenderCores: whole('contender-cores', values['contender-cores'], 0, 0, 1_024),
    maskingMs: count >= 10_000 ? 2_000 : 200,
    ...(values['database-url'] ? { databaseUrl: values['database-url'] } : {}),
    fsyncOff: values['fsync-off'],
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(values.json ? formatJson(result) : formatTable(result, { timeline: values.timeline }));
  return result.verified ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n${USAGE}`);
      process.exit(2);
    }
    // A failure the bench foresaw says what went wrong; anything else gets its stack.
    if (error instanceof BenchError || error instanceof CoreSplitError) console.error(`benchmark failed: ${error.name}: ${error.message}`);
    else console.error(`benchmark crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
