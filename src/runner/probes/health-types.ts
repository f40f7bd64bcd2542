import type { Logger } from '../../common/logger.js';
import type { Lifecycle__Output } from '../../generated/vkcmd/runner/v1/Lifecycle.js';
import type { Probe__Output } from '../../generated/vkcmd/runner/v1/Probe.js';
import type { ProbeReport } from '../../generated/vkcmd/runner/v1/ProbeReport.js';
import type { Clock } from '../clock.js';
import type { SpawnProcess } from '../interactive/exec-spawn.js';
import type { ExecGroup } from '../interactive/exec-registry.js';
import type { StartGroup } from './launched-command.js';
import type { HookOwner, runHook } from './lifecycle-hook.js';
import type { ProbeType } from './probe-settings.js';
import type { TimerHandle } from './probe-timers.js';
import type { runProbe } from './run-probe.js';

/* What ContainerHealth (container-health.ts) is given and what it reports. */

/** A container's probes and hooks as CreatePod gave them; persisted with the pod. */
export interface HealthSpec {
  startupProbe?: Probe__Output | null;
  readinessProbe?: Probe__Output | null;
  livenessProbe?: Probe__Output | null;
  lifecycle?: Lifecycle__Output | null;
}

/** Runner-wide parts every container's health uses. */
export interface HealthDeps {
  clock: Clock;
  timers: { at(dueMs: number, fn: () => void): TimerHandle };
  runnerEnv: Readonly<Record<string, string | undefined>>;
  signalGroup: (pgid: number, signal: NodeJS.Signals) => boolean;
  checkSoon: () => void;
  random: () => number;
  log: Logger;
  runProbe?: typeof runProbe;
  runHook?: typeof runHook;
  /** How probe and hook commands are started without the launcher (default: Node's spawn). */
  spawn?: SpawnProcess | undefined;
  /** Starts probe and hook commands through the launcher (falls back to `spawn` while it is unavailable). */
  startGroup?: StartGroup | undefined;
  /** The cgroup.procs files of a container's cgroup(s), for a run that joined them. */
  cgroupOf?: ((podUid: string, container: string) => string[]) | undefined;
  /** Where running probe and hook commands are registered, so they count in the container's stats. */
  commands?: { add(group: ExecGroup): void; remove(id: string): void } | undefined;
}

/** What a container's health needs from its pod. */
export interface HealthHost {
  readonly owner: Omit<HookOwner, 'container'>;
  readonly createdAtMs: number;
  podGraceSeconds(): number;
  podDeleting(): boolean;
  /** started or ready changed, a hook failed or a stop began: persist and publish. */
  changed(): void;
  /** Only probe reports changed: publish, throttled. */
  reported(): void;
  /** One probe run for prober_probe_total. */
  counted(container: string, type: ProbeType, result: 'successful' | 'failed'): void;
  /** Ticks of a probe that passed without a run (the previous run or the event loop was late). */
  skipped(container: string, type: ProbeType, ticks: number): void;
}

/** The container fields health owns (persisted: started and ready survive a runner restart). */
export interface HealthRecord {
  readonly name: string;
  /** The container directory (exec commands through the launcher put their output files there). */
  readonly dir?: string | undefined;
  /** The current run joined the container's cgroup: its probe and hook commands join it too. */
  readonly cgroupJoined?: boolean | undefined;
  started?: boolean | undefined;
  ready?: boolean | undefined;
}

/** What ContainerHealth adds to the container's status in the contract. */
export interface HealthStatus {
  started: boolean;
  ready: boolean;
  probeReports: ProbeReport[];
  stopReason: string;
  postStartFailed: boolean;
  preStopFailed: boolean;
  /** postStart is still running: the container is reported waiting (ContainerCreating). */
  postStartPending: boolean;
}
