import type { RestartPolicy } from './pod-spec-validation.js';

export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
  /** A run at least this long resets the back-off (10 minutes in Kubernetes). */
  resetAfterRunMs: number;
}

export const KUBERNETES_BACKOFF: BackoffSettings = {
  initialMs: 10_000,
  maxMs: 300_000,
  resetAfterRunMs: 600_000,
};

/**
 * The delay before the next restart: the initial delay after a long or first
 * run, otherwise double the previous delay, capped. Pure.
 */
export function nextBackoffMs(
  previousBackoffMs: number,
  lastRunMs: number,
  settings: BackoffSettings,
): number {
  if (previousBackoffMs <= 0 || lastRunMs >= settings.resetAfterRunMs) return settings.initialMs;
  return Math.min(previousBackoffMs * 2, settings.maxMs);
}

/**
 * Whether a finished container is started again. Init containers are never
 * rerun after success; Always restarts them on failure like OnFailure. Pure.
 */
export function shouldRestart(policy: RestartPolicy, init: boolean, succeeded: boolean): boolean {
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' || init) return !succeeded;
  return true;
}

/** A duration the way Go prints it (10s, 1m20s, 5m0s, 500ms), as Kubernetes messages show it. Pure. */
export function formatGoDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  const s = `${Number.isInteger(seconds) ? seconds : seconds.toFixed(3).replace(/0+$/, '')}s`;
  if (hours > 0) return `${hours}h${minutes}m${s}`;
  if (minutes > 0) return `${minutes}m${s}`;
  return s;
}

/** Kubernetes' waiting message during back-off. */
export function crashLoopMessage(backoffMs: number, container: string, pod: string): string {
  return `back-off ${formatGoDuration(backoffMs)} restarting failed container=${container} pod=${pod}`;
}
