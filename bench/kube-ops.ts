import { readFileSync } from 'node:fs';
import { credentialSource } from '../src/kubelet/kube/kube-credentials.js';
import { KubeTransport, type KubeRequest } from '../src/kubelet/kube/kube-transport.js';
import { parseKubeconfig } from '../src/kubelet/kube/kubeconfig.js';

/**
 * The few API calls the benchmark makes, over the kubelet's own keep-alive
 * transport: a create or delete then costs one request on an open connection
 * rather than a TLS handshake, so the client side adds little to what is
 * measured. Every call rejects on a non-2xx answer (ApiError, with the status
 * and message). `close()` releases the sockets.
 */
export class KubeRequests {
  private constructor(private readonly transport: KubeTransport) {}

  static fromKubeconfigFile(kubeconfigPath: string, maxSockets = 64): KubeRequests {
    const config = parseKubeconfig(readFileSync(kubeconfigPath, 'utf8'), kubeconfigPath, (file) =>
      readFileSync(file, 'utf8'),
    );
    return new KubeRequests(
      new KubeTransport(config, credentialSource(config.credentials), {
        maxSockets,
        userAgent: 'vk-cmd-bench',
      }),
    );
  }

  private request<T = unknown>(
    method: KubeRequest['method'],
    path: string,
    rest: Partial<KubeRequest> = {},
  ): Promise<T> {
    return this.transport.request<T>({ method, path, ...rest });
  }

  async createPod(namespace: string, pod: object): Promise<void> {
    await this.request('POST', `/api/v1/namespaces/${namespace}/pods`, { body: pod });
  }

  /** Deletes with the pod's own grace period (no gracePeriodSeconds in the request). */
  async deletePod(namespace: string, name: string): Promise<void> {
    await this.request('DELETE', `/api/v1/namespaces/${namespace}/pods/${name}`);
  }

  /** Deletes every pod with the label at once, grace 0; for clean-up after a failed scenario. */
  async deletePodsByLabel(namespace: string, labelSelector: string): Promise<void> {
    await this.request('DELETE', `/api/v1/namespaces/${namespace}/pods`, {
      query: { labelSelector, gracePeriodSeconds: 0 },
    });
  }

  /** How many pods match the label selector right now. */
  async countPods(namespace: string, labelSelector: string): Promise<number> {
    const list = await this.request<{ items: unknown[] }>('GET', `/api/v1/namespaces/${namespace}/pods`, {
      query: { labelSelector },
    });
    return list.items.length;
  }

  async createNamespace(name: string): Promise<void> {
    await this.request('POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    });
  }

  async deleteNamespace(name: string): Promise<void> {
    await this.request('DELETE', `/api/v1/namespaces/${name}`);
  }

  async deleteNode(name: string): Promise<void> {
    await this.request('DELETE', `/api/v1/nodes/${name}`);
  }

  /** True once the namespace's default ServiceAccount exists (pod admission needs it). */
  async defaultServiceAccountExists(namespace: string): Promise<boolean> {
    try {
      await this.request('GET', `/api/v1/namespaces/${namespace}/serviceaccounts/default`);
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    this.transport.close();
  }
}
