import { expect } from 'chai';
import type { WirePodStatus } from '../../../../src/kubelet/kube/wire-types.js';
import { canonical } from '../../../../src/kubelet/kube/canonical.js';
import { podStatusEqual } from '../../../../src/kubelet/pods/status-equality.js';

const base = (): WirePodStatus => ({
  phase: 'Running',
  hostIP: '1.1.1.1',
  podIP: '1.1.1.1',
  qosClass: 'BestEffort',
  startTime: '2025-01-01T00:00:00Z',
  conditions: [
    { type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' },
    { type: 'PodScheduled', status: 'True' },
  ],
  containerStatuses: [
    {
      name: 'c1',
      image: 'i',
      imageID: '',
      ready: true,
      restartCount: 0,
      state: { running: { startedAt: '2025-01-01T00:00:01Z' } },
      lastState: {},
    },
  ],
});

describe('podStatusEqual (skip decisions)', () => {
  const cases: Array<{
    name: string;
    current: WirePodStatus | undefined;
    mutate: (s: WirePodStatus) => void;
    equal: boolean;
  }> = [
    { name: 'identical', current: base(), mutate: () => undefined, equal: true },
    { name: 'no current status', current: undefined, mutate: () => undefined, equal: false },
    { name: 'phase changed', current: base(), mutate: (s) => (s.phase = 'Succeeded'), equal: false },
    {
      name: 'container state changed',
      current: base(),
      mutate: (s) => (s.containerStatuses![0]!.state = { terminated: { exitCode: 0 } }),
      equal: false,
    },
    {
      name: 'restartCount changed',
      current: base(),
      mutate: (s) => (s.containerStatuses![0]!.restartCount = 1),
      equal: false,
    },
    {
      name: 'condition status changed',
      current: base(),
      mutate: (s) => (s.conditions![0]!.status = 'False'),
      equal: false,
    },
    {
      name: 'only transition time differs',
      current: base(),
      mutate: (s) => (s.conditions![0]!.lastTransitionTime = '2030-01-01T00:00:00Z'),
      equal: true,
    },
    {
      name: 'sub-second precision',
      current: base(),
      mutate: (s) => (s.startTime = '2025-01-01T00:00:00.400Z'),
      equal: true,
    },
    {
      name: "other writers' conditions are ignored",
      current: {
        ...base(),
        conditions: [...base().conditions!, { type: 'DisruptionTarget', status: 'True' }],
      },
      mutate: () => undefined,
      equal: true,
    },
    {
      name: 'desired PodScheduled missing from current',
      current: { ...base(), conditions: [base().conditions![0]!] },
      mutate: () => undefined,
      equal: false,
    },
    { name: 'empty message equals absent', current: base(), mutate: (s) => (s.message = ''), equal: true },
  ];
  for (const t of cases) {
    it(t.name, () => {
      const desired = base();
      t.mutate(desired);
      expect(podStatusEqual(t.current, desired)).to.equal(t.equal);
    });
  }

  it('canonical drops empty members and truncates times', () => {
    expect(canonical({ a: '', b: null, c: {}, d: '2025-01-01T00:00:00.999Z', e: [1] })).to.deep.equal({
      d: '2025-01-01T00:00:00.000Z',
      e: [1],
    });
  });
});
