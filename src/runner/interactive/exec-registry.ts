import type { Pod } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { HubEvent } from '../server/watch-hub.js';

/** One exec'd process group (or an attach session, which has none), as the registry knows it. */
export interface ExecGroup {
  readonly id: string;
  readonly podUid: string;
  readonly container: string;
  /** Undefined for an attach session: it only has to end with the container. */
  readonly pgid: number | undefined;
  /** Ends the session (if still open) and kills the group; `reason` is the session's exit message. */
  kill(reason: string): void;
}

/** How the registry tells whether a group still has processes: kill(-pgid, 0). */
export type GroupExists = (pgid: number) => boolean;

/**
 * The process groups of every exec session (and the attach sessions, which
 * have none but end the same way), by pod and container. A group
 * stays registered after its command exited while processes it left in the
 * group live on, so they keep counting in the container's stats and are
 * killed with the container. When a container stops running (terminated,
 * waiting to restart, its pod deleting or deleted, as the watch feed tells),
 * its groups are killed, as a container runtime kills exec'd processes when
 * the container's namespaces go away. Single event loop.
 */
export class ExecRegistry {
  private readonly groups = new Map<string, ExecGroup>();

  constructor(private readonly groupExists: GroupExists) {}

  add(group: ExecGroup): void {
    this.groups.set(group.id, group);
  }

  /** The session ended: forget the group unless processes are left in it. */
  sessionEnded(id: string): void {
    const g = this.groups.get(id);
    if (g && (g.pgid === undefined || !this.groupExists(g.pgid))) this.groups.delete(id);
  }

  remove(id: string): void {
    this.groups.delete(id);
  }

  get size(): number {
    return this.groups.size;
  }

  /** Exec process groups of a container that still have processes (for stats). */
  groupsOf(podUid: string, container: string): number[] {
    const out: number[] = [];
    for (const g of this.groups.values()) {
      if (g.podUid !== podUid || g.container !== container || g.pgid === undefined) continue;
      out.push(g.pgid);
    }
    return out;
  }

  /** Kills the groups of one container, or of every container of the pod when `container` is undefined. */
  killContainer(podUid: string, container: string | undefined, reason: string): number {
    let killed = 0;
    for (const g of [...this.groups.values()]) {
      if (g.podUid !== podUid || (container !== undefined && g.container !== container)) continue;
      this.groups.delete(g.id);
      g.kill(reason);
      killed++;
    }
    return killed;
  }

  /** A pod change from the watch feed: kills the exec groups of containers that are no longer running. */
  observe(event: HubEvent): void {
    const pod = event.pod;
    if (!pod || this.groups.size === 0) return;
    if (event.type === 'WATCH_EVENT_TYPE_DELETED') {
      this.killContainer(pod.uid ?? '', undefined, `pod ${pod.namespace}/${pod.name} was deleted`);
      return;
    }
    for (const name of stoppedContainers(pod)) {
      this.killContainer(pod.uid ?? '', name, `container ${name} is not running`);
    }
  }

  /** Kills every group (runner shutdown: sessions cannot outlive their streams). */
  killAll(reason: string): void {
    for (const g of [...this.groups.values()]) {
      this.groups.delete(g.id);
      g.kill(reason);
    }
  }
}

/** Names of the pod's containers that are not running. Pure. */
export function stoppedContainers(pod: Pod): string[] {
  const all = [
    ...(pod.initContainerStatuses ?? []),
    ...(pod.containerStatuses ?? []),
    ...(pod.ephemeralContainerStatuses ?? []),
  ];
  return all.filter((s) => s.state?.state !== 'running').map((s) => s.name ?? '');
}
