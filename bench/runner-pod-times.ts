import type { WatchPodsEvent__Output } from '../src/generated/vkcmd/runner/v1/WatchPodsEvent.js';

/** What the benchmark learns about one pod from a runner's WatchPods stream. */
export interface RunnerPodTimes {
  /** The runner's record of when its CreatePod arrived (the pod's createdAtMs). */
  receivedAtMs?: number;
  /** When the first event showing the (first) container running arrived. */
  runningEventMs?: number;
  /** When the first event showing it terminated arrived. */
  terminatedEventMs?: number;
  /** The runner's own record of when the process started and exited. */
  startedAtMs?: number;
  finishedAtMs?: number;
  /** When the DELETED event arrived. */
  deletedEventMs?: number;
}

/** `namespace/name`: the key pods are tracked by on both sides. */
export function podKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/**
 * Folds one WatchPods event received at `nowMs` into `times`; first sightings
 * win. Returns the key of the pod it changed, or undefined. Pure apart from
 * mutating the map it is given.
 */
export function applyRunnerEvent(
  times: Map<string, RunnerPodTimes>,
  event: WatchPodsEvent__Output,
  nowMs: number,
): string | undefined {
  const pod = event.pod;
  if (!pod) return undefined;
  const key = podKey(pod.namespace, pod.name);
  let record = times.get(key);
  if (!record) times.set(key, (record = {}));
  if (event.type === 'WATCH_EVENT_TYPE_DELETED') {
    record.deletedEventMs ??= nowMs;
    return key;
  }
  if (pod.createdAtMs) record.receivedAtMs ??= Number(pod.createdAtMs);
  const state = pod.containerStatuses[0]?.state;
  if (state?.state === 'running' && state.running) {
    record.runningEventMs ??= nowMs;
    if (state.running.startedAtMs) record.startedAtMs ??= state.running.startedAtMs;
  } else if (state?.state === 'terminated' && state.terminated) {
    record.terminatedEventMs ??= nowMs;
    if (state.terminated.startedAtMs) record.startedAtMs ??= state.terminated.startedAtMs;
    if (state.terminated.finishedAtMs) record.finishedAtMs ??= state.terminated.finishedAtMs;
  }
  return key;
}

/** One field of every record, as a map from pod key, for pairing with other timestamps. */
export function timesOf(
  times: ReadonlyMap<string, RunnerPodTimes>,
  field: keyof RunnerPodTimes,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, record] of times) {
    const value = record[field];
    if (value !== undefined) out.set(key, value);
  }
  return out;
}
