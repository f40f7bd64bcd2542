import { expect } from 'chai';
import type { WirePodStatus } from '../../../../src/kubelet/kube/wire-types.js';
import {
  LARGE_POD_CONTAINERS,
  LARGE_POD_MAX_SPACING_MS,
  LARGE_POD_SPACING_MS,
  LARGE_POD_SPACING_MS_PER_CONTAINER,
  statusWriteSpacingMs,
} from '../../../../src/kubelet/pods/status-write-spacing.js';

const named = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}` }));

describe('statusWriteSpacingMs', () => {
  const cases: Array<[string, WirePodStatus, number]> = [
    ['a pod without container statuses yet', { phase: 'Pending' }, 0],
    ['an ordinary pod', { containerStatuses: named(3, 'c') } as WirePodStatus, 0],
    ['exactly at the bound', { containerStatuses: named(LARGE_POD_CONTAINERS, 'c') } as WirePodStatus, 0],
    [
      'one container past the bound',
      { containerStatuses: named(LARGE_POD_CONTAINERS + 1, 'c') } as WirePodStatus,
      LARGE_POD_SPACING_MS,
    ],
    [
      'init, app and ephemeral containers counted together',
      {
        initContainerStatuses: named(40, 'i'),
        containerStatuses: named(40, 'c'),
        ephemeralContainerStatuses: named(21, 'e'),
      } as WirePodStatus,
      LARGE_POD_SPACING_MS,
    ],
    [
      '1,000 containers: in proportion to the pod',
      { containerStatuses: named(1000, 'c') } as WirePodStatus,
      1000 * LARGE_POD_SPACING_MS_PER_CONTAINER,
    ],
    [
      '5,000 containers: no more than the longest spacing',
      { containerStatuses: named(5000, 'c') } as WirePodStatus,
      LARGE_POD_MAX_SPACING_MS,
    ],
  ];
  for (const [what, status, expected] of cases) {
    it(`${what}: ${expected} ms`, () => expect(statusWriteSpacingMs(status)).to.equal(expected));
  }
});
