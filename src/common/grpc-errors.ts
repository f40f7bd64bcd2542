import * as grpc from '@grpc/grpc-js';
import { KindError, errorKind, errorMessage, errorOfKind, type ErrorKind } from './errors.js';

/**
 * The one place where error kinds and gRPC status codes meet, in both
 * directions: the runner answers with `GRPC_CODE_FOR_KIND`, the kubelet reads
 * every runner answer with `KIND_FOR_GRPC_CODE`. Every kind the runner sends
 * comes back as the same kind (the table test round-trips them).
 */

/** What the runner sends for each kind. A config error never reaches a call; if one did, it is a bug (INTERNAL). */
export const GRPC_CODE_FOR_KIND: Readonly<Record<ErrorKind, grpc.status>> = {
  invalidInput: grpc.status.INVALID_ARGUMENT,
  notFound: grpc.status.NOT_FOUND,
  precondition: grpc.status.FAILED_PRECONDITION,
  conflict: grpc.status.ALREADY_EXISTS,
  unavailable: grpc.status.UNAVAILABLE,
  resourceExhausted: grpc.status.RESOURCE_EXHAUSTED,
  unauthenticated: grpc.status.UNAUTHENTICATED,
  forbidden: grpc.status.PERMISSION_DENIED,
  config: grpc.status.INTERNAL,
  internal: grpc.status.INTERNAL,
};

/**
 * What the kubelet concludes from each status code a call can end with.
 *
 * CANCELLED means "unavailable". The kubelet cancels only calls whose
 * outcome it no longer reads (a log stream whose HTTP client left, the watch
 * when the link stops), so a CANCELLED that reaches a caller was not its own
 * doing: it is what grpc-js reports when the connection under an open call
 * goes away (an HTTP/2 RST_STREAM with CANCEL from a runner that shuts down
 * or dies, a channel closed under the call). Like UNAVAILABLE it says
 * nothing about the request: retry, and conclude nothing about the pod.
 * DEADLINE_EXCEEDED is the same: the runner did not answer in time.
 */
export const KIND_FOR_GRPC_CODE: Readonly<Record<Exclude<grpc.status, grpc.status.OK>, ErrorKind>> = {
  [grpc.status.CANCELLED]: 'unavailable',
  [grpc.status.UNKNOWN]: 'internal',
  [grpc.status.INVALID_ARGUMENT]: 'invalidInput',
  [grpc.status.DEADLINE_EXCEEDED]: 'unavailable',
  [grpc.status.NOT_FOUND]: 'notFound',
  [grpc.status.ALREADY_EXISTS]: 'conflict',
  [grpc.status.PERMISSION_DENIED]: 'forbidden',
  [grpc.status.RESOURCE_EXHAUSTED]: 'resourceExhausted',
  [grpc.status.FAILED_PRECONDITION]: 'precondition',
  // A concurrency conflict (gRPC's guidance: retry at a higher level after re-reading).
  [grpc.status.ABORTED]: 'conflict',
  // Past the end of what exists (a log offset): the request has to change.
  [grpc.status.OUT_OF_RANGE]: 'invalidInput',
  // A runner of another version without this method: a deployment bug.
  [grpc.status.UNIMPLEMENTED]: 'internal',
  [grpc.status.INTERNAL]: 'internal',
  [grpc.status.UNAVAILABLE]: 'unavailable',
  [grpc.status.DATA_LOSS]: 'internal',
  [grpc.status.UNAUTHENTICATED]: 'unauthenticated',
};

/** The kind of a status code; OK and codes outside the table (a broken peer) are internal. */
export function kindForGrpcCode(code: number): ErrorKind {
  return (KIND_FOR_GRPC_CODE as Record<number, ErrorKind | undefined>)[code] ?? 'internal';
}

/** A failed gRPC call as grpc-js reports it to a client. */
export function isServiceError(err: unknown): err is grpc.ServiceError {
  return err instanceof Error && typeof (err as Partial<grpc.ServiceError>).code === 'number';
}

/**
 * A runner call's failure as one of the shared kinds, keeping the runner's
 * message (`details`) and the gRPC error as `cause`. Anything that is not a
 * gRPC error is returned unchanged if it already has a kind, else wrapped as
 * internal.
 */
export function fromServiceError(err: unknown): KindError {
  if (!isServiceError(err)) {
    return err instanceof KindError ? err : errorOfKind('internal', errorMessage(err), { cause: err });
  }
  const kind = kindForGrpcCode(err.code);
  const details = err.details || err.message;
  // "runner unavailable" is what a kubelet API client reads in a 503 body.
  const message = kind === 'unavailable' ? `runner unavailable: ${details}` : details;
  return errorOfKind(kind, message, { cause: err });
}

/**
 * The status a runner handler answers with for a thrown value. Anything
 * without a kind is INTERNAL with its message (never a stack).
 */
export function toServiceError(err: unknown): Partial<grpc.StatusObject> {
  const kind = errorKind(err);
  const details = errorMessage(err);
  const code = GRPC_CODE_FOR_KIND[kind];
  return { code, details: code === grpc.status.INTERNAL ? `internal error: ${details}` : details };
}

/** True for codes that mean a bug or a broken host rather than a bad request (worth an error log). */
export function isInternal(status: Partial<grpc.StatusObject>): boolean {
  return status.code === grpc.status.INTERNAL;
}

/**
 * A failure with `code` and `details`, shaped as grpc-js reports a call's:
 * what a request stream's answer or missed deadline becomes, so that
 * fromServiceError reads it exactly as the unary call's.
 */
export function serviceErrorOf(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}
