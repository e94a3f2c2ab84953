// Accumulates rows across receives and hands them to the writer in batches: at `flushRows` rows or
// when the oldest has waited `flushIntervalMs`, whichever comes first, with at most
// `maxConcurrentFlushes` batches being written at once (one per pooled connection).
import type { LoginRow } from './login-event.js';
import type { ReceivedMessage } from './received-message.js';
import { Wakeup } from './wakeup.js';

export interface PendingRow {
  message: ReceivedMessage;
  row: LoginRow;
}

export interface WriteBatcherOptions {
  flushRows: number;
  flushIntervalMs: number;
  maxConcurrentFlushes: number;
}

/** Batches rows for the database; the consumer also batches its DLQ moves with it, ten to a call. */
export class WriteBatcher<T = PendingRow> {
  private buffer: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private due = false;
  private flushing = new Set<Promise<void>>();
  private rowsInFlight = 0;
  /** Notified whenever rows leave the batcher, so receivers held back by `hasRoom` can go on. */
  readonly roomFreed = new Wakeup();

  constructor(
    private readonly options: WriteBatcherOptions,
    private readonly write: (batch: T[]) => Promise<void>,
  ) {}

  /** Rows held, buffered or being written. */
  get held(): number {
    return this.buffer.length + this.rowsInFlight;
  }

  /**
   * Room for another receive's worth of rows. Bounding what is held bounds memory, and keeps
   * messages from waiting in the buffer long enough to approach their visibility timeout.
   */
  hasRoom(): boolean {
    return this.held < this.options.flushRows * (this.options.maxConcurrentFlushes + 1);
  }

  add(rows: readonly T[]): void {
    if (rows.length === 0) return;
    this.buffer.push(...rows);
    if (this.timer === undefined && !this.due) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.due = true;
        this.pump();
      }, this.options.flushIntervalMs);
    }
    this.pump();
  }

  /** Writes what is buffered as soon as a slot is free, without waiting for `flushRows` or the interval. */
  flushSoon(): void {
    if (this.buffer.length === 0) return;
    this.due = true;
    this.pump();
  }

  /** Writes everything held now, and resolves when every batch has been written (or given up). */
  async drain(): Promise<void> {
    this.due = true;
    this.pump();
    while (this.flushing.size > 0 || this.buffer.length > 0) {
      await Promise.race(this.flushing);
      this.due = this.buffer.length > 0;
      this.pump();
    }
    this.clearTimer();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private pump(): void {
    while (
      this.flushing.size < this.options.maxConcurrentFlushes &&
      (this.buffer.length >= this.options.flushRows || (this.due && this.buffer.length > 0))
    ) {
      const batch = this.buffer.splice(0, this.options.flushRows);
      if (this.buffer.length === 0) {
        this.due = false;
        this.clearTimer();
      }
      this.start(batch);
    }
  }

  private start(batch: T[]): void {
    this.rowsInFlight += batch.length;
    const flush = this.write(batch)
      .catch(() => undefined) // the writer owns its errors; a batch it gives up on reappears from SQS
      .finally(() => {
        this.rowsInFlight -= batch.length;
        this.flushing.delete(flush);
        // Rows that became due while every slot was busy go now.
        this.pump();
        this.roomFreed.notify();
      });
    this.flushing.add(flush);
  }
}
