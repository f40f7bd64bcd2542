import { spawn, type ChildProcess } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
import { makeDialInPki, type DialInPki } from '../support/dial-in-pki.js';
import { freePort } from '../support/free-port.js';
import { pgidsUnder } from '../support/pgid-files.js';
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
import { scriptPod } from './support/manifests.js';
import { KUBELET_BIN, RUNNER_BIN } from './support/paths.js';
import { eventually, waitForObject } from './support/wait.js';
import { KUBELET_NODE_FLAGS, RUNNER_NODE_FLAGS } from './support/vk-node.js';

const GRACE_SECONDS = 10;
const NODES = ['vk-fleet-a', 'vk-fleet-b'] as const;
/** Each start appends to `runs`, prints a line naming the pod, then waits. */
const SCRIPT = 'echo run >> runs\necho "hello from $(basename $(dirname $(dirname $PWD)))"\nexec sleep 600\n';

/** A process whose output goes to `<dir>/<name>.log`. */
function spawnLogged(
  dir: string,
  name: string,
  bin: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  flags: string[],
): ChildProcess {
  const log = createWriteStream(path.join(dir, `${name}.log`), { flags: 'a' });
  log.write(`\n=== ${bin} ${args.join(' ')}\n`);
  const child = spawn(process.execPath, [...flags, bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  return child;
}

async function kill(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}

const rssMb = (pid: number): number =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** A pod pinned to `node` through the scheduler (kubernetes.io/hostname names the node). */
const podOn = (name: string, node: string): string =>
  scriptPod({ name, nodeName: node, script: SCRIPT }).replace(
    'e2e.vk-cmd.io/node:',
    'kubernetes.io/hostname:',
  );

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
    const env = {
      ...process.env,
      KUBECONFIG: testCluster().kubeconfigPath,
      VKUBELET_POD_IP: '127.0.0.1',
      JIRIAF_WALLTIME: '0',
      JIRIAF_NODETYPE: 'cpu',
      JIRIAF_SITE: 'mylin',
    };
    const tokens = path.join(dir, 'tokens');
    kubelet = spawnLogged(
      dir,
      'kubelet',
      KUBELET_BIN,
      [
        '--fleet',
        '--accept-runners',
        `127.0.0.1:${acceptPort}`,
        '--accept-runners-cert',
        pki.serverCertFile,
        '--accept-runners-key',
        pki.serverKeyFile,
        '--accept-runners-tokens',
        tokens,
        '--node-port-range',
        `${portFrom}-${portFrom + 9}`,
        '--runner-unreachable-grace',
        String(GRACE_SECONDS),
        '--healthz-port',
        '0',
        '--provider',
        'mock',
        '--klog.v',
        '3',
      ],
      env,
      KUBELET_NODE_FLAGS,
    );
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
    portFrom = 32_000 + Math.floor(Math.random() * 300) * 10;
    namespace = await createNamespace('fleet');
    startKubelet();
    await eventually(
      () => {
        const file = path.join(dir, 'kubelet.log');
        return existsSync(file) && readFileSync(file, 'utf8').includes('Kubelet running a fleet');
      },
      60_000,
      'kubelet accepting runners',
    );
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
      await mustKubectl(['apply', '-n', namespace, '-f', '-'], podOn(`p${i}`, node));
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
