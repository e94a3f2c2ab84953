// The benchmark's emulator scans a queue's in-flight messages only once one of them may have become
// visible again (bench/emulator-inflight.ts). These check that messages still come back when their
// visibility timeout ends, also after ChangeMessageVisibility, that nothing is scanned before, and
// that the patch still reaches fauxqs's queues, so a fauxqs upgrade that moves them fails here.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { InflightMessages, installEmulatorInflightIndex } from '../../bench/emulator-inflight.js';

interface Queue {
  inflightMessages: Map<string, { visibilityDeadline: number }>;
  enqueue(message: object): void;
  dequeue(max: number, visibilityTimeout?: number): { MessageId: string; ReceiptHandle: string }[];
  changeVisibility(receiptHandle: string, timeoutSeconds: number): void;
  deleteMessage(receiptHandle: string): boolean;
  processTimers(): void;
}

let SqsQueue: new (name: string, url: string, arn: string, attributes: Record<string, string>) => Queue;
let made = 0;

function queueOf(ids: string[], attributes: Record<string, string> = {}): Queue {
  const name = `inflight-check-${made++}${attributes.FifoQueue === 'true' ? '.fifo' : ''}`;
  const queue = new SqsQueue(name, `http://127.0.0.1/000000000000/${name}`, `arn:aws:sqs:us-east-1:000000000000:${name}`, attributes);
  for (const id of ids) {
    queue.enqueue({ messageId: id, body: id, md5OfBody: '', messageAttributes: {}, approximateReceiveCount: 0, sentTimestamp: Date.now(), messageGroupId: attributes.FifoQueue ? 'g' : undefined });
  }
  return queue;
}

/** Counts how often fauxqs walks this map, which is how its scan reads it. */
function countScans(queue: Queue): () => number {
  let scans = 0;
  const map = queue.inflightMessages;
  const entries = map.entries.bind(map);
  Object.defineProperty(map, Symbol.iterator, {
    value: () => {
      scans++;
      return entries();
    },
  });
  return () => scans;
}

const ids = (received: { MessageId: string }[]): string[] => received.map((m) => m.MessageId);

describe("the emulator's in-flight index", () => {
  beforeAll(async () => {
    await installEmulatorInflightIndex();
    await installEmulatorInflightIndex(); // a second install must not wrap twice
    ({ SqsQueue } = (await import(new URL('./sqs/sqsStore.js', import.meta.resolve('fauxqs')).href)) as { SqsQueue: typeof SqsQueue });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('does not scan a thousand messages in flight on every receive, and gives them back once their timeout ends', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const queue = queueOf(Array.from({ length: 1_001 }, (_, i) => `m${i}`));
    const received = [];
    for (let i = 0; i < 100; i++) received.push(...queue.dequeue(10, 60));
    expect(received).toHaveLength(1_000);
    expect(queue.inflightMessages).toBeInstanceOf(InflightMessages);
    const scans = countScans(queue);
    for (let i = 0; i < 50; i++) queue.processTimers();
    expect(ids(queue.dequeue(10, 60))).toEqual(['m1000']);
    expect(scans()).toBe(0);

    vi.advanceTimersByTime(60_001);
    queue.processTimers();
    expect(scans()).toBe(1);
    expect(queue.inflightMessages.size).toBe(0);
    const again = [];
    for (let i = 0; i < 200; i++) again.push(...queue.dequeue(10, 60));
    expect(again).toHaveLength(1_001);
    expect(scans()).toBe(1);
  });

  it('a message whose visibility is shortened comes back when the new timeout ends, not the old', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const queue = queueOf(['a', 'b']);
    const [a] = queue.dequeue(1, 600);
    expect(ids(queue.dequeue(1, 600))).toEqual(['b']);
    queue.changeVisibility(a!.ReceiptHandle, 5);
    vi.advanceTimersByTime(4_000);
    expect(queue.dequeue(10, 600)).toEqual([]);
    vi.advanceTimersByTime(1_001);
    expect(ids(queue.dequeue(10, 600))).toEqual(['a']);
  });

  it('a visibility timeout of 0 puts the message straight back, and a deleted one never returns', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const queue = queueOf(['a', 'b']);
    const [a, b] = queue.dequeue(2, 30);
    queue.changeVisibility(a!.ReceiptHandle, 0);
    expect(ids(queue.dequeue(10, 30))).toEqual(['a']);
    expect(queue.deleteMessage(b!.ReceiptHandle)).toBe(true);
    vi.advanceTimersByTime(31_000);
    expect(ids(queue.dequeue(10, 30))).toEqual(['a']);
  });

  it('leaves FIFO queues to fauxqs', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const queue = queueOf(['a'], { FifoQueue: 'true' });
    expect(ids(queue.dequeue(1, 10))).toEqual(['a']);
    expect(queue.inflightMessages).not.toBeInstanceOf(InflightMessages);
    vi.advanceTimersByTime(10_001);
    expect(ids(queue.dequeue(1, 10))).toEqual(['a']);
  });
});
