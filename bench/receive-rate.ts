// How fast a contender took messages off its queue in each second of its drain, from the depth the
// bench watches anyway. It shows where a run's time went: in a fresh process's first seconds each
// call costs more CPU than later (cold code), so a short drain's average is mostly that warm-up.

export interface DepthSample {
  /** ms since epoch */
  at: number;
  /** Messages not yet received (visible); received ones are in flight or deleted. */
  visible: number;
  /** Messages not yet finished: visible, in flight or delayed. */
  left: number;
}

/** Visible messages at `at`, by linear interpolation between the samples around it. */
function visibleAt(samples: readonly Pick<DepthSample, 'at' | 'visible'>[], at: number): number {
  const after = samples.findIndex((s) => s.at >= at);
  if (after === -1) return samples[samples.length - 1]!.visible;
  if (after === 0) return samples[0]!.visible;
  const a = samples[after - 1]!;
  const b = samples[after]!;
  return a.visible + ((b.visible - a.visible) * (at - a.at)) / (b.at - a.at);
}

/**
 * Messages received in each whole second from `startedAt` (the first receive) while the queue still
 * had visible messages; a last, partial second is left out. Samples must be in time order.
 */
export function receivedPerSecond(samples: readonly Pick<DepthSample, 'at' | 'visible'>[], startedAt: number): number[] {
  if (samples.length === 0) return [];
  const emptyAt = samples.find((s) => s.visible === 0)?.at ?? samples[samples.length - 1]!.at;
  const rates: number[] = [];
  let before = visibleAt(samples, startedAt);
  for (let end = startedAt + 1_000; end <= emptyAt; end += 1_000) {
    const now = visibleAt(samples, end);
    rates.push(Math.round(before - now));
    before = now;
  }
  return rates;
}

/**
 * When the messages left fell to `left`, by linear interpolation between the last two looks (the
 * last at or below it, the one before above it); the last look's time if there is no earlier one.
 */
export function crossedAt(samples: readonly Pick<DepthSample, 'at' | 'left'>[], left: number): number {
  const b = samples[samples.length - 1]!;
  const a = samples[samples.length - 2];
  if (!a || a.left <= left || a.left === b.left) return b.at;
  return Math.round(a.at + ((b.at - a.at) * (a.left - left)) / (a.left - b.left));
}
