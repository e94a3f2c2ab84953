// Validate-and-mask for a whole receive, either on this thread or on a pool of worker threads.
// Workers receive the key material once, at start, through workerData: it never leaves the process.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { BodyChecksumError, bodyMatchesMd5 } from './body-checksum.js';
import type { MaskingMode } from './config.js';
import type { Keyset } from './keys.js';
import type { PrepareWorkerData } from './prepare-worker.js';
import { createMasker, type Masker } from './masking.js';
import { prepareRows, type Prepared } from './prepare-row.js';
import { fromResponse, toRequestFields, type PrepareRequest, type PrepareResponse } from './prepare-wire.js';
import type { ReceivedMessage } from './received-message.js';

/**
 * A message that could not be prepared for a reason other than bad input (a bug, or a body damaged
 * on its way from SQS): it is left to reappear, and SQS's redrive policy bounds the retries.
 */
export type PrepareOutcome = Prepared | { kind: 'failed'; message: ReceivedMessage; error: string };

export interface Preparer {
  prepare(messages: ReceivedMessage[]): Promise<PrepareOutcome[]>;
  close(): Promise<void>;
}

export function prepareMessages(messages: readonly ReceivedMessage[], masker: Masker): PrepareOutcome[] {
  const outcomes = new Array<PrepareOutcome>(messages.length);
  const intact: ReceivedMessage[] = [];
  const intactAt: number[] = [];
  messages.forEach((message, i) => {
    if (bodyMatchesMd5(message.body, message.md5OfBody)) {
      intact.push(message);
      intactAt.push(i);
    } else {
      outcomes[i] = failed(message, new BodyChecksumError(message.messageId));
    }
  });
  prepareRows(intact, masker).forEach((prepared, j) => {
    outcomes[intactAt[j]!] = prepared instanceof Error ? failed(intact[j]!, prepared) : prepared;
  });
  return outcomes;
}

/** Error messages from validation and masking never carry the value (see masking.ts). */
function failed(message: ReceivedMessage, error: Error): PrepareOutcome {
  return { kind: 'failed', message, error: `${error.name}: ${error.message}` };
}

/**
 * One worker per core beyond the one the SQS loop uses. Even with masking on native AES, handing a
 * receive to a worker beat preparing it on the SQS thread by about a tenth with no added latency,
 * where that thread is the limit; at 20 ms the two were level (docs/performance.md).
 */
export function defaultPrepareWorkers(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

export async function createPreparer(keyset: Keyset, mode: MaskingMode, workers: number): Promise<Preparer> {
  if (workers === 0) {
    const masker = createMasker(keyset, mode);
    return { prepare: async (messages) => prepareMessages(messages, masker), close: async () => undefined };
  }
  const preparer = new WorkerPreparer(keyset, mode, workers);
  try {
    await preparer.started();
  } catch (error) {
    await preparer.close();
    throw error;
  }
  return preparer;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  /** Requests made in this turn of the event loop, posted together when it ends. */
  outbox: PrepareRequest[];
  /** Resolves once the worker has built its masker; rejects if it cannot start. */
  ready: Promise<void>;
  markReady?: () => void;
  failStart?: (error: Error) => void;
}

interface Pending {
  messages: ReceivedMessage[];
  resolve(outcomes: PrepareOutcome[]): void;
  reject(error: Error): void;
}

class WorkerPreparer implements Preparer {
  private readonly workers: Slot[] = [];
  private nextId = 0;
  private closing = false;

  constructor(
    private readonly keyset: Keyset,
    private readonly mode: MaskingMode,
    count: number,
  ) {
    for (let i = 0; i < count; i++) this.workers.push(this.spawn());
  }

  private spawn(): Slot {
    const workerData: PrepareWorkerData = { mode: this.mode, active: this.keyset.active, keys: [...this.keyset.keys] };
    // A worker holds one receive at a time and nothing between them: a small young generation keeps
    // its heap, and the task's RSS, from growing to V8's defaults. V8 lets a --max-semi-space-size
    // flag override this young-generation limit, and the image sets one (service/Dockerfile): there
    // the worker's new space grew to 32 MB (Node 24.21, 200,000 messages). Clearing the flag before the
    // worker starts gave it back a 4 or 12 MB limit, but at both the consumer was slower and used
    // more CPU per message in two of three rounds, so the image lives with it (docs/performance.md).
    const resourceLimits = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 };
    // Compiled, the worker is plain JavaScript. Under tsx or vitest this module is TypeScript, and a
    // worker does not inherit the TypeScript loader: a small bootstrap registers tsx first.
    const worker = import.meta.url.endsWith('.ts')
      ? new Worker(
          `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(new URL('./prepare-worker.ts', import.meta.url).href)}); });`,
          { eval: true, workerData, resourceLimits },
        )
      : new Worker(new URL('./prepare-worker.js', import.meta.url), { workerData, resourceLimits });
    const slot: Slot = { worker, pending: new Map<number, Pending>(), outbox: [], ready: Promise.resolve() };
    slot.ready = new Promise<void>((resolve, reject) => {
      slot.markReady = resolve;
      slot.failStart = reject;
    });
    worker.on('message', (responses: PrepareResponse[] | 'ready') => {
      if (responses === 'ready') {
        slot.markReady?.();
        return;
      }
      for (const response of responses) {
        const pending = slot.pending.get(response.id);
        slot.pending.delete(response.id);
        if (pending) pending.resolve(fromResponse(response, pending.messages));
      }
    });
    const fail = (error: Error): void => {
      slot.failStart?.(error);
      for (const pending of slot.pending.values()) pending.reject(error);
      slot.pending.clear();
      // A worker that died is replaced; what it held is rejected and its messages reappear.
      const index = this.workers.indexOf(slot);
      if (!this.closing && index >= 0) this.workers[index] = this.spawn();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (code !== 0 || slot.pending.size > 0) fail(new Error(`prepare worker exited with code ${code}`));
    });
    return slot;
  }

  prepare(messages: ReceivedMessage[]): Promise<PrepareOutcome[]> {
    if (messages.length === 0) return Promise.resolve([]);
    // The least busy worker: receives are small and similar, so this keeps them evenly loaded.
    const slot = this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { messages, resolve, reject });
      // Most of a postMessage's cost is per post, not per message (each one wakes the other thread),
      // and several receives often complete in one turn of the event loop: they go as one post.
      if (slot.outbox.push({ id, messages: toRequestFields(messages) }) === 1) {
        setImmediate(() => {
          const requests = slot.outbox;
          slot.outbox = [];
          slot.worker.postMessage(requests);
        });
      }
    });
  }

  /** Waits until every worker is up, so a worker that cannot start stops start-up, not messages. */
  async started(): Promise<void> {
    await Promise.all(this.workers.map((slot) => slot.ready));
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }
}
