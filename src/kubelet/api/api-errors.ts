import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { UnavailableError } from '../../common/errors.js';

/** The request is malformed: the caller must change it (HTTP 400). */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}

/** The pod, container or log the caller named does not exist (HTTP 404). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number';
}

/**
 * Turns a failed runner call into one of the error classes above, keeping the
 * runner's message; anything unexpected is returned unchanged (HTTP 500).
 */
export function fromRunnerError(err: unknown): Error {
  if (!isServiceError(err)) return err instanceof Error ? err : new Error(String(err));
  const message = err.details || err.message;
  switch (err.code) {
    case GrpcStatus.NOT_FOUND:
      return new NotFoundError(message);
    case GrpcStatus.INVALID_ARGUMENT:
    case GrpcStatus.OUT_OF_RANGE:
    case GrpcStatus.FAILED_PRECONDITION:
      return new InvalidInputError(message);
    case GrpcStatus.UNAVAILABLE:
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new UnavailableError(`runner unavailable: ${message}`);
    default:
      return err;
  }
}

/** The one place where an error becomes an HTTP status code. */
export function httpStatusForError(err: unknown): number {
  const mapped = fromRunnerError(err);
  if (mapped instanceof InvalidInputError) return 400;
  if (mapped instanceof NotFoundError) return 404;
  if (mapped instanceof UnavailableError) return 503;
  return 500;
}
