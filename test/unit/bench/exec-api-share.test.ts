import { expect } from 'chai';
import { execShareMs } from '../../../bench/scenarios/exec-api-share.js';
import { stubNodeManifest, stubPodManifest, STUB_NODE_KEY } from '../../../bench/scenarios/exec-stub-node.js';

describe('exec-api: vk-cmd share over the kubelet stub', () => {
  const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);
  const cases: Array<[string, number[], number[], { p50Ms: number; p99Ms: number }]> = [
    // p50 of 1..100 is 50, p99 is 99; of 101..200, 150 and 199.
    ['differences of p50s and of p99s', range(101, 100), range(1, 100), { p50Ms: 100, p99Ms: 100 }],
    ['order does not matter', range(101, 100).reverse(), range(1, 100), { p50Ms: 100, p99Ms: 100 }],
    [
      'a tail only on vk-cmd shows in p99 alone',
      [...range(11, 98), 500, 600],
      range(1, 100),
      { p50Ms: 10, p99Ms: 401 },
    ],
    ['negative when the stub is slower', [10, 10, 10], [12, 12, 30], { p50Ms: -2, p99Ms: -20 }],
    ['non-finite samples are dropped', [5, Number.NaN, 5], [1, Infinity, 1], { p50Ms: 4, p99Ms: 4 }],
    ['NaN without stub samples', [5], [], { p50Ms: Number.NaN, p99Ms: Number.NaN }],
    ['NaN without vk-cmd samples', [], [5], { p50Ms: Number.NaN, p99Ms: Number.NaN }],
  ];
  for (const [name, vkCmd, stub, expected] of cases) {
    it(name, () => expect(execShareMs(vkCmd, stub)).to.deep.equal(expected));
  }

  it('the stub node is tainted, labelled, Ready and points the API server at 127.0.0.1:PORT', () => {
    const node = stubNodeManifest('stub', 40123, new Date('2026-12-05T20:00:00.123Z')) as {
      metadata: { labels: Record<string, string> };
      spec: { taints: Array<{ key: string; effect: string }> };
      status: {
        conditions: Array<{ type: string; status: string; lastHeartbeatTime: string }>;
        addresses: Array<{ type: string; address: string }>;
        daemonEndpoints: { kubeletEndpoint: { Port: number } };
      };
    };
    expect(node.metadata.labels[STUB_NODE_KEY]).to.equal('true');
    expect(node.spec.taints).to.deep.equal([{ key: STUB_NODE_KEY, value: 'true', effect: 'NoSchedule' }]);
    expect(node.status.conditions[0]).to.include({
      type: 'Ready',
      status: 'True',
      lastHeartbeatTime: '2026-12-05T20:00:00Z',
    });
    expect(node.status.addresses[0]).to.deep.equal({ type: 'InternalIP', address: '127.0.0.1' });
    expect(node.status.daemonEndpoints.kubeletEndpoint.Port).to.equal(40123);
  });

  it('the stub pod is bound to the stub node and tolerates its taints', () => {
    const pod = stubPodManifest('p', 'stub', 'exec-api') as {
      spec: { nodeName: string; tolerations: Array<{ operator: string }> };
    };
    expect(pod.spec.nodeName).to.equal('stub');
    expect(pod.spec.tolerations).to.deep.equal([{ operator: 'Exists' }]);
  });
});
