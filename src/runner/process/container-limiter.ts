/** A container's resources as the runner enforces them; 0 means none. */
export interface ContainerLimits {
  memoryLimitBytes: number;
  cpuLimitMillis: number;
  /** Weighs CPU time against other containers' (cgroup only). */
  cpuRequestMillis: number;
}

/** How this runner enforces limits (NodeInfo reports it). */
export interface LimitEnforcement {
  cgroupMode: 'v2' | 'v1' | 'none';
  /** cgroup: the kernel's OOM killer at the limit; watchdog: the runner polls and kills. */
  memory: 'cgroup' | 'watchdog';
  cpu: 'cgroup' | 'none';
  /** The directory containers' cgroups are created under (`<parent>/vk-cmd`); empty without cgroups. */
  root: string;
  /** Why there are no cgroups; empty otherwise. */
  note: string;
}

/** The cgroup(s) of one run: the wrapper writes its own pid into each `cgroup.procs` before anything else. */
export interface CgroupRun {
  procsFiles: string[];
}

/** How a run's cgroup ended. */
export interface CgroupEnd {
  /** Processes the kernel's OOM killer killed in this run's cgroup. */
  oomKills: number;
}

/**
 * Puts containers with limits into cgroups, one per container of a pod
 * (`<root>/<pod uid>/<container>`). Contract:
 * - `prepare` is called before each run of a container that has a memory or
 *   CPU limit; it creates the cgroup (and its parents, the first time) and
 *   writes the limits. Undefined when this runner has no cgroups (the memory
 *   limit is then the watchdog's, the CPU limit is not enforced). Throws
 *   when the cgroup cannot be made: the run must not start unlimited.
 * - `finish` is called once the run's processes are gone (also for a run
 *   re-adopted after a restart); it reads the OOM kills and removes the
 *   cgroup (kept, and logged, while escaped processes still use it).
 * - `removePod` removes a deleted pod's cgroups; `sweep` removes those of
 *   pods the runner no longer holds (leftovers of an earlier runner).
 * Blocking IO; never throws except from `prepare`.
 */
export interface ContainerLimiter {
  readonly enforcement: LimitEnforcement;
  prepare(podUid: string, container: string, limits: ContainerLimits): CgroupRun | undefined;
  finish(podUid: string, container: string): CgroupEnd;
  removePod(podUid: string): void;
  sweep(heldPodUids: ReadonlySet<string>): void;
}

/** True when a container needs a cgroup or the watchdog. */
export function hasLimits(limits: ContainerLimits | undefined): limits is ContainerLimits {
  return limits !== undefined && (limits.memoryLimitBytes > 0 || limits.cpuLimitMillis > 0);
}
