import type { NodeReadiness } from './node-object.js';
import type { WalltimeState } from './walltime.js';

export interface ReadinessInputs {
  walltime: WalltimeState;
  walltimeSeconds: number;
  linkSynced: boolean;
  everSynced: boolean;
  /** Since when the link is not synced; undefined while synced. */
  unsyncedSinceMs: number | undefined;
  graceMs: number;
  nowMs: number;
  runnerTarget: string;
}

/**
 * The Ready condition: an expired walltime wins; then a runner that has been
 * unreachable longer than the grace period (or never reached). A link that
 * drops for less than the grace period keeps the node Ready.
 */
export function decideReadiness(inputs: ReadinessInputs): NodeReadiness {
  if (inputs.walltime.expired) {
    return {
      ready: false,
      reason: 'WalltimeExpired',
      message: `walltime of ${inputs.walltimeSeconds}s expired; running pods are not stopped`,
    };
  }
  if (!inputs.everSynced) {
    return {
      ready: false,
      reason: 'RunnerUnreachable',
      message: `runner at ${inputs.runnerTarget} not reached yet`,
    };
  }
  if (!inputs.linkSynced && inputs.unsyncedSinceMs !== undefined) {
    const downMs = inputs.nowMs - inputs.unsyncedSinceMs;
    if (downMs >= inputs.graceMs) {
      return {
        ready: false,
        reason: 'RunnerUnreachable',
        message: `runner at ${inputs.runnerTarget} unreachable for ${Math.round(downMs / 1000)}s; pods keep their last known status`,
      };
    }
  }
  return { ready: true };
}
