// `npm start`: the whole pipeline on one machine with Node and npm only. A real PostgreSQL (embedded,
// or DATABASE_URL), an SQS-compatible emulator in this process, the migrations, sample messages, and
// the very same service code `npm run consume` runs, until the queue is drained; then a report.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { KeysetError } from '../keys.js';
import { createLogger } from '../logger.js';
import { migrate } from '../migrate.js';
import { startService } from '../service.js';
import { createSqsClient } from '../sqs-client.js';
import { startLocalPostgres, type LocalPostgres } from './postgres-server.js';
import { ProgressBar } from './progress-bar.js';
import { createQueuePair, LOCAL_CREDENTIALS, messagesLeft, queueDepth, sendBodies } from './queues.js';
import { buildReport, formatReport, sharedMaskedValues } from './report.js';
import { generateSample } from './sample-messages.js';
import { startSqsEmulator } from './sqs-emulator.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Git-ignored; LOCAL_STATE_DIR moves it (tests use a temporary one). */
const STATE_DIR = path.resolve(process.env.LOCAL_STATE_DIR ?? path.join(ROOT, '.local'));
const LOCAL_DATABASE = 'login_pipeline';
const REGION = 'us-east-1';

const USAGE = `usage: npm start -- [--count N] [--messages FILE] [--json] [--serve]
  --count N        generate N sample login events (default 2000)
  --messages FILE  send FILE's lines instead, one raw message body per line, verbatim
  --json           print the report as one JSON object instead of a table
  --serve          after the report, keep the stack and the consumer running (until Ctrl-C) and print
                   the variables that point other tools, such as npm run redrive, at it`;

function parseCli(argv: string[]): { count: number; messagesFile?: string; json: boolean; serve: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: { count: { type: 'string' }, messages: { type: 'string' }, json: { type: 'boolean', default: false }, serve: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const count = values.count === undefined ? 2000 : Number(values.count);
  if (!Number.isInteger(count) || count < 0 || count > 10_000_000) throw new UsageError(`--count must be a whole number from 0 to 10000000, got "${values.count}"`);
  return { count, json: values.json, serve: values.serve, ...(values.messages ? { messagesFile: values.messages } : {}) };
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Lines of FILE, verbatim; only a trailing newline at the very end is not a message. */
function readMessagesFile(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (cause) {
    throw new UsageError(`--messages: cannot read ${file}: ${(cause as Error).message}`);
  }
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  if (lines.at(-1) === '') lines.pop();
  // SQS refuses an empty body; an empty line is no message at all.
  return lines.filter((line) => line.length > 0);
}

/** A local key, generated once and kept in the git-ignored folder, unless the environment gives keys. */
function localKeyEnv(): Record<string, string> {
  if (process.env.MASKING_KEY || process.env.MASKING_KEYSET || process.env.MASKING_KEY_SECRET_ID) return {};
  const file = path.join(STATE_DIR, 'masking-key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(STATE_DIR, { recursive: true });
    fs.writeFileSync(file, crypto.randomBytes(64).toString('hex'), { mode: 0o600 });
  }
  return { MASKING_KEY: fs.readFileSync(file, 'utf8').trim() };
}

async function localDatabaseUrl(log: (line: string) => void): Promise<{ url: string; server?: LocalPostgres }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL };
  const server = await startLocalPostgres({ dataDir: path.join(STATE_DIR, 'postgres'), fast: true, onLog: log });
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [LOCAL_DATABASE]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${LOCAL_DATABASE}`);
  } finally {
    await admin.end();
  }
  return { url: server.urlFor(LOCAL_DATABASE), server };
}

/** Prints how to reach the running stack, then waits for Ctrl-C or SIGTERM. */
async function serveUntilSignalled(env: Record<string, string>): Promise<void> {
  const exports = Object.entries(env).map(([name, value]) => `export ${name}='${value}'`);
  // stderr, so that stdout stays the report (one JSON object with --json).
  process.stderr.write(
    [
      '',
      'local stack running (the consumer keeps consuming); in another shell:',
      ...exports.map((line) => `  ${line}`),
      '  npm run redrive -- --dry-run',
      'press Ctrl-C to stop',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/**
 * pg-pool's end() resolves before its clients' sockets have closed, and PostgreSQL stops right after
 * the report: a client still closing then gets "terminating connection due to administrator
 * command", which a pool without an error listener throws as an unhandled 'error' event (seen once
 * in CI, crashing `npm start` after its report).
 */
function localPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => undefined);
  return pool;
}

async function main(): Promise<number> {
  const startedAt = performance.now();
  const cli = parseCli(process.argv.slice(2));
  const bodies = cli.messagesFile ? readMessagesFile(cli.messagesFile) : generateSample({ count: cli.count });
  fs.mkdirSync(STATE_DIR, { recursive: true });
  const logFile = path.join(STATE_DIR, 'consumer.log');
  const logStream = pino.destination({ dest: logFile, sync: true, append: false });
  const note = (line: string): void => {
    if (!cli.json) process.stderr.write(`${line}\n`);
  };

  note('starting PostgreSQL and the SQS emulator…');
  const database = await localDatabaseUrl((line) => logStream.write(`${JSON.stringify({ source: 'postgres', line })}\n`));
  const emulator = await startSqsEmulator({ region: REGION });
  const sqs = createSqsClient({ region: REGION, endpoint: emulator.endpoint, credentials: LOCAL_CREDENTIALS });
  const cleanup = async (): Promise<void> => {
    sqs.destroy();
    await emulator.stop();
    await database.server?.stop();
  };

  try {
    const pool = localPool(database.url, 2);
    try {
      const ran = await migrate(pool);
      if (ran.length > 0) note(`migrations applied: ${ran.join(', ')}`);
    } finally {
      await pool.end();
    }

    const { queueUrl, dlqUrl } = await createQueuePair(sqs, 'user-logins');
    note(`sending ${bodies.length} messages…`);
    const sentIds = await sendBodies(sqs, queueUrl, bodies);

    const config = loadConfig({
      ...process.env,
      ...localKeyEnv(),
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL: emulator.endpoint,
      QUEUE_URL: queueUrl,
      DLQ_URL: dlqUrl,
      DATABASE_URL: database.url,
      HEALTH_HOST: '127.0.0.1',
      HEALTH_PORT: '0',
    });
    const logger = createLogger({ level: config.logLevel, name: config.serviceName, destination: logStream });
    const service = await startService(config, {
      logger,
      credentials: LOCAL_CREDENTIALS,
      metricsSink: (line) => logStream.write(`${line}\n`),
    });
    const drainStarted = performance.now();
    const progress = new ProgressBar(bodies.length, process.stderr);
    let emptyPolls = 0;
    // Drained when the queue holds nothing, visible or in flight, twice in a row.
    while (emptyPolls < 2) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const m = service.metrics.snapshot();
      const handled = m.written + m.duplicatesSkipped + Object.values(m.quarantined).reduce((a, b) => a + b, 0);
      if (!cli.json) progress.update(handled, `${Math.round((m.received / Math.max(1, performance.now() - drainStarted)) * 1000)} msg/s`);
      const depth = await queueDepth(sqs, queueUrl);
      emptyPolls = messagesLeft(depth) === 0 ? emptyPolls + 1 : 0;
    }
    const drainMs = performance.now() - drainStarted;
    if (!cli.serve) await service.stop();
    if (!cli.json) progress.finish();

    const reportPool = localPool(database.url, 1);
    let shared;
    try {
      // This run's rows only: the local database keeps rows from earlier runs.
      shared = await sharedMaskedValues(reportPool, sentIds);
    } finally {
      await reportPool.end();
    }
    const report = buildReport({
      sent: bodies.length,
      metrics: service.metrics.snapshot(),
      deadLetterQueueDepth: (await queueDepth(sqs, dlqUrl)).visible,
      shared,
      maskingMode: config.masking.mode,
      elapsedMs: performance.now() - startedAt,
      drainMs,
      logFile: path.relative(process.cwd(), logFile) || logFile,
    });
    process.stdout.write(cli.json ? `${JSON.stringify(report)}\n` : formatReport(report));
    if (cli.serve) {
      await serveUntilSignalled({
        AWS_REGION: REGION,
        AWS_ENDPOINT_URL: emulator.endpoint,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        QUEUE_URL: queueUrl,
        DLQ_URL: dlqUrl,
        DATABASE_URL: database.url,
      });
      await service.stop();
    }
    return 0;
  } finally {
    await cleanup();
    logStream.flushSync();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n${USAGE}`);
      process.exit(2);
    }
    if (error instanceof ConfigError || error instanceof KeysetError) {
      console.error(`configuration error: ${error.message}`);
      process.exit(2);
    }
    console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
