/**
 * Error classes by how callers react. Translated to exit codes or API
 * responses only at the edge (main.ts).
 */

/** A setting is invalid; the process must not start. `setting` names the flag or env var. */
export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`invalid setting ${setting}: ${message}`);
    this.name = 'ConfigError';
  }
}

/**
 * A container's configuration cannot be built: a ConfigMap, Secret or key it
 * needs is missing, or a field reference is unsupported. The pod stays Pending
 * with CreateContainerConfigError and is retried.
 */
export class ContainerConfigError extends Error {
  constructor(
    message: string,
    /** Containers affected; empty means every container of the pod. */
    readonly containers: readonly string[] = [],
  ) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

/**
 * The runner cannot be reached or is shutting down: retry later, never fail a
 * pod for it. The kubelet API answers it with 503.
 */
export class UnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnavailableError';
  }
}
