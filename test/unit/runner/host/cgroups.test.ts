import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { CgroupFs } from '../../../../src/runner/host/cgroup-fs.js';
import { CgroupLimiter } from '../../../../src/runner/host/cgroups.js';
import { V2_MOUNT } from './cgroup-fixtures.js';

const silent = pino({ level: 'silent' });
const MiB = 2 ** 20;

/** A fixture tree on disk; plain directories stand in for cgroups, so rmdir must take their files along. */
class FixtureFs extends CgroupFs {
  override rmdir(dir: string): boolean {
    rmSync(path.join(this.prefix, dir), { recursive: true, force: true });
    return true;
  }
}

describe('CgroupLimiter on a delegated cgroup v2 subtree (fixture tree)', () => {
  const scope = '/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/run-r1.scope';
  let root: string;
  let fs: FixtureFs;
  const at = (p: string) => path.join(root, p);
  const read = (p: string) => readFileSync(at(p), 'utf8');

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-cgroup-v2-'));
    fs = new FixtureFs(root);
    mkdirSync(at('/proc/self'), { recursive: true });
    writeFileSync(at('/proc/self/mountinfo'), V2_MOUNT);
    writeFileSync(at('/proc/self/cgroup'), `0::${scope.slice('/sys/fs/cgroup'.length)}\n`);
    mkdirSync(at(scope), { recursive: true });
    writeFileSync(at(`${scope}/cgroup.controllers`), 'cpu memory pids\n');
    writeFileSync(at(`${scope}/cgroup.subtree_control`), '');
    writeFileSync(at(`${scope}/cgroup.procs`), '1234\n');
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reports v2 enforcement and writes nothing until a container with limits starts', () => {
    const limiter = CgroupLimiter.detect('auto', undefined, silent, fs);
    expect(limiter.enforcement).to.deep.equal({
      cgroupMode: 'v2',
      memory: 'cgroup',
      cpu: 'cgroup',
      root: `${scope}/vk-cmd`,
      note: '',
    });
    expect(existsSync(at(`${scope}/vk-cmd`))).to.equal(false);
  });

  it("moves the scope's processes into a leaf, enables memory and cpu, writes the limits, reads OOM kills", () => {
    const limiter = CgroupLimiter.detect('auto', undefined, silent, fs);
    const run = limiter.prepare('u1', 'c1', {
      memoryLimitBytes: 32 * MiB,
      cpuLimitMillis: 200,
      cpuRequestMillis: 0,
    });
    expect(run).to.deep.equal({ procsFiles: [`${scope}/vk-cmd/u1/c1/cgroup.procs`] });
    expect(read(`${scope}/vk-cmd-runner/cgroup.procs`)).to.equal('1234');
    for (const dir of [scope, `${scope}/vk-cmd`, `${scope}/vk-cmd/u1`]) {
      expect(read(`${dir}/cgroup.subtree_control`), dir).to.equal('+memory +cpu');
    }
    const c1 = `${scope}/vk-cmd/u1/c1`;
    expect(read(`${c1}/memory.max`)).to.equal('33554432');
    expect(read(`${c1}/memory.oom.group`)).to.equal('1');
    expect(read(`${c1}/cpu.max`)).to.equal('20000 100000');
    writeFileSync(at(`${c1}/memory.events`), 'oom 1\noom_kill 1\n');
    expect(limiter.finish('u1', 'c1')).to.deep.equal({ oomKills: 1 });
    expect(existsSync(at(c1))).to.equal(false);
    limiter.removePod('u1');
    expect(existsSync(at(`${scope}/vk-cmd/u1`))).to.equal(false);
  });

  it('counts only the kills of the current run in a cgroup that was kept', () => {
    const limiter = CgroupLimiter.detect('auto', undefined, silent, fs);
    const limits = { memoryLimitBytes: 32 * MiB, cpuLimitMillis: 0, cpuRequestMillis: 0 };
    mkdirSync(at(`${scope}/vk-cmd/u1/c1`), { recursive: true });
    writeFileSync(at(`${scope}/vk-cmd/u1/c1/memory.events`), 'oom_kill 3\n');
    limiter.prepare('u1', 'c1', limits);
    expect(limiter.finish('u1', 'c1')).to.deep.equal({ oomKills: 0 });
  });

  it('sweeps the cgroups of pods it does not hold', () => {
    const limiter = CgroupLimiter.detect('auto', undefined, silent, fs);
    for (const uid of ['kept', 'gone']) mkdirSync(at(`${scope}/vk-cmd/${uid}/c1`), { recursive: true });
    limiter.sweep(new Set(['kept']));
    expect(existsSync(at(`${scope}/vk-cmd/kept/c1`))).to.equal(true);
    expect(existsSync(at(`${scope}/vk-cmd/gone`))).to.equal(false);
  });

  it("names the cgroup.procs of a container's cgroup while it exists, for its probes and hooks", () => {
    const limiter = CgroupLimiter.detect('auto', undefined, silent, fs);
    expect(limiter.procsFilesOf('u1', 'c1')).to.deep.equal([]);
    limiter.prepare('u1', 'c1', { memoryLimitBytes: 32 * MiB, cpuLimitMillis: 0, cpuRequestMillis: 0 });
    expect(limiter.procsFilesOf('u1', 'c1')).to.deep.equal([`${scope}/vk-cmd/u1/c1/cgroup.procs`]);
    limiter.finish('u1', 'c1');
    expect(limiter.procsFilesOf('u1', 'c1')).to.deep.equal([]);
    expect(CgroupLimiter.detect('none', undefined, silent, fs).procsFilesOf('u1', 'c1')).to.deep.equal([]);
  });

  it('without cgroups prepares nothing: the watchdog enforces memory', () => {
    const limiter = CgroupLimiter.detect('none', undefined, silent, fs);
    expect(
      limiter.prepare('u1', 'c1', { memoryLimitBytes: MiB, cpuLimitMillis: 100, cpuRequestMillis: 0 }),
    ).to.equal(undefined);
    expect(limiter.enforcement).to.include({ cgroupMode: 'none', memory: 'watchdog', cpu: 'none' });
  });
});
