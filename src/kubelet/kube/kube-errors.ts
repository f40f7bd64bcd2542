import type { ErrorKind } from '../../common/errors.js';
import { ApiError } from './kube-api.js';

/**
 * The one place where the API server's HTTP status codes are read: each
 * becomes the kind of reaction it calls for. Callers compare kinds, never
 * numbers. Pure.
 *
 * | Status | Kind | The kubelet's reaction |
 * |---|---|---|
 * | 0 (no answer), 429, 5xx | unavailable | retry with back-off |
 * | 400, 413, 422 | invalidInput | drop: the same request cannot succeed |
 * | 401 | unauthenticated | refresh the credential, retry once |
 * | 403 | forbidden | retry later (RBAC may not be there yet) |
 * | 404 | notFound | the object is gone |
 * | 409 | conflict | stale resourceVersion, object exists, or a UID precondition failed: re-read |
 * | 410 | resourceExhausted | the resourceVersion expired: relist |
 * | anything else | internal | retry with back-off, log |
 */
export function kindForHttpStatus(status: number): ErrorKind {
  if (status === 0 || status === 429 || (status >= 500 && status <= 599)) return 'unavailable';
  switch (status) {
    case 400:
    case 413:
    case 422:
      return 'invalidInput';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 404:
      return 'notFound';
    case 409:
      return 'conflict';
    case 410:
      return 'resourceExhausted';
    default:
      return 'internal';
  }
}

/** The kind of a failed API server call: by its status for an ApiError, internal for anything else. */
export function kubeErrorKind(err: unknown): ErrorKind {
  return err instanceof ApiError ? kindForHttpStatus(err.code) : 'internal';
}
