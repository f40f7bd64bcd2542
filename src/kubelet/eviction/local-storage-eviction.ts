import type { WireContainer, WirePod } from '../kube/wire-types.js';
import type { PodStats__Output } from '../../generated/vkcmd/runner/v1/PodStats.js';
import { formatQuantity, intValue, quantityFormat, type QuantityFormat } from '../pods/quantity.js';

/** The kubelet's signals for local storage evictions (pkg/kubelet/eviction), the label of kubelet_evictions. */
export type LocalStorageSignal = 'emptydirfs.limit' | 'ephemeralpodfs.limit' | 'ephemeralcontainerfs.limit';

/** Why a pod is evicted: the signal and the kubelet's message (its trailing space included). */
export interface Eviction {
  signal: LocalStorageSignal;
  message: string;
}

/** The reason of an evicted pod's status and of its event. */
export const EVICTED_REASON = 'Evicted';
/** A local storage eviction gives the pod this long to stop (immediateEvictionGracePeriodSeconds). */
export const EVICTION_GRACE_PERIOD_SECONDS = 1;

interface Amount {
  bytes: number;
  format: QuantityFormat;
}

function amount(text: string | number | undefined): Amount | undefined {
  if (text === undefined) return undefined;
  try {
    const bytes = intValue(text);
    return bytes > 0 ? { bytes, format: quantityFormat(text) } : undefined;
  } catch {
    return undefined;
  }
}

const print = (a: Amount): string => formatQuantity(a.bytes, a.format);
const storageLimit = (c: WireContainer): Amount | undefined =>
  amount(c.resources?.limits?.['ephemeral-storage']);

/**
 * resourcehelper.PodLimits for ephemeral-storage: the sum of the regular
 * containers' limits, or the largest init container's when that is more;
 * undefined when no container sets one. The sum keeps the first limit's
 * format, as Quantity.Add does.
 */
export function podStorageLimit(pod: WirePod): Amount | undefined {
  let sum: Amount | undefined;
  for (const c of pod.spec?.containers ?? []) {
    const l = storageLimit(c);
    if (l) sum = sum ? { bytes: sum.bytes + l.bytes, format: sum.format } : l;
  }
  for (const c of pod.spec?.initContainers ?? []) {
    const l = storageLimit(c);
    if (l && (!sum || l.bytes > sum.bytes)) sum = sum ? { bytes: l.bytes, format: sum.format } : l;
  }
  return sum;
}

/** A container's usage as the eviction manager counts it without a dedicated image fs: logs + rootfs. */
function containerUsage(c: PodStats__Output['containers'][number]): number {
  return c.logsBytes + c.rootfsBytes;
}

/**
 * Whether a pod must be evicted for its local storage, as the kubelet's
 * localStorageEviction decides, in its order: an emptyDir past its
 * sizeLimit, then the pod's total usage (containers' rootfs and logs plus
 * its emptyDirs) past the sum of its containers' ephemeral-storage limits,
 * then a container past its own limit. Undefined without stats for the pod
 * or when nothing is exceeded. Pure.
 */
export function localStorageEviction(
  pod: WirePod,
  stats: PodStats__Output | undefined,
): Eviction | undefined {
  if (!stats) return undefined;
  const volumeUsed = new Map(stats.volumes.map((v) => [v.name, v.usedBytes]));
  for (const v of pod.spec?.volumes ?? []) {
    const size = v.emptyDir ? amount(v.emptyDir.sizeLimit) : undefined;
    const used = volumeUsed.get(v.name);
    if (size && used !== undefined && used > size.bytes) {
      return {
        signal: 'emptydirfs.limit',
        message: `Usage of EmptyDir volume ${JSON.stringify(v.name)} exceeds the limit ${JSON.stringify(print(size))}. `,
      };
    }
  }
  const podLimit = podStorageLimit(pod);
  if (podLimit) {
    let total = 0;
    for (const c of stats.containers) total += containerUsage(c);
    for (const used of volumeUsed.values()) total += used;
    if (total > podLimit.bytes) {
      return {
        signal: 'ephemeralpodfs.limit',
        message: `Pod ephemeral local storage usage exceeds the total limit of containers ${print(podLimit)}. `,
      };
    }
  }
  for (const c of stats.containers) {
    const spec = (pod.spec?.containers ?? []).find((s) => s.name === c.name);
    const limit = spec ? storageLimit(spec) : undefined;
    if (limit && containerUsage(c) > limit.bytes) {
      return {
        signal: 'ephemeralcontainerfs.limit',
        message: `Container ${c.name} exceeded its local ephemeral storage limit ${JSON.stringify(print(limit))}. `,
      };
    }
  }
  return undefined;
}

/** Whether a pod has any limit localStorageEviction checks (else its stats need not be read). Pure. */
export function hasLocalStorageLimits(pod: WirePod): boolean {
  return (
    podStorageLimit(pod) !== undefined ||
    (pod.spec?.volumes ?? []).some((v) => v.emptyDir && amount(v.emptyDir.sizeLimit) !== undefined)
  );
}
