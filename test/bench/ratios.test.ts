// The goal's ratios: from the median runs, and with --repeat round by round.
import { describe, expect, it } from 'vitest';
import { median, ratiosByRound, ratiosOf } from '../../bench/ratios.js';

describe('the ratios the bench reports', () => {
  it('divides the consumer by each baseline that ran, to two places', () => {
    expect(ratiosOf({ ceiling: 10_000, naive: 800, consumer: 8_000 })).toEqual({ 'consumer/ceiling': 0.8, 'consumer/naive': 10 });
    expect(ratiosOf({ ceiling: 9_000, consumer: 7_000 })).toEqual({ 'consumer/ceiling': 0.78 });
    expect(ratiosOf({ ceiling: 9_000, naive: 700 })).toEqual({});
  });

  it('pairs each round with its own runs, where the medians of each contender may come from different rounds', () => {
    // The runs of `npm run bench -- --repeat 3 --contender-cores 1` at 2026-11-22T08:39Z: the ceiling's
    // median run was its second, the consumer's its first, and their ratio 0.82 came from no one round.
    const runs = { ceiling: [9_579, 8_270, 7_272], consumer: [6_776, 5_347, 6_837] };
    expect(ratiosByRound(runs)['consumer/ceiling']).toEqual({ rounds: [0.71, 0.65, 0.94], median: 0.71 });
    expect(ratiosOf({ ceiling: median(runs.ceiling), consumer: median(runs.consumer) })['consumer/ceiling']).toBe(0.82);
    expect(ratiosByRound(runs)['consumer/naive']).toBeUndefined();
  });

  it('takes the middle of an odd count and the mean of the middle two of an even one', () => {
    expect(median([0.94, 0.65, 0.71])).toBe(0.71);
    expect(median([0.6, 0.9, 0.7, 0.8])).toBeCloseTo(0.75, 10);
    expect(ratiosByRound({ ceiling: [100, 200], naive: [10, 10], consumer: [80, 180] })).toEqual({
      'consumer/ceiling': { rounds: [0.8, 0.9], median: 0.85 },
      'consumer/naive': { rounds: [8, 18], median: 13 },
    });
  });

  it('has nothing round by round from a single round', () => {
    expect(ratiosByRound({ ceiling: [10_000], consumer: [8_000] })).toEqual({});
  });
});
