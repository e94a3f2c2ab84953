// The goal's ratios, consumer/ceiling and consumer/naive. With --repeat, each round's ratio is also
// taken from that round's own runs: the machine's speed drifts between rounds (a CPU-bound loop here
// moved by 1.7× within minutes), and a ratio of two runs a few seconds apart is less touched by it
// than a ratio of two medians that may come from different rounds.
import type { ContenderName } from './contenders/contender.js';

export type RatioName = 'consumer/ceiling' | 'consumer/naive';

const PAIRS: readonly [RatioName, ContenderName][] = [
  ['consumer/ceiling', 'ceiling'],
  ['consumer/naive', 'naive'],
];

export interface RoundRatios {
  /** Round by round, in the order they ran. */
  rounds: number[];
  median: number;
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Consumer over each baseline, from one rate per contender (each contender's median run, with --repeat). */
export function ratiosOf(rates: Partial<Record<ContenderName, number>>): Partial<Record<RatioName, number>> {
  const ratios: Partial<Record<RatioName, number>> = {};
  for (const [ratio, baseline] of PAIRS) {
    const over = rates[baseline];
    if (rates.consumer !== undefined && over !== undefined) ratios[ratio] = round2(rates.consumer / over);
  }
  return ratios;
}

/** Each round's ratio from its own runs (the i-th run of each contender), and their median; only with two rounds or more. */
export function ratiosByRound(runs: Partial<Record<ContenderName, readonly number[]>>): Partial<Record<RatioName, RoundRatios>> {
  const byRound: Partial<Record<RatioName, RoundRatios>> = {};
  const consumer = runs.consumer ?? [];
  if (consumer.length < 2) return byRound;
  for (const [ratio, baseline] of PAIRS) {
    const over = runs[baseline];
    if (over?.length !== consumer.length) continue;
    const rounds = consumer.map((rate, i) => round2(rate / over[i]!));
    byRound[ratio] = { rounds, median: round2(median(rounds)) };
  }
  return byRound;
}
