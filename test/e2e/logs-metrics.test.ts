import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import {
  createNamespace,
  deleteNode,
  hasPhase,
  isRunning,
  kubectl,
  mustKubectl,
  startVkNode,
  testCluster,
  waitForPod,
} from './support/e2e-env.js';
import { mustRun, startStreaming } from './support/commands.js';
import { scriptPod } from './support/manifests.js';
import { GRPCURL, KUBECTL } from './support/paths.js';
import { eventually } from './support/wait.js';
import type { VkNode } from './support/vk-node.js';

describe('logs, metrics and grpcurl', function () {
  this.timeout(180_000);
  let node: VkNode;
  let namespace: string;

  before(async () => {
    node = await startVkNode('vk-logs');
    namespace = await createNamespace('logs');
  });
  after(async () => node && deleteNode(node));

  it('kubectl logs, --tail and -f stream through the API server and end when the container exits', async () => {
    // Prints a line every 200 ms until told to stop, then two final lines.
    const script = [
      'i=0',
      'while [ ! -e stop ]; do i=$((i+1)); echo "line $i"; sleep 0.2; done',
      'echo "last-but-one"',
      'echo "the end"',
      '',
    ].join('\n');
    await mustKubectl(
      ['apply', '-n', namespace, '-f', '-'],
      scriptPod({ name: 'talker', nodeName: node.nodeName, script }),
    );
    await waitForPod(namespace, 'talker', isRunning('c1'), 60_000, 'running');

    const follow = startStreaming(KUBECTL, [
      '--kubeconfig',
      testCluster().kubeconfigPath,
      'logs',
      '-f',
      '-n',
      namespace,
      'talker',
    ]);
    await follow.waitForOutput((out) => out.includes('line 3'), 30_000);
    // Still streaming: later lines arrive on the same connection while the container runs.
    await follow.waitForOutput((out) => out.includes('line 6'), 30_000);

    writeFileSync(path.join(node.rootDir, namespace, 'talker', 'containers', 'c1', 'stop'), '');
    const code = await follow.exited;
    expect(code, follow.output()).to.equal(0);
    expect(follow.output()).to.match(/the end\s*$/);

    await waitForPod(namespace, 'talker', hasPhase('Succeeded'), 30_000, 'Succeeded');
    const all = await mustKubectl(['logs', '-n', namespace, 'talker']);
    expect(all.split('\n')[0]).to.equal('line 1');
    const tail = await mustKubectl(['logs', '-n', namespace, 'talker', '--tail=2']);
    expect(tail).to.equal('last-but-one\nthe end\n');
    const stamped = await mustKubectl(['logs', '-n', namespace, 'talker', '--tail=1', '--timestamps']);
    expect(stamped).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z the end\n$/);
  });

  it('kubectl logs --since returns only recent lines', async () => {
    const script = 'echo old\nsleep 4\necho new\nwhile [ ! -e stop ]; do sleep 0.2; done\n';
    await mustKubectl(
      ['apply', '-n', namespace, '-f', '-'],
      scriptPod({ name: 'since', nodeName: node.nodeName, script }),
    );
    await waitForPod(namespace, 'since', isRunning('c1'), 60_000, 'running');
    await eventually(
      async () => (await mustKubectl(['logs', '-n', namespace, 'since'])).includes('new'),
      30_000,
      '"new" logged',
    );
    const recent = await mustKubectl(['logs', '-n', namespace, 'since', '--since=2s']);
    expect(recent).to.contain('new');
    expect(recent).to.not.contain('old');
    writeFileSync(path.join(node.rootDir, namespace, 'since', 'containers', 'c1', 'stop'), '');
  });

  it('kubectl top node and top pod show non-zero CPU and memory for a CPU-burning pod', async () => {
    const script = 'end=$((SECONDS + 120)); while [ "$SECONDS" -lt "$end" ]; do :; done\n';
    await mustKubectl(
      ['apply', '-n', namespace, '-f', '-'],
      scriptPod({ name: 'burner', nodeName: node.nodeName, script }),
    );
    await waitForPod(namespace, 'burner', isRunning('c1'), 60_000, 'running');

    // metrics-server needs two scrapes to compute a rate; there is no watch for metrics.
    let podLine = '';
    await eventually(
      async () => {
        const result = await kubectl(['top', 'pod', '-n', namespace, 'burner', '--no-headers']);
        podLine = result.stdout.trim();
        return result.code === 0 && /^burner\s+\d+m\s+\d+Mi/.test(podLine);
      },
      90_000,
      'kubectl top pod reports the burner',
      2_000,
    );
    const [, cpu, memory] = /^burner\s+(\d+)m\s+(\d+)Mi/.exec(podLine) ?? [];
    expect(Number(cpu), podLine).to.be.greaterThan(100);
    expect(Number(memory), podLine).to.be.greaterThan(0);

    let nodeLine = '';
    await eventually(
      async () => {
        const result = await kubectl(['top', 'node', node.nodeName, '--no-headers']);
        nodeLine = result.stdout.trim();
        return result.code === 0 && nodeLine.startsWith(node.nodeName);
      },
      60_000,
      'kubectl top node reports the node',
      2_000,
    );
    const fields = nodeLine.split(/\s+/);
    expect(Number.parseInt(fields[1] ?? '0', 10), nodeLine).to.be.greaterThan(0);
    expect(Number.parseInt(fields[3] ?? '0', 10), nodeLine).to.be.greaterThan(0);
    await mustKubectl(['delete', 'pod', '-n', namespace, 'burner', '--grace-period=0', '--wait=false']);
  });

  it('grpcurl lists and describes the runner and calls ListPods, StreamStats and the health check', async () => {
    const base = ['-plaintext', '-unix', node.socketPath];
    const list = await mustRun(GRPCURL, [...base, 'list']);
    expect(list).to.contain('vkcmd.runner.v1.Runner');
    expect(list).to.contain('grpc.health.v1.Health');
    const describe = await mustRun(GRPCURL, [...base, 'describe', 'vkcmd.runner.v1.Runner']);
    for (const rpc of [
      'GetNodeInfo',
      'CreatePod',
      'DeletePod',
      'GetPod',
      'ListPods',
      'WatchPods',
      'GetLogs',
      'GetStats',
      'StreamStats',
    ]) {
      expect(describe).to.contain(`rpc ${rpc}`);
    }
    // One request on the bidirectional stream: its answer, then the end grpcurl's half-close asks for.
    const streamed = JSON.parse(
      await mustRun(GRPCURL, [
        '-plaintext',
        '-unix',
        '-d',
        '{"request_id": 7}',
        node.socketPath,
        'vkcmd.runner.v1.Runner/StreamStats',
      ]),
    ) as { request_id?: string; stats?: { node?: { cpu_usage_core_nanoseconds?: string } } };
    expect(streamed.request_id).to.equal('7');
    expect(Number(streamed.stats?.node?.cpu_usage_core_nanoseconds)).to.be.greaterThan(0);
    const pods = JSON.parse(await mustRun(GRPCURL, [...base, 'vkcmd.runner.v1.Runner/ListPods'])) as {
      pods?: Array<{ name: string; namespace: string }>;
    };
    expect((pods.pods ?? []).some((p) => p.name === 'talker' && p.namespace === namespace)).to.equal(true);
    const health = JSON.parse(await mustRun(GRPCURL, [...base, 'grpc.health.v1.Health/Check'])) as {
      status: string;
    };
    expect(health.status).to.equal('SERVING');
  });
});
