import { Registry, collectDefaultMetrics } from 'prom-client';

/** Latency buckets in seconds (Prometheus `le` bounds; a value on a bound counts in it). */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Operation labels kept at most (the model's operations and Warden's routes fit many times over);
 * past it, new labels count as `overflow`, so no stream of requests can grow the exposition unbounded.
 */
export const MAX_OPERATION_LABELS = 1000;

interface OperationStats {
  byStatus: Map<number, number>;
  /** Requests per latency bucket, not cumulative; the last slot is past the largest bound. */
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * Prometheus metrics of one server: requests by operation and status, latency by operation,
 * and Node's process metrics. The request figures are plain counters kept here and written
 * out in the exposition format when scraped: recording one costs a map lookup and a few
 * additions, where prom-client's labelled metrics hash their labels on every call.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly operations = new Map<string, OperationStats>();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'warden_' });
  }

  observe(name: string, status: number, seconds: number): void {
    const operation = this.operations.has(name) || this.operations.size < MAX_OPERATION_LABELS ? name : 'overflow';
    let stats = this.operations.get(operation);
    if (!stats) {
      stats = { byStatus: new Map(), buckets: new Array<number>(BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
      this.operations.set(operation, stats);
    }
    stats.byStatus.set(status, (stats.byStatus.get(status) ?? 0) + 1);
    let i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]) i++;
    stats.buckets[i]++;
    stats.sum += seconds;
    stats.count++;
  }

  async text(): Promise<string> {
    const lines = [
      '# HELP warden_requests_total Requests answered, by operation and HTTP status',
      '# TYPE warden_requests_total counter',
    ];
    for (const [operation, stats] of this.operations) {
      const op = labelValue(operation);
      for (const [status, n] of stats.byStatus) lines.push(`warden_requests_total{operation="${op}",status="${status}"} ${n}`);
    }
    lines.push(
      '',
      '# HELP warden_request_duration_seconds Time from the first byte read to the response written, by operation',
      '# TYPE warden_request_duration_seconds histogram',
    );
    for (const [operation, stats] of this.operations) {
      const op = labelValue(operation);
      let cumulative = 0;
      BUCKETS.forEach((bound, i) => {
        cumulative += stats.buckets[i];
        lines.push(`warden_request_duration_seconds_bucket{le="${bound}",operation="${op}"} ${cumulative}`);
      });
      lines.push(
        `warden_request_duration_seconds_bucket{le="+Inf",operation="${op}"} ${stats.count}`,
        `warden_request_duration_seconds_sum{operation="${op}"} ${stats.sum}`,
        `warden_request_duration_seconds_count{operation="${op}"} ${stats.count}`,
      );
    }
    return `${lines.join('\n')}\n\n${await this.registry.metrics()}`;
  }
}

/** A label value as the exposition format writes it: backslash, double quote and newline escaped. */
function labelValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
