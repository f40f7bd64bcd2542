import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type CoreV1Event,
  type KubeConfig,
  type V1Lease,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import type { Logger } from '../../common/logger.js';
import type { KubeletMetrics } from '../kubelet-metrics.js';
import type { ConfigMapData, SecretData } from '../pods/object-refs.js';
import { ApiError, type KubeApi, type PodInformer, type TokenRequest } from './kube-api.js';
import { ListWatchPodInformer } from './pod-informer.js';

const STRATEGIC = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Converts whatever the client threw into an ApiError carrying the HTTP status. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ApiException) {
    const body = err.body as { message?: string } | string | undefined;
    const detail = typeof body === 'string' ? body : (body?.message ?? err.message);
    return new ApiError(err.code, detail);
  }
  const code = (err as { statusCode?: number; code?: unknown }).statusCode;
  return new ApiError(typeof code === 'number' ? code : 0, (err as Error)?.message ?? String(err));
}

/** Plain JSON (times as strings), the same shape the watch delivers. */
export function plain<T>(obj: T): T {
  return JSON.parse(JSON.stringify(obj)) as T;
}

/** KubeApi over @kubernetes/client-node, counting every request. */
export class KubeApiClient implements KubeApi {
  private readonly core: CoreV1Api;
  private readonly coordination: CoordinationV1Api;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly metrics: KubeletMetrics,
    private readonly logger: Logger,
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.coordination = kubeConfig.makeApiClient(CoordinationV1Api);
  }

  /** Runs one request and counts it by verb, resource and HTTP code. */
  async call<T>(verb: string, resource: string, fn: () => Promise<T>): Promise<T> {
    const successCode = verb === 'create' ? '201' : '200';
    try {
      const result = await fn();
      this.metrics.apiserverRequestsTotal.inc({ verb, resource, code: successCode });
      return result;
    } catch (err) {
      const apiErr = toApiError(err);
      this.metrics.apiserverRequestsTotal.inc({
        verb,
        resource,
        code: apiErr.code ? String(apiErr.code) : '<error>',
      });
      throw apiErr;
    }
  }

  /** true once deleted, false when it was already gone. */
  private async gone(p: Promise<unknown>): Promise<boolean> {
    return (await this.orUndefined(p.then(() => true))) ?? false;
  }

  private async orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
    try {
      return await p;
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return undefined;
      throw err;
    }
  }

  getNode(name: string): Promise<V1Node | undefined> {
    return this.orUndefined(this.call('get', 'nodes', () => this.core.readNode({ name }).then(plain)));
  }

  createNode(node: V1Node): Promise<V1Node> {
    return this.call('create', 'nodes', () => this.core.createNode({ body: node }).then(plain));
  }

  patchNode(name: string, mergePatch: object): Promise<V1Node> {
    return this.call('patch', 'nodes', () =>
      this.core.patchNode({ name, body: mergePatch }, MERGE).then(plain),
    );
  }

  patchNodeStatus(name: string, strategicPatch: object): Promise<V1Node> {
    return this.call('patch', 'nodes/status', () =>
      this.core.patchNodeStatus({ name, body: strategicPatch }, STRATEGIC).then(plain),
    );
  }

  deleteNode(name: string): Promise<boolean> {
    return this.gone(this.call('delete', 'nodes', () => this.core.deleteNode({ name })));
  }

  getLease(namespace: string, name: string): Promise<V1Lease | undefined> {
    return this.orUndefined(
      this.call('get', 'leases', () =>
        this.coordination.readNamespacedLease({ name, namespace }).then(plain),
      ),
    );
  }

  createLease(lease: V1Lease): Promise<V1Lease> {
    const namespace = lease.metadata?.namespace ?? '';
    return this.call('create', 'leases', () =>
      this.coordination.createNamespacedLease({ namespace, body: lease }).then(plain),
    );
  }

  replaceLease(lease: V1Lease): Promise<V1Lease> {
    const namespace = lease.metadata?.namespace ?? '';
    const name = lease.metadata?.name ?? '';
    return this.call('update', 'leases', () =>
      this.coordination.replaceNamespacedLease({ name, namespace, body: lease }).then(plain),
    );
  }

  deleteLease(namespace: string, name: string): Promise<boolean> {
    return this.gone(
      this.call('delete', 'leases', () => this.coordination.deleteNamespacedLease({ name, namespace })),
    );
  }

  podInformer(nodeName: string): PodInformer {
    return new ListWatchPodInformer(
      this.kubeConfig,
      nodeName,
      (fieldSelector) =>
        this.call('list', 'pods', () => this.core.listPodForAllNamespaces({ fieldSelector }).then(plain)),
      this.metrics,
      this.logger.child({ component: 'pod-informer' }),
    );
  }

  patchPodStatus(namespace: string, name: string, strategicPatch: object): Promise<V1Pod> {
    return this.call('patch', 'pods/status', () =>
      this.core.patchNamespacedPodStatus({ name, namespace, body: strategicPatch }, STRATEGIC).then(plain),
    );
  }

  async deletePod(namespace: string, name: string, uid: string): Promise<boolean> {
    try {
      await this.call('delete', 'pods', () =>
        this.core.deleteNamespacedPod({
          name,
          namespace,
          gracePeriodSeconds: 0,
          body: { gracePeriodSeconds: 0, preconditions: { uid } },
        }),
      );
      return true;
    } catch (err) {
      // 404: already gone; 409: the name now belongs to another pod (UID precondition).
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return false;
      throw err;
    }
  }

  async getConfigMap(namespace: string, name: string): Promise<ConfigMapData | null> {
    const cm = await this.orUndefined(
      this.call('get', 'configmaps', () => this.core.readNamespacedConfigMap({ name, namespace })),
    );
    return cm ? { data: cm.data, binaryData: cm.binaryData } : null;
  }

  async getSecret(namespace: string, name: string): Promise<SecretData | null> {
    const secret = await this.orUndefined(
      this.call('get', 'secrets', () => this.core.readNamespacedSecret({ name, namespace })),
    );
    return secret ? { data: secret.data } : null;
  }

  async requestServiceAccountToken(
    namespace: string,
    serviceAccount: string,
    request: TokenRequest,
  ): Promise<string> {
    const answer = await this.call('create', 'serviceaccounts/token', () =>
      this.core.createNamespacedServiceAccountToken({
        name: serviceAccount,
        namespace,
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: {
            audiences: request.audiences,
            expirationSeconds: request.expirationSeconds,
            boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: request.pod.name, uid: request.pod.uid },
          },
        },
      }),
    );
    return answer.status?.token ?? '';
  }

  createEvent(namespace: string, event: CoreV1Event): Promise<CoreV1Event> {
    return this.call('create', 'events', () => this.core.createNamespacedEvent({ namespace, body: event }));
  }

  patchEvent(namespace: string, name: string, mergePatch: object): Promise<CoreV1Event> {
    return this.call('patch', 'events', () =>
      this.core.patchNamespacedEvent({ name, namespace, body: mergePatch }, MERGE),
    );
  }
}
