import { expect } from 'chai';
import { outcomeOfGroupEnd } from '../../../../src/runner/pods/container-status.js';
import { PodRuntime } from '../../../../src/runner/pods/pod-runtime.js';
import { formatBytes, oomKillOf } from '../../../../src/runner/pods/run-limits.js';
import type { ContainerLimiter } from '../../../../src/runner/process/container-limiter.js';
import { flush } from '../support/fake-clock.js';
import { FakeWorld, record } from '../support/fake-world.js';

const MiB = 2 ** 20;
const limits = { memoryLimitBytes: 32 * MiB, cpuLimitMillis: 0, cpuRequestMillis: 0 };

describe('run limits: messages and outcomes', () => {
  it('formats bytes as Kubernetes writes memory', () => {
    expect(formatBytes(32 * MiB)).to.equal('32Mi');
    expect(formatBytes(2 ** 30)).to.equal('1Gi');
    expect(formatBytes(41.26 * MiB)).to.equal('41.3Mi');
    expect(formatBytes(1536)).to.equal('1.5Ki');
    expect(formatBytes(100)).to.equal('100');
  });

  it('names the limit and the usage of a watchdog kill, the limit and the kills of a kernel one', () => {
    expect(
      oomKillOf({ name: 'c1', limits, memoryKill: { limitBytes: 32 * MiB, usageBytes: 40 * MiB } }, 0),
    ).to.deep.equal({
      message:
        "memory limit 32Mi exceeded: working set 40Mi; the runner's memory watchdog killed container c1",
    });
    expect(oomKillOf({ name: 'c1', limits }, 2)).to.deep.equal({
      message: "memory limit 32Mi reached: the kernel's OOM killer killed 2 processes of container c1",
    });
    expect(oomKillOf({ name: 'c1', limits }, 0)).to.equal(undefined);
  });

  it('a wrapper that could not join its cgroup is a cmdStartError, an exit 128 of the command is not', () => {
    const end = { pgid: 5, leaderExit: { code: 128, signal: null }, scanError: undefined };
    const read = (exitCode: number | undefined) => ({
      exitCodeFile: () => exitCode,
      stderr: () => ({ sizeBytes: 0 }),
    });
    expect(outcomeOfGroupEnd(end, undefined, read(undefined), true)).to.include({
      kind: 'setupFailed',
      reason: 'cmdStartError',
    });
    expect(outcomeOfGroupEnd(end, undefined, read(128), true)).to.include({ kind: 'exited', exitCode: 128 });
    expect(outcomeOfGroupEnd(end, undefined, read(undefined), false)).to.include({
      kind: 'exited',
      exitCode: 128,
    });
  });
});

describe('pod-runtime with limits (fake processes)', () => {
  it('watchdog mode: a run past its memory limit is SIGKILLed and reported OOMKilled, 137; the next run is watched again', async () => {
    const w = new FakeWorld();
    const pod = new PodRuntime(record([{ name: 'c1', limits }], 'Always'), w.deps());
    pod.advance();
    const c = pod.record.containers[0]!;
    const watched = w.watched.get(c.pgid)!;
    expect(watched.limitBytes).to.equal(32 * MiB);
    watched.onExceeded(40 * MiB);
    expect(w.signals).to.deep.equal([`SIGKILL->${c.pgid}`]);
    expect(c.memoryKill).to.deep.equal({ limitBytes: 32 * MiB, usageBytes: 40 * MiB });
    w.exit(c.pgid, null, 'SIGKILL');
    await flush();
    const last = c.lastState?.state === 'terminated' ? c.lastState.terminated : undefined;
    expect(last).to.include({ exitCode: 137, reason: 'OOMKilled' });
    expect(last?.message).to.match(/^memory limit 32Mi exceeded: working set 40Mi/);
    expect(w.watched.size).to.equal(0);
    await w.clock.advance(10_000);
    expect(c.state.state).to.equal('running');
    expect(c.memoryKill).to.equal(undefined);
    expect(w.watched.has(c.pgid)).to.equal(true);
  });

  it('cgroup mode: the run joins the cgroup the limiter made; a kernel OOM kill ending in 137 is OOMKilled', async () => {
    const w = new FakeWorld();
    const calls: string[] = [];
    const limiter: ContainerLimiter = {
      enforcement: { cgroupMode: 'v1', memory: 'cgroup', cpu: 'cgroup', root: '/cg/vk-cmd', note: '' },
      prepare: (uid, name) => {
        calls.push(`prepare ${uid}/${name}`);
        return { procsFiles: [`/cg/vk-cmd/${uid}/${name}/cgroup.procs`] };
      },
      finish: (uid, name) => {
        calls.push(`finish ${uid}/${name}`);
        return { oomKills: 1 };
      },
      removePod: (uid) => calls.push(`removePod ${uid}`),
      sweep: () => undefined,
    };
    w.limiter = limiter;
    const cgroups: unknown[] = [];
    const deps = w.deps();
    const launch = deps.launch;
    deps.launch = (plan, dir, token, cgroup) => {
      cgroups.push(cgroup);
      return launch(plan, dir, token, cgroup);
    };
    const pod = new PodRuntime(record([{ name: 'c1', limits }]), deps);
    pod.advance();
    const c = pod.record.containers[0]!;
    expect(cgroups).to.deep.equal([{ procsFiles: ['/cg/vk-cmd/u1/c1/cgroup.procs'] }]);
    expect(c.cgroupJoined).to.equal(true);
    expect(w.watched.size, 'no watchdog where the kernel enforces').to.equal(0);
    w.exit(c.pgid, 137);
    await flush();
    expect(c.state.state === 'terminated' && c.state.terminated).to.include({
      exitCode: 137,
      reason: 'OOMKilled',
    });
    expect(calls).to.deep.equal(['prepare u1/c1', 'finish u1/c1']);
  });

  it('a cgroup that cannot be made fails the start (cmdStartError) instead of running unlimited', async () => {
    const w = new FakeWorld();
    w.limiter = {
      enforcement: { cgroupMode: 'v2', memory: 'cgroup', cpu: 'cgroup', root: '/cg', note: '' },
      prepare: () => {
        throw new Error("cannot set up the container's cgroup: memory.max: EACCES");
      },
      finish: () => ({ oomKills: 0 }),
      removePod: () => undefined,
      sweep: () => undefined,
    };
    const pod = new PodRuntime(record([{ name: 'c1', limits }]), w.deps());
    pod.advance();
    const c = pod.record.containers[0]!;
    expect(w.launches).to.deep.equal([]);
    expect(c.state.state === 'terminated' && c.state.terminated).to.include({
      reason: 'cmdStartError',
      message: "cmdStartError: cannot set up the container's cgroup: memory.max: EACCES",
    });
  });

  it("a deleted pod's cgroups are removed only when one of its containers had limits (none was made otherwise)", async () => {
    for (const withLimits of [false, true]) {
      const w = new FakeWorld();
      const removed: string[] = [];
      w.limiter = {
        enforcement: { cgroupMode: 'v2', memory: 'cgroup', cpu: 'cgroup', root: '/cg', note: '' },
        prepare: (uid, name) => ({ procsFiles: [`/cg/${uid}/${name}/cgroup.procs`] }),
        finish: () => ({ oomKills: 0 }),
        removePod: (uid) => removed.push(uid),
        sweep: () => undefined,
      };
      const pod = new PodRuntime(
        record([{ name: 'a' }, withLimits ? { name: 'b', limits } : { name: 'b' }]),
        w.deps(),
      );
      w.pods.push(pod);
      pod.advance();
      for (const c of pod.record.containers) w.exit(c.pgid, 0);
      await flush();
      pod.delete(2);
      await w.clock.advance(10);
      expect(w.finished, `deleted (limits: ${withLimits})`).to.deep.equal(['u1']);
      expect(removed, `limits: ${withLimits}`).to.deep.equal(withLimits ? ['u1'] : []);
    }
  });
});
