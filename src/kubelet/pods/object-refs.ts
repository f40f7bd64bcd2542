import type { V1Container, V1Pod } from '@kubernetes/client-node';

/** A service-account token a projected volume asks for (TokenRequest). */
export interface TokenRequestRef {
  /** Empty means the API server's own audience. */
  audience: string;
  expirationSeconds: number;
}

/** The ConfigMaps and Secrets a pod's volumes, env and envFrom name, and the tokens its volumes ask for. */
export interface ObjectRefs {
  configMaps: Set<string>;
  secrets: Set<string>;
  tokens: Map<string, TokenRequestRef>;
}

/** The kubelet's default lifetime of a projected service-account token. */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

/** The key of a token request in FetchedObjects.tokens. */
export function tokenKey(ref: TokenRequestRef): string {
  return `${ref.audience}\u0000${ref.expirationSeconds}`;
}

export function allContainers(pod: V1Pod): V1Container[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
}

/** Every ConfigMap and Secret the pod refers to, and every token its projected volumes need. */
export function referencedObjects(pod: V1Pod): ObjectRefs {
  const refs: ObjectRefs = { configMaps: new Set(), secrets: new Set(), tokens: new Map() };
  for (const v of pod.spec?.volumes ?? []) {
    if (v.configMap?.name) refs.configMaps.add(v.configMap.name);
    if (v.secret?.secretName) refs.secrets.add(v.secret.secretName);
    for (const source of v.projected?.sources ?? []) {
      if (source.configMap?.name) refs.configMaps.add(source.configMap.name);
      if (source.secret?.name) refs.secrets.add(source.secret.name);
      const token = source.serviceAccountToken;
      if (token) {
        const ref = {
          audience: token.audience ?? '',
          expirationSeconds: token.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS,
        };
        refs.tokens.set(tokenKey(ref), ref);
      }
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

/**
 * Fetched objects: a value of null means "not found" (the API answered 404),
 * or for a token, "not granted" (the file is left out).
 */
export interface FetchedObjects {
  configMaps: ReadonlyMap<string, ConfigMapData | null>;
  secrets: ReadonlyMap<string, SecretData | null>;
  /** By tokenKey; absent when the pod asks for no token. */
  tokens?: ReadonlyMap<string, string | null>;
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
