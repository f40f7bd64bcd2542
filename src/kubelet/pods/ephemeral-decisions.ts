import type { WirePod } from '../kube/wire-types.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { PodEvent } from './event-recorder.js';
import type { Decision, PodAction, PodInput } from './pod-actions.js';
import type { PodRecord } from './pod-record.js';
import { emit } from './decision-builders.js';

// decide's ephemeral containers (`kubectl debug`): which to start, and a start's outcome.

/** Starting an ephemeral container failed: retried later when it may work, else given up with a warning. */
export function ephemeralFailed(
  record: PodRecord,
  input: Extract<PodInput, { type: 'ephemeralFailed' }>,
): Decision {
  const log: PodAction = {
    type: 'log',
    level: 'warn',
    message: 'Cannot start ephemeral container',
    fields: { container: input.container, err: input.error },
  };
  if (input.retry) return { next: record, actions: [log, { type: 'scheduleRetry' }] };
  const message = input.error instanceof Error ? input.error.message : String(input.error);
  return {
    next: { ...record, ephemeralRequested: new Set([...record.ephemeralRequested, input.container]) },
    actions: [
      log,
      emit(input.pod, {
        type: 'Warning',
        reason: 'Failed',
        message: `Error: ${message}`,
        fieldPath: `spec.ephemeralContainers{${input.container}}`,
      }),
    ],
  };
}

export function ephemeralCreatedEvent(container: string): PodEvent {
  return {
    type: 'Normal',
    reason: 'Created',
    message: `Created container ${container}`,
    fieldPath: `spec.ephemeralContainers{${container}}`,
  };
}

/**
 * The first ephemeral container of the spec the runner does not report and
 * this process has not asked for yet (the API only ever adds them).
 */
export function ephemeralToStart(
  record: PodRecord,
  pod: WirePod,
  runnerPod: Pod__Output,
): string | undefined {
  const reported = new Set(runnerPod.ephemeralContainerStatuses.map((s) => s.name));
  return (pod.spec?.ephemeralContainers ?? [])
    .map((c) => c.name)
    .find((name) => !reported.has(name) && !record.ephemeralRequested.has(name));
}
