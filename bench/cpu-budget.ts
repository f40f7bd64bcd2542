import { clockTicksPerSecond, readCpuTicks } from './proc-stats.js';

/** CPU time (utime+stime) a process, or a group of them, used over a window of wall-clock time. */
export interface CpuWindow {
  cpuMs: number;
  seconds: number;
}

/** What one pod lifecycle cost a process, with the figures it came from. */
export interface PerPodCpu {
  /** CPU ms per pod once the idle baseline is taken off; NaN when not measurable. */
  perPodMs: number;
  /** All CPU in the scenario window, ms. */
  scenarioMs: number;
  /** The idle rate of the baseline window, CPU ms per second. */
  baselineMsPerSecond: number;
  /** That idle rate over the scenario window's length: the part not charged to the pods, ms. */
  idleShareMs: number;
}

/**
 * CPU per pod lifecycle: the scenario window's CPU minus what the process
 * spends idle over the same length of time (its rate in a baseline window
 * with no pods, scaled to the scenario window), divided by the pods. A
 * process that did no more than idle work costs 0; the figure may dip below 0
 * by a clock tick's worth of noise. Pure.
 */
export function perPodCpu(scenario: CpuWindow, baseline: CpuWindow, pods: number): PerPodCpu {
  const baselineMsPerSecond = baseline.seconds > 0 ? baseline.cpuMs / baseline.seconds : Number.NaN;
  const idleShareMs = baselineMsPerSecond * scenario.seconds;
  return {
    perPodMs: pods > 0 ? (scenario.cpuMs - idleShareMs) / pods : Number.NaN,
    scenarioMs: scenario.cpuMs,
    baselineMsPerSecond,
    idleShareMs,
  };
}

/** CPU ticks of every group at one instant. */
export interface CpuMark {
  atMs: number;
  /** Group label -> summed ticks; NaN when one of its processes could not be read (gone). */
  ticks: Record<string, number>;
}

/** The windows between two marks of the same meter, by group. Pure. */
export function cpuBetween(start: CpuMark, end: CpuMark, ticksPerSecond: number): Record<string, CpuWindow> {
  const seconds = (end.atMs - start.atMs) / 1000;
  const out: Record<string, CpuWindow> = {};
  for (const [label, ticks] of Object.entries(end.ticks)) {
    out[label] = { cpuMs: ((ticks - (start.ticks[label] ?? Number.NaN)) * 1000) / ticksPerSecond, seconds };
  }
  return out;
}

/**
 * Reads utime+stime of named groups of processes (e.g. "runner", "control
 * plane" summing etcd, kube-apiserver...) from /proc/<pid>/stat. Children's
 * CPU (cutime, cstime) is not included: the pods' own work is not the
 * runner's.
 */
export class CpuMeter {
  readonly ticksPerSecond: number;

  constructor(
    private readonly groups: Readonly<Record<string, readonly number[]>>,
    private readonly readTicks: (pid: number) => number = readCpuTicks,
    ticksPerSecond = clockTicksPerSecond(),
    private readonly now: () => number = Date.now,
  ) {
    this.ticksPerSecond = ticksPerSecond;
  }

  mark(): CpuMark {
    const ticks: Record<string, number> = {};
    for (const [label, pids] of Object.entries(this.groups)) {
      let sum = pids.length ? 0 : Number.NaN;
      for (const pid of pids) {
        try {
          sum += this.readTicks(pid);
        } catch {
          sum = Number.NaN;
        }
      }
      ticks[label] = sum;
    }
    return { atMs: this.now(), ticks };
  }

  between(start: CpuMark, end: CpuMark): Record<string, CpuWindow> {
    return cpuBetween(start, end, this.ticksPerSecond);
  }
}
