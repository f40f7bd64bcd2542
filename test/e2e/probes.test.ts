import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import { freePort } from '../support/free-port.js';
import { runCommand } from './support/commands.js';
import {
  containerState,
  createNamespace,
  deleteNode,
  isRunning,
  kubectl,
  mustKubectl,
  startVkNode,
  testCluster,
  waitForPod,
} from './support/e2e-env.js';
import { kubeletGet } from './support/https-get.js';
import { PROMTOOL } from './support/prometheus.js';
import { eventually } from './support/wait.js';
import type { VkNode } from './support/vk-node.js';

/** The host's first non-loopback IPv4 address: EndpointSlices refuse loopback endpoints. */
function routableAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

type ContainerExtra = Record<string, unknown>;

/** A ConfigMap-scripted pod (as the other e2e manifests) with extra container fields (probes, lifecycle, ports, env). */
function probedPod(
  name: string,
  nodeName: string,
  script: string,
  container: ContainerExtra,
  spec: {
    restartPolicy?: string;
    terminationGracePeriodSeconds?: number;
    labels?: Record<string, string>;
  } = {},
): string {
  const list = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `${name}-script` },
        data: { 'run.sh': script },
      },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, labels: spec.labels ?? {} },
        spec: {
          restartPolicy: spec.restartPolicy ?? 'Never',
          terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds ?? 30,
          nodeSelector: { 'e2e.vk-cmd.io/node': nodeName },
          tolerations: [{ key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' }],
          containers: [
            {
              name: 'c1',
              image: 'script',
              command: ['bash'],
              volumeMounts: [{ name: 'script', mountPath: 'job' }],
              ...container,
            },
          ],
          volumes: [{ name: 'script', configMap: { name: `${name}-script` } }],
        },
      },
    ],
  };
  return JSON.stringify(list);
}

interface EventItem {
  reason: string;
  message: string;
  count?: number;
  involvedObject: { name: string; kind: string; fieldPath?: string };
}

async function eventsOf(namespace: string, name: string): Promise<EventItem[]> {
  const out = await mustKubectl([
    'get',
    'events',
    '-n',
    namespace,
    '--field-selector',
    `involvedObject.name=${name}`,
    '-o',
    'json',
  ]);
  return (JSON.parse(out) as { items: EventItem[] }).items;
}

async function waitForEvent(
  namespace: string,
  name: string,
  reason: string,
  match?: RegExp,
): Promise<EventItem> {
  let found: EventItem | undefined;
  await eventually(
    async () => {
      found = (await eventsOf(namespace, name)).find(
        (e) => e.reason === reason && (!match || match.test(e.message)),
      );
      return found !== undefined;
    },
    60_000,
    `event ${reason} ${match ?? ''} on ${namespace}/${name}`,
    500,
  );
  return found!;
}

const condition = (pod: V1Pod, type: string): string | undefined =>
  pod.status?.conditions?.find((c) => c.type === type)?.status;

const exec = (...command: string[]) => ({ exec: { command } });
const quick = { periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 1 };

describe('probes, lifecycle hooks and networking on a real control plane', function () {
  this.timeout(240_000);
  let node: VkNode | undefined;
  let namespace = '';
  let marksDir = '';
  const address = routableAddress();

  before(async function () {
    if (!address) throw new Error('no non-loopback IPv4 address on this host for the EndpointSlice test');
    node = await startVkNode('vk-probes', { kubeletEnv: { VKUBELET_POD_IP: address } });
    namespace = await createNamespace('probes');
    marksDir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-e2e-marks-'));
  });

  after(async () => {
    if (node) await deleteNode(node);
    if (namespace) await kubectl(['delete', 'namespace', namespace, '--wait=false']);
    if (marksDir) rmSync(marksDir, { recursive: true, force: true });
  });

  const containerDir = (pod: string) => path.join(node!.rootDir, namespace, pod, 'containers', 'c1');

  it('a failing readinessProbe keeps the pod not Ready (Unhealthy, kubectl wait times out, endpoint not ready); a passing one makes it Ready', async () => {
    await mustKubectl(
      ['apply', '-n', namespace, '-f', '-'],
      probedPod(
        'gated',
        node!.nodeName,
        'sleep 3600\n',
        { readinessProbe: { ...exec('test', '-f', 'ready'), ...quick }, ports: [{ containerPort: 18080 }] },
        { labels: { app: 'gated' } },
      ),
    );
    await mustKubectl(['create', 'service', 'clusterip', 'gated', '-n', namespace, '--tcp=80:18080']);
    await mustKubectl(['set', 'selector', '-n', namespace, 'service', 'gated', 'app=gated']);
    const running = await waitForPod(namespace, 'gated', isRunning('c1'), 60_000, 'running');
    expect(running.status?.podIP).to.equal(address);
    const unhealthy = await waitForEvent(namespace, 'gated', 'Unhealthy', /^Readiness probe failed: /);
    expect(unhealthy.involvedObject.fieldPath).to.equal('spec.containers{c1}');
    const notReady = await waitForPod(namespace, 'gated', isRunning('c1'), 10_000, 'running');
    expect(condition(notReady, 'Ready')).to.equal('False');
    expect(condition(notReady, 'ContainersReady')).to.equal('False');
    expect(containerState(notReady, 'c1')?.ready).to.equal(false);
    expect(containerState(notReady, 'c1')?.started).to.equal(true);
    const wait = await kubectl([
      'wait',
      '-n',
      namespace,
      '--for=condition=Ready',
      'pod/gated',
      '--timeout=3s',
    ]);
    expect(wait.code, 'kubectl wait times out').to.not.equal(0);
    const endpoint = async (): Promise<{ ready?: boolean; addresses: string[] } | undefined> => {
      const out = await mustKubectl([
        'get',
        'endpointslices',
        '-n',
        namespace,
        '-l',
        'kubernetes.io/service-name=gated',
        '-o',
        'json',
      ]);
      const slices = JSON.parse(out) as {
        items: Array<{ endpoints?: Array<{ addresses: string[]; conditions?: { ready?: boolean } }> }>;
      };
      const e = slices.items.flatMap((s) => s.endpoints ?? [])[0];
      return e && { ready: e.conditions?.ready, addresses: e.addresses };
    };
    await eventually(async () => (await endpoint())?.ready === false, 60_000, 'a not-ready endpoint', 500);
    writeFileSync(path.join(containerDir('gated'), 'ready'), '');
    const ready = await mustKubectl(
      ['wait', '-n', namespace, '--for=condition=Ready', 'pod/gated', '--timeout=60s'],
      undefined,
      70_000,
    );
    expect(ready).to.contain('condition met');
    await eventually(async () => (await endpoint())?.ready === true, 60_000, 'a ready endpoint', 500);
    expect((await endpoint())?.addresses).to.deep.equal([address]);
  });

  it('a failing livenessProbe gives Unhealthy and Killing, and the container restarts (restartCount grows)', async () => {
    const port = await freePort();
    const server = `exec node -e 'require("http").createServer((q,s)=>{s.statusCode=500;s.end("no")}).listen(${port},"127.0.0.1")'\n`;
    await mustKubectl(
      ['apply', '-n', namespace, '-f', '-'],
      probedPod(
        'live',
        node!.nodeName,
        server,
        {
          livenessProbe: {
            httpGet: { path: '/healthz', port },
            initialDelaySeconds: 1,
            ...quick,
            failureThreshold: 2,
          },
        },
        { restartPolicy: 'Always', terminationGracePeriodSeconds: 2 },
      ),
    );
    await waitForEvent(
      namespace,
      'live',
      'Unhealthy',
      /^Liveness probe failed: HTTP probe failed with statuscode: 500$/,
    );
    const killing = await waitForEvent(namespace, 'live', 'Killing');
    expect(killing.message).to.equal('Container c1 failed liveness probe, will be restarted');
    const restarted = await waitForPod(
      namespace,
      'live',
      (p) => (containerState(p, 'c1')?.restartCount ?? 0) >= 1,
      90_000,
      'restarted',
    );
    expect(containerState(restarted, 'c1')?.lastState?.terminated).to.not.equal(undefined);
  });

  it('a startupProbe holds liveness back until it succeeds', async () => {
    await mustKubectl(
      ['apply', '-n', namespace, '-f', '-'],
      probedPod(
        'slowstart',
        node!.nodeName,
        'sleep 3600\n',
        {
          startupProbe: { ...exec('test', '-f', 'started'), ...quick, failureThreshold: 60 },
          livenessProbe: { ...exec('false'), ...quick },
        },
        { restartPolicy: 'Always', terminationGracePeriodSeconds: 2 },
      ),
    );
    await waitForEvent(namespace, 'slowstart', 'Unhealthy', /^Startup probe failed: /);
    const pod = await waitForPod(namespace, 'slowstart', isRunning('c1'), 10_000, 'running');
    expect(containerState(pod, 'c1')?.started).to.equal(false);
    const early = await eventsOf(namespace, 'slowstart');
    expect(early.filter((e) => /^Liveness/.test(e.message) || e.reason === 'Killing')).to.deep.equal([]);
    writeFileSync(path.join(containerDir('slowstart'), 'started'), '');
    await waitForEvent(namespace, 'slowstart', 'Killing', /failed liveness probe/);
  });

  it('a postStart hook that fails gives FailedPostStartHook; preStop runs before SIGTERM', async () => {
    await mustKubectl(
      ['apply', '-n', namespace, '-f', '-'],
      probedPod(
        'badhook',
        node!.nodeName,
        'sleep 3600\n',
        { lifecycle: { postStart: exec('sh', '-c', 'exit 7') } },
        {
          terminationGracePeriodSeconds: 2,
        },
      ),
    );
    await waitForEvent(namespace, 'badhook', 'FailedPostStartHook');
    const marks = path.join(marksDir, 'hooks');
    const script =
      'trap \'echo term >> "$MARKS"; exit 0\' TERM\necho main >> "$MARKS"\nwhile true; do sleep 0.1 & wait $!; done\n';
    await mustKubectl(
      ['apply', '-n', namespace, '-f', '-'],
      probedPod('hooks', node!.nodeName, script, {
        env: [{ name: 'MARKS', value: marks }],
        lifecycle: {
          postStart: exec('sh', '-c', 'echo poststart >> "$MARKS"'),
          preStop: exec('sh', '-c', 'echo prestop >> "$MARKS"; sleep 1'),
        },
      }),
    );
    await waitForPod(namespace, 'hooks', isRunning('c1'), 60_000, 'running after postStart');
    const lines = () => (existsSync(marks) ? readFileSync(marks, 'utf8').split('\n').filter(Boolean) : []);
    // Running waits for postStart, not for the script's first line: the two run side by side, as on a kubelet.
    expect(lines()).to.include('poststart');
    await eventually(() => lines().includes('main'), 30_000, "the script's main mark");
    await mustKubectl(['delete', 'pod', '-n', namespace, 'hooks', '--wait=false']);
    await eventually(() => lines().includes('term'), 60_000, 'the TERM mark');
    const order = lines().filter((l) => l === 'prestop' || l === 'term');
    expect(order).to.deep.equal(['prestop', 'term']);
  });

  it('a second pod declaring a containerPort in use on this node gets a PortConflict event naming the first', async () => {
    const port = { ports: [{ containerPort: 18181 }] };
    await mustKubectl(
      ['apply', '-n', namespace, '-f', '-'],
      probedPod('port-a', node!.nodeName, 'sleep 3600\n', port),
    );
    await waitForPod(namespace, 'port-a', isRunning('c1'), 60_000, 'running');
    await mustKubectl(
      ['apply', '-n', namespace, '-f', '-'],
      probedPod('port-b', node!.nodeName, 'sleep 3600\n', port),
    );
    const conflict = await waitForEvent(namespace, 'port-b', 'PortConflict');
    expect(conflict.message).to.contain(`${namespace}/port-a`);
    expect(conflict.message).to.contain('18181');
  });

  it('/metrics/probes serves prober_probe_total with the kubelet labels, clean for promtool', async () => {
    const pki = path.join(testCluster().dir, 'pki');
    const cert = readFileSync(path.join(pki, 'apiserver-kubelet-client.crt'), 'utf8');
    const key = readFileSync(path.join(pki, 'apiserver-kubelet-client.key'), 'utf8');
    const res = await kubeletGet(node!.kubeletPort, '/metrics/probes', { cert, key });
    expect(res.status, res.body).to.equal(200);
    expect(res.body).to.match(
      new RegExp(
        `^prober_probe_total\\{container="c1",namespace="${namespace}",pod="gated",pod_uid="[0-9a-f-]+",probe_type="Readiness",result="successful"\\} \\d+$`,
        'm',
      ),
    );
    expect(res.body).to.match(/probe_type="Liveness",result="failed"\} \d+$/m);
    const lint = await runCommand(PROMTOOL, ['check', 'metrics'], { input: res.body });
    expect(lint.code, lint.stdout + lint.stderr).to.equal(0);
    expect(lint.stdout + lint.stderr).to.equal('');
  });

  it('a node whose pod IP is loopback says so: a LoopbackPodIP warning event on the Node', async () => {
    const loopback = await startVkNode('vk-probes-loopback');
    try {
      await eventually(
        async () => {
          const res = await mustKubectl([
            'get',
            'events',
            '-n',
            'default',
            '--field-selector',
            `involvedObject.name=${loopback.nodeName},reason=LoopbackPodIP`,
            '-o',
            'json',
          ]);
          return (JSON.parse(res) as { items: EventItem[] }).items.length > 0;
        },
        60_000,
        'LoopbackPodIP event',
        500,
      );
      const log = readFileSync(loopback.logPath('kubelet'), 'utf8');
      expect(log).to.contain('is a loopback address');
    } finally {
      await deleteNode(loopback);
    }
  });
});
