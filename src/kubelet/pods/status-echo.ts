import type { WirePod } from '../kube/wire-types.js';
import type { PodStateKind } from './pod-record.js';

/**
 * Whether an API pod update is the echo of the kubelet's own status patch
 * for a running pod, so syncing it would change nothing: the watch delivers
 * the object the patch already answered with (`writtenResourceVersion`),
 * and a running pod's sync only mirrors the runner into the status it just
 * wrote. Anything the decision reads besides the status is checked too, as
 * a relist may skip the events between the last pod seen and the echo: a
 * deletionTimestamp, or ephemeral containers added (`kubectl debug`). Every
 * other state syncs (their decisions read the API's phase). Pure.
 */
export function isOwnStatusEcho(
  state: PodStateKind,
  previous: WirePod | undefined,
  next: WirePod,
  writtenResourceVersion: string | undefined,
): boolean {
  if (state !== 'running' || previous === undefined || writtenResourceVersion === undefined) return false;
  if (next.metadata?.resourceVersion !== writtenResourceVersion) return false;
  if (next.metadata.deletionTimestamp || previous.metadata?.deletionTimestamp) return false;
  return sameEphemeralNames(previous, next);
}

function sameEphemeralNames(a: WirePod, b: WirePod): boolean {
  const x = a.spec?.ephemeralContainers ?? [];
  const y = b.spec?.ephemeralContainers ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i]!.name !== y[i]!.name) return false;
  return true;
}
