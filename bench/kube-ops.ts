import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/**
 * The few API calls the benchmark makes, over one keep-alive agent: a create
 * or delete then costs one request on an open connection rather than a TLS
 * handshake (KubeConfig.applyToHTTPSOptions makes a fresh agent per call), so
 * the client side adds little to what is measured. Every call rejects on a
 * non-2xx answer with the status and body. `close()` releases the sockets.
 */
export class KubeRequests {
  private constructor(
    private readonly server: URL,
    private readonly base: https.RequestOptions,
    private readonly agent: https.Agent,
  ) {}

  static async fromKubeConfig(kc: KubeConfig, maxSockets = 64): Promise<KubeRequests> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const options: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(options);
    const agent = new https.Agent({
      keepAlive: true,
      maxSockets,
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      ...(options.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.rejectUnauthorized } : {}),
    });
    const headers = { ...(options.headers ?? {}) };
    return new KubeRequests(new URL(cluster.server), { headers, auth: options.auth }, agent);
  }

  request(method: string, pathAndQuery: string, body?: object): Promise<string> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          ...this.base,
          agent: this.agent,
          method,
          hostname: this.server.hostname,
          port: this.server.port,
          path: pathAndQuery,
          headers: {
            ...this.base.headers,
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json' } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const code = res.statusCode ?? 0;
            if (code >= 200 && code < 300) resolve(text);
            else reject(new Error(`${method} ${pathAndQuery}: ${code} ${text.slice(0, 300)}`));
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  async createPod(namespace: string, pod: object): Promise<void> {
    await this.request('POST', `/api/v1/namespaces/${namespace}/pods`, pod);
  }

  /** Deletes with the pod's own grace period (no gracePeriodSeconds in the request). */
  async deletePod(namespace: string, name: string): Promise<void> {
    await this.request('DELETE', `/api/v1/namespaces/${namespace}/pods/${name}`);
  }

  /** Deletes every pod with the label at once, grace 0; for clean-up after a failed scenario. */
  async deletePodsByLabel(namespace: string, labelSelector: string): Promise<void> {
    const query = new URLSearchParams({ labelSelector, gracePeriodSeconds: '0' });
    await this.request('DELETE', `/api/v1/namespaces/${namespace}/pods?${query.toString()}`);
  }

  /** How many pods match the label selector right now. */
  async countPods(namespace: string, labelSelector: string): Promise<number> {
    const query = new URLSearchParams({ labelSelector });
    const list = JSON.parse(
      await this.request('GET', `/api/v1/namespaces/${namespace}/pods?${query.toString()}`),
    ) as { items: unknown[] };
    return list.items.length;
  }

  async createNamespace(name: string): Promise<void> {
    await this.request('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
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
    this.agent.destroy();
  }
}
