/** A start whose reply has not come yet; `R` is what it resolves with (LauncherStart). */
export interface PendingStart<R> {
  id: number;
  frame: Buffer;
  resolve: (r: R) => void;
  /** The whole request is in the pipe: from here on the group may exist. */
  written: boolean;
}

/**
 * Which queue a request waits in before it is written: container starts go
 * before probe and hook commands, which at a short probe period can ask for
 * more forks per second than the launcher makes.
 */
export type SpawnPriority = 'container' | 'command';

/** Requests written and not yet answered, at most. */
export const MAX_WRITTEN_UNANSWERED = 4;

/**
 * The starts sent or to be sent to the current launcher, by id (in request
 * order), and the two queues of those not yet written (SpawnPriority).
 * Single event loop; the writing is LauncherRequests', the replies LauncherClient's.
 */
export class PendingStarts<R> {
  private readonly byId = new Map<number, PendingStart<R>>();
  /** Container starts to write, in order; they go before any queued command. */
  private readonly containers: PendingStart<R>[] = [];
  /** Probe and hook commands to write, in order. */
  private readonly commands: PendingStart<R>[] = [];

  add(p: PendingStart<R>, priority: SpawnPriority): void {
    this.byId.set(p.id, p);
    (priority === 'container' ? this.containers : this.commands).push(p);
  }

  get(id: number): PendingStart<R> | undefined {
    return this.byId.get(id);
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  /** Keeps a start taken off its queue by id, without queueing it again (its write is under way). */
  keep(p: PendingStart<R>): void {
    this.byId.set(p.id, p);
  }

  /** Forgets a start (answered, or settled otherwise). */
  delete(id: number): void {
    this.byId.delete(id);
  }

  /** Starts written and not answered yet. */
  get inFlight(): number {
    let n = 0;
    for (const p of this.byId.values()) if (p.written) n++;
    return n;
  }

  /**
   * The next request to write, taken off its queue: a container start before
   * any command; none while MAX_WRITTEN_UNANSWERED are unanswered (the
   * launcher forks and waits for each exec in turn: requests written ahead of
   * its pace only queue in the pipe, where a container start could not
   * overtake them).
   */
  nextToWrite(): PendingStart<R> | undefined {
    if (this.inFlight >= MAX_WRITTEN_UNANSWERED) return undefined;
    return this.containers.shift() ?? this.commands.shift();
  }

  /** Empties everything; returns every start that was pending. */
  takeAll(): PendingStart<R>[] {
    const all = [...this.byId.values()];
    this.byId.clear();
    this.containers.length = 0;
    this.commands.length = 0;
    return all;
  }
}
