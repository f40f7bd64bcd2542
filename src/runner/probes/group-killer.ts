import type { Clock } from '../clock.js';

/** Sends `signal` to `pid` as process.kill does (a negative pid is a process group); throws when nothing is there. */
export type SignalPid = (pid: number, signal: NodeJS.Signals) => void;

/** The timers a deadline is armed on: a Clock's, or Node's own (the default). */
export type DeadlineTimers = Pick<Clock, 'setTimeout' | 'clearTimeout'>;

/** What a GroupKiller signals and times with; both default to Node's. */
export interface GroupKillerDeps {
  signal?: SignalPid | undefined;
  timers?: DeadlineTimers | undefined;
}

const nodeSignal: SignalPid = (pid, signal) => {
  process.kill(pid, signal);
};

const nodeTimers: DeadlineTimers = {
  setTimeout: (fn, delayMs) => setTimeout(fn, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * How an exec probe or hook command is killed, whichever way it was started
 * (launched-command.ts, container-command.ts): SIGKILL to its whole process
 * group (-pgid), so what the command left running in the background dies
 * with it, at `timeoutMs` after construction (`timedOut` is then true) or
 * on kill() (`killed`; the signal is sent once). A group that is already
 * gone is not an error. A pgid of 0 or less (nothing started) is never
 * signalled: kill(-0) would hit the runner's own group. clear() disarms
 * the deadline once the command ended.
 */
export class GroupKiller {
  private timedOutFlag = false;
  private killedFlag = false;
  private readonly timer: unknown;
  private readonly signal: SignalPid;
  private readonly timers: DeadlineTimers;

  constructor(
    readonly pgid: number,
    timeoutMs: number | undefined,
    deps: GroupKillerDeps = {},
  ) {
    this.signal = deps.signal ?? nodeSignal;
    this.timers = deps.timers ?? nodeTimers;
    this.timer =
      timeoutMs === undefined
        ? undefined
        : this.timers.setTimeout(() => {
            this.timedOutFlag = true;
            this.killGroup();
          }, timeoutMs);
  }

  /** The deadline passed and the group was sent SIGKILL. */
  get timedOut(): boolean {
    return this.timedOutFlag;
  }

  /** kill() was called. */
  get killed(): boolean {
    return this.killedFlag;
  }

  /** SIGKILL to the whole group, once however often it is called. */
  kill(): void {
    if (this.killedFlag) return;
    this.killedFlag = true;
    this.killGroup();
  }

  /** SIGKILL to the whole group now, marking nothing (the command is reported another way). */
  killGroup(): void {
    if (this.pgid <= 0) return;
    try {
      this.signal(-this.pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  /** The command ended: the deadline no longer applies. */
  clear(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
  }
}
