import type { WirePod } from '../kube/wire-types.js';
import type { KubeApi } from '../kube/kube-api.js';
import {
  referencedObjects,
  type ConfigMapData,
  type FetchedObjects,
  type SecretData,
} from './object-refs.js';

/**
 * Fetches every ConfigMap and Secret a pod refers to, in parallel, fresh from
 * the API server (no cache: a pod waiting for an object sees it as soon as it
 * exists). Missing objects map to null; other API errors reject (the pod is
 * retried).
 */
export class PodObjectFetcher {
  constructor(private readonly api: KubeApi) {}

  async fetch(pod: WirePod): Promise<FetchedObjects> {
    const namespace = pod.metadata?.namespace ?? '';
    const refs = referencedObjects(pod);
    const configMaps = new Map<string, ConfigMapData | null>();
    const secrets = new Map<string, SecretData | null>();
    await Promise.all([
      ...[...refs.configMaps].map(async (name) =>
        configMaps.set(name, await this.api.getConfigMap(namespace, name)),
      ),
      ...[...refs.secrets].map(async (name) => secrets.set(name, await this.api.getSecret(namespace, name))),
    ]);
    return { configMaps, secrets };
  }
}
