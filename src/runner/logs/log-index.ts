/**
 * When the runner first saw each part of a log file. Output goes straight
 * from the processes to files, so per-line times are unknown; the runner
 * records (size, time) pairs as it notices growth, and a byte gets the time
 * of the first observation whose size covers it. Bytes written while the
 * runner was down get the time it first saw them after restarting.
 * Bounded: when full, every other older entry is dropped (times get coarser,
 * never earlier). Not thread-safe; owned by one ContainerLogs.
 */
export class LogTimeIndex {
  private entries: Array<[number, number]>;

  constructor(
    entries: ReadonlyArray<readonly [number, number]> = [],
    private readonly maxEntries = 1024,
  ) {
    this.entries = entries.map(([o, t]) => [o, t]);
  }

  /** Size already accounted for. */
  get indexedBytes(): number {
    return this.entries.length === 0 ? 0 : this.entries[this.entries.length - 1]![0];
  }

  get size(): number {
    return this.entries.length;
  }

  /** Records that the file had `sizeBytes` at `timeMs`; false when nothing new. */
  record(sizeBytes: number, timeMs: number): boolean {
    if (sizeBytes <= this.indexedBytes) return false;
    const lastTime = this.entries.length === 0 ? timeMs : this.entries[this.entries.length - 1]![1];
    this.entries.push([sizeBytes, Math.max(timeMs, lastTime)]);
    if (this.entries.length > this.maxEntries) this.thin();
    return true;
  }

  /** The time byte `offset` was first seen; undefined when not seen yet. */
  timeOf(offset: number): number | undefined {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid]![0] > offset) hi = mid;
      else lo = mid + 1;
    }
    return lo < this.entries.length ? this.entries[lo]![1] : undefined;
  }

  /** The first byte offset whose time is at or after `timeMs`; indexedBytes when none. */
  offsetSince(timeMs: number): number {
    for (let i = 0; i < this.entries.length; i++) {
      if (this.entries[i]![1] >= timeMs) return i === 0 ? 0 : this.entries[i - 1]![0];
    }
    return this.indexedBytes;
  }

  toJSON(): Array<[number, number]> {
    return this.entries.map(([o, t]) => [o, t]);
  }

  static fromJSON(value: unknown, maxEntries = 1024): LogTimeIndex {
    if (!Array.isArray(value)) return new LogTimeIndex([], maxEntries);
    const entries: Array<[number, number]> = [];
    for (const item of value) {
      if (!Array.isArray(item) || item.length !== 2) continue;
      const [o, t] = item as unknown[];
      if (typeof o !== 'number' || typeof t !== 'number') continue;
      if (entries.length > 0 && o <= entries[entries.length - 1]![0]) continue;
      entries.push([o, t]);
    }
    return new LogTimeIndex(entries, maxEntries);
  }

  private thin(): void {
    const last = this.entries[this.entries.length - 1]!;
    const kept = this.entries.slice(0, -1).filter((_, i) => i % 2 === 1);
    // Dropping an entry gives its bytes the next entry's (later) time.
    kept.push(last);
    this.entries = kept;
  }
}
