import { expect } from 'chai';
import {
  NODE_SAMPLE_KEY,
  buildStatsSummary,
  type SummaryInput,
} from '../../../../src/kubelet/api/stats-summary.js';
import {
  BOOT_TIME_MS,
  SAMPLE_TIME_MS,
  WEB_STARTED_MS,
  sampleStats,
  samplePods,
} from '../../../fixtures/kubelet-api/stats-fixture.js';

function input(overrides: Partial<SummaryInput> = {}): SummaryInput {
  return {
    nodeName: 'vk-test',
    stats: sampleStats(),
    pods: samplePods(),
    previous: new Map(),
    nowMs: 0,
    onlyCpuAndMemory: false,
    ...overrides,
  };
}

describe('buildStatsSummary', () => {
  it('describes the node', () => {
    const { node } = buildStatsSummary(input()).summary;
    expect(node).to.deep.equal({
      nodeName: 'vk-test',
      startTime: '2024-05-01T00:00:00Z',
      cpu: {
        time: '2024-05-01T12:00:00Z',
        // 86400 s of CPU over the 12 h since boot: about 2 cores on average.
        usageNanoCores: Math.round((86_400e9 * 1e3) / (SAMPLE_TIME_MS - BOOT_TIME_MS)),
        usageCoreNanoSeconds: 86_400_000_000_000,
      },
      memory: {
        time: '2024-05-01T12:00:00Z',
        availableBytes: 12_000_000_000,
        usageBytes: 6_000_000_000,
        workingSetBytes: 4_000_000_000,
        rssBytes: 3_000_000_000,
      },
      fs: {
        time: '2024-05-01T12:00:00Z',
        availableBytes: 60_000_000_000,
        capacityBytes: 100_000_000_000,
        usedBytes: 40_000_000_000,
      },
      runtime: {
        imageFs: {
          time: '2024-05-01T12:00:00Z',
          availableBytes: 60_000_000_000,
          capacityBytes: 100_000_000_000,
          usedBytes: 0,
        },
      },
      rlimit: { time: '2024-05-01T12:00:00Z', curproc: 321 },
    });
  });

  it('reports only pods the API knows, joined by UID', () => {
    const { pods } = buildStatsSummary(input()).summary;
    expect(pods.map((p) => p.podRef)).to.deep.equal([
      { name: 'web', namespace: 'team-a', uid: 'uid-web' },
      { name: 'batch', namespace: 'team-b', uid: 'uid-batch' },
    ]);
  });

  it('describes a pod and its containers', () => {
    const web = buildStatsSummary(input()).summary.pods[0];
    const time = '2024-05-01T12:00:00Z';
    expect(web?.startTime).to.equal('2024-05-01T11:00:00Z');
    expect(web?.containers[0]).to.deep.equal({
      name: 'main',
      startTime: '2024-05-01T11:00:00Z',
      cpu: {
        time,
        // 1.5 s of CPU over 3600.25 s of life.
        usageNanoCores: Math.round((1.5e9 * 1e3) / (SAMPLE_TIME_MS - WEB_STARTED_MS)),
        usageCoreNanoSeconds: 1_500_000_000,
      },
      memory: { time, usageBytes: 52_428_800, workingSetBytes: 52_428_800, rssBytes: 40_000_000 },
      rootfs: { time, availableBytes: 60_000_000_000, capacityBytes: 100_000_000_000, usedBytes: 10_000 },
      logs: { time, availableBytes: 60_000_000_000, capacityBytes: 100_000_000_000, usedBytes: 2048 },
    });
    expect(web?.['ephemeral-storage']?.usedBytes).to.equal(12_048);
    expect(web?.process_stats).to.deep.equal({ process_count: 4 });
    expect(web?.memory.workingSetBytes).to.equal(52_428_800 + 1);
  });

  it('never reports 0 CPU or memory for a live container', () => {
    const sidecar = buildStatsSummary(input()).summary.pods[0]?.containers[1];
    expect(sidecar?.name).to.equal('sidecar');
    expect(sidecar?.cpu.usageNanoCores).to.be.at.least(1);
    expect(sidecar?.cpu.usageCoreNanoSeconds).to.be.at.least(1);
    expect(sidecar?.memory.workingSetBytes).to.be.at.least(1);
  });

  it('falls back to the creation time when the pod has no start time', () => {
    const batch = buildStatsSummary(input()).summary.pods[1];
    expect(batch?.startTime).to.equal('2024-05-01T10:00:00Z');
  });

  it('computes usageNanoCores between two scrapes', () => {
    const first = buildStatsSummary(input());
    const later = sampleStats();
    later.timestampMs = SAMPLE_TIME_MS + 10_000;
    const main = later.pods[0]?.containers[0];
    if (main) main.cpuUsageCoreNanoseconds += 5_000_000_000; // 5 s of CPU in 10 s
    if (later.node) later.node.cpuUsageCoreNanoseconds += 30_000_000_000; // 3 cores
    const second = buildStatsSummary(input({ stats: later, previous: first.samples }));
    expect(second.summary.pods[0]?.containers[0]?.cpu.usageNanoCores).to.equal(500_000_000);
    expect(second.summary.node.cpu.usageNanoCores).to.equal(3_000_000_000);
    expect(second.summary.pods[0]?.cpu.usageNanoCores).to.equal(500_000_000 + 1);
  });

  it('keeps samples for the node and every reported container only', () => {
    const { samples } = buildStatsSummary(input());
    expect([...samples.keys()].sort()).to.deep.equal(
      [NODE_SAMPLE_KEY, 'uid-batch/job', 'uid-web/main', 'uid-web/sidecar'].sort(),
    );
  });

  it('leaves out file systems and process counts with only_cpu_and_memory', () => {
    const { summary } = buildStatsSummary(input({ onlyCpuAndMemory: true }));
    expect(summary.node).to.have.all.keys('nodeName', 'startTime', 'cpu', 'memory');
    expect(summary.pods[0]).to.have.all.keys('podRef', 'startTime', 'containers', 'cpu', 'memory');
    expect(summary.pods[0]?.containers[0]).to.have.all.keys('name', 'startTime', 'cpu', 'memory');
  });

  it('uses the current time when the runner gives none, and survives a missing node', () => {
    const stats = { ...sampleStats(), timestampMs: 0, node: null };
    const { summary } = buildStatsSummary(input({ stats, nowMs: Date.UTC(2024, 5, 1) }));
    expect(summary.node.cpu.time).to.equal('2024-06-01T00:00:00Z');
    expect(summary.node.memory.workingSetBytes).to.equal(1);
    expect(summary.node.fs).to.deep.equal({ time: '2024-06-01T00:00:00Z', usedBytes: 0 });
  });
});
