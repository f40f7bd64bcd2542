import { expect } from 'chai';
import { waiting } from '../../../../src/runner/pods/pod-record.js';
import { PodRuntime } from '../../../../src/runner/pods/pod-runtime.js';
import { flush } from '../support/fake-clock.js';
import { FakeWorld, record } from '../support/fake-world.js';

describe('pod-runtime (fake clock, fake processes)', () => {
  it('OnFailure: Kubernetes back-off 10 s, 20 s, 40 s with CrashLoopBackOff, restartCount and lastState', async () => {
    const w = new FakeWorld();
    const pod = new PodRuntime(record([{ name: 'c1' }], 'OnFailure'), w.deps());
    pod.advance();
    const c = pod.record.containers[0]!;
    expect(c.state.state).to.equal('running');
    const waits: number[] = [];
    for (let run = 0; run < 3; run++) {
      w.exit(c.pgid, 2);
      await flush();
      expect(c.state.state).to.equal('waiting');
      if (c.state.state === 'waiting') {
        expect(c.state.waiting.reason).to.equal('CrashLoopBackOff');
        waits.push(w.clock.pending[0]!);
        expect(c.state.waiting.message).to.equal(
          `back-off ${waits.at(-1)! / 1000}s restarting failed container=c1 pod=p-u1`,
        );
      }
      expect(c.lastState?.state === 'terminated' && c.lastState.terminated.exitCode).to.equal(2);
      expect(c.restartCount).to.equal(run);
      await w.clock.advance(w.clock.pending[0]! - 1);
      expect(c.state.state, 'not before the back-off ends').to.equal('waiting');
      await w.clock.advance(1);
      expect(c.state.state).to.equal('running');
      expect(c.restartCount).to.equal(run + 1);
    }
    expect(waits).to.deep.equal([10_000, 20_000, 40_000]);
    w.exit(c.pgid, 0);
    await flush();
    expect(c.state.state === 'terminated' && c.state.terminated.reason).to.equal('Completed');
    expect(w.clock.pending).to.deep.equal([]);
  });

  it('a run of 10 minutes resets the back-off', async () => {
    const w = new FakeWorld();
    const pod = new PodRuntime(record([{ name: 'c1', backoffMs: 160_000 }], 'Always'), w.deps());
    pod.advance();
    const c = pod.record.containers[0]!;
    await w.clock.advance(600_000);
    w.exit(c.pgid, 1);
    await flush();
    expect(w.clock.pending).to.deep.equal([10_000]);
  });

  it('init containers start one at a time; apps after all succeeded; a Never failure stops the pod', async () => {
    const w = new FakeWorld();
    const pod = new PodRuntime(
      record([
        { name: 'i1', init: true, state: waiting('PodInitializing') },
        { name: 'i2', init: true, state: waiting('PodInitializing') },
        { name: 'a1', state: waiting('PodInitializing') },
        { name: 'a2', state: waiting('PodInitializing') },
      ]),
      w.deps(),
    );
    pod.advance();
    expect(w.launches.map((l) => l.split('@')[0])).to.deep.equal(['i1']);
    w.exit(pod.record.containers[0]!.pgid, 0);
    await flush();
    expect(w.launches.map((l) => l.split('@')[0])).to.deep.equal(['i1', 'i2']);
    w.exit(pod.record.containers[1]!.pgid, 0);
    await flush();
    expect(w.launches.map((l) => l.split('@')[0])).to.deep.equal(['i1', 'i2', 'a1', 'a2']);

    const w2 = new FakeWorld();
    const failing = new PodRuntime(
      record([
        { name: 'i1', init: true, state: waiting('PodInitializing') },
        { name: 'a1', state: waiting('PodInitializing') },
      ]),
      w2.deps(),
    );
    failing.advance();
    w2.exit(failing.record.containers[0]!.pgid, 1);
    await flush();
    expect(w2.launches).to.have.length(1);
    expect(failing.record.containers[1]!.state).to.deep.equal(waiting('PodInitializing'));
  });

  it('logs move to *.previous when a run ends and will be restarted, not when the next run starts', async () => {
    const w = new FakeWorld();
    const pod = new PodRuntime(record([{ name: 'c1' }], 'OnFailure'), w.deps());
    pod.advance();
    const c = pod.record.containers[0]!;
    await w.clock.advance(500);
    w.exit(c.pgid, 1);
    expect(w.rotations).to.deep.equal([w.clock.now]);
    await w.clock.advance(10_000);
    expect(c.state.state).to.equal('running');
    expect(w.rotations).to.have.length(1);
    w.exit(c.pgid, 0);
    await flush();
    expect(c.state.state === 'terminated' && c.state.terminated.reason).to.equal('Completed');
    expect(w.rotations, 'a final run stays the current one').to.have.length(1);
  });

  it('a leader that ends with neither an exit code nor a signal is cmdWaitError', () => {
    const w = new FakeWorld();
    const pod = new PodRuntime(record([{ name: 'c1' }]), w.deps());
    pod.advance();
    const c = pod.record.containers[0]!;
    w.exit(c.pgid, null, null);
    expect(
      c.state.state === 'terminated' && [c.state.terminated.exitCode, c.state.terminated.reason],
    ).to.deep.equal([1, 'cmdWaitError']);
  });

  it('resume: re-adopts running groups, reads exit codes of groups that ended, re-arms back-off timers', async () => {
    const w = new FakeWorld();
    const rec = record(
      [
        {
          name: 'live',
          state: { state: 'running', running: { startedAtMs: 5 } },
          pgid: 7001,
          leaderStartTicks: 1,
        },
        {
          name: 'ended',
          state: { state: 'running', running: { startedAtMs: 5 } },
          pgid: 7002,
          leaderStartTicks: 1,
        },
        {
          name: 'backoff',
          state: waiting('CrashLoopBackOff'),
          restartAtMs: 1_000_000 + 4_000,
          backoffMs: 10_000,
        },
        {
          name: 'rebooted',
          state: { state: 'running', running: { startedAtMs: 5 } },
          pgid: 7003,
          bootId: 'boot-0',
        },
      ],
      'Always',
    );
    w.exitCodes.set('/r/ns/p-u1/containers/ended', 9);
    const pod = new PodRuntime(rec, w.deps());
    pod.resume();
    expect([...w.ends.keys()]).to.deep.equal([7001, 7002]);
    expect(w.launches).to.deep.equal([]);
    w.ends.get(7002)!({ pgid: 7002, leaderExit: undefined, scanError: undefined });
    await flush();
    const ended = rec.containers[1]!;
    expect(ended.lastState?.state === 'terminated' && ended.lastState.terminated.exitCode).to.equal(9);
    const rebooted = rec.containers[3]!;
    expect(rebooted.lastState?.state === 'terminated' && rebooted.lastState.terminated.message).to.match(
      /rebooted/,
    );
    await w.clock.advance(4_000);
    expect(w.launches.some((l) => l.startsWith('backoff@'))).to.equal(true);
    expect(rec.containers[2]!.restartCount).to.equal(1);
  });
});
