import type { NodeReadiness } from './node-object.js';
import type { WalltimeState } from './walltime.js';

export interface ReadinessInputs {
  walltime: WalltimeState;
  walltimeSeconds: number;
  linkSynced: boolean;
  everSynced: boolean;
  /** Since when the link is not synced; undefined while synced. */
  unsyncedSinceMs: number | undefined;
  /** Since when the runner has answered nothing (a stopped or wedged runner); undefined while it answers. */
  silentSinceMs: number | undefined;
  graceMs: number;
  nowMs: number;
  runnerTarget: string;
}

/**
 * The Ready condition: an expired walltime wins; then a runner never
 * reached; then a runner that has answered nothing for the grace period
 * (RunnerNotResponding: its connection may look fine, as with a stopped
 * process); then a runner unreachable for longer than the grace period
 * (RunnerUnreachable: connections refused or dropped). A link that drops, or
 * a runner that is silent, for less than the grace period keeps the node
 * Ready. Pure.
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
  if (inputs.silentSinceMs !== undefined) {
    const silentMs = inputs.nowMs - inputs.silentSinceMs;
    if (silentMs >= inputs.graceMs) {
      return {
        ready: false,
        reason: 'RunnerNotResponding',
        message: `runner at ${inputs.runnerTarget} has not answered for ${Math.round(silentMs / 1000)}s; pods keep their last known status`,
      };
    }
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
