import type { WireKeyToPath, WirePod, WireVolume } from '../kube/wire-types.js';
import { ContainerConfigError } from '../errors.js';
import type { ConfigMapData, FetchedObjects, SecretData } from './object-refs.js';

/** A volume (or projected source) vk-cmd cannot provide; its mounts are left out. */
export interface SkippedVolume {
  name: string;
  /** e.g. "hostPath volume". */
  kind: string;
}

/** A ConfigMap's data (UTF-8) and binaryData (base64) as bytes. */
function configMapData(cm: ConfigMapData | null | undefined): Record<string, Buffer> {
  const data: Record<string, Buffer> = {};
  for (const [k, s] of Object.entries(cm?.data ?? {})) data[k] = Buffer.from(s, 'utf8');
  for (const [k, b] of Object.entries(cm?.binaryData ?? {})) data[k] = Buffer.from(b, 'base64');
  return data;
}

/** A Secret's data (base64 in the API) as bytes. */
function secretData(secret: SecretData | null | undefined): Record<string, Buffer> {
  const data: Record<string, Buffer> = {};
  for (const [k, b] of Object.entries(secret?.data ?? {})) data[k] = Buffer.from(b, 'base64');
  return data;
}

/** The items whose keys exist; a missing key of a required object is a ContainerConfigError. */
function checkItems(
  pod: WirePod,
  volume: WireVolume,
  items: WireKeyToPath[] | undefined,
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

/** What a configMap or secret volume (or projected source) names. */
export interface ObjectSource {
  kind: 'configmap' | 'secret';
  name: string;
  items: WireKeyToPath[] | undefined;
  optional: boolean;
}

/**
 * The data of the object a source names, and the items it picks whose keys
 * exist. A missing object or key is a ContainerConfigError unless the source
 * is optional; `found` is false for a missing optional object.
 */
export function sourceData(
  pod: WirePod,
  volume: WireVolume,
  objects: FetchedObjects,
  source: ObjectSource,
): {
  found: boolean;
  data: Record<string, Buffer>;
  picked: Array<{ key: string; path: string; mode?: number }>;
} {
  const { kind, name, items, optional } = source;
  const object = kind === 'configmap' ? objects.configMaps.get(name) : objects.secrets.get(name);
  if (!object && !optional) throw mountError(pod, volume, `${kind} "${name}" not found`);
  const data =
    kind === 'configmap'
      ? configMapData(object as ConfigMapData | undefined)
      : secretData(object as SecretData | undefined);
  const missing =
    kind === 'configmap'
      ? 'configmap references non-existent config key'
      : 'references non-existent secret key';
  return {
    found: object !== undefined && object !== null,
    data,
    picked: checkItems(pod, volume, items, data, optional, missing),
  };
}

/** A ContainerConfigError naming the containers that mount the volume. */
export function mountError(pod: WirePod, volume: WireVolume, message: string): ContainerConfigError {
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]
    .filter((c) => (c.volumeMounts ?? []).some((m) => m.name === volume.name))
    .map((c) => c.name);
  return new ContainerConfigError(message, containers);
}
