import type { WireDownwardAPIVolumeFile, WireKeyToPath, WirePod, WireVolume } from '../kube/wire-types.js';
import type { Volume } from '../../generated/vkcmd/runner/v1/Volume.js';
import { fieldRefValue, resourceFieldValue, type EnvContext } from './env-resolver.js';
import { allContainers, type FetchedObjects } from './object-refs.js';
import { mountError, sourceData, type SkippedVolume } from './volume-data.js';

/** One file of a projected or downwardAPI volume, relative to the volume's root. */
interface VolumeFile {
  path: string;
  data: Buffer;
  mode?: number;
}

/** The files of a configMap or secret source: its items when it lists some, else every key. */
function keyedFiles(
  data: Record<string, Buffer>,
  items: Array<{ key: string; path: string; mode?: number }> | undefined,
): VolumeFile[] {
  if (items) return items.map((i) => ({ path: i.path, data: data[i.key] ?? Buffer.alloc(0), mode: i.mode }));
  return Object.keys(data)
    .sort()
    .map((key) => ({ path: key, data: data[key]! }));
}

/** The files of downward API items (metadata fields, and resources of a named container). */
export function downwardApiFiles(
  pod: WirePod,
  volume: WireVolume,
  items: readonly WireDownwardAPIVolumeFile[],
  ctx: EnvContext,
): VolumeFile[] {
  return items.map((item) => {
    let value: string;
    try {
      if (item.fieldRef) value = fieldRefValue(item.fieldRef.fieldPath, pod, ctx);
      else if (item.resourceFieldRef) {
        const ref = item.resourceFieldRef;
        const container = allContainers(pod).find((c) => c.name === ref.containerName);
        if (!container) throw new Error(`container ${ref.containerName ?? '""'} not found`);
        value = resourceFieldValue(ref.resource, ref.divisor, container, ctx);
      } else value = '';
    } catch (err) {
      throw mountError(pod, volume, (err as Error).message);
    }
    return { path: item.path, data: Buffer.from(value, 'utf8'), mode: item.mode };
  });
}

/**
 * The files of a projected volume, as the kubelet's projected volume plugin
 * writes them: configMap and secret sources (items, optional) and downward
 * API items. Service-account tokens are left out without a word: a kubelet
 * refreshes them in running pods, which files written once by the runner
 * cannot follow, and minting them needs a cluster-wide grant that a kubelet
 * without the node authorizer should not hold; every pod has such a source
 * in its default kube-api-access volume, so warning about it would be noise.
 * Sources vk-cmd cannot provide (clusterTrustBundle, podCertificate) are
 * reported in `skipped`.
 */
export function projectedFiles(
  pod: WirePod,
  volume: WireVolume,
  objects: FetchedObjects,
  ctx: EnvContext,
): { files: VolumeFile[]; skipped: SkippedVolume[] } {
  const files: VolumeFile[] = [];
  const skipped: SkippedVolume[] = [];
  for (const source of volume.projected?.sources ?? []) {
    const named = source.configMap
      ? { kind: 'configmap' as const, ...source.configMap }
      : source.secret
        ? { kind: 'secret' as const, ...source.secret }
        : undefined;
    if (named) {
      const { kind, name = '', items, optional = false } = named;
      const { found, data, picked } = sourceData(pod, volume, objects, { kind, name, items, optional });
      if (found) files.push(...keyedFiles(data, items ? picked : undefined));
    } else if (source.downwardAPI) {
      files.push(...downwardApiFiles(pod, volume, source.downwardAPI.items ?? [], ctx));
    } else if (source.serviceAccountToken) {
      continue;
    } else {
      const kind = Object.keys(source).find((k) => (source as Record<string, unknown>)[k] !== undefined);
      skipped.push({ name: volume.name, kind: `${kind ?? 'unknown'} source of a projected volume` });
    }
  }
  return { files, skipped };
}

/** Files as a runner data volume: every file an item, so nested paths and per-file modes survive. */
export function filesVolume(
  name: string,
  as: 'configMap' | 'secret',
  files: readonly VolumeFile[],
  defaultMode: number | undefined,
): Volume {
  const data: Record<string, Buffer> = {};
  const items: WireKeyToPath[] = [];
  for (const f of files) {
    data[f.path] = f.data;
    items.push(
      f.mode === undefined ? { key: f.path, path: f.path } : { key: f.path, path: f.path, mode: f.mode },
    );
  }
  const source = { sourceName: name, data, items, ...(defaultMode === undefined ? {} : { defaultMode }) };
  return as === 'configMap' ? { name, configMap: source } : { name, secret: source };
}
