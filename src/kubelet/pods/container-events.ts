import type { WirePod } from '../kube/wire-types.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import { containerFieldPath, type PodEvent } from './event-recorder.js';
import { byName } from './by-name.js';

/** Terminations that mean the container could not be set up (the seed's reasons). */
export const SETUP_FAILURE_REASONS = new Set([
  'readDefaultVolDirError',
  'copyFileError',
  'cmdStartError',
  'getPgidError',
  'createStdoutFileError',
  'createStderrFileError',
  'cmdWaitError',
  'writePgidError',
  'getPidsError',
  'getStderrFileInfoError',
]);

/**
 * The kubelet events a runner state calls for, each with a dedupe key
 * (Started per run, BackOff per restart count, Failed per set-up failure
 * and per refusal message, one per security note of the pod and of each
 * container, OOMKilled per run killed for its memory limit, naming the
 * limit).
 * Pure; the caller remembers emitted keys. A run the API already shows as
 * running (adopted after a restart) gets no second Started.
 */
export function containerEvents(
  pod: WirePod,
  runnerPod: Pod__Output,
): Array<{ key: string; event: PodEvent }> {
  const out: Array<{ key: string; event: PodEvent }> = [];
  const apiStatuses = [
    ...(pod.status?.containerStatuses ?? []),
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.ephemeralContainerStatuses ?? []),
  ];
  const apiStatus = byName(apiStatuses);
  for (const n of runnerPod.securityNotes ?? []) {
    out.push({
      key: `security//${n.field}`,
      event: { type: n.warning ? 'Warning' : 'Normal', reason: n.reason, message: n.message },
    });
  }
  const statuses = [
    ...runnerPod.initContainerStatuses,
    ...runnerPod.containerStatuses,
    ...runnerPod.ephemeralContainerStatuses,
  ];
  for (const s of statuses) {
    const fieldPath = containerFieldPath(pod, s.name);
    for (const n of s.securityNotes ?? []) {
      out.push({
        key: `security/${s.name}/${n.field}`,
        event: { type: n.warning ? 'Warning' : 'Normal', reason: n.reason, message: n.message, fieldPath },
      });
    }
    // A run killed for its memory limit, whether it is the current state or the one before a restart.
    const oom = [s.state?.terminated, s.lastState?.terminated].find((t) => t?.reason === 'OOMKilled');
    if (oom) {
      out.push({
        key: `oom/${s.name}/${oom.finishedAtMs}`,
        event: {
          type: 'Warning',
          reason: 'OOMKilled',
          message: oom.message || `Container ${s.name} was killed for exceeding its memory limit`,
          fieldPath,
        },
      });
    }
    if (s.state?.running) {
      const api = apiStatus(s.name);
      const alreadyShown = api?.state?.running !== undefined && api.restartCount === s.restartCount;
      if (!alreadyShown) {
        out.push({
          key: `started/${s.name}/${s.restartCount}/${s.state.running.startedAtMs}`,
          event: { type: 'Normal', reason: 'Started', message: `Started container ${s.name}`, fieldPath },
        });
      }
    } else if (s.state?.waiting?.reason === 'CrashLoopBackOff') {
      out.push({
        key: `backoff/${s.name}/${s.restartCount}`,
        event: {
          type: 'Warning',
          reason: 'BackOff',
          message: `Back-off restarting failed container ${s.name} in pod ${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`,
          fieldPath,
        },
      });
    } else if (s.state?.waiting?.reason === 'CreateContainerConfigError') {
      // The runner refused the container's settings; a kubelet reports its refusals so.
      out.push({
        key: `refused/${s.name}/${s.state.waiting.message}`,
        event: { type: 'Warning', reason: 'Failed', message: `Error: ${s.state.waiting.message}`, fieldPath },
      });
    } else if (s.state?.terminated && SETUP_FAILURE_REASONS.has(s.state.terminated.reason)) {
      out.push({
        key: `failed/${s.name}/${s.restartCount}/${s.state.terminated.reason}`,
        event: {
          type: 'Warning',
          reason: 'Failed',
          message: `Error: ${s.state.terminated.reason}: ${s.state.terminated.message}`,
          fieldPath,
        },
      });
    }
  }
  return out;
}
