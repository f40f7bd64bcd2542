import type { WireNode, WireTaint } from '../kube/wire-types.js';
import type { KubeletConfig } from '../config/kubelet-config.js';
import { limitAnnotations } from './limit-annotations.js';
import { nodeLabels, nodeTaints, type HostFacts } from './node-object.js';
import { deadlineAnnotations, walltimeState, type WalltimeDeadline } from './walltime.js';

/** The labels and annotations the kubelet owns on its Node. */
export interface NodeMetadata {
  labels: Record<string, string>;
  /** null: remove (a walltime annotation of an earlier run). */
  annotations: Record<string, string | null>;
}

export type MetadataConfig = Pick<KubeletConfig, 'nodeName' | 'nodeType' | 'site' | 'nodeLabels' | 'taints'>;

const WALLTIME_LABELS = ['jiriaf.walltime', 'jiriaf.alivetime'];

/** The owned labels (walltime countdown included) and the walltime annotations, at `nowMs`. */
export function nodeMetadata(
  config: MetadataConfig,
  host: Pick<HostFacts, 'architecture' | 'operatingSystem'> & Partial<HostFacts>,
  deadline: WalltimeDeadline | undefined,
  nowMs: number,
): NodeMetadata {
  const alive = walltimeState(deadline, nowMs).aliveSeconds;
  const walltime =
    deadline && alive !== undefined
      ? { walltimeSeconds: deadline.walltimeSeconds, aliveSeconds: alive }
      : undefined;
  return {
    labels: nodeLabels(config, host, walltime),
    annotations: { ...deadlineAnnotations(deadline), ...limitAnnotations(host) },
  };
}

/** Only the annotations to set (for a new Node). */
export function presentAnnotations(annotations: NodeMetadata['annotations']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(annotations)) if (v !== null) out[k] = v;
  return out;
}

/**
 * The merge patch that adopts an existing Node: our labels and annotations
 * (walltime labels of an earlier run removed when there is no walltime now),
 * and our taints added to whatever taints it has.
 */
export function adoptionPatch(existing: WireNode, config: MetadataConfig, metadata: NodeMetadata): object {
  const labels: Record<string, string | null> = { ...metadata.labels };
  for (const key of WALLTIME_LABELS) {
    if (!(key in labels) && existing.metadata?.labels?.[key] !== undefined) labels[key] = null;
  }
  const annotations: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(metadata.annotations)) {
    if (v !== null || existing.metadata?.annotations?.[k] !== undefined) annotations[k] = v;
  }
  const patch: { metadata: object; spec?: { taints: WireTaint[] } } = {
    metadata: Object.keys(annotations).length > 0 ? { labels, annotations } : { labels },
  };
  const taints = existing.spec?.taints ?? [];
  const missing = nodeTaints(config).filter(
    (t) =>
      !taints.some((x) => x.key === t.key && x.effect === t.effect && (x.value ?? '') === (t.value ?? '')),
  );
  if (missing.length > 0) patch.spec = { taints: [...taints, ...missing] };
  return patch;
}

/** The merge patch between two metadata states; undefined when nothing changed. */
export function metadataPatch(previous: NodeMetadata, next: NodeMetadata): object | undefined {
  const labels: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(next.labels)) if (previous.labels[k] !== v) labels[k] = v;
  for (const k of Object.keys(previous.labels)) if (!(k in next.labels)) labels[k] = null;
  const annotations: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(next.annotations)) {
    if ((previous.annotations[k] ?? null) !== v) annotations[k] = v;
  }
  const metadata: Record<string, object> = {};
  if (Object.keys(labels).length > 0) metadata['labels'] = labels;
  if (Object.keys(annotations).length > 0) metadata['annotations'] = annotations;
  return Object.keys(metadata).length > 0 ? { metadata } : undefined;
}
