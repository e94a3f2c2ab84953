// The summary `npm start` prints: what was received, written and quarantined, and how many masked
// values recur across users (the duplicates masking is meant to keep visible).
import type pg from 'pg';
import type { MetricsSnapshot } from '../metrics.js';

export interface RunReport {
  sent: number;
  received: number;
  written: number;
  quarantined: Record<string, number>;
  quarantinedTotal: number;
  duplicatesSkipped: number;
  deadLetterQueueDepth: number;
  sharedDeviceIds: number;
  sharedIps: number;
  maskingMode: string;
  messagesPerSecond: number;
  elapsedMs: number;
  drainMs: number;
  logFile: string;
}

/** Masked values that belong to more than one user, among the rows this run wrote. */
export async function sharedMaskedValues(pool: pg.Pool, messageIds: readonly string[]): Promise<{ devices: number; ips: number }> {
  const { rows } = await pool.query<{ devices: string; ips: string }>(
    `WITH run AS (SELECT * FROM user_logins WHERE message_id = ANY($1::varchar[]))
     SELECT
       (SELECT count(*) FROM (SELECT masked_device_id FROM run GROUP BY 1 HAVING count(DISTINCT user_id) > 1) d) AS devices,
       (SELECT count(*) FROM (SELECT masked_ip FROM run GROUP BY 1 HAVING count(DISTINCT user_id) > 1) i) AS ips`,
    [messageIds],
  );
  return { devices: Number(rows[0]?.devices ?? 0), ips: Number(rows[0]?.ips ?? 0) };
}

export function buildReport(input: {
  sent: number;
  metrics: MetricsSnapshot;
  deadLetterQueueDepth: number;
  shared: { devices: number; ips: number };
  maskingMode: string;
  elapsedMs: number;
  drainMs: number;
  logFile: string;
}): RunReport {
  const quarantinedTotal = Object.values(input.metrics.quarantined).reduce((a, b) => a + b, 0);
  return {
    sent: input.sent,
    received: input.metrics.received,
    written: input.metrics.written,
    quarantined: Object.fromEntries(Object.entries(input.metrics.quarantined).sort(([, a], [, b]) => b - a)),
    quarantinedTotal,
    duplicatesSkipped: input.metrics.duplicatesSkipped,
    deadLetterQueueDepth: input.deadLetterQueueDepth,
    sharedDeviceIds: input.shared.devices,
    sharedIps: input.shared.ips,
    maskingMode: input.maskingMode,
    messagesPerSecond: input.drainMs > 0 ? Math.round((input.metrics.received / input.drainMs) * 1000) : 0,
    elapsedMs: Math.round(input.elapsedMs),
    drainMs: Math.round(input.drainMs),
    logFile: input.logFile,
  };
}

export function formatReport(report: RunReport): string {
  const row = (label: string, value: string | number): string => `  ${label.padEnd(50)} ${String(value).padStart(10)}`;
  const lines = [
    '',
    'Login pipeline: local run',
    row('messages sent to the queue', report.sent),
    row('messages received', report.received),
    row('rows written to user_logins', report.written),
    row('duplicates skipped (redelivered messages)', report.duplicatesSkipped),
    row('quarantined to the dead-letter queue', report.quarantinedTotal),
    ...Object.entries(report.quarantined).map(([reason, count]) => row(`    ${reason}`, count)),
    row('messages now in the dead-letter queue', report.deadLetterQueueDepth),
    row('masked device ids seen for more than one user', report.sharedDeviceIds),
    row('masked ips seen for more than one user', report.sharedIps),
    row('masking mode', report.maskingMode),
    row('throughput (messages/s, first receive to drained)', report.messagesPerSecond),
    row('drain time (ms)', report.drainMs),
    row('elapsed, including start-up (ms)', report.elapsedMs),
    `  consumer logs and metrics: ${report.logFile}`,
    '',
  ];
  return lines.join('\n');
}
