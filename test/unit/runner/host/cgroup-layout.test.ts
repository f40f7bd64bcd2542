import { expect } from 'chai';
import { cgroupRoots, enforcementOf } from '../../../../src/runner/host/cgroup-layout.js';
import type { CgroupPlan } from '../../../../src/runner/host/cgroups-detect.js';

const v2: CgroupPlan = {
  mode: 'v2',
  parentDir: '/sys/fs/cgroup/a',
  cpu: true,
  enable: [],
  moveProcesses: false,
};
const v1: CgroupPlan = {
  mode: 'v1',
  parentDir: '/sys/fs/cgroup/memory/a',
  cpuParentDir: '/sys/fs/cgroup/cpu/a',
};
const none: CgroupPlan = { mode: 'none', note: 'no delegated cgroup' };

describe('cgroup layout: what a plan enforces and where containers go', () => {
  const enforcementRows: Array<{ name: string; plan: CgroupPlan; cpuBroken: boolean; want: object }> = [
    {
      name: 'none: memory by the watchdog, CPU not enforced, the plan says why',
      plan: none,
      cpuBroken: false,
      want: { cgroupMode: 'none', memory: 'watchdog', cpu: 'none', root: '', note: 'no delegated cgroup' },
    },
    {
      name: 'v2 with the cpu controller: both by cgroup under <parent>/vk-cmd',
      plan: v2,
      cpuBroken: false,
      want: { cgroupMode: 'v2', memory: 'cgroup', cpu: 'cgroup', root: '/sys/fs/cgroup/a/vk-cmd', note: '' },
    },
    {
      name: 'v2 whose cpu controller could not be enabled: memory only',
      plan: v2,
      cpuBroken: true,
      want: {
        cgroupMode: 'v2',
        memory: 'cgroup',
        cpu: 'none',
        root: '/sys/fs/cgroup/a/vk-cmd',
        note: 'the cpu controller is not available in the cgroup',
      },
    },
    {
      name: 'v1 without a writable cpu hierarchy: memory only',
      plan: { ...v1, cpuParentDir: undefined },
      cpuBroken: false,
      want: {
        cgroupMode: 'v1',
        memory: 'cgroup',
        cpu: 'none',
        root: '/sys/fs/cgroup/memory/a/vk-cmd',
        note: 'no writable cgroup in the cpu hierarchy',
      },
    },
  ];
  for (const row of enforcementRows) {
    it(row.name, () => expect(enforcementOf(row.plan, row.cpuBroken)).to.deep.equal(row.want));
  }

  it('roots: one on v2, the memory and cpu hierarchies on v1, none without cgroups', () => {
    expect(cgroupRoots(v2)).to.deep.equal([{ dir: '/sys/fs/cgroup/a/vk-cmd', kind: 'v2' }]);
    expect(cgroupRoots(v1)).to.deep.equal([
      { dir: '/sys/fs/cgroup/memory/a/vk-cmd', kind: 'memory' },
      { dir: '/sys/fs/cgroup/cpu/a/vk-cmd', kind: 'cpu' },
    ]);
    expect(cgroupRoots({ ...v1, cpuParentDir: undefined })).to.have.length(1);
    expect(cgroupRoots(none)).to.deep.equal([]);
  });
});
