import { expect } from 'chai';
import {
  cacheable,
  IDENTITY_CACHE_MIN_AGE_TICKS,
  IdentityCache,
} from '../../../../src/runner/process/identity-cache.js';
import type { PodIdentity } from '../../../../src/runner/process/process-table.js';
import { proc } from '../support/fake-world.js';

const SELF = 7;
const NOW = 1_000_000;

describe('identity-cache: pod identities kept across sweeps', () => {
  describe('cacheable', () => {
    const old = NOW - IDENTITY_CACHE_MIN_AGE_TICKS;
    const cases: [string, Parameters<typeof cacheable>[0], boolean][] = [
      ['an old process of another parent', proc(10, 10, { ppid: 1, startTicks: old }), true],
      ['a process younger than the minimum age', proc(10, 10, { ppid: 1, startTicks: old + 1 }), false],
      [
        "the runner's own child (may not have exec'd yet)",
        proc(10, 10, { ppid: SELF, startTicks: 0 }),
        false,
      ],
    ];
    for (const [name, entry, want] of cases) {
      it(`${name}: ${want}`, () => expect(cacheable(entry, NOW, SELF)).to.equal(want));
    }
  });

  it('reads an old process once, a reused pid again, young processes every time, and forgets pids a sweep skipped', () => {
    const reads: number[] = [];
    const ids = new Map<number, PodIdentity>([[20, { uid: 'u', podDir: '/d' }]]);
    const cache = new IdentityCache(
      (pid) => {
        reads.push(pid);
        return ids.get(pid);
      },
      () => NOW,
      SELF,
    );
    const host = proc(10, 10, { ppid: 1, startTicks: 5 });
    const stray = proc(20, 20, { ppid: 1, startTicks: 6 });
    const young = proc(30, 30, { ppid: 1, startTicks: NOW - 1 });
    const sweep = (...entries: (typeof host)[]) => {
      cache.beginSweep();
      const out = entries.map((e) => cache.lookup(e));
      cache.endSweep();
      return out;
    };
    expect(sweep(host, stray, young)).to.deep.equal([undefined, { uid: 'u', podDir: '/d' }, undefined]);
    expect(sweep(host, stray, young)).to.deep.equal([undefined, { uid: 'u', podDir: '/d' }, undefined]);
    expect(reads).to.deep.equal([10, 20, 30, 30]);
    // pid 10 reused by a new process: read again.
    sweep({ ...host, startTicks: 8 });
    expect(reads.slice(4)).to.deep.equal([10]);
    // pid 20 was not looked up by the last sweep: forgotten, read again.
    expect(cache.size).to.equal(1);
    sweep(stray);
    expect(reads.slice(5)).to.deep.equal([20]);
    expect(cache.reads).to.equal(6);
  });
});
