import { LruMap } from '../lru-map.js';

/**
 * A small map whose entries expire after a per-entry time to live. Not
 * thread-aware (Node is single-threaded); bounded by `maxEntries`, evicting the
 * oldest insertion first (reads do not refresh an entry). The clock is
 * injected so tests control expiry.
 */
export class TtlCache<V> {
  private readonly entries: LruMap<{ value: V; expiresAtMs: number }>;

  constructor(
    private readonly nowMs: () => number,
    maxEntries = 4096,
  ) {
    this.entries = new LruMap(maxEntries);
  }

  get(key: string): V | undefined {
    const entry = this.entries.peek(key);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= this.nowMs()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.entries.set(key, { value, expiresAtMs: this.nowMs() + ttlMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
