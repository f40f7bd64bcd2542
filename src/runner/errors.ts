/**
 * Error classes of the runner, one per way a caller reacts. They carry a
 * message meant for the user; `grpc-errors.ts` is the one place that turns
 * them into gRPC status codes.
 */

/** The request is malformed; retrying the same request cannot succeed. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}

/** The named pod, container or log does not exist. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** The request is valid but the object is not in a state that allows it (e.g. logs of a waiting container). */
export class PreconditionError extends Error {
  override readonly name = 'PreconditionError';
}

/** Another object already holds what the request needs (e.g. a pod directory). */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** The runner cannot serve the request now (shutting down); retry later or elsewhere. */
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError';
}

/** A consumer fell too far behind; it must start over (e.g. resync a watch). */
export class ResourceExhaustedError extends Error {
  override readonly name = 'ResourceExhaustedError';
}

/** The caller did not present a valid credential. */
export class UnauthenticatedError extends Error {
  override readonly name = 'UnauthenticatedError';
}

/** The runner cannot start with this configuration; the message names the flag or file. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The message of any thrown value, for logs and user-facing messages. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The errno code of a Node.js system error, if any (ENOENT, EEXIST, ELOOP, ...). */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
