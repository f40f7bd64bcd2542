import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { WirePod } from '../kube/wire-types.js';
import { containerEvents } from './container-events.js';
import type { PodEvent } from './event-recorder.js';
import type { PodAction } from './pod-actions.js';
import type { PodRecord } from './pod-record.js';
import { lifecycleEvents, probeEvents } from './probe-events.js';

/**
 * The events a runner state calls for that were not emitted yet: container
 * events (Started, BackOff, Failed; unless the pod is being deleted), probe events (Unhealthy, ProbeWarning,
 * with the count of runs since the last push) and what the runner did on
 * its own (FailedPostStartHook, Killing, FailedPreStopHook). Returns the
 * record remembering them. Pure.
 */
export function freshEvents(
  record: PodRecord,
  pod: WirePod,
  runnerPod: Pod__Output,
  /** Started, BackOff and Failed too (not while the pod is being deleted). */
  withContainerEvents = true,
): { record: PodRecord; actions: PodAction[] } {
  const actions: PodAction[] = [];
  const fresh = new Set<string>();
  const keyed = (list: Array<{ key: string; event: PodEvent }>): void => {
    for (const { key, event } of list) {
      if (record.eventKeys.has(key) || fresh.has(key)) continue;
      fresh.add(key);
      actions.push({ type: 'emitEvent', pod, event });
    }
  };
  if (withContainerEvents) keyed(containerEvents(pod, runnerPod));
  const probes = probeEvents(pod, runnerPod, record.probeEventCounts);
  for (const event of probes.events) actions.push({ type: 'emitEvent', pod, event });
  keyed(lifecycleEvents(pod, runnerPod));
  const eventKeys = fresh.size > 0 ? new Set([...record.eventKeys, ...fresh]) : record.eventKeys;
  const probeEventCounts = sameCounts(probes.seen, record.probeEventCounts)
    ? record.probeEventCounts
    : probes.seen;
  return { record: { ...record, eventKeys, probeEventCounts }, actions };
}

function sameCounts(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
