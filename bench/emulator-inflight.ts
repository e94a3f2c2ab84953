// fauxqs puts a standard queue's expired in-flight messages back by scanning every message in flight:
// on each ReceiveMessage, and every 20 ms while a long poll waits. A consumer that holds messages
// until their batch is committed keeps thousands in flight, where the ceiling keeps a few hundred,
// so the emulator spent more CPU per receive on the consumer (processTimers and dequeue, 336 ms of
// a 50,000-message drain in a profile), out of the two cores the contenders share. Real SQS charges
// the task nothing for it. The benchmark's emulator therefore keeps, per queue, a lower bound on the
// in-flight visibility deadlines, and scans only once one may have passed. What becomes visible, and
// when, is unchanged.
interface InflightEntry {
  visibilityDeadline: number;
}

/** A queue's in-flight messages by receipt handle, knowing that none becomes visible before `earliestDeadline`. */
export class InflightMessages<V extends InflightEntry = InflightEntry> extends Map<string, V> {
  /** ms since the epoch; a lower bound, exact after `recompute`. */
  earliestDeadline = Number.POSITIVE_INFINITY;

  override set(receiptHandle: string, entry: V): this {
    this.lower(entry.visibilityDeadline);
    return super.set(receiptHandle, entry);
  }

  lower(deadline: number): void {
    if (deadline < this.earliestDeadline) this.earliestDeadline = deadline;
  }

  recompute(): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const entry of this.values()) if (entry.visibilityDeadline < earliest) earliest = entry.visibilityDeadline;
    this.earliestDeadline = earliest;
  }
}

interface QueueInternals {
  inflightMessages: Map<string, InflightEntry>;
  isFifo(): boolean;
  processTimers(): void;
  changeVisibility(receiptHandle: string, timeoutSeconds: number): void;
}

/** Shown to fauxqs's own scan while nothing in flight can have expired: it then only moves delayed messages. */
const NOTHING_DUE: ReadonlyMap<string, InflightEntry> = new Map();

function inflightOf(queue: QueueInternals): InflightMessages {
  if (queue.inflightMessages instanceof InflightMessages) return queue.inflightMessages;
  const inflight = new InflightMessages();
  for (const [handle, entry] of queue.inflightMessages) inflight.set(handle, entry);
  queue.inflightMessages = inflight;
  return inflight;
}

let installed = false;

/**
 * Wraps fauxqs 1.9's SqsQueue.processTimers and changeVisibility (the one place a deadline changes
 * in place). FIFO queues keep fauxqs's own scan. Start-up fails if either method is gone, and
 * test/bench/emulator-inflight.test.ts fails if the queue no longer keeps its messages in flight
 * where this looks.
 */
export async function installEmulatorInflightIndex(): Promise<void> {
  if (installed) return;
  const appUrl = import.meta.resolve('fauxqs');
  const { SqsQueue } = (await import(new URL('./sqs/sqsStore.js', appUrl).href)) as { SqsQueue: { prototype: QueueInternals } };
  const { processTimers, changeVisibility } = SqsQueue?.prototype ?? {};
  if (typeof processTimers !== 'function' || typeof changeVisibility !== 'function') {
    throw new Error('fauxqs has no SqsQueue.processTimers or changeVisibility: the in-flight index cannot be installed');
  }
  SqsQueue.prototype.processTimers = function (this: QueueInternals) {
    if (this.isFifo()) return processTimers.call(this);
    const inflight = inflightOf(this);
    if (Date.now() < inflight.earliestDeadline) {
      this.inflightMessages = NOTHING_DUE as Map<string, InflightEntry>;
      try {
        processTimers.call(this);
      } finally {
        this.inflightMessages = inflight;
      }
      return;
    }
    processTimers.call(this);
    inflight.recompute();
  };
  SqsQueue.prototype.changeVisibility = function (this: QueueInternals, receiptHandle: string, timeoutSeconds: number) {
    changeVisibility.call(this, receiptHandle, timeoutSeconds);
    const entry = this.inflightMessages.get(receiptHandle);
    if (entry !== undefined) inflightOf(this).lower(entry.visibilityDeadline);
  };
  installed = true;
}
