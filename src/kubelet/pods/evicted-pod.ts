import type { WirePod } from '../kube/wire-types.js';
import { EVICTION_GRACE_PERIOD_SECONDS } from '../eviction/local-storage-eviction.js';
import type { Decision, PodView } from './pod-actions.js';
import type { PodRecord } from './pod-record.js';
import { go, stay, stopSent, writeStatus } from './decision-builders.js';

/**
 * An evicted pod the API still wants: stopped once (DeletePod with the
 * eviction's grace period), mirrored while it stops (its status says
 * Evicted), then its final status once the runner forgot it, never "lost".
 * Undefined: the usual path applies (mirroring, or waiting for the link).
 */
export function evictedPod(record: PodRecord, view: PodView, pod: WirePod): Decision | undefined {
  const runnerPod = view.runnerPod;
  if (!view.linkSynced) return undefined;
  if (runnerPod) {
    if (runnerPod.deleting || stopSent(record.state)) return undefined;
    return go(record, { kind: 'terminatingInRunner' }, [
      writeStatus(record, pod, runnerPod),
      { type: 'deleteInRunner', gracePeriodSeconds: EVICTION_GRACE_PERIOD_SECONDS },
    ]);
  }
  if (record.state.kind === 'finished') return stay(record);
  const final = { ...writeStatus(record, pod, view.runnerFinal), terminal: true };
  return go(record, { kind: 'finished' }, [final]);
}
