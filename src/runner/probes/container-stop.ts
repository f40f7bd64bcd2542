import type { Clock } from '../clock.js';

/** The kubelet never gives a container less than this between SIGTERM and SIGKILL. */
export const MINIMUM_STOP_GRACE_MS = 2_000;

/** What stopping one container's run needs. */
export interface StopDeps {
  clock: Clock;
  /** Signals the run's process group; false when it is gone. */
  signalGroup: (pgid: number, signal: NodeJS.Signals) => boolean;
  /** Look at the groups soon (after SIGKILL). */
  checkSoon: () => void;
}

/**
 * The grace left for SIGTERM after a preStop hook took `hookElapsedMs` of
 * `graceMs`, as the kubelet's killContainer computes it in whole seconds:
 * `gracePeriod -= int64(elapsed.Seconds())` (the hook's time truncated),
 * then `if gracePeriod < minimumGracePeriodInSeconds { gracePeriod = 2 }`,
 * so a hook that used up the grace period still leaves 2 s. Pure.
 */
export function graceAfterHookMs(graceMs: number, hookElapsedMs: number): number {
  const elapsedWholeSecondsMs = Math.trunc(Math.max(hookElapsedMs, 0) / 1000) * 1000;
  return Math.max(graceMs - elapsedWholeSecondsMs, MINIMUM_STOP_GRACE_MS);
}

/**
 * Stops one run of a container the way the kubelet's killContainer does,
 * once its preStop hook (run by the caller) is over: SIGTERM to its process
 * group, SIGKILL when the grace period ends. cancel() (the run ended) drops
 * the SIGKILL timer. Single event loop.
 */
export class ContainerStop {
  private killTimer: unknown;
  private over = false;

  constructor(
    private readonly pgid: number,
    private readonly deps: StopDeps,
  ) {}

  /** SIGTERM now, SIGKILL after `graceMs`. */
  terminate(graceMs: number): void {
    if (this.over) return;
    this.deps.signalGroup(this.pgid, 'SIGTERM');
    this.killTimer = this.deps.clock.setTimeout(() => {
      this.killTimer = undefined;
      if (this.over) return;
      this.deps.signalGroup(this.pgid, 'SIGKILL');
      this.deps.checkSoon();
    }, graceMs);
  }

  cancel(): void {
    this.over = true;
    if (this.killTimer !== undefined) this.deps.clock.clearTimeout(this.killTimer);
    this.killTimer = undefined;
  }
}
