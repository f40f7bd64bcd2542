import { expect } from 'chai';
import {
  cpuQuotaUs,
  cpuShares,
  cpuWeight,
  oomKills,
  v1CpuWrites,
  v1MemoryWrites,
  v2LimitWrites,
} from '../../../../src/runner/host/cgroup-files.js';

const MiB = 2 ** 20;

describe('cgroup control values', () => {
  it('CPU quota, shares and weight as the kubelet and runc compute them', () => {
    expect(cpuQuotaUs(200)).to.equal(20_000);
    expect(cpuQuotaUs(1500)).to.equal(150_000);
    expect(cpuQuotaUs(5)).to.equal(1_000); // the kernel's minimum
    expect(cpuShares(0)).to.equal(2);
    expect(cpuShares(1)).to.equal(2);
    expect(cpuShares(100)).to.equal(102);
    expect(cpuShares(1000)).to.equal(1024);
    expect(cpuShares(1_000_000)).to.equal(262_144);
    expect(cpuWeight(2)).to.equal(1);
    expect(cpuWeight(1024)).to.equal(39);
    expect(cpuWeight(262_144)).to.equal(10_000);
  });

  it('writes for v2 and v1', () => {
    const limits = { memoryLimitBytes: 32 * MiB, cpuLimitMillis: 200, cpuRequestMillis: 100 };
    expect(v2LimitWrites(limits, true)).to.deep.equal([
      { file: 'memory.max', value: '33554432' },
      { file: 'memory.swap.max', value: '0', optional: true },
      { file: 'memory.oom.group', value: '1', optional: true },
      { file: 'cpu.max', value: '20000 100000' },
      { file: 'cpu.weight', value: '4' },
    ]);
    expect(v2LimitWrites({ ...limits, memoryLimitBytes: 0 }, false)).to.deep.equal([]);
    expect(v1MemoryWrites(limits)).to.deep.equal([
      { file: 'memory.limit_in_bytes', value: '33554432' },
      { file: 'memory.memsw.limit_in_bytes', value: '33554432', optional: true },
    ]);
    expect(v1CpuWrites(limits)).to.deep.equal([
      { file: 'cpu.cfs_period_us', value: '100000' },
      { file: 'cpu.cfs_quota_us', value: '20000' },
      { file: 'cpu.shares', value: '102' },
    ]);
    expect(v1CpuWrites({ ...limits, cpuLimitMillis: 0, cpuRequestMillis: 0 })).to.deep.equal([]);
  });

  it('counts OOM kills: v2 memory.events, v1 memory.oom_control, else failcnt', () => {
    expect(oomKills('v2', { events: 'low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\n' })).to.equal(2);
    expect(oomKills('v2', {})).to.equal(0);
    expect(
      oomKills('v1', { oomControl: 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n', failcnt: '40\n' }),
    ).to.equal(1);
    expect(oomKills('v1', { oomControl: 'oom_kill_disable 0\nunder_oom 0\n', failcnt: '40\n' })).to.equal(1);
    expect(oomKills('v1', { oomControl: 'oom_kill_disable 0\nunder_oom 0\n', failcnt: '0\n' })).to.equal(0);
  });
});
