import type { V1KeyToPath, V1Pod, V1Volume } from '@kubernetes/client-node';
import type { Volume } from '../../generated/vkcmd/runner/v1/Volume.js';
import { ContainerConfigError } from '../errors.js';
import type { FetchedObjects } from './object-refs.js';

/** The runner volumes of a pod, and the names of volumes it cannot provide (their mounts are dropped). */
export interface ResolvedVolumes {
  volumes: Volume[];
  unsupported: string[];
}

/**
 * Maps configMap, secret and emptyDir volumes to runner volumes with their
 * data already fetched (ConfigMap data as UTF-8 bytes, binaryData and Secret
 * data base64-decoded). Other volume types (projected service-account tokens,
 * hostPath, ...) cannot be provided and are reported as unsupported. Throws
 * ContainerConfigError, naming the containers that mount the volume, when a
 * required object or item key is missing.
 */
export function resolveVolumes(pod: V1Pod, objects: FetchedObjects): ResolvedVolumes {
  const volumes: Volume[] = [];
  const unsupported: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.configMap) {
      const name = v.configMap.name ?? '';
      const cm = objects.configMaps.get(name);
      const optional = v.configMap.optional === true;
      if (!cm && !optional) throw mountError(pod, v, `configmap "${name}" not found`);
      const data: Record<string, Buffer> = {};
      for (const [k, s] of Object.entries(cm?.data ?? {})) data[k] = Buffer.from(s, 'utf8');
      for (const [k, b] of Object.entries(cm?.binaryData ?? {})) data[k] = Buffer.from(b, 'base64');
      const items = checkItems(
        pod,
        v,
        v.configMap.items,
        data,
        optional,
        'configmap references non-existent config key',
      );
      volumes.push({
        name: v.name,
        configMap: { sourceName: name, data, items, ...mode(v.configMap.defaultMode) },
      });
    } else if (v.secret) {
      const name = v.secret.secretName ?? '';
      const secret = objects.secrets.get(name);
      const optional = v.secret.optional === true;
      if (!secret && !optional) throw mountError(pod, v, `secret "${name}" not found`);
      const data: Record<string, Buffer> = {};
      for (const [k, b] of Object.entries(secret?.data ?? {})) data[k] = Buffer.from(b, 'base64');
      const items = checkItems(pod, v, v.secret.items, data, optional, 'references non-existent secret key');
      volumes.push({
        name: v.name,
        secret: { sourceName: name, data, items, ...mode(v.secret.defaultMode) },
      });
    } else if (v.emptyDir) {
      volumes.push({ name: v.name, emptyDir: {} });
    } else {
      unsupported.push(v.name);
    }
  }
  return { volumes, unsupported };
}

function mode(defaultMode: number | undefined): { defaultMode?: number } {
  return defaultMode === undefined ? {} : { defaultMode };
}

function checkItems(
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

function mountError(pod: V1Pod, volume: V1Volume, message: string): ContainerConfigError {
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]
    .filter((c) => (c.volumeMounts ?? []).some((m) => m.name === volume.name))
    .map((c) => c.name);
  return new ContainerConfigError(message, containers);
}
