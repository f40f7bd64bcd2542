import { formatGoDuration } from '../go-duration.js';
import type { RestartPolicy } from './pod-spec-validation.js';

export { formatGoDuration };

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

/** Kubernetes' waiting message during back-off. */
export function crashLoopMessage(backoffMs: number, container: string, pod: string): string {
  return `back-off ${formatGoDuration(backoffMs)} restarting failed container=${container} pod=${pod}`;
}
