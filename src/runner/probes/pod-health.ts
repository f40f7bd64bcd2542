import type { Container__Output } from '../../generated/vkcmd/runner/v1/Container.js';
import type { ContainerStatus } from '../../generated/vkcmd/runner/v1/ContainerStatus.js';
import type { ProbeCounter } from '../../generated/vkcmd/runner/v1/ProbeCounter.js';
import type { CommandContext } from './container-command.js';
import { ContainerHealth } from './container-health.js';
import type { HealthDeps, HealthRecord, HealthSpec } from './health-types.js';
import type { ProbeType } from './probe-settings.js';
import { reportPublishAtMs } from './probe-reports.js';
import type { TimerHandle } from './probe-timers.js';

/** Runner-wide settings of pod health on top of each container's. */
export interface PodHealthDeps extends HealthDeps {
  /** A change that only touches probe reports is published at most this often per pod. */
  reportIntervalMs: number;
}

/** The pod as its health sees it. */
export interface PodHealthHost {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly createdAtMs: number;
  podGraceSeconds(): number;
  podDeleting(): boolean;
  /** Persist and publish the pod. */
  changed(): void;
  /** Publish the pod without persisting it. */
  published(): void;
}

/** A container with health: its record (started/ready live there) and its spec. */
export interface HealthContainer extends HealthRecord {
  readonly init: boolean;
  readonly health?: HealthSpec | undefined;
}

/** The probes and hooks of a container spec; undefined when it has none. Pure. */
export function healthSpecOf(c: Container__Output): HealthSpec | undefined {
  const spec: HealthSpec = {
    startupProbe: c.startupProbe,
    readinessProbe: c.readinessProbe,
    livenessProbe: c.livenessProbe,
    lifecycle: c.lifecycle,
  };
  const any =
    !!spec.startupProbe ||
    !!spec.readinessProbe ||
    !!spec.livenessProbe ||
    !!spec.lifecycle?.postStart ||
    !!spec.lifecycle?.preStop;
  return any ? spec : undefined;
}

/** The pod fields its health reads. */
export interface PodHealthRecord {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly createdAtMs: number;
  readonly containers: readonly HealthContainer[];
  readonly terminationGracePeriodSeconds?: number | undefined;
  readonly deleting: boolean;
}

/** The kubelet's default terminationGracePeriodSeconds. */
const DEFAULT_POD_GRACE_SECONDS = 30;

/**
 * The health of a pod record, or undefined when no container has probes or
 * hooks; `changed` persists and publishes the pod (report-only pushes too).
 */
export function podHealthOf(
  record: PodHealthRecord,
  deps: PodHealthDeps,
  changed: () => void,
): PodHealth | undefined {
  const health = new PodHealth(
    record.containers,
    {
      uid: record.uid,
      namespace: record.namespace,
      name: record.name,
      createdAtMs: record.createdAtMs,
      podGraceSeconds: () => record.terminationGracePeriodSeconds ?? DEFAULT_POD_GRACE_SECONDS,
      podDeleting: () => record.deleting,
      changed,
      published: changed,
    },
    deps,
  );
  return health.active ? health : undefined;
}

type Counts = { successful: number; failed: number; skipped: number };

/**
 * The probes and hooks of one pod's app containers (init containers have
 * none, as Kubernetes forbids them there): one ContainerHealth each, the
 * pod's prober_probe_total counters (kept for the pod's life, across
 * restarts of its containers), and the throttle of report-only pushes.
 */
export class PodHealth {
  private readonly containers = new Map<string, ContainerHealth>();
  private readonly counters = new Map<string, Counts>();
  private lastPublishMs: number | undefined;
  private publishTimer: TimerHandle | undefined;

  constructor(
    containers: readonly HealthContainer[],
    private readonly host: PodHealthHost,
    private readonly deps: PodHealthDeps,
  ) {
    for (const c of containers) {
      if (c.init || !c.health) continue;
      const health = new ContainerHealth(
        c,
        c.health,
        {
          owner: { podName: host.name, namespace: host.namespace, uid: host.uid },
          createdAtMs: host.createdAtMs,
          podGraceSeconds: () => host.podGraceSeconds(),
          podDeleting: () => host.podDeleting(),
          changed: () => this.changed(),
          reported: () => this.reported(),
          counted: (container, type, result) => this.count(container, type, result),
          skipped: (container, type, ticks) => this.skip(container, type, ticks),
        },
        deps,
      );
      if (health.active) this.containers.set(c.name, health);
    }
  }

  /** Whether any container has probes or hooks. */
  get active(): boolean {
    return this.containers.size > 0;
  }

  of(container: string): ContainerHealth | undefined {
    return this.containers.get(container);
  }

  runStarted(
    container: string,
    pgid: number,
    startedAtMs: number,
    context: CommandContext,
    adopted: boolean,
  ): void {
    this.containers.get(container)?.runStarted(pgid, startedAtMs, context, adopted);
  }

  runEnded(container: string): { forceRestart: boolean; message: string } {
    return this.containers.get(container)?.runEnded() ?? { forceRestart: false, message: '' };
  }

  podDeletionBegan(): void {
    for (const h of this.containers.values()) h.podDeletionBegan();
  }

  /** Each container's preStop, all at once, each within `boundMs`; resolves when all ended, true when any hook ran. */
  async preStopForDeletion(containers: readonly string[], boundMs: number): Promise<boolean> {
    const ran = await Promise.all(
      containers.map((name) => this.containers.get(name)?.preStopForDeletion(boundMs) ?? false),
    );
    return ran.some((r) => r);
  }

  /**
   * What health adds to a container's status in the contract; a runner
   * without health for the container leaves started and ready unset.
   */
  statusOf(container: string): Partial<ContainerStatus> {
    const h = this.containers.get(container);
    if (!h) return {};
    const s = h.status();
    const out: Partial<ContainerStatus> = {
      started: s.started,
      ready: s.ready,
      probeReports: s.probeReports,
      stopReason: s.stopReason,
      postStartFailed: s.postStartFailed,
      preStopFailed: s.preStopFailed,
    };
    if (s.postStartPending) out.state = { waiting: { reason: 'ContainerCreating', message: '' } };
    return out;
  }

  /** Process groups of probe and hook commands of a container, for its stats. */
  commandGroups(container: string): number[] {
    return this.containers.get(container)?.commandGroups() ?? [];
  }

  probeCounters(): ProbeCounter[] {
    return [...this.counters.entries()].map(([key, counts]) => {
      const [container, probeType] = key.split('\u0000') as [string, string];
      return {
        podUid: this.host.uid,
        namespace: this.host.namespace,
        pod: this.host.name,
        container,
        probeType,
        successful: counts.successful,
        failed: counts.failed,
        unknown: 0,
        skipped: counts.skipped,
      };
    });
  }

  /** A full push went out (with the reports in it). */
  notePublished(): void {
    this.lastPublishMs = this.deps.clock.nowMs();
    this.publishTimer?.cancel();
    this.publishTimer = undefined;
  }

  detach(): void {
    this.publishTimer?.cancel();
    for (const h of this.containers.values()) h.detach();
  }

  private changed(): void {
    this.host.changed();
  }

  private reported(): void {
    if (this.publishTimer) return;
    const at = reportPublishAtMs(this.lastPublishMs, this.deps.clock.nowMs(), this.deps.reportIntervalMs);
    this.publishTimer = this.deps.timers.at(at, () => {
      this.publishTimer = undefined;
      this.host.published();
    });
  }

  private count(container: string, type: ProbeType, result: 'successful' | 'failed'): void {
    this.counts(container, type)[result]++;
  }

  private skip(container: string, type: ProbeType, ticks: number): void {
    this.counts(container, type).skipped += ticks;
  }

  private counts(container: string, type: ProbeType): Counts {
    const key = `${container}\u0000${type}`;
    let c = this.counters.get(key);
    if (!c) this.counters.set(key, (c = { successful: 0, failed: 0, skipped: 0 }));
    return c;
  }
}
