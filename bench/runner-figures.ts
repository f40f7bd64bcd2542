import type { ProbeCounter__Output } from '../src/generated/vkcmd/runner/v1/ProbeCounter.js';
import type { WatchPodsEvent__Output } from '../src/generated/vkcmd/runner/v1/WatchPodsEvent.js';
import { perPodCpu, type CpuWindow } from './cpu-budget.js';
import { podKey } from './runner-pod-times.js';

/** A process's CPU over a window as a share of one core, in percent; NaN for an empty window. Pure. */
export function cpuSharePercent(window: CpuWindow): number {
  return window.seconds > 0 ? window.cpuMs / (window.seconds * 10) : Number.NaN;
}

/** CPU ms per call: the CPU of a window (no baseline taken off) divided by the calls in it. Pure. */
export function cpuMsPerCall(cpuMs: number, calls: number): number {
  return calls > 0 ? cpuMs / calls : Number.NaN;
}

/** Probe runs counted by GetProbeMetrics: successful + failed + unknown over every counter. Pure. */
export function probeRunsOf(counters: readonly ProbeCounter__Output[]): number {
  return counters.reduce((sum, c) => sum + Number(c.successful) + Number(c.failed) + Number(c.unknown), 0);
}

/** What the probes cost the runner, set against the same pods without probes. */
export interface ProbeCost {
  /** Runner CPU share (% of a core) in the window with probes. */
  withProbesPercent: number;
  /** Runner CPU share in the window of the same number of pods without probes. */
  idlePercent: number;
  /** The difference: the share the probes cost. */
  probesPercent: number;
  /** CPU ms per probe run once the idle rate over the same length of time is taken off; NaN without runs. */
  cpuMsPerRun: number;
  /** Probe runs per second in the window with probes. */
  runsPerSecond: number;
}

/**
 * The probe cost as a difference: the window with probes minus the idle
 * window's rate scaled to its length, as a share of a core and per probe run.
 * Pure.
 */
export function probeCost(withProbes: CpuWindow, idle: CpuWindow, probeRuns: number): ProbeCost {
  const withProbesPercent = cpuSharePercent(withProbes);
  const idlePercent = cpuSharePercent(idle);
  return {
    withProbesPercent,
    idlePercent,
    probesPercent: withProbesPercent - idlePercent,
    cpuMsPerRun: perPodCpu(withProbes, idle, probeRuns).perPodMs,
    runsPerSecond: withProbes.seconds > 0 ? probeRuns / withProbes.seconds : Number.NaN,
  };
}

/** Throughput in MB/s (10^6 bytes per second) of `bytes` moved in `ms`; NaN for no time. Pure. */
export function mbPerSecond(bytes: number, ms: number): number {
  return ms > 0 ? bytes / 1e6 / (ms / 1000) : Number.NaN;
}

/**
 * Records in `readyAt` (first sighting wins) the arrival time of the first
 * WatchPods event that shows a pod's first container ready. Returns the pod's
 * key when this event made it ready, else undefined. Pure apart from the map.
 */
export function noteReady(
  readyAt: Map<string, number>,
  event: WatchPodsEvent__Output,
  nowMs: number,
): string | undefined {
  const pod = event.pod;
  if (!pod || event.type === 'WATCH_EVENT_TYPE_DELETED') return undefined;
  const key = podKey(pod.namespace, pod.name);
  if (readyAt.has(key) || pod.containerStatuses[0]?.ready !== true) return undefined;
  readyAt.set(key, nowMs);
  return key;
}
