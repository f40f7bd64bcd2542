import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { NodeInfo__Output } from '../../../src/generated/vkcmd/runner/v1/NodeInfo.js';
import type { PodSpec } from '../../../src/generated/vkcmd/runner/v1/PodSpec.js';
import { parseProcStat } from '../../../src/runner/process/process-table.js';
import {
  eventually,
  isRunning,
  isTerminated,
  RunnerHarness,
  scriptPod,
  status,
  terminated,
  unary,
} from './support/runner-harness.js';
import { removeCgroupTree } from './support/cgroup-v1-parents.js';

/**
 * Limits enforced for real. This host mounts cgroup v1 (memory, cpu, ...)
 * and an empty cgroup2; tests run as root, which makes a v1 subtree
 * writable for an unprivileged user (mkdir + chown), as an administrator
 * would, and runs the runner as that user. The v2 path is covered by unit
 * tests over fixture trees (test/unit/runner/host/).
 */
const NOBODY = { uid: 65534, gid: 65534 };
const MiB = 2 ** 20;

function withLimits(spec: PodSpec, limits: { memoryLimitBytes?: number; cpuLimitMillis?: number }): PodSpec {
  return { ...spec, containers: spec.containers!.map((c) => ({ ...c, ...limits })) };
}

/** CPU seconds (user + system) of a process and its waited-for children. */
function cpuSeconds(pid: number): number {
  const e = parseProcStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'))!;
  return (e.utimeTicks + e.stimeTicks + e.cutimeTicks + e.cstimeTicks) / 100;
}

describe('runner limits on cgroup v1, runner unprivileged', function () {
  this.timeout(60_000);
  const name = `vk-cmd-it-${process.pid}`;
  const memoryParent = `/sys/fs/cgroup/memory/${name}`;
  const cpuParent = `/sys/fs/cgroup/cpu/${name}`;
  let h: RunnerHarness;

  before(async () => {
    for (const dir of [memoryParent, cpuParent]) {
      mkdirSync(dir);
      spawnSync('chown', [`${NOBODY.uid}:${NOBODY.gid}`, dir]);
    }
    h = new RunnerHarness(['--cgroups', 'v1', '--cgroup-parent', `/${name}`], NOBODY);
    await h.startProcess();
  });

  after(async () => {
    await h.close();
    for (const dir of [memoryParent, cpuParent]) removeCgroupTree(dir);
  });

  it('reports cgroup v1 enforcement of memory and CPU limits in GetNodeInfo', async () => {
    const info = await unary<object, NodeInfo__Output>(h.client, 'GetNodeInfo', {});
    expect(info).to.include({
      cgroupMode: 'v1',
      memoryLimitEnforcement: 'cgroup',
      cpuLimitEnforcement: 'cgroup',
      cgroupRoot: path.join(memoryParent, 'vk-cmd'),
    });
  });

  it('a container past its 32Mi memory limit is killed by the kernel: OOMKilled, exit code 137', async () => {
    const w = h.watch();
    const spec = withLimits(scriptPod('oom', 'head -c 100M /dev/zero | tail\n'), {
      memoryLimitBytes: 32 * MiB,
    });
    await h.create(spec);
    const pod = await w.waitForPod(spec.uid!, isTerminated('c1'), 30_000, 'OOMKilled');
    const t = terminated(pod, 'c1');
    expect(t).to.include({ reason: 'OOMKilled', exitCode: 137 });
    // The kernel may kill more than one process of the group (a pipeline's other end, the wrapper).
    expect(t.message).to.match(
      /^memory limit 32Mi reached: the kernel's OOM killer killed (a process|[2-9] processes) of container c1$/,
    );
    // The run's cgroup is gone once it ended; the pod's own directory goes with the pod.
    expect(existsSync(path.join(memoryParent, 'vk-cmd', spec.uid!, 'c1'))).to.equal(false);
    await unary(h.client, 'DeletePod', { uid: spec.uid, gracePeriodSeconds: 2 });
    await w.waitForDeleted(spec.uid!);
    expect(existsSync(path.join(memoryParent, 'vk-cmd', spec.uid!))).to.equal(false);
  });

  it('a busy loop limited to 200m gets about 0.2 of a core', async () => {
    const w = h.watch();
    const spec = withLimits(scriptPod('busy', 'while :; do :; done\n'), { cpuLimitMillis: 200 });
    await h.create(spec);
    const pod = await w.waitForPod(spec.uid!, isRunning('c1'));
    const pgid = status(pod, 'c1').pgid;
    // The wrapper's child (bash running the loop) is the one burning CPU.
    const busyPid = await eventually(
      () => {
        const children = readFileSync(`/proc/${pgid}/task/${pgid}/children`, 'utf8').trim().split(/\s+/);
        return children[0] ? Number(children[0]) : undefined;
      },
      5_000,
      'the loop process',
    );
    const cgroupProcs = readFileSync(path.join(cpuParent, 'vk-cmd', spec.uid!, 'c1', 'cgroup.procs'), 'utf8');
    expect(cgroupProcs.split('\n')).to.include(String(busyPid));
    const before = cpuSeconds(busyPid);
    const startedMs = Date.now();
    await new Promise((r) => setTimeout(r, 3_000));
    const cores = (cpuSeconds(busyPid) - before) / ((Date.now() - startedMs) / 1000);
    expect(cores).to.be.within(0.05, 0.35);
    await unary(h.client, 'DeletePod', { uid: spec.uid, gracePeriodSeconds: 2 });
    await w.waitForDeleted(spec.uid!);
    expect(existsSync(path.join(cpuParent, 'vk-cmd', spec.uid!))).to.equal(false);
  });

  it('a new runner removes the cgroups of pods it does not hold', async () => {
    const leftover = path.join(memoryParent, 'vk-cmd', 'uid-gone', 'c1');
    // As an earlier runner (the same user) would have left it.
    spawnSync('mkdir', ['-p', leftover], NOBODY);
    await h.killProcess('SIGKILL');
    await h.startProcess();
    expect(existsSync(path.dirname(leftover))).to.equal(false);
    expect(statSync(path.join(memoryParent, 'vk-cmd')).isDirectory()).to.equal(true);
  });
});

describe('runner memory watchdog (--cgroups=none)', function () {
  this.timeout(60_000);
  let h: RunnerHarness;

  before(async () => {
    h = new RunnerHarness(['--cgroups', 'none']);
    await h.startInProcess();
  });

  after(() => h.close());

  it('reports watchdog enforcement and no CPU enforcement in GetNodeInfo', async () => {
    const info = await unary<object, NodeInfo__Output>(h.client, 'GetNodeInfo', {});
    expect(info).to.include({
      cgroupMode: 'none',
      memoryLimitEnforcement: 'watchdog',
      cpuLimitEnforcement: 'none',
      cgroupRoot: '',
    });
    expect(info.cgroupNote).to.match(/--cgroups=none/);
  });

  it('kills a container past its memory limit: OOMKilled, exit code 137, naming the limit and the usage', async () => {
    const w = h.watch();
    // A 64 MiB string held by bash while it sleeps.
    const script = 'x=$(head -c 64M /dev/zero | tr "\\0" a)\necho allocated\nsleep 60\n';
    const spec = withLimits(scriptPod('hog', script), { memoryLimitBytes: 32 * MiB });
    const startedMs = Date.now();
    await h.create(spec);
    const pod = await w.waitForPod(spec.uid!, isTerminated('c1'), 30_000, 'killed by the watchdog');
    const t = terminated(pod, 'c1');
    expect(t).to.include({ reason: 'OOMKilled', exitCode: 137 });
    expect(t.message).to.match(
      /^memory limit 32Mi exceeded: working set \d+(\.\d)?Mi; the runner's memory watchdog killed container c1$/,
    );
    expect(Date.now() - startedMs).to.be.below(20_000);
  });

  it('leaves a container within its memory limit alone', async () => {
    const w = h.watch();
    const spec = withLimits(scriptPod('small', 'sleep 2\n'), { memoryLimitBytes: 64 * MiB });
    await h.create(spec);
    const pod = await w.waitForPod(spec.uid!, isTerminated('c1'), 20_000);
    expect(terminated(pod, 'c1')).to.include({ reason: 'Completed', exitCode: 0 });
  });
});
