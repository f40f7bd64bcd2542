import { ConfigError } from '../common/errors.js';

/**
 * The kubelet's own error class and helpers; the shared kinds (ConfigError,
 * UnavailableError, NotFoundError, ...) are in src/common/errors.ts.
 */

/** A ConfigError for one flag or environment variable, with the kubelet's wording. */
export function invalidSetting(setting: string, message: string): ConfigError {
  return new ConfigError(`invalid setting ${setting}: ${message}`, { setting });
}

/**
 * A container's configuration cannot be built: a ConfigMap, Secret or key it
 * needs is missing, or a field reference is unsupported. The pod stays Pending
 * with CreateContainerConfigError and is retried. It never leaves the pod
 * code, so it is not one of the shared kinds.
 */
export class ContainerConfigError extends Error {
  override readonly name = 'ContainerConfigError';

  constructor(
    message: string,
    /** Containers affected; empty means every container of the pod. */
    readonly containers: readonly string[] = [],
  ) {
    super(message);
  }
}
