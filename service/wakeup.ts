// A condition to wait on: waiters wake when notified, after a timeout, or when aborted, and then
// re-check whatever they were waiting for.
export class Wakeup {
  private waiters = new Set<() => void>();

  notify(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }

  wait(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }
}

/** Sleeps ms, or less if the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Wakeup().wait(ms, signal);
}

/** "Full jitter" exponential backoff: spreads retries of many tasks so a recovering database is not stampeded. */
export function backoffMs(attempt: number, baseMs = 200, capMs = 15_000): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20));
}
