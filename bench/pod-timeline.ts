/**
 * The parts of a pod object (as JSON from a watch) the benchmark reads. Only
 * what is needed, so plain watch objects fit without conversion.
 */
export interface PodJson {
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
  status?: {
    phase?: string;
    containerStatuses?: Array<{
      name?: string;
      state?: { waiting?: object; running?: object; terminated?: { exitCode?: number; reason?: string } };
    }>;
  };
}

/** The states whose first sighting the benchmark timestamps. */
export type Milestone = 'running' | 'terminated' | 'succeeded' | 'failed' | 'gone';

/**
 * What a pod object shows: a container running, every container terminated,
 * a final phase. Pure; a pod may show several at once (e.g. a coalesced update
 * from Pending straight to Succeeded shows both terminated and succeeded).
 */
export function milestonesOf(pod: PodJson): Milestone[] {
  const found: Milestone[] = [];
  const statuses = pod.status?.containerStatuses ?? [];
  if (statuses.some((s) => s.state?.running !== undefined)) found.push('running');
  if (statuses.length > 0 && statuses.every((s) => s.state?.terminated !== undefined))
    found.push('terminated');
  if (pod.status?.phase === 'Succeeded') found.push('succeeded');
  if (pod.status?.phase === 'Failed') found.push('failed');
  return found;
}

/**
 * First time each milestone was observed for each pod name. Feeding it is
 * idempotent: a later sighting never moves a recorded time. Listeners are told
 * after every change so waiters can re-check their condition without polling.
 */
export class PodTimeline {
  private readonly firstSeen = new Map<Milestone, Map<string, number>>();
  private readonly listeners = new Set<() => void>();
  /** Pods seen in a non-gone state, so a later absence from a list means deletion. */
  private readonly present = new Set<string>();

  /** Records a pod object seen at `nowMs` (a watch ADDED/MODIFIED event or a list item). */
  observe(pod: PodJson, nowMs: number): void {
    const name = pod.metadata?.name;
    if (!name) return;
    this.present.add(name);
    let changed = false;
    for (const m of milestonesOf(pod)) changed = this.mark(m, name, nowMs) || changed;
    if (changed) this.notify();
  }

  /** Records that the pod object no longer exists (a DELETED event, or absent from a fresh list). */
  gone(name: string, nowMs: number): void {
    this.present.delete(name);
    if (this.mark('gone', name, nowMs)) this.notify();
  }

  /** After a re-list: every pod seen before but missing from `names` is gone. */
  reconcile(names: ReadonlySet<string>, nowMs: number): void {
    for (const name of [...this.present]) if (!names.has(name)) this.gone(name, nowMs);
  }

  /** The first sighting times of one milestone, by pod name; callers must not mutate it. */
  times(milestone: Milestone): ReadonlyMap<string, number> {
    return this.firstSeen.get(milestone) ?? new Map();
  }

  /** How many of `names` have reached any of `milestones`. */
  countReached(names: readonly string[], milestones: readonly Milestone[]): number {
    let n = 0;
    for (const name of names) if (milestones.some((m) => this.times(m).has(name))) n++;
    return n;
  }

  /** Calls `listener` after every change; returns the function that unsubscribes it. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private mark(milestone: Milestone, name: string, nowMs: number): boolean {
    let byName = this.firstSeen.get(milestone);
    if (!byName) this.firstSeen.set(milestone, (byName = new Map()));
    if (byName.has(name)) return false;
    byName.set(name, nowMs);
    return true;
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }
}
