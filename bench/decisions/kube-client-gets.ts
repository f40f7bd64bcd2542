// Time for N GETs of /api/v1/namespaces/default against a real kube-apiserver,
// through vk-cmd's KubeTransport and through @kubernetes/client-node's
// CoreV1Api, one at a time and 16 at a time, counting the TLS connections
// each opens (docs/decisions/0001-kube-client.md). Each run is a fresh process
// with the kubelet's flags.
// Usage (after `make cluster-up`):
//   node dist/bench/decisions/kube-client-gets.js [--kubeconfig .cluster/kubeconfig] [--gets 500]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import {
  KUBELET_NODE_FLAGS,
  REPO_ROOT,
  printTable,
  repeat,
  row,
  runChild,
  flagValue,
} from './measure-support.js';

const SELF = fileURLToPath(import.meta.url);
const CONCURRENCY = 16;

interface GetsResult {
  sequentialMs: number;
  sequentialTls: number;
  concurrentMs: number;
  concurrentTls: number;
}

/** Counts TLS connections: https agents open them through tls.connect. */
function countTlsConnections(): () => number {
  let count = 0;
  const connect = tls.connect.bind(tls) as (...args: unknown[]) => tls.TLSSocket;
  (tls as unknown as { connect: (...args: unknown[]) => tls.TLSSocket }).connect = (...args: unknown[]) => {
    count++;
    return connect(...args);
  };
  return () => count;
}

async function timed(gets: number, inFlight: number, get: () => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < gets) {
        next++;
        await get();
      }
    }),
  );
  return performance.now() - t0;
}

async function child(what: string, kubeconfig: string, gets: number): Promise<GetsResult> {
  const connections = countTlsConnections();
  let get: () => Promise<unknown>;
  if (what === 'client-node') {
    const k8s = await import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    get = () => core.readNamespace({ name: 'default' });
  } else {
    const { parseKubeconfig } = await import('../../src/kubelet/kube/kubeconfig.js');
    const { KubeTransport } = await import('../../src/kubelet/kube/kube-transport.js');
    const { credentialSource } = await import('../../src/kubelet/kube/kube-credentials.js');
    const config = parseKubeconfig(readFileSync(kubeconfig, 'utf8'), kubeconfig, (f) =>
      readFileSync(f, 'utf8'),
    );
    const transport = new KubeTransport(config, credentialSource(config.credentials), {
      maxSockets: CONCURRENCY,
      userAgent: 'decisions',
    });
    get = () => transport.request({ method: 'GET', path: '/api/v1/namespaces/default' });
  }
  const sequentialMs = await timed(gets, 1, get);
  const sequentialTls = connections();
  const concurrentMs = await timed(gets, CONCURRENCY, get);
  return { sequentialMs, sequentialTls, concurrentMs, concurrentTls: connections() - sequentialTls };
}

async function parent(kubeconfig: string, gets: number): Promise<void> {
  const run = (what: string) =>
    runChild<GetsResult>(SELF, ['--child', what, kubeconfig, String(gets)], KUBELET_NODE_FLAGS);
  const ours = await repeat(3, () => run('ours'));
  const theirs = await repeat(3, () => run('client-node'));
  const ratio = (pick: (r: GetsResult) => number) =>
    theirs.map((r, i) => ({ loadAvg: r.loadAvg, value: pick(r.value) / pick(ours[i]!.value) }));
  printTable(
    `${gets} GETs of /api/v1/namespaces/default, kube-apiserver on loopback (TLS, client certificate)`,
    [
      row('ours: one at a time', ours, (r) => r.sequentialMs, 0, 'ms'),
      row('ours: TLS connections, one at a time', ours, (r) => r.sequentialTls, 0, ''),
      row(`ours: ${CONCURRENCY} in flight`, ours, (r) => r.concurrentMs, 0, 'ms'),
      row(`ours: TLS connections, ${CONCURRENCY} in flight`, ours, (r) => r.concurrentTls, 0, ''),
      row('client-node: one at a time', theirs, (r) => r.sequentialMs, 0, 'ms'),
      row('client-node: TLS connections, one at a time', theirs, (r) => r.sequentialTls, 0, ''),
      row(`client-node: ${CONCURRENCY} in flight`, theirs, (r) => r.concurrentMs, 0, 'ms'),
      row(`client-node: TLS connections, ${CONCURRENCY} in flight`, theirs, (r) => r.concurrentTls, 0, ''),
      row(
        'client-node / ours, one at a time (run by run)',
        ratio((r) => r.sequentialMs),
        (v) => v,
        1,
        '×',
      ),
      row(
        `client-node / ours, ${CONCURRENCY} in flight (run by run)`,
        ratio((r) => r.concurrentMs),
        (v) => v,
        1,
        '×',
      ),
    ],
  );
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  const [, what = '', kubeconfig = '', gets = '0'] = argv;
  console.log(JSON.stringify(await child(what, kubeconfig, Number(gets))));
  process.exit(0);
} else {
  const flag = (name: string, fallback: string): string => flagValue(argv, name, fallback);
  await parent(
    path.resolve(flag('--kubeconfig', path.join(REPO_ROOT, '.cluster', 'kubeconfig'))),
    Number(flag('--gets', '500')),
  );
}
