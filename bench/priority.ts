import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { parseProcStatNice } from './proc-stats.js';

/**
 * In production the control plane runs on other hosts and only vk-cmd shares
 * the login node. The benchmark reproduces that on one machine by running the
 * control plane and its own measuring process ahead of everything else...
 */
export const AHEAD_NICE = -10;
/** ...and vk-cmd's runner and kubelet, and the CPU burners, at a user's normal priority. */
export const NORMAL_NICE = 0;

/** Sets and checks one process's nice value; the IO behind `Priorities`, replaceable in tests. */
export interface NiceControl {
  /** Sets `nice` on every thread of `pid` (Linux keeps one per thread); throws when refused. */
  set(pid: number, nice: number): void;
  /** The nice values of the threads of `pid`. */
  read(pid: number): number[];
}

/**
 * Linux: setpriority(PRIO_PROCESS, tid) for each task in /proc/<pid>/task.
 * Threads inherit the nice value of the thread that creates them, so a
 * thread born during the loop is caught by the next pass.
 */
export const procNiceControl: NiceControl = {
  set(pid, nice) {
    for (let pass = 0; pass < 3; pass++) {
      const wrong = tasks(pid).filter((tid) => taskNice(pid, tid) !== nice);
      if (wrong.length === 0) return;
      for (const tid of wrong) {
        try {
          os.setPriority(tid, nice);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ESRCH') continue; // the thread ended
          throw err;
        }
      }
    }
  },
  read(pid) {
    return tasks(pid).map((tid) => taskNice(pid, tid));
  },
};

function tasks(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map(Number);
}

function taskNice(pid: number, tid: number): number {
  try {
    return parseProcStatNice(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
  } catch {
    return Number.NaN; // gone
  }
}

/**
 * The priorities of the benchmark's processes. The bench raises itself first
 * (`raiseSelf`), so everything it starts inherits AHEAD_NICE; vk-cmd's
 * processes and the burners are then put back to NORMAL_NICE by `set`. Each
 * refusal (not root, say) is recorded, never thrown: the run goes on and the
 * report says what the layout really was.
 */
export class Priorities {
  readonly problems: string[] = [];
  /** label -> nice value actually set, for the JSON result. */
  readonly applied: Record<string, number> = {};
  private selfRaised = false;

  constructor(private readonly control: NiceControl = procNiceControl) {}

  /** True when the benchmark runs ahead (AHEAD_NICE), i.e. the layout is the production one. */
  get raised(): boolean {
    return this.selfRaised;
  }

  raiseSelf(): void {
    this.selfRaised = this.set('benchmark', process.pid, AHEAD_NICE);
  }

  /** Sets `nice` on `pid`; false (and a recorded problem) when it could not. */
  set(label: string, pid: number | undefined, nice: number): boolean {
    if (pid === undefined) {
      this.problems.push(`${label}: no process id, left as it was`);
      return false;
    }
    try {
      this.control.set(pid, nice);
      this.applied[label] = nice;
      return true;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      this.problems.push(`${label}: could not set nice ${nice} (${e.code ?? e.message})`);
      return false;
    }
  }

  /** The nice value of `pid` now (its main thread's), or NaN. */
  niceOf(pid: number | undefined): number {
    if (pid === undefined) return Number.NaN;
    try {
      return this.control.read(pid)[0] ?? Number.NaN;
    } catch {
      return Number.NaN;
    }
  }

  /** The line printed under the tables: what ran at which nice value. Pure given the recorded state. */
  summary(): string {
    const at = (nice: number): string => {
      const labels = Object.entries(this.applied)
        .filter(([, value]) => value === nice)
        .map(([label]) => label);
      const burners = labels.filter((l) => l.startsWith('burner ')).length;
      const named = labels.filter((l) => !l.startsWith('burner '));
      return [...named, ...(burners ? [`${burners} CPU burners`] : [])].join(', ') || 'nothing';
    };
    const layout = `nice ${AHEAD_NICE}: ${at(AHEAD_NICE)}; nice ${NORMAL_NICE}: ${at(NORMAL_NICE)}`;
    if (this.selfRaised && this.problems.length === 0) {
      return (
        `Priorities (${layout}): in production the control plane runs on other hosts and only vk-cmd ` +
        `shares the login node.`
      );
    }
    const reason = this.problems.join('; ') || 'the benchmark could not raise itself';
    return (
      `Priorities: NOT the production layout; ${reason}. Processes the benchmark could not renice ran ` +
      `at the priority they started with (the control plane then competes with vk-cmd on equal terms). ` +
      `Set: ${layout}.`
    );
  }
}
