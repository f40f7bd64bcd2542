// Memory cost of @kubernetes/client-node against vk-cmd's own kube client
// (docs/decisions/0001-kube-client.md). Each figure comes from a fresh Node.js
// process run with the kubelet's flags, after two full GCs:
//   - loading the library (a dynamic import) against loading our kube modules;
//   - an informer holding 1,000 pods listed from a local fake HTTP server
//     (FakePodServer; the watch stays open and quiet), ours against
//     client-node's makeInformer. Both processes also load pino, as the kubelet does.
// It also installs client-node into a temp dir for its install size.
// Usage: node dist/bench/decisions/kube-client-footprint.js [--pods N]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakePodServer } from './fake-pod-server.js';
import {
  KUBELET_NODE_FLAGS,
  installInto,
  printTable,
  repeat,
  row,
  runChild,
  settledMemoryMb,
} from './measure-support.js';

const SELF = fileURLToPath(import.meta.url);
const NODE = 'vk-decisions';

interface LoadResult {
  beforeRssMb: number;
  afterRssMb: number;
  afterHeapMb: number;
  importMs: number;
}
interface InformerResult {
  rssMb: number;
  heapUsedMb: number;
  /** Heap used once everything is loaded and set up, before the informer starts. */
  heapBeforeMb: number;
  pods: number;
}

async function loadChild(what: string): Promise<LoadResult> {
  const before = settledMemoryMb();
  const t0 = performance.now();
  if (what === 'client-node') {
    await import('@kubernetes/client-node');
  } else {
    await Promise.all([
      import('../../src/kubelet/kube/kube-transport.js'),
      import('../../src/kubelet/kube/kube-api-client.js'),
      import('../../src/kubelet/kube/kubeconfig.js'),
      import('../../src/kubelet/kube/kube-credentials.js'),
      import('../../src/kubelet/kube/list-watch-informer.js'),
    ]);
  }
  const importMs = performance.now() - t0;
  const after = settledMemoryMb();
  return { beforeRssMb: before.rssMb, afterRssMb: after.rssMb, afterHeapMb: after.heapUsedMb, importMs };
}

async function waitUntil(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function informerChild(what: string, port: number, pods: number): Promise<InformerResult> {
  const { pino } = await import('pino');
  const logger = pino({ level: 'silent' });
  const server = `http://127.0.0.1:${port}`;
  let held: () => number;
  let stop: () => Promise<void>;
  let heapBeforeMb: number;
  if (what === 'client-node') {
    const k8s = await import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'c', cluster: 'fake', user: 'u' }],
      currentContext: 'c',
    });
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const informer = k8s.makeInformer(kc, '/api/v1/pods', () =>
      core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${NODE}` }),
    );
    heapBeforeMb = settledMemoryMb().heapUsedMb;
    await informer.start();
    held = () => informer.list().length;
    stop = () => informer.stop();
  } else {
    const { KubeTransport } = await import('../../src/kubelet/kube/kube-transport.js');
    const { credentialSource } = await import('../../src/kubelet/kube/kube-credentials.js');
    const { ListWatchPodInformer } = await import('../../src/kubelet/kube/list-watch-informer.js');
    const config = {
      server,
      caPem: undefined,
      insecureSkipTlsVerify: true,
      tlsServerName: undefined,
      clientCertPem: undefined,
      clientKeyPem: undefined,
      credentials: { kind: 'token' as const, token: 't' },
      impersonationHeaders: {},
      namespace: 'default',
    };
    const transport = new KubeTransport(config, credentialSource(config.credentials), {
      maxSockets: 16,
      userAgent: 'decisions',
    });
    const informer = new ListWatchPodInformer(transport, NODE, () => {}, logger);
    heapBeforeMb = settledMemoryMb().heapUsedMb;
    informer.start({ add: () => {}, update: () => {}, delete: () => {}, synced: () => {} });
    held = () => informer.list().length;
    stop = () => informer.stop();
  }
  await waitUntil(() => held() === pods, `${pods} pods in the ${what} informer`);
  await new Promise((r) => setTimeout(r, 500));
  const memory = settledMemoryMb();
  const result = { ...memory, heapBeforeMb, pods: held() };
  await stop();
  return result;
}

/** What `npm install @kubernetes/client-node` adds to a tree of its own. */
function installSize(): void {
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-client-node-'));
  try {
    const { packages, bytes, audit } = installInto(prefix, ['@kubernetes/client-node@1.4.0']);
    console.log(
      `@kubernetes/client-node 1.4.0 alone: ${packages} packages, ${(bytes / 1e6).toFixed(1)} MB installed, npm audit: ${audit}`,
    );
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}

async function parent(pods: number): Promise<void> {
  installSize();
  const server = new FakePodServer(pods, NODE);
  const port = await server.start();
  console.log(`Fake API server: ${pods} pods, ${(server.listBytes / 1e6).toFixed(1)} MB per list`);
  const times = 3;
  const child = <T>(...args: string[]) => runChild<T>(SELF, ['--child', ...args], KUBELET_NODE_FLAGS);
  try {
    const loadOurs = await repeat(times, () => child<LoadResult>('load', 'ours'));
    const loadLib = await repeat(times, () => child<LoadResult>('load', 'client-node'));
    const delta = (r: LoadResult) => r.afterRssMb - r.beforeRssMb;
    printTable('Loading the kube client (fresh process, RSS after GC)', [
      row('ours: RSS added by the import', loadOurs, delta, 1, 'MB'),
      row('ours: import time', loadOurs, (r) => r.importMs, 0, 'ms'),
      row('client-node: RSS added by the import', loadLib, delta, 1, 'MB'),
      row('client-node: heap used after the import', loadLib, (r) => r.afterHeapMb, 1, 'MB'),
      row('client-node: import time', loadLib, (r) => r.importMs, 0, 'ms'),
    ]);
    const ours = await repeat(times, () =>
      child<InformerResult>('informer', 'ours', String(port), String(pods)),
    );
    const theirs = await repeat(times, () =>
      child<InformerResult>('informer', 'client-node', String(port), String(pods)),
    );
    const diffs = theirs.map((r, i) => ({ loadAvg: r.loadAvg, value: r.value.rssMb - ours[i]!.value.rssMb }));
    const heldHeap = (r: InformerResult) => r.heapUsedMb - r.heapBeforeMb;
    printTable(`Informer holding ${pods} pods (whole process with pino, after GC)`, [
      row('ours: RSS', ours, (r) => r.rssMb, 1, 'MB'),
      row('ours: heap held by the informer', ours, heldHeap, 1, 'MB'),
      row('client-node: RSS', theirs, (r) => r.rssMb, 1, 'MB'),
      row('client-node: heap held by the informer', theirs, heldHeap, 1, 'MB'),
      row('client-node minus ours, RSS (run by run)', diffs, (v) => v, 1, 'MB'),
    ]);
  } finally {
    await server.stop();
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  const [, kind = '', what = '', port = '0', pods = '0'] = argv;
  const result =
    kind === 'load' ? await loadChild(what) : await informerChild(what, Number(port), Number(pods));
  console.log(JSON.stringify(result));
  process.exit(0);
} else {
  const i = argv.indexOf('--pods');
  await parent(i >= 0 ? Number(argv[i + 1]) : 1000);
}
