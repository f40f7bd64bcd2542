import { expect } from 'chai';
import { ProbeTimers } from '../../../../src/runner/probes/probe-timers.js';
import { FakeClock } from '../support/fake-clock.js';

describe('probe timers: one clock timer for every probe', () => {
  it('runs callbacks in deadline order on a single armed timer', async () => {
    const clock = new FakeClock();
    const timers = new ProbeTimers(clock);
    const ran: string[] = [];
    timers.at(clock.now + 300, () => ran.push('c'));
    timers.at(clock.now + 100, () => ran.push('a'));
    timers.at(clock.now + 200, () => ran.push('b'));
    expect(clock.pending).to.deep.equal([100]);
    await clock.advance(1_000);
    expect(ran).to.deep.equal(['a', 'b', 'c']);
    expect(clock.pending).to.deep.equal([]);
  });

  it('a cancelled callback never runs', async () => {
    const clock = new FakeClock();
    const timers = new ProbeTimers(clock);
    const ran: string[] = [];
    const h = timers.at(clock.now + 100, () => ran.push('a'));
    timers.at(clock.now + 200, () => ran.push('b'));
    h.cancel();
    await clock.advance(1_000);
    expect(ran).to.deep.equal(['b']);
  });

  it('a burst of due callbacks runs in slices of 32 per turn, yielding in between', async () => {
    const clock = new FakeClock();
    const timers = new ProbeTimers(clock);
    let ran = 0;
    for (let i = 0; i < 100; i++) timers.at(clock.now + 10, () => ran++);
    await clock.advance(10);
    expect(ran).to.equal(100);
    expect(timers.size).to.equal(0);
  });

  it('stop() drops everything', async () => {
    const clock = new FakeClock();
    const timers = new ProbeTimers(clock);
    let ran = 0;
    timers.at(clock.now + 10, () => ran++);
    timers.stop();
    await clock.advance(100);
    expect(ran).to.equal(0);
  });
});
