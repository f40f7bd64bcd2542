import { expect } from 'chai';
import {
  nextStatusDelayMs,
  nodeStatusKey,
  statusWriteDue,
  type StatusScheduleInputs,
} from '../../../../src/kubelet/node/node-status-schedule.js';

describe('node status schedule', () => {
  const base: StatusScheduleInputs = {
    nowMs: 100_000,
    lastStatusWriteMs: 95_000,
    updateFrequencyMs: 60_000,
    reportFrequencyMs: 300_000,
    walltimeRefreshMs: undefined,
    ready: true,
    graceMs: 40_000,
    problemSinceMs: [undefined, undefined],
  };
  const cases: Array<[string, Partial<StatusScheduleInputs>, number]> = [
    ['the next computation', {}, 60_000],
    [
      'an unchanged status due before the next computation',
      { lastStatusWriteMs: 0, reportFrequencyMs: 130_000 },
      30_000,
    ],
    ['an unchanged status overdue: at least 5 ms', { lastStatusWriteMs: -300_000 }, 5],
    ['a walltime change first', { walltimeRefreshMs: 1_000 }, 1_000],
    ['a grace period ending first, 5 ms after it', { problemSinceMs: [90_000, undefined] }, 30_005],
    ['the earlier of two grace periods', { problemSinceMs: [90_000, 70_000] }, 10_005],
    ['a grace period already over: not waited for', { problemSinceMs: [10_000, undefined] }, 60_000],
    ['not Ready: grace periods do not matter', { ready: false, problemSinceMs: [90_000, undefined] }, 60_000],
  ];
  for (const [name, change, expected] of cases) {
    it(`nextStatusDelayMs: ${name}`, () =>
      expect(nextStatusDelayMs({ ...base, ...change })).to.equal(expected));
  }

  const writes: Array<[string, string, number, boolean]> = [
    ['a changed status, just written', 'old', 100_000, true],
    [
      'an unchanged status, written 1 min ago: waits (a kubelet with a Lease reports every 5 min)',
      'same',
      40_000,
      false,
    ],
    ['an unchanged status, written 5 min ago', 'same', -200_000, true],
  ];
  for (const [name, lastKey, lastWriteMs, due] of writes) {
    it(`statusWriteDue: ${name}`, () =>
      expect(statusWriteDue('same', lastKey, 100_000, lastWriteMs, 300_000)).to.equal(due));
  }

  it('nodeStatusKey ignores heartbeat times and key order', () => {
    const a = nodeStatusKey({
      nodeInfo: { architecture: 'amd64' } as never,
      conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-01-01T00:00:00Z' }],
    });
    const b = nodeStatusKey({
      conditions: [{ lastHeartbeatTime: '2026-01-01T00:01:00Z', status: 'True', type: 'Ready' }],
      nodeInfo: { architecture: 'amd64' } as never,
    });
    expect(a).to.equal(b);
    expect(nodeStatusKey({ conditions: [{ type: 'Ready', status: 'False' }] })).to.not.equal(a);
  });
});
