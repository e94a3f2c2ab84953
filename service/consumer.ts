// The pipeline, top to bottom: receive → validate and mask → write in batches → acknowledge.
// Rejected messages go to the DLQ with their reason instead. Several receives are kept in flight so
// queue latency overlaps; writes are batched across receives; deletes overlap the next batch.
import type { SQSClient } from '@aws-sdk/client-sqs';
import type pg from 'pg';
import { DryQueueWatch } from './dry-queue-watch.js';
import { DatabaseUnavailableError } from './errors.js';
import type { Logger } from './logger.js';
import { LoginQueue, SQS_MAX_BATCH, type Quarantined } from './login-queue.js';
import { writeRows } from './login-writer.js';
import type { Metrics } from './metrics.js';
import type { PrepareOutcome, Preparer } from './preparer.js';
import type { ReceivedMessage } from './received-message.js';
import { backoffMs, sleep, Wakeup } from './wakeup.js';
import { WriteBatcher, type PendingRow } from './write-batcher.js';

export interface ConsumerSettings {
  queueUrl: string;
  dlqUrl: string;
  receiveConcurrency: number;
  receiveBatchSize: number;
  waitTimeSeconds: number;
  visibilityTimeoutSeconds: number;
  flushRows: number;
  flushIntervalMs: number;
  /** Batches written at once; at most the pool size, since each holds a connection. */
  maxConcurrentFlushes: number;
  shutdownTimeoutMs: number;
}

export interface ConsumerDeps {
  /** Built with `endLongPollsOn: receiving.signal`, so that stopping cuts the long polls in flight. */
  sqs: SQSClient;
  /** Aborted when the consumer stops receiving. */
  receiving: AbortController;
  pool: pg.Pool;
  /** Validates and masks; on worker threads by default. */
  preparer: Preparer;
  logger: Logger;
  metrics: Metrics;
}

export interface ConsumerStatus {
  /** The receive loops are running (or deliberately paused), not wedged. */
  live: boolean;
  /** Live, the database answered the last write, and not stopping. */
  ready: boolean;
  databaseUp: boolean;
  stopping: boolean;
}

/** How long a receive loop may go without a sign of life: a long poll plus the SDK's request timeout. */
const LOOP_STALL_MS = 60_000;

export class Consumer {
  private readonly queue: LoginQueue;
  private readonly batcher: WriteBatcher;
  private readonly rejects: WriteBatcher<Quarantined>;
  private readonly dryWatch: DryQueueWatch;
  private readonly abort: AbortController;
  private readonly databaseBack = new Wakeup();
  private readonly background = new Set<Promise<unknown>>();
  private loops: Promise<void>[] = [];
  private heartbeats: number[] = [];
  private databaseUp = true;
  private deadline = Infinity;
  private stopped: Promise<{ clean: boolean }> | undefined;

  constructor(
    private readonly deps: ConsumerDeps,
    private readonly settings: ConsumerSettings,
  ) {
    this.abort = deps.receiving;
    this.queue = new LoginQueue(deps.sqs, settings);
    this.batcher = new WriteBatcher(settings, (batch) => this.write(batch));
    // Rejections are gathered across receives into full DLQ batches: about a quarter of receives hold
    // a malformed message, and moving each one alone cost two more SQS calls per such receive, a
    // quarter more calls than the messages themselves need.
    this.rejects = new WriteBatcher<Quarantined>(
      { flushRows: SQS_MAX_BATCH, flushIntervalMs: settings.flushIntervalMs, maxConcurrentFlushes: settings.receiveConcurrency },
      (items) =>
        this.quarantine(items).catch((error: unknown) => {
          this.deps.metrics.error();
          this.deps.logger.error({ err: error }, 'moving messages to the DLQ failed; they reappear and are tried again');
        }),
    );
    this.dryWatch = new DryQueueWatch(settings.receiveBatchSize, () => {
      this.batcher.flushSoon();
      this.rejects.flushSoon();
    });
  }

  start(): void {
    if (this.loops.length > 0) return;
    this.deps.logger.info(
      { receiveConcurrency: this.settings.receiveConcurrency, flushRows: this.settings.flushRows, flushIntervalMs: this.settings.flushIntervalMs },
      'consumer started',
    );
    for (let i = 0; i < this.settings.receiveConcurrency; i++) {
      this.heartbeats[i] = Date.now();
      this.loops.push(this.receiveLoop(i));
    }
  }

  status(now = Date.now()): ConsumerStatus {
    const stopping = this.abort.signal.aborted;
    const live = this.loops.length > 0 && this.heartbeats.every((beat) => now - beat < LOOP_STALL_MS);
    return { live, ready: live && this.databaseUp && !stopping, databaseUp: this.databaseUp, stopping };
  }

  // 1. Receive: each loop keeps one long poll in flight, unless the database is down (receiving then
  //    would only burn receive counts and push healthy messages to the DLQ) or enough is held.
  //    A loop's last receive is prepared while its next one is out: the round trip to a prepare
  //    worker waits for this thread's turn to come round, and took about a third of a loop's time.
  private async receiveLoop(index: number): Promise<void> {
    const { signal } = this.abort;
    let failures = 0;
    let preparing: Promise<void> = Promise.resolve();
    try {
      while (!signal.aborted) {
        this.heartbeats[index] = Date.now();
        if (!this.databaseUp) {
          await this.databaseBack.wait(1_000, signal);
          continue;
        }
        if (!this.batcher.hasRoom()) {
          await this.batcher.roomFreed.wait(1_000, signal);
          continue;
        }
        let messages: ReceivedMessage[];
        try {
          messages = await this.queue.receive();
          failures = 0;
        } catch (error) {
          if (signal.aborted) break;
          this.deps.metrics.error();
          this.deps.logger.warn({ err: error, queueUrl: this.settings.queueUrl }, 'receive failed; backing off');
          await sleep(backoffMs(failures++), signal);
          continue;
        }
        const receivedAt = Date.now();
        this.heartbeats[index] = receivedAt;
        this.dryWatch.received(messages.length, receivedAt);
        await preparing;
        preparing = this.handle(messages);
      }
    } finally {
      await preparing;
    }
  }

  // 2. Validate and mask each message; rows go to the batcher, rejections to the DLQ. Once the queue
  //    has run dry for now, what is buffered goes without waiting out the flush interval: at the end
  //    of a burst that wait was most of the drain's tail (dry-queue-watch.ts).
  private async handle(messages: ReceivedMessage[]): Promise<void> {
    await this.prepareAndBuffer(messages);
    this.dryWatch.buffered();
  }

  private async prepareAndBuffer(messages: ReceivedMessage[]): Promise<void> {
    if (messages.length === 0) return;
    this.deps.metrics.received(messages.length);
    let outcomes: PrepareOutcome[];
    try {
      outcomes = await this.deps.preparer.prepare(messages);
    } catch (error) {
      // A worker died: leave these messages to reappear after their visibility timeout.
      this.deps.metrics.error();
      this.deps.logger.error({ err: error, messageIds: messages.map((m) => m.messageId) }, 'preparing messages failed unexpectedly');
      return;
    }
    const rows: PendingRow[] = [];
    const rejected: Quarantined[] = [];
    // An outcome already is a row, or a rejection, with its message: held as it is, not copied.
    for (const outcome of outcomes) {
      if (outcome.kind === 'row') rows.push(outcome);
      else if (outcome.kind === 'rejected') rejected.push(outcome);
      else {
        // A bug or a damaged body, not bad input: leave the message to reappear; SQS's redrive policy
        // bounds the retries.
        this.deps.metrics.error();
        this.deps.logger.error({ error: outcome.error, messageId: outcome.message.messageId }, 'could not prepare a message; it reappears after its visibility timeout');
      }
    }
    this.rejects.add(rejected);
    this.batcher.add(rows);
  }


  // 3. Write a batch; on an outage, pause receiving and retry with jittered backoff until it
  //    succeeds or the shutdown deadline passes (then the messages reappear after their timeout).
  private async write(batch: PendingRow[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      try {
        const result = await writeRows(this.deps.pool, batch.map((p) => p.row));
        this.deps.metrics.written(result.inserted, result.duplicates, performance.now() - started);
        this.setDatabaseUp(true);
        const refused = new Set(result.refused.map((r) => r.row.messageId));
        if (refused.size > 0) {
          this.inBackground(
            this.quarantine(
              result.refused.map(({ row, sqlState }) => ({
                message: batch.find((p) => p.row === row)!.message,
                rejection: { reason: 'database_rejected', detail: `PostgreSQL refused the row (SQLSTATE ${sqlState})` },
              })),
            ),
          );
        }
        // 4. Acknowledge only what is committed, without holding up the next batch.
        this.inBackground(this.acknowledge(batch.filter((p) => !refused.has(p.row.messageId)).map((p) => p.message)));
        return;
      } catch (error) {
        this.deps.metrics.error();
        const wasUp = this.databaseUp;
        this.setDatabaseUp(false);
        const cause = error instanceof DatabaseUnavailableError ? error.cause : error;
        const detail = { code: (cause as { code?: string })?.code, error: (cause as Error)?.message };
        if (wasUp) this.deps.logger.error({ ...detail, rows: batch.length }, 'database unavailable; receiving paused');
        const wait = Math.min(backoffMs(attempt, 250, 10_000), this.deadline - Date.now());
        if (wait <= 0) {
          this.deps.logger.warn({ rows: batch.length }, 'gave up writing a batch at shutdown; its messages reappear after their visibility timeout');
          return;
        }
        await sleep(wait);
      }
    }
  }

  private setDatabaseUp(up: boolean): void {
    if (up && !this.databaseUp) this.deps.logger.info('database reachable again; receiving resumed');
    this.databaseUp = up;
    if (up) this.databaseBack.notify();
  }

  private async acknowledge(messages: ReceivedMessage[]): Promise<void> {
    const failed = await this.queue.delete(messages);
    if (failed.length > 0) {
      this.deps.metrics.error();
      this.deps.logger.warn({ messageIds: failed }, 'delete failed after retry; these reappear and are skipped as duplicates');
    }
  }

  private async quarantine(items: Quarantined[]): Promise<void> {
    const { moved, failedIds } = await this.queue.quarantine(items);
    for (const { message, rejection } of moved) {
      this.deps.metrics.quarantined(rejection.reason);
      this.deps.logger.warn({ messageId: message.messageId, reason: rejection.reason, detail: rejection.detail }, 'message quarantined to the DLQ');
    }
    if (failedIds.length > 0) {
      this.deps.metrics.error();
      this.deps.logger.warn({ messageIds: failedIds }, 'could not move to the DLQ; left on the queue to retry');
    }
  }

  private inBackground(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => {
      this.deps.metrics.error();
      this.deps.logger.error({ err: error }, 'background SQS call failed');
    });
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }

  /**
   * Graceful stop: no new receives (in-flight long polls are cancelled), write and acknowledge what is
   * in hand, then resolve. `clean` is false if the deadline passed first.
   */
  stop(): Promise<{ clean: boolean }> {
    this.stopped ??= (async () => {
      this.deadline = Date.now() + this.settings.shutdownTimeoutMs;
      this.abort.abort();
      this.databaseBack.notify();
      await Promise.allSettled(this.loops);
      this.dryWatch.stop();
      const finished = (async () => {
        await Promise.all([this.batcher.drain(), this.rejects.drain()]);
        while (this.background.size > 0) await Promise.allSettled([...this.background]);
        return true;
      })();
      const clean = await Promise.race([finished, sleep(Math.max(0, this.deadline - Date.now())).then(() => false)]);
      this.deps.logger.info({ clean }, 'consumer stopped');
      return { clean };
    })();
    return this.stopped;
  }
}
