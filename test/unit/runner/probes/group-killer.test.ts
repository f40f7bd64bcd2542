import { expect } from 'chai';
import { GroupKiller, type SignalPid } from '../../../../src/runner/probes/group-killer.js';
import { FakeClock } from '../support/fake-clock.js';

describe('group killer: the timeout and kill() of a probe or hook command', () => {
  const setUp = (pgid: number, timeoutMs: number | undefined, signal?: SignalPid) => {
    const clock = new FakeClock();
    const sent: Array<[number, NodeJS.Signals]> = [];
    const group = new GroupKiller(pgid, timeoutMs, {
      timers: clock,
      signal: signal ?? ((pid, sig) => sent.push([pid, sig])),
    });
    return { clock, sent, group };
  };

  it('at the timeout sends SIGKILL to the whole process group (-pgid), not just the leader', async () => {
    const { clock, sent, group } = setUp(4242, 300);
    await clock.advance(299);
    expect(sent).to.deep.equal([]);
    expect(group.timedOut).to.equal(false);
    await clock.advance(1);
    expect(sent).to.deep.equal([[-4242, 'SIGKILL']]);
    expect(group.timedOut).to.equal(true);
    expect(group.killed).to.equal(false);
  });

  it('clear() before the timeout disarms it', async () => {
    const { clock, sent, group } = setUp(4242, 300);
    group.clear();
    expect(clock.pending).to.deep.equal([]);
    await clock.advance(1_000);
    expect(sent).to.deep.equal([]);
    expect(group.timedOut).to.equal(false);
  });

  it('without a timeout nothing is armed', () => {
    const { clock } = setUp(4242, undefined);
    expect(clock.pending).to.deep.equal([]);
  });

  it('kill() signals the whole group once however often it is called', () => {
    const { sent, group } = setUp(77, 300);
    group.kill();
    group.kill();
    expect(sent).to.deep.equal([[-77, 'SIGKILL']]);
    expect(group.killed).to.equal(true);
    expect(group.timedOut).to.equal(false);
  });

  it('killGroup() signals the group each time without marking it killed', () => {
    const { sent, group } = setUp(77, undefined);
    group.killGroup();
    group.killGroup();
    expect(sent).to.deep.equal([
      [-77, 'SIGKILL'],
      [-77, 'SIGKILL'],
    ]);
    expect(group.killed).to.equal(false);
  });

  it('a command that never started (pgid 0) is never signalled: kill(-0) would hit the runner', async () => {
    const { clock, sent, group } = setUp(0, 10);
    group.kill();
    await clock.advance(100);
    expect(sent).to.deep.equal([]);
    expect(group.timedOut).to.equal(true);
  });

  it('a group that is already gone is not an error', async () => {
    const gone: SignalPid = () => {
      throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
    };
    const { clock, group } = setUp(99, 10, gone);
    expect(() => group.kill()).not.to.throw();
    await clock.advance(10);
    expect(group.timedOut).to.equal(true);
  });
});
