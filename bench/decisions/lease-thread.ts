// What Lease renewals cost the kubelet process on its main thread and on
// the lease thread (docs/decisions/0016-lease-thread.md): N nodes' Leases
// renewed every interval against an in-memory API server (the integration
// tests' FakeKubeHttp, plain HTTP) in a process of its own, so the CPU read
// (process.cpuUsage: every thread of the process) is the kubelet side's.
// The nodes start one after another over an interval, so renewals are
// spread as a fleet's are. Each run is a fresh process with the kubelet's
// flags, both ways.
// Usage (after `make build`): node dist/bench/decisions/lease-thread.js [--nodes 100] [--interval-ms 10000] [--seconds 40]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { KUBELET_NODE_FLAGS, flagValue, printTable, repeat, row, runChild } from './measure-support.js';

const SELF = fileURLToPath(import.meta.url);

interface RenewalCost {
  renewals: number;
  cpuUsPerRenewal: number;
}

/** The fake API server, in a process of its own; resolves with its port and what stops it. */
async function apiServer(): Promise<{ port: number; stop: () => void }> {
  const proc = spawn(process.execPath, [SELF, '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    proc.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    proc.once('exit', (code) => reject(new Error(`the API server exited (${code})`)));
  });
  return { port, stop: () => proc.kill('SIGTERM') };
}

async function serve(): Promise<void> {
  const { FakeKubeApi } = await import('../../test/integration/kubelet/support/fake-kube-api.js');
  const { FakeKubeHttp } = await import('../../test/integration/kubelet/support/fake-kube-http.js');
  const api = new FakeKubeApi();
  // The fake keeps every call; a long run would grow it without bound.
  setInterval(() => api.calls.splice(0), 1000);
  const port = await new FakeKubeHttp(api).start();
  process.stdout.write(`${port}\n`);
}

async function child(
  mode: 'main' | 'thread',
  nodes: number,
  intervalMs: number,
  seconds: number,
): Promise<RenewalCost> {
  const { parseKubeconfig } = await import('../../src/kubelet/kube/kubeconfig.js');
  const { fakeKubeconfig } = await import('../../test/integration/kubelet/support/fake-kube-http.js');
  const { credentialSource } = await import('../../src/kubelet/kube/kube-credentials.js');
  const { KubeTransport } = await import('../../src/kubelet/kube/kube-transport.js');
  const { KubeApiClient } = await import('../../src/kubelet/kube/kube-api-client.js');
  const { LeaseController } = await import('../../src/kubelet/node/lease-controller.js');
  const { LeaseThread, TALLY_INTERVAL_MS } = await import('../../src/kubelet/node/lease-thread.js');
  const { heartbeatConnections } = await import('../../src/kubelet/kube/heartbeat-connections.js');
  const { createRootLogger } = await import('../../src/common/logger.js');
  const server = await apiServer();
  const kube = parseKubeconfig(fakeKubeconfig(server.port), '/nonexistent/kubeconfig', () => '');
  const logger = createRootLogger('bench', -1);
  const maxSockets = heartbeatConnections(nodes, intervalMs);
  let updates = 0;
  const counter = {
    apiserverRequestsTotal: {
      inc: (labels: { verb: string }, amount = 1): void => {
        if (labels.verb === 'update') updates += amount;
      },
    },
  };
  const stops: Array<() => void> = [];
  // Spread over the interval, as nodes that registered one after another renew.
  const stagger = (i: number): number => (i * intervalMs) / nodes;
  let thread: InstanceType<typeof LeaseThread> | undefined;
  if (mode === 'main') {
    const transport = new KubeTransport(kube, credentialSource(kube.credentials), {
      maxSockets,
      userAgent: 'bench',
    });
    for (let i = 0; i < nodes; i++) {
      const options = {
        nodeName: `n${i}`,
        leaseDurationSeconds: 40,
        renewIntervalMs: intervalMs,
        nodeUid: () => 'u',
      };
      const c = new LeaseController(new KubeApiClient(transport, counter, logger), options, logger);
      setTimeout(() => c.start(), stagger(i));
      stops.push(() => c.stop());
    }
  } else {
    thread = new LeaseThread({
      kube,
      userAgent: 'bench',
      maxSockets,
      verbosity: -1,
      stallLimitMs: 40_000,
      logger,
    });
    thread.start();
    for (let i = 0; i < nodes; i++) {
      const lease = thread.lease(
        { nodeName: `n${i}`, leaseDurationSeconds: 40, renewIntervalMs: intervalMs, nodeUid: () => 'u' },
        counter,
      );
      setTimeout(() => lease.start(), stagger(i));
      stops.push(() => lease.stop());
    }
  }
  // Warm up (connections, the code's tiers), then measure. The thread's counts arrive in a tally
  // every TALLY_INTERVAL_MS, so there they are read one tally after each CPU reading, in the same
  // phase of the tallies (the window is a whole number of them).
  const lagMs = mode === 'thread' ? TALLY_INTERVAL_MS + 100 : 0;
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  await sleep(intervalMs + 5000);
  const before = process.cpuUsage();
  await sleep(lagMs);
  const updatesBefore = updates;
  await sleep(seconds * 1000 - lagMs);
  const cpu = process.cpuUsage(before);
  await sleep(lagMs);
  const renewals = updates - updatesBefore;
  for (const stop of stops) stop();
  await thread?.close();
  server.stop();
  return { renewals, cpuUsPerRenewal: (cpu.user + cpu.system) / renewals };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--serve') return serve();
  if (args[0] === '--child') {
    const [, mode, nodes, intervalMs, seconds] = args;
    const result = await child(mode as 'main' | 'thread', Number(nodes), Number(intervalMs), Number(seconds));
    console.log(JSON.stringify(result));
    process.exit(0);
  }
  const nodes = flagValue(args, '--nodes', '100');
  const intervalMs = flagValue(args, '--interval-ms', '10000');
  const seconds = flagValue(args, '--seconds', '40');
  if (Number(seconds) < 10 || Number(seconds) % 5 !== 0) {
    throw new Error(
      '--seconds must be a multiple of 5 (the lease thread tallies its requests every 5 s), at least 10',
    );
  }
  const measure = (mode: string) => () =>
    runChild<RenewalCost>(SELF, ['--child', mode, nodes, intervalMs, seconds], KUBELET_NODE_FLAGS);
  const onMain = await repeat(3, measure('main'));
  const onThread = await repeat(3, measure('thread'));
  printTable(`${nodes} Leases renewed every ${intervalMs} ms, ${seconds} s`, [
    row('renewals, main thread', onMain, (v) => v.renewals, 0, ''),
    row('renewals, lease thread', onThread, (v) => v.renewals, 0, ''),
    row('process CPU per renewal, main thread', onMain, (v) => v.cpuUsPerRenewal, 0, 'µs'),
    row('process CPU per renewal, lease thread', onThread, (v) => v.cpuUsPerRenewal, 0, 'µs'),
  ]);
}

void main();
