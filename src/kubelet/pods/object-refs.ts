import type { WireContainer, WirePod } from '../kube/wire-types.js';

/** The ConfigMaps and Secrets a pod's volumes, env and envFrom name. */
export interface ObjectRefs {
  configMaps: Set<string>;
  secrets: Set<string>;
}

export function allContainers(pod: WirePod): WireContainer[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
}

/** Every ConfigMap and Secret the pod refers to. */
export function referencedObjects(pod: WirePod): ObjectRefs {
  const refs: ObjectRefs = { configMaps: new Set(), secrets: new Set() };
  for (const v of pod.spec?.volumes ?? []) {
    if (v.configMap?.name) refs.configMaps.add(v.configMap.name);
    if (v.secret?.secretName) refs.secrets.add(v.secret.secretName);
    for (const source of v.projected?.sources ?? []) {
      if (source.configMap?.name) refs.configMaps.add(source.configMap.name);
      if (source.secret?.name) refs.secrets.add(source.secret.name);
    }
  }
  for (const c of allContainers(pod)) {
    for (const e of c.env ?? []) {
      if (e.valueFrom?.configMapKeyRef?.name) refs.configMaps.add(e.valueFrom.configMapKeyRef.name);
      if (e.valueFrom?.secretKeyRef?.name) refs.secrets.add(e.valueFrom.secretKeyRef.name);
    }
    for (const f of c.envFrom ?? []) {
      if (f.configMapRef?.name) refs.configMaps.add(f.configMapRef.name);
      if (f.secretRef?.name) refs.secrets.add(f.secretRef.name);
    }
  }
  return refs;
}

/** Fetched objects: a value of null means "not found" (the API answered 404). */
export interface FetchedObjects {
  configMaps: ReadonlyMap<string, ConfigMapData | null>;
  secrets: ReadonlyMap<string, SecretData | null>;
}

/** The parts of a ConfigMap the kubelet uses. */
export interface ConfigMapData {
  data?: Record<string, string>;
  /** base64, as in the API. */
  binaryData?: Record<string, string>;
}

/** The parts of a Secret the kubelet uses; data is base64 as in the API. */
export interface SecretData {
  data?: Record<string, string>;
}
