import { expect } from 'chai';
import { BURNER_SCRIPT, defaultBurnerCount } from '../../../bench/burners.js';
import { AHEAD_NICE, NORMAL_NICE, Priorities, type NiceControl } from '../../../bench/priority.js';

/** A NiceControl over a table, refusing to raise priority unless `root`. */
function fakeControl(root: boolean, nice = new Map<number, number>()): NiceControl {
  return {
    set(pid, value) {
      if (!nice.has(pid)) throw Object.assign(new Error('no such process'), { code: 'ESRCH' });
      if (value < nice.get(pid)! && !root)
        throw Object.assign(new Error('permission denied'), { code: 'EACCES' });
      nice.set(pid, value);
    },
    read(pid) {
      return [nice.get(pid) ?? Number.NaN];
    },
  };
}

describe('bench priorities', () => {
  it('as root: the benchmark and control plane ahead, vk-cmd at normal priority, and says so', () => {
    const nice = new Map([
      [process.pid, 0],
      [100, 0],
      [200, -10],
      [301, -10],
      [302, -10],
    ]);
    const p = new Priorities(fakeControl(true, nice));
    p.raiseSelf();
    expect(p.raised).to.equal(true);
    expect(p.set('kube-apiserver', 100, AHEAD_NICE)).to.equal(true);
    expect(p.set('runner', 200, NORMAL_NICE)).to.equal(true);
    expect(nice.get(process.pid)).to.equal(-10);
    expect(nice.get(100)).to.equal(-10);
    expect(nice.get(200)).to.equal(0);
    expect(p.applied).to.deep.equal({ benchmark: -10, 'kube-apiserver': -10, runner: 0 });
    expect(p.problems).to.deep.equal([]);
    p.set('burner 1', 301, NORMAL_NICE);
    p.set('burner 2', 302, NORMAL_NICE);
    expect(p.summary()).to.equal(
      'Priorities (nice -10: benchmark, kube-apiserver; nice 0: runner, 2 CPU burners): in production ' +
        'the control plane runs on other hosts and only vk-cmd shares the login node.',
    );
  });

  it('without the right to renice: records why, carries on, and says the layout is not production', () => {
    const nice = new Map([
      [process.pid, 0],
      [100, 0],
    ]);
    const p = new Priorities(fakeControl(false, nice));
    p.raiseSelf();
    expect(p.raised).to.equal(false);
    expect(p.set('etcd', 100, AHEAD_NICE)).to.equal(false);
    expect(p.set('kubelet', undefined, NORMAL_NICE)).to.equal(false);
    expect(p.problems).to.deep.equal([
      'benchmark: could not set nice -10 (EACCES)',
      'etcd: could not set nice -10 (EACCES)',
      'kubelet: no process id, left as it was',
    ]);
    expect(p.summary()).to.match(
      /^Priorities: NOT the production layout; benchmark: could not set nice -10 \(EACCES\)/,
    );
    expect(p.niceOf(100)).to.equal(0);
    expect(p.niceOf(undefined)).to.be.NaN;
  });

  it('burners: twice the CPUs by default, and a loop that ends when the benchmark is gone', () => {
    expect(defaultBurnerCount(2)).to.equal(4);
    expect(defaultBurnerCount(16)).to.equal(32);
    expect(BURNER_SCRIPT).to.match(/^p=\$PPID; while kill -0 "\$p"/);
  });
});
