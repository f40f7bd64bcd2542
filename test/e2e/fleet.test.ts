import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { V1Lease, V1Node } from '@kubernetes/client-node';
import { makeDialInPki, type DialInPki } from '../support/dial-in-pki.js';
import { freePort } from '../support/free-port.js';
import { pgidsUnder } from '../support/pgid-files.js';
import { runCommand, startStreaming } from './support/commands.js';
import {
  core,
  createNamespace,
  isRunning,
  kc,
  kubectl,
  mustKubectl,
  testCluster,
  waitForPod,
} from './support/e2e-env.js';
import { localHttpGet } from './support/https-get.js';
import { KUBECTL, RUNNER_BIN } from './support/paths.js';
import { startOnTerminal } from './support/terminal.js';
import {
  kill,
  podOn,
  randomPortBlock,
  spawnFleetKubelet,
  waitFleetKubeletUp,
} from './support/fleet-kubelet.js';
import { spawnLogged } from './support/spawn-logged.js';
import { eventually, waitForObject } from './support/wait.js';
import { RUNNER_NODE_FLAGS } from './support/launch-settings.js';

const GRACE_SECONDS = 10;
const NODES = ['vk-fleet-a', 'vk-fleet-b'] as const;
/** Each start appends to `runs`, prints a line naming the pod, then waits. */
const SCRIPT = 'echo run >> runs\necho "hello from $(basename $(dirname $(dirname $PWD)))"\nexec sleep 600\n';

const rssMb = (pid: number): number =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

const podOnNode = (name: string, node: string): string => podOn(name, node, SCRIPT);

describe('one kubelet serving two nodes whose runners dial in (--fleet)', function () {
  this.timeout(240_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-e2e-fleet-'));
  const rootOf = (node: string): string => path.join(dir, node);
  const runners = new Map<string, ChildProcess>();
  let kubelet: ChildProcess | undefined;
  let pki: DialInPki;
  let acceptPort = 0;
  let portFrom = 0;
  let namespace: string;

  const startKubelet = (): void => {
    kubelet = spawnFleetKubelet({
      dir,
      pki,
      tokensFile: path.join(dir, 'tokens'),
      acceptPort,
      portFrom,
      runnerUnreachableGraceSeconds: GRACE_SECONDS,
    });
  };
  const startRunner = (node: string): void => {
    mkdirSync(rootOf(node), { recursive: true });
    runners.set(
      node,
      spawnLogged(
        dir,
        node,
        RUNNER_BIN,
        [
          '--connect',
          `https://127.0.0.1:${acceptPort}`,
          '--connect-ca',
          pki.caFile,
          '--token-file',
          path.join(dir, 'token'),
          '--node-name',
          node,
          '--root-dir',
          rootOf(node),
          '--v',
          '3',
        ],
        process.env,
        RUNNER_NODE_FLAGS,
      ),
    );
  };
  const logs = (): string =>
    ['kubelet', ...NODES]
      .map((n) => {
        const file = path.join(dir, `${n}.log`);
        return `--- ${n}\n${existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-30).join('\n') : ''}`;
      })
      .join('\n');
  const readyIs = (node: string, status: 'True' | 'False', timeoutMs = 90_000): Promise<V1Node> =>
    waitForObject<V1Node>(
      kc(),
      '/api/v1/nodes',
      { fieldSelector: `metadata.name=${node}` },
      (n) => (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === status),
      timeoutMs,
      `node ${node} Ready=${status}`,
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${logs()}`, { cause: err });
    });
  const runs = (node: string, pod: string): string =>
    readFileSync(path.join(rootOf(node), namespace, pod, 'containers', 'c1', 'runs'), 'utf8');

  before(async () => {
    pki = makeDialInPki(dir);
    writeFileSync(path.join(dir, 'tokens'), 'e2e-fleet-token vk-fleet-*\n', { mode: 0o600 });
    writeFileSync(path.join(dir, 'token'), 'e2e-fleet-token\n', { mode: 0o600 });
    acceptPort = await freePort();
    portFrom = randomPortBlock();
    namespace = await createNamespace('fleet');
    startKubelet();
    await waitFleetKubeletUp(dir);
    const idleRssMb = rssMb(kubelet!.pid!);
    for (const node of NODES) startRunner(node);
    for (const node of NODES) await readyIs(node, 'True');
    // Informational: what a node costs the kubelet process (printed, not asserted: the host is shared).
    console.log(
      `      kubelet RSS: ${idleRssMb.toFixed(1)} MB with no node, ${rssMb(kubelet!.pid!).toFixed(1)} MB with ${NODES.length} (load ${os.loadavg()[0]!.toFixed(1)})`,
    );
  });

  after(async () => {
    await kill(kubelet, 'SIGTERM');
    for (const r of runners.values()) await kill(r, 'SIGTERM');
    for (const node of NODES) {
      for (const pgid of pgidsUnder(rootOf(node))) {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await core()
        .deleteNode({ name: node })
        .catch(() => undefined);
    }
    if (!process.env['KEEP_E2E_NODE_DIRS']) rmSync(dir, { recursive: true, force: true });
  });

  it('registers each node with its own port in daemonEndpoints; pods scheduled to each run, and kubectl logs reaches each', async () => {
    const ports = await Promise.all(
      NODES.map(
        async (name) => (await core().readNode({ name })).status?.daemonEndpoints?.kubeletEndpoint?.Port,
      ),
    );
    expect(ports[0]).to.not.equal(ports[1]);
    for (const port of ports) expect(port).to.be.within(portFrom, portFrom + 9);
    for (const [i, node] of NODES.entries()) {
      await mustKubectl(['apply', '-n', namespace, '-f', '-'], podOnNode(`p${i}`, node));
    }
    for (const [i, node] of NODES.entries()) {
      const pod = await waitForPod(namespace, `p${i}`, isRunning('c1'), 90_000, 'running');
      expect(pod.spec?.nodeName).to.equal(node);
      await eventually(
        () => existsSync(path.join(rootOf(node), namespace, `p${i}`)),
        10_000,
        `p${i} on ${node}`,
      );
      await eventually(
        async () => (await kubectl(['logs', '-n', namespace, `p${i}`])).stdout.includes(`hello from p${i}`),
        30_000,
        `logs of p${i}`,
      );
    }
  });

  // A fleet renews its nodes' Leases on a thread of its own (docs/decisions/0016-lease-thread.md).
  it("renews each node's Lease, owned by its Node, from the kubelet's lease thread", async () => {
    const lease = async (node: string): Promise<V1Lease> =>
      JSON.parse(await mustKubectl(['get', 'lease', '-n', 'kube-node-lease', node, '-o', 'json'])) as V1Lease;
    const first = new Map<string, V1Lease>();
    for (const node of NODES) {
      const l = await lease(node);
      first.set(node, l);
      expect(l.spec?.holderIdentity).to.equal(node);
      const uid = (await core().readNode({ name: node })).metadata?.uid;
      expect(l.metadata?.ownerReferences?.[0]).to.include({ kind: 'Node', name: node, uid });
    }
    for (const node of NODES) {
      // Renewed every 10 s (--lease-renew-interval's default): seen on a watch of the Lease.
      await waitForObject<V1Lease>(
        kc(),
        '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
        { fieldSelector: `metadata.name=${node}` },
        (l) => String(l.spec?.renewTime) !== String(first.get(node)!.spec?.renewTime),
        30_000,
        `a renewal of ${node}'s Lease`,
      );
    }
    expect(readFileSync(path.join(dir, 'kubelet.log'), 'utf8')).to.not.include('Lease thread exited');
  });

  // The API server reaches each node's kubelet API on its own port from --node-port-range:
  // streams to a pod on the second node go through that port and that node's runner.
  it('exec, exec -it and port-forward reach a pod on the second node', async () => {
    const kargs = (args: string[]): string[] => [
      '--kubeconfig',
      testCluster().kubeconfigPath,
      '-n',
      namespace,
      ...args,
    ];
    const exec = await runCommand(
      KUBECTL,
      kargs(['exec', '-i', 'p1', '--', 'sh', '-c', 'tr a-z A-Z; exit 3']),
      {
        input: 'through the fleet\n',
        timeoutMs: 60_000,
      },
    );
    expect(exec.stdout, exec.stderr).to.equal('THROUGH THE FLEET\n');
    expect(exec.code).to.equal(3);
    const where = await runCommand(KUBECTL, kargs(['exec', 'p1', '--', 'sh', '-c', 'pwd']), {
      timeoutMs: 60_000,
    });
    expect(where.stdout.trim(), where.stderr).to.equal(
      path.join(rootOf('vk-fleet-b'), namespace, 'p1', 'containers', 'c1'),
    );

    // Typed commands print what their echo does not contain ($((1+1)) -> 2).
    const t = startOnTerminal(KUBECTL, kargs(['exec', '-it', 'p1', '--', 'sh']), { cols: 80, rows: 24 });
    try {
      t.type('[ -t 0 ] && echo tty-$((2+2)) $(stty size)\r');
      await t.waitFor(/tty-4 24 80/, 60_000);
      t.resize(100, 30);
      t.type('while [ "$(stty size)" != "30 100" ]; do sleep 0.1; done; echo resized-$((2+3))\r');
      await t.waitFor(/resized-5/, 30_000);
      t.type('exit 7\r');
      expect(await t.exited).to.equal(7);
    } finally {
      t.kill();
    }

    const server = http.createServer((req, res) => res.end(`hello ${req.url}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const remotePort = (server.address() as { port: number }).port;
    const forward = startStreaming(KUBECTL, kargs(['port-forward', 'pod/p1', `:${remotePort}`]));
    try {
      await forward.waitForOutput((out) => /Forwarding from 127\.0\.0\.1:\d+/.test(out), 30_000);
      const localPort = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(forward.output())![1]);
      const get = (p: string): Promise<string> => localHttpGet(localPort, p);
      expect(await Promise.all([get('/one'), get('/two')])).to.deep.equal(['hello /one', 'hello /two']);
    } finally {
      forward.kill();
      server.close();
    }
  });

  it('kill -9 one runner: only its node turns NotReady, and it comes back with its pod started once', async () => {
    await kill(runners.get('vk-fleet-a'), 'SIGKILL');
    await readyIs('vk-fleet-a', 'False', GRACE_SECONDS * 1000 + 60_000);
    const b = await core().readNode({ name: 'vk-fleet-b' });
    expect(b.status?.conditions?.find((c) => c.type === 'Ready')?.status).to.equal('True');
    startRunner('vk-fleet-a');
    await readyIs('vk-fleet-a', 'True');
    await waitForPod(namespace, 'p0', isRunning('c1'), 30_000, 'still running');
    expect(runs('vk-fleet-a', 'p0')).to.equal('run\n');
  });

  it('kill -9 the kubelet: a new one takes every runner back and nothing runs twice', async () => {
    await kill(kubelet, 'SIGKILL');
    startKubelet();
    for (const node of NODES) await readyIs(node, 'True');
    // The nodes were Ready before the kill too: wait until the new process has resynced its pods.
    for (const [i, node] of NODES.entries()) {
      await eventually(
        async () => (await kubectl(['logs', '-n', namespace, `p${i}`])).stdout.includes(`hello from p${i}`),
        60_000,
        `logs of p${i} through the new kubelet`,
      );
      expect(runs(node, `p${i}`)).to.equal('run\n');
      const pod = await waitForPod(namespace, `p${i}`, isRunning('c1'), 30_000, 'running');
      expect(pod.status?.containerStatuses?.[0]?.restartCount ?? 0).to.equal(0);
    }
  });
});
