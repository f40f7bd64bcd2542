import type { V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../common/logger.js';
import { ApiError, type KubeApi } from '../kube/kube-api.js';
import {
  referencedObjects,
  tokenKey,
  type ConfigMapData,
  type FetchedObjects,
  type SecretData,
  type TokenRequestRef,
} from './object-refs.js';

// Answers that mean "this kubelet may not have that token": the file is left out.
const TOKEN_REFUSED = new Set([400, 401, 403, 404, 422]);

/**
 * Fetches every ConfigMap and Secret a pod refers to, in parallel, fresh from
 * the API server (no cache: a pod waiting for an object sees it as soon as it
 * exists), and the service-account tokens its projected volumes ask for.
 * Missing objects map to null. A token the API server refuses (no RBAC for
 * serviceaccounts/token, no such service account) maps to null and is noted
 * once at debug level: vk-cmd pods seldom call the API, and a missing token
 * must not keep them from running. Other API errors reject (the pod is retried).
 */
export class PodObjectFetcher {
  private tokenRefusalNoted = false;

  constructor(
    private readonly api: KubeApi,
    private readonly logger: Logger,
  ) {}

  async fetch(pod: V1Pod): Promise<FetchedObjects> {
    const namespace = pod.metadata?.namespace ?? '';
    const refs = referencedObjects(pod);
    const configMaps = new Map<string, ConfigMapData | null>();
    const secrets = new Map<string, SecretData | null>();
    const tokens = new Map<string, string | null>();
    await Promise.all([
      ...[...refs.configMaps].map(async (name) =>
        configMaps.set(name, await this.api.getConfigMap(namespace, name)),
      ),
      ...[...refs.secrets].map(async (name) => secrets.set(name, await this.api.getSecret(namespace, name))),
      ...[...refs.tokens.values()].map(async (ref) => tokens.set(tokenKey(ref), await this.token(pod, ref))),
    ]);
    return { configMaps, secrets, tokens };
  }

  private async token(pod: V1Pod, ref: TokenRequestRef): Promise<string | null> {
    const serviceAccount = pod.spec?.serviceAccountName || 'default';
    try {
      return await this.api.requestServiceAccountToken(pod.metadata?.namespace ?? '', serviceAccount, {
        audiences: ref.audience ? [ref.audience] : [],
        expirationSeconds: ref.expirationSeconds,
        pod: { name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
      });
    } catch (err) {
      if (!(err instanceof ApiError) || !TOKEN_REFUSED.has(err.code)) throw err;
      if (!this.tokenRefusalNoted) {
        this.tokenRefusalNoted = true;
        this.logger.debug(
          { err, serviceAccount, pod: `${pod.metadata?.namespace}/${pod.metadata?.name}` },
          'Service account token refused; projected token files are left out',
        );
      }
      return null;
    }
  }
}
