// The fourth goal's "flat": a contender's throughput and peak RSS at several backlog sizes, within
// 20 % of each other, so that nothing grows with the backlog. The sizes run in one bench run, a round
// at a time, because the machine's speed drifted by a third within minutes: separate runs a few
// minutes apart compared the machine as much as the sizes. Each round's own ratio says how far its
// sizes were from each other while they met the machine at nearly the same speed.
import { median, type RoundRatios } from './ratios.js';

/** One size's runs of one contender, in the order the rounds ran. */
export interface SizeRuns {
  count: number;
  runs: readonly { msgsPerSec: number; peakRssMb: number }[];
}

export interface Flatness {
  sizes: number[];
  /** The slowest size's median msg/s over the fastest size's: 1 is flat, the goal asks at least 0.8. */
  throughput: number;
  /** With two rounds or more: in each round, its slowest size over its fastest, and their median. */
  throughputByRound?: RoundRatios;
  /** The lowest size's median peak RSS over the highest's, as above. */
  peakRss: number;
}

const round2 = (value: number): number => Math.round(value * 100) / 100;
const lowOverHigh = (values: readonly number[]): number => round2(Math.min(...values) / Math.max(...values));

/** Null with fewer than two different sizes, or if the sizes ran a different number of rounds. */
export function flatnessOf(bySize: readonly SizeRuns[]): Flatness | null {
  if (new Set(bySize.map((s) => s.count)).size < 2) return null;
  const rounds = bySize[0]!.runs.length;
  if (rounds === 0 || bySize.some((s) => s.runs.length !== rounds)) return null;
  const flatness: Flatness = {
    sizes: bySize.map((s) => s.count),
    throughput: lowOverHigh(bySize.map((s) => median(s.runs.map((r) => r.msgsPerSec)))),
    peakRss: lowOverHigh(bySize.map((s) => median(s.runs.map((r) => r.peakRssMb)))),
  };
  if (rounds > 1) {
    const each = Array.from({ length: rounds }, (_, i) => lowOverHigh(bySize.map((s) => s.runs[i]!.msgsPerSec)));
    flatness.throughputByRound = { rounds: each, median: round2(median(each)) };
  }
  return flatness;
}

/**
 * The order of the sizes in round `index` (from 0): as given, then reversed, and so on, so that no
 * size always runs first in its round (right after seeding the largest queue, say) or always last.
 */
export function sizeOrder<T>(sizes: readonly T[], index: number): T[] {
  return index % 2 === 0 ? [...sizes] : [...sizes].reverse();
}
