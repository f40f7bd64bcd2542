/**
 * The error vocabulary shared by the runner and the kubelet: one class per
 * way a caller reacts, each with the same constructor shape
 * `(message, options?)`. Messages are meant for users and logs. The edges
 * translate kinds into wire codes in one place each: gRPC status codes in
 * `grpc-errors.ts` (both directions), the kubelet API's HTTP codes in
 * `src/kubelet/api/api-errors.ts`; the API server's HTTP answers are
 * classified in `src/kubelet/kube/kube-errors.ts`.
 */

/** How a caller reacts to a failure. */
export type ErrorKind =
  /** The request is malformed; the same request can never succeed. */
  | 'invalidInput'
  /** The named object does not exist (or no longer does). */
  | 'notFound'
  /** The request is valid but the object's state does not allow it now (e.g. logs of a waiting container). */
  | 'precondition'
  /** Another object or a newer version holds what the request needs: re-read, then decide. */
  | 'conflict'
  /** The other side cannot answer now (down, shutting down, overloaded, no answer in time): retry later, conclude nothing. */
  | 'unavailable'
  /** The caller fell too far behind or asked for more than is kept: start over (resync a watch, relist). */
  | 'resourceExhausted'
  /** The caller's credential is missing or invalid: refresh it. */
  | 'unauthenticated'
  /** The caller is known but not allowed: fix its permissions. */
  | 'forbidden'
  /** A setting is invalid: the process must not start. Never sent over the wire. */
  | 'config'
  /** A bug or a broken host: log it; retrying the same thing is unlikely to help. */
  | 'internal';

/** Every kind, in a fixed order (tables and their tests iterate over it). */
export const ERROR_KINDS: readonly ErrorKind[] = [
  'invalidInput',
  'notFound',
  'precondition',
  'conflict',
  'unavailable',
  'resourceExhausted',
  'unauthenticated',
  'forbidden',
  'config',
  'internal',
];

/** An error of one of the shared kinds. `cause` keeps the underlying error (a gRPC status, an errno). */
export abstract class KindError extends Error {
  abstract readonly kind: ErrorKind;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

export class InvalidInputError extends KindError {
  readonly kind = 'invalidInput' as const;
  override readonly name = 'InvalidInputError';
}

export class NotFoundError extends KindError {
  readonly kind = 'notFound' as const;
  override readonly name = 'NotFoundError';
}

export class PreconditionError extends KindError {
  readonly kind = 'precondition' as const;
  override readonly name = 'PreconditionError';
}

export class ConflictError extends KindError {
  readonly kind = 'conflict' as const;
  override readonly name = 'ConflictError';
}

export class UnavailableError extends KindError {
  readonly kind = 'unavailable' as const;
  override readonly name = 'UnavailableError';
}

export class ResourceExhaustedError extends KindError {
  readonly kind = 'resourceExhausted' as const;
  override readonly name = 'ResourceExhaustedError';
}

export class UnauthenticatedError extends KindError {
  readonly kind = 'unauthenticated' as const;
  override readonly name = 'UnauthenticatedError';
}

export class ForbiddenError extends KindError {
  readonly kind = 'forbidden' as const;
  override readonly name = 'ForbiddenError';
}

export interface ConfigErrorOptions extends ErrorOptions {
  /** The flag or environment variable at fault, when one is. */
  setting?: string;
}

/** The process cannot start with this configuration; the message names the flag, variable or file. */
export class ConfigError extends KindError {
  readonly kind = 'config' as const;
  override readonly name = 'ConfigError';
  readonly setting: string | undefined;

  constructor(message: string, options?: ConfigErrorOptions) {
    super(message, options);
    this.setting = options?.setting;
  }
}

export class InternalError extends KindError {
  readonly kind = 'internal' as const;
  override readonly name = 'InternalError';
}

const CLASS_FOR_KIND: Readonly<
  Record<ErrorKind, new (message: string, options?: ErrorOptions) => KindError>
> = {
  invalidInput: InvalidInputError,
  notFound: NotFoundError,
  precondition: PreconditionError,
  conflict: ConflictError,
  unavailable: UnavailableError,
  resourceExhausted: ResourceExhaustedError,
  unauthenticated: UnauthenticatedError,
  forbidden: ForbiddenError,
  config: ConfigError,
  internal: InternalError,
};

/** A new error of `kind`: what a translated wire error becomes. */
export function errorOfKind(kind: ErrorKind, message: string, options?: ErrorOptions): KindError {
  return new CLASS_FOR_KIND[kind](message, options);
}

/** The kind of any thrown value: its own for a KindError, `internal` for anything else. */
export function errorKind(err: unknown): ErrorKind {
  return err instanceof KindError ? err.kind : 'internal';
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
