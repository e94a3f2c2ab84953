// The fourth goal's flatness: slowest size over fastest, from each size's median and round by round.
import { describe, expect, it } from 'vitest';
import { flatnessOf, sizeOrder } from '../../bench/flatness.js';

const runs = (...pairs: [number, number][]) => pairs.map(([msgsPerSec, peakRssMb]) => ({ msgsPerSec, peakRssMb }));

describe('the flatness the bench reports across sizes', () => {
  it('divides the slowest size by the fastest, and the lowest peak RSS by the highest, to two places', () => {
    const flat = flatnessOf([
      { count: 10_000, runs: runs([9_000, 150]) },
      { count: 50_000, runs: runs([12_000, 160]) },
      { count: 200_000, runs: runs([11_000, 180]) },
    ]);
    expect(flat).toEqual({ sizes: [10_000, 50_000, 200_000], throughput: 0.75, peakRss: 0.83 });
  });

  it('takes each size at its median run, and each round from its own runs', () => {
    // Round 2 met a slow machine at every size: the medians and each round are flat, although the
    // fastest and slowest runs overall are far apart.
    const flat = flatnessOf([
      { count: 10_000, runs: runs([10_000, 150], [6_000, 151], [9_800, 149]) },
      { count: 200_000, runs: runs([10_400, 170], [6_100, 171], [10_000, 169]) },
    ]);
    expect(flat!.throughput).toBe(0.98);
    expect(flat!.throughputByRound).toEqual({ rounds: [0.96, 0.98, 0.98], median: 0.98 });
    expect(flat!.peakRss).toBe(0.88);
  });

  it('has nothing to say of one size, or of sizes that ran a different number of rounds', () => {
    expect(flatnessOf([{ count: 10_000, runs: runs([9_000, 150]) }])).toBeNull();
    // naive capped by --naive-count drains the same number at every size.
    expect(flatnessOf([{ count: 2_000, runs: runs([40, 150]) }, { count: 2_000, runs: runs([38, 150]) }])).toBeNull();
    expect(flatnessOf([{ count: 10_000, runs: runs([9_000, 150]) }, { count: 20_000, runs: runs([9_000, 150], [9_100, 151]) }])).toBeNull();
    expect(flatnessOf([{ count: 10_000, runs: [] }, { count: 20_000, runs: [] }])).toBeNull();
  });

  it('runs the sizes as given in the first round, reversed in the second, and so on', () => {
    const sizes = [10_000, 50_000, 200_000];
    expect([0, 1, 2].map((i) => sizeOrder(sizes, i))).toEqual([sizes, [200_000, 50_000, 10_000], sizes]);
    expect(sizes).toEqual([10_000, 50_000, 200_000]);
  });
});
