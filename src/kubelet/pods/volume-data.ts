import type { V1KeyToPath, V1Pod, V1Volume } from '@kubernetes/client-node';
import { ContainerConfigError } from '../errors.js';
import type { ConfigMapData, SecretData } from './object-refs.js';

/** A volume (or projected source) vk-cmd cannot provide; its mounts are left out. */
export interface SkippedVolume {
  name: string;
  /** e.g. "hostPath volume". */
  kind: string;
}

/** A ConfigMap's data (UTF-8) and binaryData (base64) as bytes. */
export function configMapData(cm: ConfigMapData | null | undefined): Record<string, Buffer> {
  const data: Record<string, Buffer> = {};
  for (const [k, s] of Object.entries(cm?.data ?? {})) data[k] = Buffer.from(s, 'utf8');
  for (const [k, b] of Object.entries(cm?.binaryData ?? {})) data[k] = Buffer.from(b, 'base64');
  return data;
}

/** A Secret's data (base64 in the API) as bytes. */
export function secretData(secret: SecretData | null | undefined): Record<string, Buffer> {
  const data: Record<string, Buffer> = {};
  for (const [k, b] of Object.entries(secret?.data ?? {})) data[k] = Buffer.from(b, 'base64');
  return data;
}

/** The items whose keys exist; a missing key of a required object is a ContainerConfigError. */
export function checkItems(
  pod: V1Pod,
  volume: V1Volume,
  items: V1KeyToPath[] | undefined,
  data: Record<string, Buffer>,
  optional: boolean,
  missingMessage: string,
): Array<{ key: string; path: string; mode?: number }> {
  const out: Array<{ key: string; path: string; mode?: number }> = [];
  for (const item of items ?? []) {
    if (!(item.key in data)) {
      if (optional) continue;
      throw mountError(pod, volume, `${missingMessage}: ${item.key}`);
    }
    out.push(
      item.mode === undefined
        ? { key: item.key, path: item.path }
        : { key: item.key, path: item.path, mode: item.mode },
    );
  }
  return out;
}

/** A ContainerConfigError naming the containers that mount the volume. */
export function mountError(pod: V1Pod, volume: V1Volume, message: string): ContainerConfigError {
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]
    .filter((c) => (c.volumeMounts ?? []).some((m) => m.name === volume.name))
    .map((c) => c.name);
  return new ContainerConfigError(message, containers);
}
