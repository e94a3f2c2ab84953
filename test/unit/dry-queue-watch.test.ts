// When the consumer's held rows go without waiting out the flush interval: as soon as the queue has
// run dry, told by a short receive or by receives falling quiet.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DryQueueWatch } from '../../service/dry-queue-watch.js';

describe('DryQueueWatch', () => {
  let flushes: number;
  let watch: DryQueueWatch;

  beforeEach(() => {
    vi.useFakeTimers();
    flushes = 0;
    watch = new DryQueueWatch(10, () => flushes++, 25);
  });
  afterEach(() => {
    watch.stop();
    vi.useRealTimers();
  });

  it('flushes at once after a short receive, and for full receives prepared after it', () => {
    watch.received(10, Date.now());
    watch.received(4, Date.now());
    watch.buffered();
    watch.buffered();
    expect(flushes).toBe(2);
  });

  it('holds rows while full receives keep coming back, and flushes once they fall quiet', () => {
    for (let i = 0; i < 10; i++) {
      watch.received(10, Date.now());
      watch.buffered();
      vi.advanceTimersByTime(10);
    }
    expect(flushes).toBe(0);
    // The last full receive came back 10 ms ago; 15 ms more of quiet makes 25.
    vi.advanceTimersByTime(14);
    expect(flushes).toBe(0);
    vi.advanceTimersByTime(1);
    expect(flushes).toBe(1);
    // Dry until a full receive says otherwise.
    watch.buffered();
    expect(flushes).toBe(2);
    watch.received(10, Date.now());
    watch.buffered();
    expect(flushes).toBe(2);
  });

  it('an empty receive counts as dry, as the end of a long poll on an empty queue', () => {
    watch.received(0, Date.now());
    watch.buffered();
    expect(flushes).toBe(1);
  });

  it('checks nothing once stopped', () => {
    watch.received(10, Date.now());
    watch.buffered();
    watch.stop();
    vi.advanceTimersByTime(1_000);
    expect(flushes).toBe(0);
  });
});
