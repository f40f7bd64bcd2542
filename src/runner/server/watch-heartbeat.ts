/** The shortest heartbeat interval a watcher may ask for: shorter would only burn the runner's CPU. */
export const MIN_WATCH_HEARTBEAT_MS = 50;

/** The longest: a larger request is held to this. */
export const MAX_WATCH_HEARTBEAT_MS = 600_000;

/**
 * The interval a WatchPods request's heartbeat_interval_ms asks for, held
 * within [MIN_WATCH_HEARTBEAT_MS, MAX_WATCH_HEARTBEAT_MS]; undefined when it
 * asks for none (zero, negative or not a number: an older client). Pure.
 */
export function watchHeartbeatIntervalMs(requestedMs: number): number | undefined {
  if (!Number.isFinite(requestedMs) || requestedMs <= 0) return undefined;
  return Math.min(MAX_WATCH_HEARTBEAT_MS, Math.max(MIN_WATCH_HEARTBEAT_MS, Math.round(requestedMs)));
}

/**
 * How long until a heartbeat is due on a stream that last sent something at
 * `lastSentMs`: 0 when it has been quiet for `intervalMs` (send one now).
 * Pure.
 */
export function heartbeatDueInMs(lastSentMs: number, nowMs: number, intervalMs: number): number {
  return Math.max(0, lastSentMs + intervalMs - nowMs);
}

/**
 * Sends a heartbeat on one watch stream whenever nothing was sent on it for
 * `intervalMs`, so a client can tell a runner that stops answering from a
 * quiet one without a call of its own. A stream busy with events sends no
 * heartbeat at all: each write only notes its time (sent()), and the single
 * timer re-arms for what is left of the interval when it finds a recent
 * write. The timer does not hold the process open.
 */
export class WatchHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private lastSentMs: number;
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly send: () => void,
    private readonly now: () => number = Date.now,
  ) {
    this.lastSentMs = now();
  }

  /** Arms the first timer. */
  start(): void {
    this.arm(this.intervalMs);
  }

  /** Something was sent on the stream just now. */
  sent(): void {
    this.lastSentMs = this.now();
  }

  /** No more heartbeats. Idempotent. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), delayMs);
    this.timer.unref();
  }

  private tick(): void {
    if (this.stopped) return;
    const nowMs = this.now();
    const dueInMs = heartbeatDueInMs(this.lastSentMs, nowMs, this.intervalMs);
    if (dueInMs > 0) return this.arm(dueInMs);
    this.lastSentMs = nowMs;
    this.send();
    this.arm(this.intervalMs);
  }
}
