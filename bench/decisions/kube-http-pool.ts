// CPU per API request of the kubelet's KubeTransport against a real
// kube-apiserver: over its Http1Pool (the default) and over Node's https agent
// (what a kubeconfig with a proxy uses), each in a fresh process with the
// kubelet's flags, alternating, so load drifts hit both alike
// (docs/decisions/0013-kube-http-pool.md). The mix is the kubelet's: a
// strategic-merge PATCH of about 1 KB answered with a ~5 KB object, and a GET
// of that object, 4 in flight.
// Usage (after `make cluster-up`):
//   node dist/bench/decisions/kube-http-pool.js [--kubeconfig .cluster/kubeconfig] [--requests 4000] [--runs 3]
import https from 'node:https';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  KUBELET_NODE_FLAGS,
  REPO_ROOT,
  printTable,
  row,
  loadAverage,
  runChild,
  type Run,
  flagValue,
} from './measure-support.js';

const SELF = fileURLToPath(import.meta.url);
const IN_FLIGHT = 4;
const WARM_UP = 300;
const NAMESPACE = 'default';

interface PoolResult {
  cpuUsPerRequest: number;
  wallMs: number;
}

async function child(what: string, kubeconfig: string, requests: number): Promise<PoolResult> {
  const { parseKubeconfig } = await import('../../src/kubelet/kube/kubeconfig.js');
  const { KubeTransport } = await import('../../src/kubelet/kube/kube-transport.js');
  const { credentialSource } = await import('../../src/kubelet/kube/kube-credentials.js');
  const config = parseKubeconfig(readFileSync(kubeconfig, 'utf8'), kubeconfig, (f) =>
    readFileSync(f, 'utf8'),
  );
  const transport = new KubeTransport(config, credentialSource(config.credentials), {
    maxSockets: 8,
    userAgent: 'decisions',
    ...(what === 'agent' ? { createAgent: (o) => Promise.resolve(new https.Agent(o)) } : {}),
  });
  const name = `kube-http-pool-${process.pid}`;
  const base = `/api/v1/namespaces/${NAMESPACE}/configmaps`;
  await transport.request({
    method: 'POST',
    path: base,
    body: { metadata: { name }, data: { payload: 'x'.repeat(4000) } },
  });
  let i = 0;
  const one = (): Promise<unknown> =>
    ++i % 2 === 0
      ? transport.request({ method: 'GET', path: `${base}/${name}` })
      : transport.request({
          method: 'PATCH',
          path: `${base}/${name}`,
          contentType: 'application/strategic-merge-patch+json',
          body: { metadata: { annotations: { n: String(i), note: 'y'.repeat(900) } } },
        });
  const run = async (n: number): Promise<void> => {
    let started = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (started < n) {
          started++;
          await one();
        }
      }),
    );
  };
  await run(WARM_UP);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run(requests);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await transport.request({ method: 'DELETE', path: `${base}/${name}` });
  transport.close();
  return { cpuUsPerRequest: (cpu.user + cpu.system) / requests, wallMs };
}

async function parent(kubeconfig: string, requests: number, runs: number): Promise<void> {
  const pool: Array<Run<PoolResult>> = [];
  const agent: Array<Run<PoolResult>> = [];
  for (let r = 0; r < runs; r++) {
    for (const [what, into] of [
      ['pool', pool],
      ['agent', agent],
    ] as const) {
      const loadAvg = loadAverage();
      const value = await runChild<PoolResult>(
        SELF,
        ['--child', what, kubeconfig, String(requests)],
        KUBELET_NODE_FLAGS,
      );
      into.push({ loadAvg, value });
    }
  }
  printTable(
    `${requests} API requests (PATCH ~1 KB / GET, ~5 KB answers), ${IN_FLIGHT} in flight, kube-apiserver on loopback (TLS, client certificate)`,
    [
      row('Http1Pool: CPU per request', pool, (r) => r.cpuUsPerRequest, 0, 'µs'),
      row('https agent: CPU per request', agent, (r) => r.cpuUsPerRequest, 0, 'µs'),
      row('Http1Pool: wall time', pool, (r) => r.wallMs, 0, 'ms'),
      row('https agent: wall time', agent, (r) => r.wallMs, 0, 'ms'),
    ],
  );
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  const [, what = '', kubeconfig = '', requests = '0'] = argv;
  console.log(JSON.stringify(await child(what, kubeconfig, Number(requests))));
  process.exit(0);
} else {
  const flag = (name: string, fallback: string): string => flagValue(argv, name, fallback);
  await parent(
    path.resolve(flag('--kubeconfig', path.join(REPO_ROOT, '.cluster', 'kubeconfig'))),
    Number(flag('--requests', '4000')),
    Number(flag('--runs', '3')),
  );
}
