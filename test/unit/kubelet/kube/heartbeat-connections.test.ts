import { expect } from 'chai';
import {
  heartbeatConnections,
  MAX_HEARTBEAT_CONNECTIONS,
  MIN_HEARTBEAT_CONNECTIONS,
} from '../../../../src/kubelet/kube/heartbeat-connections.js';

describe('heartbeatConnections', () => {
  const cases: Array<{ name: string; nodes: number; intervalMs: number; want: number }> = [
    {
      name: 'one node keeps the single kubelet’s four',
      nodes: 1,
      intervalMs: 10_000,
      want: MIN_HEARTBEAT_CONNECTIONS,
    },
    { name: '100 nodes renew 10 a second: four carry them', nodes: 100, intervalMs: 10_000, want: 4 },
    { name: '200 nodes renew 20 a second: seven', nodes: 200, intervalMs: 10_000, want: 7 },
    { name: '1,000 nodes renew 100 a second: 34', nodes: 1000, intervalMs: 10_000, want: 34 },
    {
      name: 'a shorter interval needs more',
      nodes: 1000,
      intervalMs: 5_000,
      want: MAX_HEARTBEAT_CONNECTIONS,
    },
    { name: 'a longer interval needs fewer', nodes: 1000, intervalMs: 40_000, want: 9 },
    {
      name: '10,000 nodes stop at the ceiling',
      nodes: 10_000,
      intervalMs: 10_000,
      want: MAX_HEARTBEAT_CONNECTIONS,
    },
    { name: 'no node', nodes: 0, intervalMs: 10_000, want: MIN_HEARTBEAT_CONNECTIONS },
    { name: 'an interval of zero', nodes: 1000, intervalMs: 0, want: MIN_HEARTBEAT_CONNECTIONS },
    { name: 'not a number', nodes: Number.NaN, intervalMs: 10_000, want: MIN_HEARTBEAT_CONNECTIONS },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(heartbeatConnections(c.nodes, c.intervalMs)).to.equal(c.want);
    });
  }
});
