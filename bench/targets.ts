import type { BenchFlags } from './bench-flags.js';
import { percentileOfSorted } from './stats.js';

/** One limit a row must stay at or below: a percentile of a latency row, or a single value. */
export interface Bound {
  stat: 'p50' | 'p90' | 'p99' | 'max' | 'value';
  max: number;
}

/**
 * The circumstance a target is stated for: the flag equals a value (or, with
 * `atLeast`, reaches it); results from other sizes carry a note.
 */
export interface TargetCondition {
  flag: keyof Pick<
    BenchFlags,
    'ratePerSecond' | 'burstPods' | 'footprintPods' | 'runnerPods' | 'hugePodContainers'
  >;
  equals: number;
  atLeast?: boolean;
  text: string;
}

export interface Target {
  text: string;
  bounds: Bound[];
  condition?: TargetCondition;
}

/** The performance targets the product promises, keyed by row id. */
export const TARGETS: Readonly<Record<string, Target>> = {
  'latency.create_to_running': quietCreateToRunning(),
  'latency.exit_to_terminated': quietExitToTerminated(),
  // A huge pod starting beside the paced lifecycle must not slow the small pods down.
  'hugepod.create_to_running': quietCreateToRunning(),
  'hugepod.exit_to_terminated': quietExitToTerminated(),
  'hugepod.runner_rss_peak_mb': {
    text: '<= 150 MB',
    bounds: [{ stat: 'value', max: 150 }],
    condition: { flag: 'hugePodContainers', equals: 1000, text: 'target stated for 1,000 containers' },
  },
  'burst.total_seconds': {
    text: 'well under 120 s',
    bounds: [{ stat: 'value', max: 120 }],
    condition: { flag: 'burstPods', equals: 1000, text: 'target stated for 1,000 pods' },
  },
  'footprint.kubelet_rss_peak_mb': rss(150),
  'footprint.kubelet_rss_steady_mb': rss(150),
  'footprint.runner_rss_peak_mb': rss(100),
  'footprint.runner_rss_steady_mb': rss(100),
  'footprint.kubelet_idle_cpu_percent': idleCpu(),
  'footprint.runner_idle_cpu_percent': idleCpu(),
  'runner.create_to_running': { text: 'p99 <= 50 ms', bounds: [{ stat: 'p99', max: 50 }] },
  'runner.exit_to_terminated': { text: 'p99 <= 100 ms', bounds: [{ stat: 'p99', max: 100 }] },
  'runner.rss_all_running_mb': {
    text: '<= 60 MB',
    bounds: [{ stat: 'value', max: 60 }],
    condition: { flag: 'runnerPods', equals: 200, text: 'target stated for 200 running pods' },
  },
  'footprint.runner_rss_200_mb': rss200(60),
  'footprint.kubelet_rss_200_mb': rss200(80),
  'latency.runner_cpu_ms_per_pod': cpuPerPod(),
  'latency.kubelet_cpu_ms_per_pod': cpuPerPod(),
  'contended.runner_cpu_ms_per_pod': cpuPerPod(),
  'contended.kubelet_cpu_ms_per_pod': cpuPerPod(),
  'contended.create_to_running': contendedLatency(),
  'contended.exit_to_terminated': contendedLatency(),
  'contended.runner_event_loop_delay_p99_ms': eventLoopDelay(),
  'contended.kubelet_event_loop_delay_p99_ms': eventLoopDelay(),
  // The fleet: row ids carry the round's size, so these apply to the sizes they are stated for.
  'fleet.real_100_kubelet_rss_mb': { text: '<= 400 MB', bounds: [{ stat: 'value', max: 400 }] },
  'fleet.real_100_kubelet_idle_cpu_percent': {
    text: '<= 5 % of a core',
    bounds: [{ stat: 'value', max: 5 }],
  },
  'fleet.real_100_lease_late_max_ms': leaseOnTime(),
  'fleet.real_100_pod_running': quietCreateToRunning(),
  'fleet.real_100_pod_exit_to_terminated': quietExitToTerminated(),
  'fleet.light_1000_kubelet_rss_mb': { text: '<= 1.5 GB (1,536 MB)', bounds: [{ stat: 'value', max: 1536 }] },
  'fleet.light_1000_lease_late_max_ms': leaseOnTime(),
  // A real kubelet idle: a Lease renewal every 10 s (6/min), a node status every 5 min (0.2/min).
  'fleet.light_1000_api_requests_per_node_min': {
    text: "<= 6.2 (a real kubelet's Lease and status rates)",
    bounds: [{ stat: 'value', max: 6.2 }],
  },
};

function leaseOnTime(): Target {
  return { text: 'none more than 2 s late', bounds: [{ stat: 'value', max: 2000 }] };
}

function rss200(maxMb: number): Target {
  return {
    text: `<= ${maxMb} MB`,
    bounds: [{ stat: 'value', max: maxMb }],
    condition: {
      flag: 'footprintPods',
      equals: 200,
      atLeast: true,
      text: 'target stated for 200 running pods',
    },
  };
}

/** The quiet create -> Running target, stated at 20 pods/s. */
function quietCreateToRunning(): Target {
  return {
    text: 'p50 <= 100 ms, p99 <= 300 ms',
    bounds: [
      { stat: 'p50', max: 100 },
      { stat: 'p99', max: 300 },
    ],
    condition: { flag: 'ratePerSecond', equals: 20, text: 'target stated at 20 pods/s' },
  };
}

/** The quiet exit -> Terminated target, stated at 20 pods/s. */
function quietExitToTerminated(): Target {
  return {
    text: 'p99 <= 200 ms',
    bounds: [{ stat: 'p99', max: 200 }],
    condition: { flag: 'ratePerSecond', equals: 20, text: 'target stated at 20 pods/s' },
  };
}

function cpuPerPod(): Target {
  return { text: '<= 5 ms', bounds: [{ stat: 'value', max: 5 }] };
}

function contendedLatency(): Target {
  return {
    text: 'p99 <= 1 s',
    bounds: [{ stat: 'p99', max: 1000 }],
    condition: { flag: 'ratePerSecond', equals: 20, text: 'target stated at 20 pods/s' },
  };
}

function eventLoopDelay(): Target {
  return { text: 'p99 <= 50 ms', bounds: [{ stat: 'value', max: 50 }] };
}

function rss(maxMb: number): Target {
  return {
    text: `<= ${maxMb} MB`,
    bounds: [{ stat: 'value', max: maxMb }],
    condition: { flag: 'footprintPods', equals: 1000, text: 'target stated for 1,000 running pods' },
  };
}

function idleCpu(): Target {
  return { text: '<= 1 % of a core', bounds: [{ stat: 'value', max: 1 }] };
}

export type Verdict = 'met' | 'missed' | '';

export interface Evaluation {
  verdict: Verdict;
  /** Set when the run's sizes differ from the ones the target is stated for. */
  note?: string;
}

/**
 * Judges a latency row. Samples that never arrived (`missing`) count as
 * infinitely late, so a pod that never reached the state cannot hide in p99.
 */
export function evaluateLatency(
  target: Target | undefined,
  values: readonly number[],
  missing: number,
  flags: BenchFlags,
): Evaluation {
  if (!target) return { verdict: '' };
  const sorted = [...values.filter((v) => Number.isFinite(v)), ...Array<number>(missing).fill(Infinity)].sort(
    (a, b) => a - b,
  );
  const stat = (name: Bound['stat']): number => {
    if (name === 'value') return Number.NaN;
    if (name === 'max') return sorted.length ? sorted[sorted.length - 1]! : Number.NaN;
    return percentileOfSorted(sorted, Number(name.slice(1)));
  };
  return withNote(target, flags, meets(target, stat));
}

/** Judges a single-value row (throughput, memory, CPU); NaN (not measured) misses. */
export function evaluateValue(target: Target | undefined, value: number, flags: BenchFlags): Evaluation {
  if (!target) return { verdict: '' };
  return withNote(
    target,
    flags,
    meets(target, (name) => (name === 'value' ? value : Number.NaN)),
  );
}

function meets(target: Target, stat: (name: Bound['stat']) => number): boolean {
  return target.bounds.every((b) => {
    const v = stat(b.stat);
    return !Number.isNaN(v) && v <= b.max;
  });
}

function withNote(target: Target, flags: BenchFlags, ok: boolean): Evaluation {
  const c = target.condition;
  const evaluation: Evaluation = { verdict: ok ? 'met' : 'missed' };
  if (c && (c.atLeast ? !(flags[c.flag] >= c.equals) : flags[c.flag] !== c.equals)) evaluation.note = c.text;
  return evaluation;
}
