import type { WirePod, WireVolume } from '../kube/wire-types.js';
import type { Volume } from '../../generated/vkcmd/runner/v1/Volume.js';
import type { EnvContext } from './env-resolver.js';
import type { FetchedObjects } from './object-refs.js';
import { downwardApiFiles, filesVolume, projectedFiles } from './projected-volume.js';
import { sourceData, type SkippedVolume } from './volume-data.js';

/** The runner volumes of a pod, and what it cannot provide (the mounts of skipped volumes are left out). */
export interface ResolvedVolumes {
  volumes: Volume[];
  skipped: SkippedVolume[];
}

function mode(defaultMode: number | undefined): { defaultMode?: number } {
  return defaultMode === undefined ? {} : { defaultMode };
}

/** The kind of a volume vk-cmd cannot provide, e.g. "hostPath volume". */
function volumeKind(v: WireVolume): string {
  const kind = Object.entries(v).find(([k, source]) => k !== 'name' && source != null)?.[0];
  return `${kind ?? 'unknown'} volume`;
}

/**
 * Maps a pod's volumes to runner volumes with their data already fetched:
 * configMap and secret (ConfigMap data as UTF-8 bytes, binaryData and Secret
 * data base64-decoded), emptyDir, downwardAPI and projected (configMap,
 * secret, downwardAPI and serviceAccountToken sources; the default
 * kube-api-access-* volume included). Volumes of other types (hostPath,
 * persistentVolumeClaim, ...) are skipped. Throws ContainerConfigError, naming
 * the containers that mount the volume, when a required object, item key or
 * field is missing. Pure.
 */
export function resolveVolumes(pod: WirePod, objects: FetchedObjects, ctx: EnvContext): ResolvedVolumes {
  const volumes: Volume[] = [];
  const skipped: SkippedVolume[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.configMap) {
      const name = v.configMap.name ?? '';
      const { data, picked } = sourceData(pod, v, objects, {
        kind: 'configmap',
        name,
        items: v.configMap.items,
        optional: v.configMap.optional === true,
      });
      volumes.push({
        name: v.name,
        configMap: { sourceName: name, data, items: picked, ...mode(v.configMap.defaultMode) },
      });
    } else if (v.secret) {
      const name = v.secret.secretName ?? '';
      const { data, picked } = sourceData(pod, v, objects, {
        kind: 'secret',
        name,
        items: v.secret.items,
        optional: v.secret.optional === true,
      });
      volumes.push({
        name: v.name,
        secret: { sourceName: name, data, items: picked, ...mode(v.secret.defaultMode) },
      });
    } else if (v.emptyDir) {
      volumes.push({ name: v.name, emptyDir: {} });
    } else if (v.downwardAPI) {
      const files = downwardApiFiles(pod, v, v.downwardAPI.items ?? [], ctx);
      volumes.push(filesVolume(v.name, 'configMap', files, v.downwardAPI.defaultMode));
    } else if (v.projected) {
      const projected = projectedFiles(pod, v, objects, ctx);
      volumes.push(filesVolume(v.name, 'secret', projected.files, v.projected.defaultMode));
      skipped.push(...projected.skipped);
    } else {
      skipped.push({ name: v.name, kind: volumeKind(v) });
    }
  }
  return { volumes, skipped };
}
