import type { GetLogsRequest__Output } from '../../generated/vkcmd/runner/v1/GetLogsRequest.js';
import type { LogName } from '../files/container-dir.js';
import { InvalidInputError, NotFoundError, PreconditionError } from '../../common/errors.js';

/**
 * What logRunFor reads of a container state: whether it is waiting (and
 * why). A pod record's ContainerStateValue is one.
 */
export type LoggedState =
  { state: 'waiting'; waiting: { reason: string } } | { state: 'running' | 'terminated' };

/** GetLogs options, checked and resolved. */
export interface LogOptions {
  streams: LogName[];
  follow: boolean;
  tailLines: number | undefined;
  /** Lines first seen before this time are skipped. */
  sinceMs: number | undefined;
  limitBytes: number | undefined;
  timestamps: boolean;
  previous: boolean;
}

/**
 * Checks a GetLogs request the way the kubelet checks PodLogOptions. Pure;
 * throws InvalidInputError naming the field.
 */
export function parseLogOptions(req: GetLogsRequest__Output, nowMs: number): LogOptions {
  if (!req.container) throw new InvalidInputError('container: must not be empty');
  if (!req.uid && (!req.namespace || !req.name)) {
    throw new InvalidInputError('uid: set uid, or namespace and name');
  }
  if (req.tailLines !== undefined && req.tailLines < 0) {
    throw new InvalidInputError(`tailLines: ${req.tailLines} must be 0 or more`);
  }
  if (req.limitBytes !== undefined && req.limitBytes < 1) {
    throw new InvalidInputError(`limitBytes: ${req.limitBytes} must be 1 or more`);
  }
  if (req.sinceSeconds !== undefined && req.sinceTimeMs !== undefined) {
    throw new InvalidInputError('sinceSeconds: cannot be combined with sinceTimeMs');
  }
  if (req.sinceSeconds !== undefined && req.sinceSeconds < 1) {
    throw new InvalidInputError(`sinceSeconds: ${req.sinceSeconds} must be 1 or more`);
  }
  if (req.sinceTimeMs !== undefined && req.sinceTimeMs < 0) {
    throw new InvalidInputError(`sinceTimeMs: ${req.sinceTimeMs} must not be negative`);
  }
  const sinceMs =
    req.sinceSeconds !== undefined
      ? nowMs - req.sinceSeconds * 1000
      : req.sinceTimeMs !== undefined
        ? req.sinceTimeMs
        : undefined;
  const streams: LogName[] =
    req.stream === 'LOG_STREAM_STDOUT'
      ? ['stdout']
      : req.stream === 'LOG_STREAM_STDERR'
        ? ['stderr']
        : ['stdout', 'stderr'];
  return {
    streams,
    follow: req.follow && !req.previous,
    tailLines: req.tailLines,
    sinceMs,
    limitBytes: req.limitBytes,
    timestamps: req.timestamps,
    previous: req.previous,
  };
}

/** The prefix `timestamps` adds: RFC 3339 time and a space, as the kubelet writes it. */
export function timestampPrefix(timeMs: number): string {
  return `${new Date(timeMs).toISOString()} `;
}

/**
 * Which run of a container GetLogs serves, decided as the kubelet does:
 * `previous` is the run in lastState; otherwise the current run, except
 * while the container waits to be restarted (CrashLoopBackOff), when it is
 * the run that just ended (lastState) too. Pure; throws NotFoundError or
 * PreconditionError with the kubelet's wording.
 */
export function logRunFor(
  c: { name: string; state: LoggedState; lastState: LoggedState | undefined },
  pod: string,
  previous: boolean,
): 'current' | 'previous' {
  const hasLast = c.lastState?.state === 'terminated';
  if (previous) {
    if (!hasLast)
      throw new NotFoundError(`previous terminated container "${c.name}" in pod ${pod} not found`);
    return 'previous';
  }
  if (c.state.state !== 'waiting') return 'current';
  if (hasLast) return 'previous';
  throw new PreconditionError(
    `container "${c.name}" in pod ${pod} is waiting to start: ${c.state.waiting.reason}`,
  );
}
