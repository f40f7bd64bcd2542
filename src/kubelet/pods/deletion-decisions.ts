import type { WirePod } from '../kube/wire-types.js';
import { killingEvents } from './lifecycle-events.js';
import type { Decision, PodAction, PodView } from './pod-actions.js';
import { freshEvents } from './fresh-events.js';
import type { PodRecord } from './pod-record.js';
import { apiShowsStarted } from './pod-status.js';
import { emit, go, stay, stopSent, waitToTerminate, writeStatus } from './decision-builders.js';

// decide's deletion paths: the API object gone, or a deletionTimestamp on it.

/** The API no longer has the pod (force-deleted, replaced, or never had it): stop it in the runner, then forget it. */
export function apiObjectGone(record: PodRecord, view: PodView): Decision {
  if (!view.linkSynced) return waitToTerminate(record);
  const runnerPod = view.runnerPod;
  if (!runnerPod) return go(record, { kind: 'gone' }, [{ type: 'forget' }]);
  if (runnerPod.deleting || stopSent(record.state)) return go(record, { kind: 'terminatingInRunner' });
  const last = view.lastApiPod;
  const gracePeriodSeconds =
    last?.metadata?.deletionGracePeriodSeconds ?? last?.spec?.terminationGracePeriodSeconds;
  return go(record, { kind: 'terminatingInRunner' }, [{ type: 'deleteInRunner', gracePeriodSeconds }]);
}

/**
 * The API shows a deletionTimestamp: stop the pod in the runner with the
 * grace period; once the runner has forgotten it, write its final status and
 * delete the object.
 */
export function deletionRequested(record: PodRecord, view: PodView, pod: WirePod): Decision {
  const runnerPod = view.runnerPod;
  if (runnerPod) {
    if (!view.linkSynced) return waitToTerminate(record);
    if (stopSent(record.state) || runnerPod.deleting) {
      // A preStop hook that failed, probes that failed while the pod stops: their events.
      const fresh = freshEvents(record, pod, runnerPod, false);
      return {
        next: { ...fresh.record, state: { kind: 'terminatingInRunner' } },
        actions: [writeStatus(record, pod, runnerPod), ...fresh.actions],
      };
    }
    return go(record, { kind: 'terminatingInRunner' }, [
      ...killingEvents(pod, runnerPod).map((event) => emit(pod, event)),
      { type: 'deleteInRunner', gracePeriodSeconds: pod.metadata?.deletionGracePeriodSeconds },
    ]);
  }
  // The runner does not hold it. If it ran and the link is down, the runner may still: wait.
  if (!view.linkSynced && (record.runnerHistory !== 'never' || apiShowsStarted(pod))) {
    return waitToTerminate(record);
  }
  if (record.state.kind === 'deletingApiObject') return stay(record);
  const fresh = view.runnerFinal
    ? freshEvents(record, pod, view.runnerFinal, false)
    : { record, actions: [] };
  const final: PodAction[] = view.runnerFinal
    ? [{ ...writeStatus(record, pod, view.runnerFinal), terminal: true, wait: true }]
    : [];
  return go(fresh.record, { kind: 'deletingApiObject' }, [
    ...fresh.actions,
    ...final,
    { type: 'deleteApiObject' },
  ]);
}
