import type { ContainerStatus__Output } from '../../generated/vkcmd/runner/v1/ContainerStatus.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { WirePod } from '../kube/wire-types.js';
import { containerFieldPath, type PodEvent } from './event-recorder.js';

/** Probe events not emitted yet, and the counts now emitted per report key. */
export interface ProbeEventsResult {
  events: PodEvent[];
  /** Only the keys of current runs: counts of runs that ended are dropped. */
  seen: ReadonlyMap<string, number>;
}

/**
 * The kubelet's prober events for what the runner reported since the last
 * call: per probe run that failed `<Type> probe failed: <output>`
 * (Unhealthy), errored `<Type> probe errored and resulted in unknown state:
 * <error>` (Unhealthy), or warned `<Type> probe warning: <output>`
 * (ProbeWarning). The runner counts them per run of a container; several
 * runs since the last call become one event with that count (its last
 * message), as the recorder folds repeats. Pure; `seen` is the caller's
 * memory.
 */
export function probeEvents(
  pod: WirePod,
  runnerPod: Pod__Output,
  seen: ReadonlyMap<string, number>,
): ProbeEventsResult {
  const events: PodEvent[] = [];
  const next = new Map<string, number>();
  for (const s of runnerPod.containerStatuses) {
    const fieldPath = containerFieldPath(pod, s.name);
    for (const r of s.probeReports) {
      const kinds: Array<[string, number, PodEvent['type'], string, string]> = [
        ['failed', r.failures, 'Warning', 'Unhealthy', `${r.probeType} probe failed: ${r.lastFailure}`],
        [
          'errored',
          r.errors,
          'Warning',
          'Unhealthy',
          `${r.probeType} probe errored and resulted in unknown state: ${r.lastError}`,
        ],
        ['warned', r.warnings, 'Warning', 'ProbeWarning', `${r.probeType} probe warning: ${r.lastWarning}`],
      ];
      for (const [kind, count, type, reason, message] of kinds) {
        if (count <= 0) continue;
        const key = `${s.name}/${s.restartCount}/${r.probeType}/${kind}`;
        next.set(key, count);
        const before = seen.get(key) ?? 0;
        if (count > before) events.push({ type, reason, message, fieldPath, count: count - before });
      }
    }
  }
  return { events, seen: next };
}

/** Go's %s of a probe stop reason in the kubelet's kill message. */
const STOP_MESSAGE: Record<string, string> = {
  LivenessProbe: 'failed liveness probe',
  StartupProbe: 'failed startup probe',
};

/**
 * Killing, FailedPostStartHook and FailedPreStopHook events for what the
 * runner did to a container on its own, each with a dedupe key per run.
 * A probe stop reads as computePodActions words it: `Container c failed
 * liveness probe, will be restarted` unless the policy is Never; then
 * without the suffix while another container keeps running, else
 * `Stopping container c` (the whole pod is killed). Hook failures carry no
 * message, as the kubelet's, so secrets do not leak into events. Pure.
 */
export function lifecycleEvents(
  pod: WirePod,
  runnerPod: Pod__Output,
): Array<{ key: string; event: PodEvent }> {
  const out: Array<{ key: string; event: PodEvent }> = [];
  for (const s of runnerPod.containerStatuses) {
    const fieldPath = containerFieldPath(pod, s.name);
    const run = `${s.name}/${s.restartCount}`;
    if (s.postStartFailed) {
      out.push({
        key: `poststart/${run}`,
        event: { type: 'Warning', reason: 'FailedPostStartHook', message: 'PostStartHook failed', fieldPath },
      });
    }
    if (s.stopReason) {
      out.push({
        key: `killing/${run}/${s.stopReason}`,
        event: { type: 'Normal', reason: 'Killing', message: killMessage(s, runnerPod), fieldPath },
      });
    }
    if (s.preStopFailed) {
      out.push({
        key: `prestop/${run}`,
        event: { type: 'Warning', reason: 'FailedPreStopHook', message: 'PreStopHook failed', fieldPath },
      });
    }
  }
  return out;
}

function killMessage(s: ContainerStatus__Output, runnerPod: Pod__Output): string {
  const what = STOP_MESSAGE[s.stopReason];
  if (!what) return s.stopReason;
  if (runnerPod.restartPolicy !== 'Never') return `Container ${s.name} ${what}, will be restarted`;
  const othersRun = runnerPod.containerStatuses.some((o) => o.name !== s.name && o.state?.running);
  return othersRun ? `Container ${s.name} ${what}` : `Stopping container ${s.name}`;
}
