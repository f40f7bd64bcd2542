import type { CommandProtocolVersion } from './stream-protocols.js';

/** How a command ended, as the error channel reports it. */
export type CommandOutcome =
  | { kind: 'exited'; exitCode: number }
  /** The command could not run or the session failed (an internal error to the client). */
  | { kind: 'failed'; message: string };

/** metav1.Status as Go marshals it (field order kept, empty fields omitted). */
export interface StatusJson {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: Array<{ reason?: string; message: string }> };
  code?: number;
}

/**
 * The metav1.Status a kubelet writes on the error stream: Success for exit
 * 0; NonZeroExitCode with an ExitCode cause for another exit code (so
 * `kubectl exec` exits with it); InternalError for a failure. Pure.
 */
export function commandStatus(outcome: CommandOutcome): StatusJson {
  if (outcome.kind === 'exited' && outcome.exitCode === 0) return { metadata: {}, status: 'Success' };
  if (outcome.kind === 'exited') {
    return {
      metadata: {},
      status: 'Failure',
      message: `command terminated with non-zero exit code: exit status ${outcome.exitCode}`,
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: String(outcome.exitCode) }] },
    };
  }
  const message = `error executing command in container: ${outcome.message}`;
  return {
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${message}`,
    reason: 'InternalError',
    details: { causes: [{ message }] },
    code: 500,
  };
}

/**
 * The bytes written on the error stream for an outcome: the Status as JSON
 * from v4 on; before v4 the message as text, and nothing on success. Pure.
 */
export function errorStreamBytes(outcome: CommandOutcome, version: CommandProtocolVersion): Buffer {
  const status = commandStatus(outcome);
  if (version >= 4) return Buffer.from(JSON.stringify(status), 'utf8');
  return status.status === 'Success' ? Buffer.alloc(0) : Buffer.from(status.message ?? '', 'utf8');
}
