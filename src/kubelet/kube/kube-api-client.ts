import type { WireConfigMap, WireEvent, WireLease, WireNode, WireSecret } from './wire-types.js';
import type { Logger } from '../../common/logger.js';
import type { ConfigMapData, SecretData } from '../pods/object-refs.js';
import { requestOutcome, type KubeApi, type PodInformer } from './kube-api.js';
import type { KubeRequest, KubeTransport } from './kube-transport.js';
import { kubeErrorKind } from './kube-errors.js';
import { ListWatchPodInformer } from './list-watch-informer.js';
import { writtenVersion, type WrittenVersion } from './written-version.js';

const STRATEGIC = 'application/strategic-merge-patch+json';
const MERGE = 'application/merge-patch+json';

const seg = encodeURIComponent;
const core = (namespace: string, resource: string, name?: string): string =>
  `/api/v1/namespaces/${seg(namespace)}/${resource}${name === undefined ? '' : `/${seg(name)}`}`;
const leases = (namespace: string, name?: string): string =>
  `/apis/coordination.k8s.io/v1/namespaces/${seg(namespace)}/leases${name === undefined ? '' : `/${seg(name)}`}`;

/**
 * Where a node's API requests are counted (apiserver_requests_total): the
 * node's KubeletMetrics, or the lease thread's tally; `amount` (default 1)
 * adds a tally's count at once.
 */
export interface RequestCounter {
  apiserverRequestsTotal: {
    inc(labels: { verb: string; resource: string; code: string }, amount?: number): void;
  };
}

/**
 * KubeApi over the kubelet's keep-alive transport; every request is counted
 * by verb, resource and code. Lease requests go over `heartbeat`, a
 * transport with connections of its own (a kubelet's heartbeat client), so
 * a renewal never queues behind the pods' writes.
 */
export class KubeApiClient implements KubeApi {
  constructor(
    private readonly transport: KubeTransport,
    private readonly metrics: RequestCounter,
    private readonly logger: Logger,
    private readonly heartbeat: KubeTransport = transport,
  ) {}

  /** Sends one request and counts it. */
  async call<T>(verb: string, resource: string, req: KubeRequest): Promise<T> {
    try {
      const via = resource === 'leases' ? this.heartbeat : this.transport;
      const result = await via.request<T>(req);
      this.count(verb, resource, verb === 'create' ? '201' : '200');
      return result;
    } catch (err) {
      this.count(verb, resource, requestOutcome(err));
      throw err;
    }
  }

  /** Sends one request and counts it; the answer stays text. */
  private async callText(verb: string, resource: string, req: KubeRequest): Promise<string> {
    try {
      const text = await this.transport.requestText(req);
      this.count(verb, resource, verb === 'create' ? '201' : '200');
      return text;
    } catch (err) {
      this.count(verb, resource, requestOutcome(err));
      throw err;
    }
  }

  private count(verb: string, resource: string, code: string): void {
    this.metrics.apiserverRequestsTotal.inc({ verb, resource, code });
  }

  /** true once deleted, false when it was already gone. */
  private async gone(p: Promise<unknown>): Promise<boolean> {
    return (await this.orUndefined(p.then(() => true))) ?? false;
  }

  private async orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
    try {
      return await p;
    } catch (err) {
      if (kubeErrorKind(err) === 'notFound') return undefined;
      throw err;
    }
  }

  getNode(name: string): Promise<WireNode | undefined> {
    return this.orUndefined(this.call('get', 'nodes', { method: 'GET', path: `/api/v1/nodes/${seg(name)}` }));
  }

  createNode(node: WireNode): Promise<WireNode> {
    return this.call('create', 'nodes', { method: 'POST', path: '/api/v1/nodes', body: node });
  }

  patchNode(name: string, mergePatch: object): Promise<WireNode> {
    return this.call('patch', 'nodes', {
      method: 'PATCH',
      path: `/api/v1/nodes/${seg(name)}`,
      body: mergePatch,
      contentType: MERGE,
    });
  }

  patchNodeStatus(name: string, strategicPatch: object): Promise<WireNode> {
    return this.call('patch', 'nodes/status', {
      method: 'PATCH',
      path: `/api/v1/nodes/${seg(name)}/status`,
      body: strategicPatch,
      contentType: STRATEGIC,
    });
  }

  deleteNode(name: string): Promise<boolean> {
    return this.gone(this.call('delete', 'nodes', { method: 'DELETE', path: `/api/v1/nodes/${seg(name)}` }));
  }

  getLease(namespace: string, name: string): Promise<WireLease | undefined> {
    return this.orUndefined(this.call('get', 'leases', { method: 'GET', path: leases(namespace, name) }));
  }

  createLease(lease: WireLease): Promise<WireLease> {
    return this.call('create', 'leases', {
      method: 'POST',
      path: leases(lease.metadata?.namespace ?? ''),
      body: lease,
    });
  }

  replaceLease(lease: WireLease): Promise<WireLease> {
    return this.call('update', 'leases', {
      method: 'PUT',
      path: leases(lease.metadata?.namespace ?? '', lease.metadata?.name ?? ''),
      body: lease,
    });
  }

  deleteLease(namespace: string, name: string): Promise<boolean> {
    return this.gone(this.call('delete', 'leases', { method: 'DELETE', path: leases(namespace, name) }));
  }

  podInformer(nodeName: string): PodInformer {
    return new ListWatchPodInformer(
      this.transport,
      nodeName,
      (verb, resource, code) => this.count(verb, resource, code),
      this.logger.child({ component: 'pod-informer' }),
    );
  }

  /** Only the answer's resourceVersion is read (writtenVersion): a huge pod's answer is not parsed. */
  async patchPodStatus(namespace: string, name: string, strategicPatch: object): Promise<WrittenVersion> {
    const req: KubeRequest = {
      method: 'PATCH',
      path: `${core(namespace, 'pods', name)}/status`,
      body: strategicPatch,
      contentType: STRATEGIC,
    };
    return writtenVersion(await this.callText('patch', 'pods/status', req));
  }

  /** The answer (the pod) is not parsed: nothing reads it. */
  async deletePod(namespace: string, name: string, uid: string): Promise<boolean> {
    try {
      await this.callText('delete', 'pods', {
        method: 'DELETE',
        path: core(namespace, 'pods', name),
        body: { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid } },
      });
      return true;
    } catch (err) {
      // Not found: already gone; conflict: the name now belongs to another pod (UID precondition).
      const kind = kubeErrorKind(err);
      if (kind === 'notFound' || kind === 'conflict') return false;
      throw err;
    }
  }

  async getConfigMap(namespace: string, name: string): Promise<ConfigMapData | null> {
    const cm = await this.orUndefined(
      this.call<WireConfigMap>('get', 'configmaps', {
        method: 'GET',
        path: core(namespace, 'configmaps', name),
      }),
    );
    return cm ? { data: cm.data, binaryData: cm.binaryData } : null;
  }

  async getSecret(namespace: string, name: string): Promise<SecretData | null> {
    const secret = await this.orUndefined(
      this.call<WireSecret>('get', 'secrets', { method: 'GET', path: core(namespace, 'secrets', name) }),
    );
    return secret ? { data: secret.data } : null;
  }

  /** Two events per pod lifecycle; the answer (the event) is not parsed: nothing reads it. */
  async createEvent(namespace: string, event: WireEvent): Promise<void> {
    await this.callText('create', 'events', { method: 'POST', path: core(namespace, 'events'), body: event });
  }

  async patchEvent(namespace: string, name: string, mergePatch: object): Promise<void> {
    await this.callText('patch', 'events', {
      method: 'PATCH',
      path: core(namespace, 'events', name),
      body: mergePatch,
      contentType: MERGE,
    });
  }
}
