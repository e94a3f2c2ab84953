// Counters for the stack's alarms and dashboard, written as CloudWatch Embedded Metric Format lines.
// Counts are aggregated per interval rather than emitted per message: one line a minute costs
// nothing, one per message would cost more than the work it measures.

/** EMF limits (CloudWatch documentation): at most 100 values per metric in one document. */
export const EMF_MAX_VALUES_PER_METRIC = 100;

export type MetricsSink = (line: string) => void;

export interface MetricsSnapshot {
  received: number;
  written: number;
  duplicatesSkipped: number;
  quarantined: Record<string, number>;
  errors: number;
}

export class Metrics {
  private readonly totals: MetricsSnapshot = { received: 0, written: 0, duplicatesSkipped: 0, quarantined: {}, errors: 0 };
  private interval: MetricsSnapshot = Metrics.empty();
  private latencies: number[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: { namespace: string; service: string; sink: MetricsSink },
  ) {}

  private static empty(): MetricsSnapshot {
    return { received: 0, written: 0, duplicatesSkipped: 0, quarantined: {}, errors: 0 };
  }

  received(count: number): void {
    this.totals.received += count;
    this.interval.received += count;
  }

  written(inserted: number, duplicates: number, latencyMs: number): void {
    this.totals.written += inserted;
    this.interval.written += inserted;
    this.totals.duplicatesSkipped += duplicates;
    this.interval.duplicatesSkipped += duplicates;
    this.latencies.push(Math.round(latencyMs * 100) / 100);
  }

  quarantined(reason: string): void {
    this.totals.quarantined[reason] = (this.totals.quarantined[reason] ?? 0) + 1;
    this.interval.quarantined[reason] = (this.interval.quarantined[reason] ?? 0) + 1;
  }

  error(): void {
    this.totals.errors += 1;
    this.interval.errors += 1;
  }

  /** Running totals since start, for the local report and tests. */
  snapshot(): MetricsSnapshot {
    return { ...this.totals, quarantined: { ...this.totals.quarantined } };
  }

  startEmitting(intervalMs: number): void {
    this.timer = setInterval(() => this.emit(), intervalMs);
    this.timer.unref();
  }

  stopEmitting(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.emit();
  }

  /** Writes this interval's EMF documents and starts a new interval. */
  emit(now = Date.now()): void {
    const m = this.interval;
    const latencies = this.latencies;
    this.interval = Metrics.empty();
    this.latencies = [];
    const { namespace, service, sink } = this.options;
    const document = (dimensions: string[], metrics: { Name: string; Unit: string }[], values: Record<string, unknown>): string =>
      JSON.stringify({
        _aws: { Timestamp: now, CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [dimensions], Metrics: metrics }] },
        Service: service,
        ...values,
      });
    const quarantinedTotal = Object.values(m.quarantined).reduce((a, b) => a + b, 0);
    sink(
      document(
        ['Service'],
        [
          { Name: 'MessagesReceived', Unit: 'Count' },
          { Name: 'RowsWritten', Unit: 'Count' },
          { Name: 'DuplicatesSkipped', Unit: 'Count' },
          { Name: 'MessagesQuarantined', Unit: 'Count' },
          { Name: 'ConsumerErrors', Unit: 'Count' },
        ],
        {
          MessagesReceived: m.received,
          RowsWritten: m.written,
          DuplicatesSkipped: m.duplicatesSkipped,
          MessagesQuarantined: quarantinedTotal,
          ConsumerErrors: m.errors,
        },
      ),
    );
    for (const [reason, count] of Object.entries(m.quarantined)) {
      sink(document(['Service', 'Reason'], [{ Name: 'MessagesQuarantined', Unit: 'Count' }], { Reason: reason, MessagesQuarantined: count }));
    }
    for (let i = 0; i < latencies.length; i += EMF_MAX_VALUES_PER_METRIC) {
      sink(
        document(['Service'], [{ Name: 'BatchWriteLatency', Unit: 'Milliseconds' }], {
          BatchWriteLatency: latencies.slice(i, i + EMF_MAX_VALUES_PER_METRIC),
        }),
      );
    }
  }
}
