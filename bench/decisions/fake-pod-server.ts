import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A pod as the API server returns one bound to a vk-cmd node and running:
 * a script volume, the default kube-api-access volume, managedFields of the
 * client that created it and of the kubelet's status writes, as JSON on the wire.
 */
export function fakePod(i: number, nodeName: string): object {
  const name = `bench-${String(i).padStart(4, '0')}`;
  const uid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const at = '2025-01-01T00:00:00Z';
  const fields = (manager: string, operation: string, subresource?: string) => ({
    manager,
    operation,
    apiVersion: 'v1',
    time: at,
    fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {}, 'f:run': {} } },
      'f:spec': {
        'f:containers': { 'k:{"name":"c1"}': { '.': {}, 'f:args': {}, 'f:command': {}, 'f:image': {} } },
        'f:nodeName': {},
        'f:restartPolicy': {},
        'f:tolerations': {},
        'f:volumes': { '.': {}, 'k:{"name":"script"}': { '.': {}, 'f:configMap': {}, 'f:name': {} } },
      },
      ...(subresource
        ? { 'f:status': { 'f:conditions': {}, 'f:containerStatuses': {}, 'f:phase': {} } }
        : {}),
    },
    ...(subresource ? { subresource } : {}),
  });
  const condition = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: at });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'bench',
      uid,
      resourceVersion: String(1000 + i),
      creationTimestamp: at,
      labels: { app: 'bench', run: 'decisions' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': `{"kind":"Pod","name":"${name}"}` },
      managedFields: [fields('kubectl-client-side-apply', 'Update'), fields('vk-cmd', 'Update', 'status')],
    },
    spec: {
      nodeName,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      serviceAccountName: 'default',
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      securityContext: {},
      containers: [
        {
          name: 'c1',
          image: 'script',
          command: ['bash'],
          args: ['3600', '1'],
          env: [{ name: 'JOB', value: name }],
          resources: { requests: { cpu: '100m', memory: '64Mi' } },
          imagePullPolicy: 'Always',
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          volumeMounts: [
            { name: 'script', mountPath: 'job' },
            {
              name: 'kube-api-access-abcde',
              mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
              readOnly: true,
            },
          ],
        },
      ],
      tolerations: [
        { key: 'virtual-kubelet.io/provider', operator: 'Equal', value: 'mock', effect: 'NoSchedule' },
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
      ],
      volumes: [
        { name: 'script', configMap: { name: 'bench-script', defaultMode: 420 } },
        {
          name: 'kube-api-access-abcde',
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              {
                downwardAPI: {
                  items: [
                    { path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
                  ],
                },
              },
            ],
          },
        },
      ],
    },
    status: {
      phase: 'Running',
      qosClass: 'Burstable',
      hostIP: '10.0.0.7',
      hostIPs: [{ ip: '10.0.0.7' }],
      podIP: '10.0.0.7',
      podIPs: [{ ip: '10.0.0.7' }],
      startTime: at,
      conditions: [
        'PodReadyToStartContainers',
        'Initialized',
        'Ready',
        'ContainersReady',
        'PodScheduled',
      ].map(condition),
      containerStatuses: [
        {
          name: 'c1',
          image: 'script',
          imageID: '',
          containerID: `vk-cmd://${uid}/c1/${10_000 + i}`,
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: at } },
        },
      ],
    },
  };
}

/**
 * Serves `count` pods on GET /api/v1/pods (any selector) and holds every
 * watch open without sending anything: what an informer holding a quiet
 * node's pods sees. Plain HTTP on loopback.
 */
export class FakePodServer {
  private readonly listBody: string;
  private readonly server: http.Server;

  constructor(count: number, nodeName: string) {
    const items = Array.from({ length: count }, (_, i) => fakePod(i, nodeName));
    this.listBody = JSON.stringify({
      kind: 'PodList',
      apiVersion: 'v1',
      metadata: { resourceVersion: '5000' },
      items,
    });
    this.server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://fake.invalid');
      if (url.pathname !== '/api/v1/pods') {
        res.writeHead(404).end();
      } else if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(this.listBody);
      }
    });
  }

  /** Bytes of one list answer. */
  get listBytes(): number {
    return Buffer.byteLength(this.listBody);
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
