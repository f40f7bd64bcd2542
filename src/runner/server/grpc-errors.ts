import * as grpc from '@grpc/grpc-js';
import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  PreconditionError,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnavailableError,
  errorMessage,
} from '../errors.js';

/**
 * The one place where the runner's error classes become gRPC status codes.
 * Anything unexpected is INTERNAL with its message (never a stack).
 */
export function toServiceError(err: unknown): Partial<grpc.StatusObject> {
  const details = errorMessage(err);
  if (err instanceof InvalidInputError) return { code: grpc.status.INVALID_ARGUMENT, details };
  if (err instanceof NotFoundError) return { code: grpc.status.NOT_FOUND, details };
  if (err instanceof PreconditionError) return { code: grpc.status.FAILED_PRECONDITION, details };
  if (err instanceof ConflictError) return { code: grpc.status.ALREADY_EXISTS, details };
  if (err instanceof UnavailableError) return { code: grpc.status.UNAVAILABLE, details };
  if (err instanceof ResourceExhaustedError) return { code: grpc.status.RESOURCE_EXHAUSTED, details };
  if (err instanceof UnauthenticatedError) return { code: grpc.status.UNAUTHENTICATED, details };
  return { code: grpc.status.INTERNAL, details: `internal error: ${details}` };
}

/** True for codes that mean a bug or a broken host rather than a bad request (worth an error log). */
export function isInternal(status: Partial<grpc.StatusObject>): boolean {
  return status.code === grpc.status.INTERNAL;
}
