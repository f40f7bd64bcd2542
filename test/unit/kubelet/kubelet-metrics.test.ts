import { expect } from 'chai';
import type { WirePod } from '../../../src/kubelet/kube/wire-types.js';
import type { Pod__Output } from '../../../src/generated/vkcmd/runner/v1/Pod.js';
import { KubeletMetrics, type KubeletStateSource } from '../../../src/kubelet/kubelet-metrics.js';

/** name -> type, from the exposition's TYPE lines. */
function types(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out.set(m[1]!, m[2]!);
  return out;
}

function runnerPod(states: Array<'running' | 'terminated'>): Pod__Output {
  return {
    uid: 'u',
    namespace: 'n',
    name: 'p',
    initContainerStatuses: [],
    ephemeralContainerStatuses: [],
    containerStatuses: states.map((s, i) => ({
      name: `c${i}`,
      state: s === 'running' ? { running: { startedAtMs: 1 } } : { terminated: { exitCode: 0 } },
      lastState: null,
      restartCount: 0,
      pgid: 1,
      image: '',
    })) as Pod__Output['containerStatuses'],
    createdAtMs: 0,
    deleting: false,
    revision: 1,
    restartPolicy: 'Never',
  };
}

function source(overrides: Partial<KubeletStateSource> = {}): KubeletStateSource {
  return {
    runnerPods: () => [runnerPod(['running', 'terminated'])],
    apiPods: (): WirePod[] => [{ status: { phase: 'Running' } }, { status: { phase: 'Failed' } }],
    nodeReady: () => true,
    walltimeDeadlineMs: () => 601_000,
    nowMs: () => 1000,
    ...overrides,
  };
}

describe('KubeletMetrics', () => {
  it("serves a kubelet's metrics under a kubelet's names and types", async () => {
    const metrics = new KubeletMetrics({ nodeName: 'vk-1' });
    const text = await metrics.registry.metrics();
    const t = types(text);
    const expected: Array<[string, string]> = [
      ['kubelet_running_pods', 'gauge'],
      ['kubelet_running_containers', 'gauge'],
      ['kubelet_pod_start_sli_duration_seconds', 'histogram'],
      ['kubelet_pod_worker_duration_seconds', 'histogram'],
      ['kubelet_node_name', 'gauge'],
      ['kubelet_started_pods_total', 'counter'],
      ['kubelet_evictions', 'counter'],
      ['process_resident_memory_bytes', 'gauge'],
      ['process_cpu_seconds_total', 'counter'],
      ['process_start_time_seconds', 'gauge'],
      ['nodejs_heap_size_used_bytes', 'gauge'],
    ];
    for (const [name, type] of expected) {
      expect(t.get(name), name).to.equal(type);
    }
    expect(text).to.contain('kubelet_node_name{node="vk-1"} 1\n');
    expect(text).to.contain(
      '# HELP kubelet_running_pods [ALPHA] Number of pods that have a running pod sandbox\n',
    );
    expect(text, 'no prefixed process metrics').not.to.match(/^vkcmd_kubelet_(process|nodejs)_/m);
  });

  it('names no gauge _total (promtool) and every counter _total except the kubelet_evictions the kubelet has', async () => {
    const t = types(await new KubeletMetrics().registry.metrics());
    for (const [name, type] of t) {
      if (type === 'gauge') expect(name, name).not.to.match(/_total$/);
      if (type === 'counter' && name !== 'kubelet_evictions') expect(name, name).to.match(/_total$/);
    }
  });

  it("uses the kubelet's buckets for pod start and pod worker durations", async () => {
    const metrics = new KubeletMetrics({ collectProcessMetrics: false });
    metrics.podStartDurationSeconds.observe(0.02);
    metrics.observePodWorker('create', 0.003);
    const text = await metrics.registry.metrics();
    const les = (name: string): string[] =>
      [...text.matchAll(new RegExp(`^${name}_bucket\\{[^}]*le="([^"]+)"`, 'gm'))].map((m) => m[1]!);
    expect(les('kubelet_pod_start_sli_duration_seconds')).to.deep.equal(
      [
        0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800,
        2700, 3600,
      ]
        .map(String)
        .concat('+Inf'),
    );
    expect(les('kubelet_pod_worker_duration_seconds')).to.deep.equal([
      '0.005',
      '0.01',
      '0.025',
      '0.05',
      '0.1',
      '0.25',
      '0.5',
      '1',
      '2.5',
      '5',
      '10',
      '+Inf',
    ]);
    expect(text).to.contain('kubelet_pod_worker_duration_seconds_count{operation_type="create"} 1\n');
    // One observation feeds the kubelet's SLI histogram and vk-cmd's finer one.
    expect(text).to.contain('kubelet_pod_start_sli_duration_seconds_count 1\n');
    expect(text).to.contain('vkcmd_kubelet_pod_start_duration_seconds_bucket{le="0.025"} 1\n');
  });

  it('computes the state gauges on each scrape from the attached source', async () => {
    const metrics = new KubeletMetrics({ collectProcessMetrics: false });
    let deadline: number | undefined = 601_000;
    metrics.attach(source({ walltimeDeadlineMs: () => deadline }));
    let text = await metrics.registry.metrics();
    expect(text).to.contain('kubelet_running_containers{container_state="running"} 1\n');
    expect(text).to.contain('kubelet_running_containers{container_state="exited"} 1\n');
    expect(text).to.contain('kubelet_running_containers{container_state="created"} 0\n');
    expect(text).to.contain('vkcmd_kubelet_pods{phase="Running"} 1\n');
    expect(text).to.contain('vkcmd_kubelet_pods{phase="Failed"} 1\n');
    expect(text).to.contain('vkcmd_kubelet_pods{phase="Pending"} 0\n');
    expect(text).to.contain('vkcmd_kubelet_node_ready 1\n');
    expect(text).to.contain('vkcmd_kubelet_walltime_remaining_seconds 600\n');
    deadline = undefined;
    text = await metrics.registry.metrics();
    expect(text, 'no walltime, no series').not.to.match(/^vkcmd_kubelet_walltime_remaining_seconds /m);
  });

  it('serves no state series before a source is attached or the node is registered', async () => {
    const metrics = new KubeletMetrics({ collectProcessMetrics: false });
    let text = await metrics.registry.metrics();
    expect(text).not.to.match(
      /^(kubelet_running_containers|vkcmd_kubelet_pods|vkcmd_kubelet_node_ready)[ {]/m,
    );
    metrics.attach(source({ nodeReady: () => undefined }));
    text = await metrics.registry.metrics();
    expect(text).not.to.match(/^vkcmd_kubelet_node_ready /m);
  });
});
