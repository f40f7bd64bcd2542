/**
 * At most `max` TLS handshakes at once; the rest wait their turn, first come
 * first served. A burst of runners (a whole allocation starting, or every
 * runner reconnecting after a kubelet restart) would otherwise have the
 * kubelet interleave a thousand handshakes, finish none of them in time and
 * drop them all, which makes them all dial again. Single event loop; holds
 * only what it is given.
 */
export class HandshakeSlots<T> {
  private readonly waiting: T[] = [];
  private active = 0;

  /** `start` begins one item's handshake; the owner calls release() once it ended, however. */
  constructor(
    private readonly max: number,
    private readonly start: (item: T) => void,
  ) {
    if (!(max >= 1)) throw new RangeError(`at least one handshake at a time, not ${max}`);
  }

  /** Handshakes under way. */
  inProgress(): number {
    return this.active;
  }

  /** Items waiting for a slot. */
  queued(): number {
    return this.waiting.length;
  }

  /** Starts the item's handshake now if a slot is free, else queues it. */
  enqueue(item: T): void {
    this.waiting.push(item);
    this.pump();
  }

  /** Forgets a queued item (its connection closed while it waited); false if it was not queued. */
  remove(item: T): boolean {
    const i = this.waiting.indexOf(item);
    if (i < 0) return false;
    this.waiting.splice(i, 1);
    return true;
  }

  /** One handshake ended (completed, failed or timed out): the next queued one starts. */
  release(): void {
    if (this.active > 0) this.active--;
    this.pump();
  }

  /** Forgets everything queued (stop). */
  clear(): T[] {
    return this.waiting.splice(0);
  }

  private pump(): void {
    while (this.active < this.max && this.waiting.length > 0) {
      const item = this.waiting.shift()!;
      this.active++;
      this.start(item);
    }
  }
}
