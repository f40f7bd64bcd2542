import type { WireContainer } from '../kube/wire-types.js';
import type { Container } from '../../generated/vkcmd/runner/v1/Container.js';
import { intValue, milliValue } from './quantity.js';

/** The resource fields of a runner Container. */
export type ContainerResources = Required<
  Pick<
    Container,
    | 'memoryLimitBytes'
    | 'cpuLimitMillis'
    | 'ephemeralStorageLimitBytes'
    | 'memoryRequestBytes'
    | 'cpuRequestMillis'
    | 'ephemeralStorageRequestBytes'
  >
>;

function amount(value: string | number | undefined, toUnits: (q: string | number) => number): number {
  if (value === undefined) return 0;
  try {
    return Math.max(0, toUnits(value));
  } catch {
    // The API server validates quantities; anything it let through that we cannot read is "none".
    return 0;
  }
}

/**
 * A container's limits and requests in bytes and millicores, as the kubelet
 * reads them (Value and MilliValue, rounded up). A missing request takes the
 * limit, as API defaulting does. Pure.
 */
export function containerResources(c: Pick<WireContainer, 'resources'>): ContainerResources {
  const limits: Record<string, string | number | undefined> = c.resources?.limits ?? {};
  const requests: Record<string, string | number | undefined> = {
    ...limits,
    ...(c.resources?.requests ?? {}),
  };
  return {
    memoryLimitBytes: amount(limits['memory'], intValue),
    cpuLimitMillis: amount(limits['cpu'], milliValue),
    ephemeralStorageLimitBytes: amount(limits['ephemeral-storage'], intValue),
    memoryRequestBytes: amount(requests['memory'], intValue),
    cpuRequestMillis: amount(requests['cpu'], milliValue),
    ephemeralStorageRequestBytes: amount(requests['ephemeral-storage'], intValue),
  };
}
