/**
 * The kubelet API ports of a fleet's nodes (--node-port-range). A node gets
 * the port it asks for when that is in the range and free (the port its
 * Node already records, so the API server and metrics-server keep finding
 * it across kubelet restarts), else the lowest free one. Bookkeeping only:
 * binding is the caller's, which marks a port another process holds as busy
 * so it is not handed out again.
 */
export class PortPool {
  /** Port -> the node holding it, or '' for a port found busy. */
  private readonly taken = new Map<number, string>();
  private next: number;

  constructor(
    readonly from: number,
    readonly to: number,
  ) {
    if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 1 && from <= to && to <= 65535)) {
      throw new RangeError(`bad port range ${from}-${to}`);
    }
    this.next = from;
  }

  /** Ports neither held nor busy. */
  get free(): number {
    return this.to - this.from + 1 - this.taken.size;
  }

  /** A port for `node`: `preferred` if in range and free, else the lowest free; undefined when none is left. */
  acquire(node: string, preferred?: number): number | undefined {
    if (
      preferred !== undefined &&
      preferred >= this.from &&
      preferred <= this.to &&
      !this.taken.has(preferred)
    ) {
      this.taken.set(preferred, node);
      return preferred;
    }
    if (this.free === 0) return undefined;
    // Round-robin from the last hand-out keeps a port just released from going straight to another node.
    for (let i = 0; i <= this.to - this.from; i++) {
      const port = this.from + ((this.next - this.from + i) % (this.to - this.from + 1));
      if (!this.taken.has(port)) {
        this.taken.set(port, node);
        this.next = port + 1 > this.to ? this.from : port + 1;
        return port;
      }
    }
    return undefined;
  }

  /** The port could not be bound: keep it out of the pool. */
  markBusy(port: number): void {
    if (port >= this.from && port <= this.to) this.taken.set(port, '');
  }

  release(port: number): void {
    if (this.taken.get(port)) this.taken.delete(port);
  }

  /** The node holding `port`, if any. */
  holder(port: number): string | undefined {
    return this.taken.get(port) || undefined;
  }
}
