// Readiness asks the database itself, not only how the last write went: an idle consumer would
// otherwise report ready through an outage it has not yet written into.
import type pg from 'pg';

export function databaseCheck(pool: pg.Pool, options: { cacheMs?: number; timeoutMs?: number } = {}): () => Promise<boolean> {
  const cacheMs = options.cacheMs ?? 5_000;
  const timeoutMs = options.timeoutMs ?? 2_000;
  let last: { at: number; ok: boolean } | undefined;
  let inFlight: Promise<boolean> | undefined;
  const ping = async (): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
      });
      await Promise.race([pool.query('SELECT 1'), timeout]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  };
  return async () => {
    if (last && Date.now() - last.at < cacheMs) return last.ok;
    inFlight ??= ping().then((ok) => {
      last = { at: Date.now(), ok };
      inFlight = undefined;
      return ok;
    });
    return inFlight;
  };
}
