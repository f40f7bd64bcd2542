import { expect } from 'chai';
import type { WireNode } from '../../../../src/kubelet/kube/wire-types.js';
import { adoptionPatch, metadataPatch, nodeMetadata } from '../../../../src/kubelet/node/node-metadata.js';

const config = {
  nodeName: 'vk',
  nodeType: 'cpu',
  site: 'Local',
  nodeLabels: {},
  taints: [{ key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' as const }],
};
const host = { architecture: 'amd64', operatingSystem: 'linux' };
const NOW = Date.parse('2025-06-01T12:00:00Z');
const deadline = { deadlineMs: NOW + 90_500, walltimeSeconds: 120, origin: 'JIRIAF_WALLTIME=120' };

describe('node metadata', () => {
  it('labels the walltime countdown and annotates the deadline', () => {
    const m = nodeMetadata(config, host, deadline, NOW);
    expect(m.labels).to.include({ 'jiriaf.walltime': '120', 'jiriaf.alivetime': '90' });
    expect(m.annotations).to.deep.equal({
      'vk-cmd.jiriaf.org/walltime-deadline': '2025-06-01T12:01:30Z',
      'vk-cmd.jiriaf.org/walltime-origin': 'JIRIAF_WALLTIME=120',
    });
    const none = nodeMetadata(config, host, undefined, NOW);
    expect(none.labels).to.not.have.property('jiriaf.alivetime');
  });

  it('adopting removes walltime labels and annotations an earlier run left, and adds missing taints', () => {
    const existing: WireNode = {
      metadata: {
        name: 'vk',
        labels: { 'jiriaf.walltime': '60', 'jiriaf.alivetime': '0', team: 'x' },
        annotations: { 'vk-cmd.jiriaf.org/walltime-deadline': '2025-01-01T00:00:00Z', other: 'y' },
      },
      spec: { taints: [{ key: 'other', effect: 'NoExecute' }] },
    };
    const patch = adoptionPatch(existing, config, nodeMetadata(config, host, undefined, NOW)) as {
      metadata: { labels: Record<string, string | null>; annotations: Record<string, string | null> };
      spec: { taints: unknown[] };
    };
    expect(patch.metadata.labels).to.include({
      'jiriaf.walltime': null,
      'jiriaf.alivetime': null,
      type: 'virtual-kubelet',
    });
    expect(patch.metadata.labels).to.not.have.property('team');
    expect(patch.metadata.annotations).to.deep.equal({ 'vk-cmd.jiriaf.org/walltime-deadline': null });
    expect(patch.spec.taints).to.deep.equal([
      { key: 'other', effect: 'NoExecute' },
      { key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' },
    ]);
  });

  it('patches only what changed between two rounds', () => {
    const before = nodeMetadata(config, host, deadline, NOW);
    expect(metadataPatch(before, nodeMetadata(config, host, deadline, NOW + 200))).to.equal(undefined);
    expect(metadataPatch(before, nodeMetadata(config, host, deadline, NOW + 1000))).to.deep.equal({
      metadata: { labels: { 'jiriaf.alivetime': '89' } },
    });
    expect(metadataPatch(before, nodeMetadata(config, host, undefined, NOW))).to.deep.equal({
      metadata: {
        labels: { 'jiriaf.walltime': null, 'jiriaf.alivetime': null },
        annotations: {
          'vk-cmd.jiriaf.org/walltime-deadline': null,
          'vk-cmd.jiriaf.org/walltime-origin': null,
        },
      },
    });
  });
});
