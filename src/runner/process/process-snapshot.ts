import {
  childrenByParent,
  escapedDescendants,
  isLive,
  membersByGroup,
  type PodIdentity,
  type ProcEntry,
} from './process-table.js';

function identityKey(id: PodIdentity): string {
  return `${id.uid}\0${id.podDir}`;
}

/**
 * One look at every process, shared by every caller that asked for it (see
 * ProcessScanner). The indexes are built on first use. Which pod a process
 * belongs to is read from its environment only when a caller asks (a
 * deletion looking for escaped processes), once per snapshot for all such
 * callers, and only for live processes outside the running containers'
 * groups: those are the host's other processes (a few hundred on a compute
 * node; other users' environments cannot be read and are skipped), not the
 * pods' own. Immutable apart from those caches.
 */
export class ProcessSnapshot {
  private pidIndex: Map<number, ProcEntry> | undefined;
  private groupIndex: Map<number, ProcEntry[]> | undefined;
  private childIndex: Map<number, ProcEntry[]> | undefined;
  private taggedIndex: Map<string, ProcEntry[]> | undefined;
  private tokenIndex: Map<string, ProcEntry[]> | undefined;

  constructor(
    readonly entries: readonly ProcEntry[],
    /** Process groups of every running container when the scan was taken. */
    private readonly knownGroups: ReadonlySet<number>,
    /** The pod identity of each candidate, in order (read from its environment, or cached). */
    private readonly identitiesOf: (candidates: readonly ProcEntry[]) => (PodIdentity | undefined)[],
    /** The runner itself: never a pod's process, whatever its environment says. */
    private readonly selfPid: number,
  ) {}

  get byPid(): ReadonlyMap<number, ProcEntry> {
    if (!this.pidIndex) this.pidIndex = new Map(this.entries.map((e) => [e.pid, e]));
    return this.pidIndex;
  }

  /** Live (not zombie) members per process group. */
  get groups(): ReadonlyMap<number, readonly ProcEntry[]> {
    if (!this.groupIndex) this.groupIndex = membersByGroup(this.entries);
    return this.groupIndex;
  }

  /** True when `pid` is in the snapshot, alive, and is the process that started at `startTicks`. */
  isAlive(pid: number, startTicks: number): boolean {
    const e = this.byPid.get(pid);
    return e !== undefined && e.startTicks === startTicks && isLive(e);
  }

  /** Live descendants of the group's members that left the group (setsid, setpgid). */
  escapedFrom(pgid: number): ProcEntry[] {
    if (!this.childIndex) this.childIndex = childrenByParent(this.entries);
    return escapedDescendants(this.childIndex, this.groups.get(pgid) ?? [], pgid);
  }

  /** Live processes outside every known group whose environment names this pod. */
  taggedWith(id: PodIdentity): readonly ProcEntry[] {
    return this.sweep().tagged.get(identityKey(id)) ?? [];
  }

  /**
   * Live processes outside every known group whose environment carries this
   * launch token (VK_CMD_LAUNCH_TOKEN): the run it started, from the same
   * one environ sweep as taggedWith().
   */
  launchedWith(token: string): readonly ProcEntry[] {
    return this.sweep().tokens.get(token) ?? [];
  }

  private sweep(): { tagged: Map<string, ProcEntry[]>; tokens: Map<string, ProcEntry[]> } {
    if (!this.taggedIndex || !this.tokenIndex) {
      const tagged = new Map<string, ProcEntry[]>();
      const tokens = new Map<string, ProcEntry[]>();
      const add = (index: Map<string, ProcEntry[]>, key: string, e: ProcEntry): void => {
        let list = index.get(key);
        if (!list) index.set(key, (list = []));
        list.push(e);
      };
      const candidates = this.entries.filter(
        (e) => isLive(e) && e.pid !== this.selfPid && !this.knownGroups.has(e.pgrp),
      );
      const owners = this.identitiesOf(candidates);
      for (let i = 0; i < candidates.length; i++) {
        const e = candidates[i]!;
        const owner = owners[i];
        if (!owner) continue;
        add(tagged, identityKey(owner), e);
        if (owner.launchToken) add(tokens, owner.launchToken, e);
      }
      this.taggedIndex = tagged;
      this.tokenIndex = tokens;
    }
    return { tagged: this.taggedIndex, tokens: this.tokenIndex };
  }
}
