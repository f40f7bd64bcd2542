import { expect } from 'chai';
import {
  cgroupDir,
  detectCgroups,
  parseCgroupMounts,
  parseProcCgroup,
  type CgroupPlan,
  type CgroupsSetting,
} from '../../../../src/runner/host/cgroups-detect.js';
import { fixtureView, HYBRID_MOUNTS, V1_MOUNTS, V2_MOUNT, type FixtureTree } from './cgroup-fixtures.js';

const USER_SCOPE = '/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/run-r1.scope';
const SESSION = '/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope';
const SLURM_USER = '/sys/fs/cgroup/system.slice/slurmstepd.scope/job_42/step_0/user';

const trees: Record<string, FixtureTree> = {
  // systemd-run --user --scope -p Delegate=yes: the runner's own scope is the user's.
  'v2-delegated': {
    files: {
      '/proc/self/mountinfo': V2_MOUNT,
      '/proc/self/cgroup': '0::/user.slice/user-1000.slice/user@1000.service/app.slice/run-r1.scope\n',
      [`${USER_SCOPE}/cgroup.controllers`]: 'cpu memory pids\n',
      [`${USER_SCOPE}/cgroup.subtree_control`]: '\n',
      [`${USER_SCOPE}/cgroup.procs`]: '1234\n1240\n',
    },
    writable: [USER_SCOPE, `${USER_SCOPE}/cgroup.procs`, `${USER_SCOPE}/cgroup.subtree_control`],
  },
  // A login session's scope belongs to root: nothing to write.
  'v2-not-delegated': {
    files: {
      '/proc/self/mountinfo': V2_MOUNT,
      '/proc/self/cgroup': '0::/user.slice/user-1000.slice/session-3.scope\n',
      [`${SESSION}/cgroup.controllers`]: 'cpu memory pids\n',
      [`${SESSION}/cgroup.procs`]: '1234\n',
      '/sys/fs/cgroup/user.slice/user-1000.slice/cgroup.controllers': 'cpu memory pids\n',
      '/sys/fs/cgroup/user.slice/cgroup.controllers': 'cpu memory pids\n',
      '/sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io memory pids\n',
    },
  },
  // Slurm's cgroup/v2 plugin hands the job's user/ directory to the user; tasks live below it.
  'v2-slurm': {
    files: {
      '/proc/self/mountinfo': V2_MOUNT,
      '/proc/self/cgroup': '0::/system.slice/slurmstepd.scope/job_42/step_0/user/task_0\n',
      [`${SLURM_USER}/task_0/cgroup.controllers`]: 'memory pids\n',
      [`${SLURM_USER}/task_0/cgroup.procs`]: '777\n',
      [`${SLURM_USER}/cgroup.controllers`]: 'cpuset cpu memory pids\n',
      [`${SLURM_USER}/cgroup.subtree_control`]: 'memory pids\n',
      [`${SLURM_USER}/cgroup.procs`]: '',
    },
    writable: [SLURM_USER, `${SLURM_USER}/cgroup.procs`, `${SLURM_USER}/cgroup.subtree_control`],
  },
  'v1-writable': {
    files: {
      '/proc/self/mountinfo': V1_MOUNTS,
      '/proc/self/cgroup': '4:memory:/users/alice\n3:cpu,cpuacct:/users/alice\n0::/\n',
    },
    dirs: ['/sys/fs/cgroup/memory/users/alice', '/sys/fs/cgroup/cpu,cpuacct/users/alice'],
    writable: ['/sys/fs/cgroup/memory/users/alice', '/sys/fs/cgroup/cpu,cpuacct/users/alice'],
  },
  'v1-read-only': {
    files: { '/proc/self/mountinfo': V1_MOUNTS, '/proc/self/cgroup': '4:memory:/\n3:cpu,cpuacct:/\n' },
    dirs: ['/sys/fs/cgroup/memory', '/sys/fs/cgroup/cpu,cpuacct'],
  },
  // This project's test host: v1 controllers, an empty cgroup2, a writable memory cgroup only.
  hybrid: {
    files: {
      '/proc/self/mountinfo': HYBRID_MOUNTS,
      '/proc/self/cgroup': '8:pids:/\n4:memory:/jobs/7\n2:cpuacct:/\n1:cpu:/\n0::/\n',
      '/sys/fs/cgroup/unified/cgroup.controllers': '\n',
      '/sys/fs/cgroup/unified/cgroup.procs': '1\n',
    },
    dirs: ['/sys/fs/cgroup/memory/jobs/7', '/sys/fs/cgroup/cpu'],
    writable: ['/sys/fs/cgroup/memory/jobs/7', '/sys/fs/cgroup/unified/cgroup.procs'],
  },
};

const cases: Array<{ tree: string; setting?: CgroupsSetting; parent?: string; want: CgroupPlan | RegExp }> = [
  {
    tree: 'v2-delegated',
    want: { mode: 'v2', parentDir: USER_SCOPE, cpu: true, enable: ['memory', 'cpu'], moveProcesses: true },
  },
  {
    tree: 'v2-delegated',
    setting: 'v2',
    want: { mode: 'v2', parentDir: USER_SCOPE, cpu: true, enable: ['memory', 'cpu'], moveProcesses: true },
  },
  { tree: 'v2-delegated', setting: 'v1', want: /no cgroup v1 memory hierarchy/ },
  { tree: 'v2-delegated', setting: 'none', want: /turned off \(--cgroups=none\)/ },
  {
    tree: 'v2-not-delegated',
    want: /no writable cgroup: .*not writable by this user \(not delegated\); no cgroup v1 memory hierarchy/,
  },
  {
    tree: 'v2-slurm',
    want: { mode: 'v2', parentDir: SLURM_USER, cpu: true, enable: ['cpu'], moveProcesses: false },
  },
  {
    tree: 'v1-writable',
    want: {
      mode: 'v1',
      parentDir: '/sys/fs/cgroup/memory/users/alice',
      cpuParentDir: '/sys/fs/cgroup/cpu,cpuacct/users/alice',
    },
  },
  { tree: 'v1-writable', setting: 'v2', want: /no cgroup2 mount/ },
  { tree: 'v1-read-only', want: /the cgroup v1 memory hierarchy has no cgroup writable by this user/ },
  {
    tree: 'hybrid',
    want: { mode: 'v1', parentDir: '/sys/fs/cgroup/memory/jobs/7', cpuParentDir: undefined },
  },
  {
    tree: 'hybrid',
    setting: 'v2',
    want: /\/sys\/fs\/cgroup\/unified does not offer the memory controller \(cgroup.controllers: none\)/,
  },
  // --cgroup-parent names the cgroup in every hierarchy.
  {
    tree: 'hybrid',
    parent: '/jobs/7',
    want: { mode: 'v1', parentDir: '/sys/fs/cgroup/memory/jobs/7', cpuParentDir: undefined },
  },
  { tree: 'hybrid', parent: '/elsewhere', want: /no cgroup writable/ },
];

describe('cgroup detection over fixture trees', () => {
  for (const c of cases) {
    const label = `${c.tree}${c.setting ? ` --cgroups=${c.setting}` : ''}${c.parent ? ` --cgroup-parent=${c.parent}` : ''}`;
    it(`${label} -> ${c.want instanceof RegExp ? `none (${c.want.source})` : c.want.mode}`, () => {
      const plan = detectCgroups(fixtureView(trees[c.tree]!), c.setting ?? 'auto', c.parent);
      if (c.want instanceof RegExp) {
        expect(plan.mode).to.equal('none');
        expect(plan.mode === 'none' && plan.note).to.match(c.want);
      } else {
        expect(plan).to.deep.equal(c.want);
      }
    });
  }

  it('parses cgroup mounts, escaped mount points included', () => {
    const mounts = parseCgroupMounts(
      `${HYBRID_MOUNTS}40 25 0:30 /sub /mnt/with\\040space rw - cgroup cgroup rw,memory\n`,
    );
    expect(mounts.map((m) => [m.mountPoint, m.version, m.controllers.join(',')])).to.deep.equal([
      ['/sys/fs/cgroup/cpu', 1, 'cpu'],
      ['/sys/fs/cgroup/cpuacct', 1, 'cpuacct'],
      ['/sys/fs/cgroup/memory', 1, 'memory'],
      ['/sys/fs/cgroup/pids', 1, 'pids'],
      ['/sys/fs/cgroup/unified', 2, ''],
      ['/mnt/with space', 1, 'memory'],
    ]);
  });

  it('reads /proc/self/cgroup by controller, v2 under ""', () => {
    const own = parseProcCgroup('9:name=systemd:/\n3:cpu,cpuacct:/a\n4:memory:/b\n0::/c\n');
    expect([...own]).to.deep.equal([
      ['name=systemd', '/'],
      ['cpu', '/a'],
      ['cpuacct', '/a'],
      ['memory', '/b'],
      ['', '/c'],
    ]);
  });

  it('maps a cgroup path to its directory through the mount root', () => {
    const mount = {
      root: '/job',
      mountPoint: '/sys/fs/cgroup/memory',
      version: 1 as const,
      controllers: ['memory'],
    };
    expect(cgroupDir(mount, '/job/task')).to.equal('/sys/fs/cgroup/memory/task');
    expect(cgroupDir(mount, '/job')).to.equal('/sys/fs/cgroup/memory');
    expect(cgroupDir(mount, '/other')).to.equal(undefined);
  });
});
