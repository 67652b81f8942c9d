/**
 * Per-(account, region, operation) token buckets: each operation with a quota may be called that
 * many times a second, with a burst of one second's worth. Knows nothing of which operations have
 * which quotas; the table is given.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly perSecond: Readonly<Record<string, number>>) {}

  /** The quota of `operation`, or undefined when it has none. */
  quotaOf(operation: string): number | undefined {
    return Object.prototype.hasOwnProperty.call(this.perSecond, operation) ? this.perSecond[operation] : undefined;
  }

  /** Takes one token; false when the bucket is empty (the call is over its quota). */
  take(accountId: string, region: string, operation: string, nowMs: number): boolean {
    const rate = this.quotaOf(operation);
    if (rate === undefined) return true;
    const key = `${accountId}\n${region}\n${operation}`;
    const b = this.buckets.get(key) ?? { tokens: rate, at: nowMs };
    b.tokens = Math.min(rate, b.tokens + ((nowMs - b.at) / 1000) * rate);
    b.at = nowMs;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.buckets.set(key, b);
    return ok;
  }
}
