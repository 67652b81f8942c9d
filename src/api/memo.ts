/**
 * A memo of a pure function of a string, bounded: it forgets everything once it holds `limit`
 * entries, and keys longer than `keyLimit` characters are computed every time and never kept,
 * so whatever clients send, it stays small. A result of undefined is not kept (computed again);
 * a computation that throws keeps nothing.
 */
export class BoundedMemo<V> {
  private readonly entries = new Map<string, V>();

  constructor(
    private readonly limit: number,
    private readonly keyLimit = 512,
  ) {}

  get(key: string, compute: () => V): V {
    if (key.length > this.keyLimit) return compute();
    let v = this.entries.get(key);
    if (v === undefined) {
      v = compute();
      if (v === undefined) return v;
      if (this.entries.size >= this.limit) this.entries.clear();
      this.entries.set(key, v);
    }
    return v;
  }
}
