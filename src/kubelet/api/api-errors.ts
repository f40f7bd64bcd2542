import { errorKind, type ErrorKind } from '../../common/errors.js';
import { isServiceError, kindForGrpcCode } from '../../common/grpc-errors.js';

/**
 * The HTTP status of a failed kubelet API request, by kind. The caller of the
 * kubelet API sees a 4xx only for what it asked wrongly (bad input, a missing
 * pod or container, a container without the requested logs); the runner's
 * view of the kubelet's own credentials or state (unauthenticated,
 * forbidden, conflict, resource exhausted) is the kubelet's problem: 500.
 */
export const HTTP_STATUS_FOR_KIND: Readonly<Record<ErrorKind, number>> = {
  invalidInput: 400,
  precondition: 400,
  notFound: 404,
  unavailable: 503,
  conflict: 500,
  resourceExhausted: 500,
  unauthenticated: 500,
  forbidden: 500,
  config: 500,
  internal: 500,
};

/**
 * The one place where an error becomes an HTTP status code. A raw gRPC
 * error (which the runner link never lets through) is read with the shared
 * gRPC table, so no answer of the runner can bypass it.
 */
export function httpStatusForError(err: unknown): number {
  return HTTP_STATUS_FOR_KIND[isServiceError(err) ? kindForGrpcCode(err.code) : errorKind(err)];
}
