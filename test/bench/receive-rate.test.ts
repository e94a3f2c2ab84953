// The per-second receive rate the bench reports comes from the queue depth it watches.
import { describe, expect, it } from 'vitest';
import { crossedAt, receivedPerSecond } from '../../bench/receive-rate.js';

describe('messages received per second of a drain', () => {
  it('counts what left the visible queue in each whole second from the first receive', () => {
    const samples = [
      { at: 0, visible: 10_000 },
      { at: 1_000, visible: 10_000 },
      { at: 2_000, visible: 7_000 },
      { at: 3_000, visible: 1_000 },
      { at: 3_500, visible: 0 },
      { at: 3_600, visible: 0 },
    ];
    expect(receivedPerSecond(samples, 1_000)).toEqual([3_000, 6_000]);
  });

  it('interpolates between looks that do not fall on the second', () => {
    const samples = [
      { at: 0, visible: 1_000 },
      { at: 400, visible: 600 },
      { at: 1_400, visible: 100 },
      { at: 2_200, visible: 0 },
    ];
    // At 1,000 ms: 600 - 500 × 600/1000 = 300 left, so 700 were taken in the first second; at 2,000: 25.
    expect(receivedPerSecond(samples, 0)).toEqual([700, 275]);
  });

  it('is empty for a drain shorter than a second, and when nothing was watched', () => {
    expect(receivedPerSecond([{ at: 0, visible: 500 }, { at: 600, visible: 0 }], 0)).toEqual([]);
    expect(receivedPerSecond([], 0)).toEqual([]);
  });
});

describe('when a warm-up ended: the messages left on the queue fell to the measured count', () => {
  it('is found between the last two looks, in proportion to what was finished between them', () => {
    const looks = [
      { at: 1_000, left: 12_000 },
      { at: 1_020, left: 10_100 },
      { at: 1_040, left: 9_700 },
    ];
    // 10,000 left a quarter of the way from 10,100 to 9,700.
    expect(crossedAt(looks, 10_000)).toBe(1_025);
  });

  it('is the look itself when it found exactly that many, or when there is no look before it', () => {
    expect(crossedAt([{ at: 0, left: 10_400 }, { at: 20, left: 10_000 }], 10_000)).toBe(20);
    expect(crossedAt([{ at: 7, left: 9_000 }], 10_000)).toBe(7);
  });
});
