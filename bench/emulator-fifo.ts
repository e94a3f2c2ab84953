// fauxqs keeps a queue's ready messages in a plain array and takes each one off with
// Array.prototype.shift. Once the array's backing store is large (V8 puts it in large-object space
// at about 16,000 messages), shift copies the whole rest of the backlog every time: in a profile of a
// 50,000-message drain it was two fifths of the emulator's CPU, which comes out of the two cores the
// contenders run on, and it grows with the backlog, which real SQS does not. The benchmark's emulator
// therefore gives each queue a FIFO with the same push/shift/length/iteration that fauxqs uses.
/** An array-like queue whose shift is O(1): a head index, with the consumed front dropped now and then. */
export class MessageFifo<T> {
  private items: (T | undefined)[];
  private head = 0;

  constructor(items: Iterable<T> = []) {
    this.items = [...items];
  }

  get length(): number {
    return this.items.length - this.head;
  }

  push(...values: T[]): number {
    for (const value of values) this.items.push(value);
    return this.length;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const value = this.items[this.head];
    this.items[this.head++] = undefined;
    // Dropping the front once it is half the array keeps each shift O(1) amortised.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return value;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i] as T;
  }
}

interface QueueInternals {
  messages: unknown;
  enqueue(message: unknown): void;
}

let installed = false;

/**
 * Swaps each queue's ready-message array for a MessageFifo before its first message goes in (and
 * again after a purge, which sets a fresh array). Reaches into fauxqs 1.9's SqsQueue by its file,
 * since the package exports only its app. Start-up fails if SqsQueue.enqueue is gone, and
 * test/bench/emulator-fifo.test.ts fails if the queue no longer keeps its messages where we swap them.
 */
export async function installEmulatorFifo(): Promise<void> {
  if (installed) return;
  const appUrl = import.meta.resolve('fauxqs');
  const { SqsQueue } = (await import(new URL('./sqs/sqsStore.js', appUrl).href)) as { SqsQueue: { prototype: QueueInternals } };
  if (typeof SqsQueue?.prototype?.enqueue !== 'function') throw new Error('fauxqs has no SqsQueue.enqueue: the emulator FIFO cannot be installed');
  const enqueue = SqsQueue.prototype.enqueue;
  SqsQueue.prototype.enqueue = function (this: QueueInternals, message: unknown) {
    if (Array.isArray(this.messages)) this.messages = new MessageFifo(this.messages);
    enqueue.call(this, message);
  };
  installed = true;
}
