/**
 * Pure figures of the exec-api scenario: what vk-cmd adds on top of a
 * reference kubectl run, the throughput ratio of two transfers, and the local
 * port `kubectl port-forward` announces.
 */

/**
 * vk-cmd's share of a `kubectl exec` run: the exec p50 minus the reference
 * p50 (the same kubectl start-up and API round trips without the stream).
 * NaN when either is unknown; may be negative on a noisy machine.
 */
export function shareOverReferenceMs(execP50Ms: number, referenceP50Ms: number): number {
  return Number.isFinite(execP50Ms) && Number.isFinite(referenceP50Ms)
    ? execP50Ms - referenceP50Ms
    : Number.NaN;
}

/** `part / whole` as a fraction (0.25 = a quarter); NaN when `whole` is not a positive number. */
export function throughputRatio(part: number, whole: number): number {
  return whole > 0 && Number.isFinite(part) ? part / whole : Number.NaN;
}

/**
 * The local port in kubectl port-forward's first `Forwarding from
 * 127.0.0.1:PORT -> REMOTE` line, or undefined until that line has been printed.
 */
export function forwardedLocalPort(output: string): number | undefined {
  const match = /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(output);
  if (!match) return undefined;
  const port = Number(match[1]);
  return port > 0 && port < 65536 ? port : undefined;
}
