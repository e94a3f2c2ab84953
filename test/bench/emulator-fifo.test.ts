// The benchmark's emulator takes messages off a queue in O(1) (bench/emulator-fifo.ts): fauxqs's
// Array.shift copied the whole backlog per message. These check the FIFO keeps fauxqs's behaviour, and
// that the patch still reaches fauxqs's queues, so a fauxqs upgrade that moves them fails here.
import { describe, expect, it } from 'vitest';
import { installEmulatorFifo, MessageFifo } from '../../bench/emulator-fifo.js';

describe('the emulator FIFO', () => {
  it('gives messages back in the order they went in, through many compactions', () => {
    const fifo = new MessageFifo<number>([0, 1]);
    let next = 2;
    let expected = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 300; i++) fifo.push(next++);
      for (let i = 0; i < 250; i++) expect(fifo.shift()).toBe(expected++);
      expect(fifo.length).toBe(next - expected);
    }
    expect([...fifo]).toEqual(Array.from({ length: next - expected }, (_, i) => expected + i));
    while (fifo.length > 0) expect(fifo.shift()).toBe(expected++);
    expect(fifo.shift()).toBeUndefined();
    expect(fifo.length).toBe(0);
  });

  it("replaces a fauxqs queue's ready-message array on its first message, and again after a purge", async () => {
    await installEmulatorFifo();
    await installEmulatorFifo(); // a second install must not wrap twice
    const { SqsQueue } = (await import(new URL('./sqs/sqsStore.js', import.meta.resolve('fauxqs')).href)) as {
      SqsQueue: new (name: string, url: string, arn: string, attributes: Record<string, string>) => {
        messages: unknown;
        enqueue(message: object): void;
        dequeue(max: number): { MessageId: string }[];
        purge(): void;
      };
    };
    const queue = new SqsQueue('fifo-check', 'http://127.0.0.1/000000000000/fifo-check', 'arn:aws:sqs:us-east-1:000000000000:fifo-check', {});
    const message = (id: string): object => ({ messageId: id, body: id, md5OfBody: '', messageAttributes: {}, approximateReceiveCount: 0, sentTimestamp: Date.now() });
    for (const id of ['a', 'b', 'c']) queue.enqueue(message(id));
    expect(queue.messages).toBeInstanceOf(MessageFifo);
    expect(queue.dequeue(2).map((m) => m.MessageId)).toEqual(['a', 'b']);
    expect(queue.dequeue(10).map((m) => m.MessageId)).toEqual(['c']);
    queue.purge();
    queue.enqueue(message('d'));
    expect(queue.messages).toBeInstanceOf(MessageFifo);
    expect(queue.dequeue(10).map((m) => m.MessageId)).toEqual(['d']);
  });
});
