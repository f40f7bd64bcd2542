import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import type { LaunchResult } from '../../../../src/runner/process/launch-plan.js';
import { PodRuntime } from '../../../../src/runner/pods/pod-runtime.js';
import { StartQueue } from '../../../../src/runner/pods/start-queue.js';
import { flush } from '../support/fake-clock.js';
import { FakeWorld, proc, record, silent } from '../support/fake-world.js';

/*
 * Starts whose launcher reply comes later (a promise), through the start
 * queue: what the pod records meanwhile, one intent save per batch, and a
 * deletion that begins while starts are in flight.
 */

/** A launch whose result the test gives: `answer(i)` starts the i-th request's group. */
function pendingLaunches(w: FakeWorld) {
  const open: Array<{ token: string; resolve: (r: LaunchResult) => void }> = [];
  return {
    open,
    launch: (_plan: unknown, _dir: string, token: string): Promise<LaunchResult> =>
      new Promise((resolve) => open.push({ token, resolve })),
    answer(i: number): number {
      const pgid = w.nextPgid++;
      w.procs.set(pgid, proc(pgid, pgid));
      open[i]!.resolve({
        ok: true,
        run: { pgid, child: {} as ChildProcess, startedAtMs: w.clock.now, leaderStartTicks: pgid },
      });
      return pgid;
    },
  };
}

describe('pod-runtime: asynchronous starts through the start queue', () => {
  it('saves the intents of a batch once, stays launching until each reply, then runs', async () => {
    const w = new FakeWorld();
    const turns: Array<() => void> = [];
    const starts = new StartQueue({ total: 2, perPod: 2 }, silent, (fn) => turns.push(fn));
    const l = pendingLaunches(w);
    const pod = new PodRuntime(record([{ name: 'a' }, { name: 'b' }, { name: 'c' }]), {
      ...w.deps(),
      launch: l.launch,
      starts,
    });
    pod.advance();
    expect(w.savedNow).to.equal(0);
    turns.shift()!();
    const [a, b, c] = pod.record.containers;
    expect(w.savedNow, 'one save for the batch of two, and the intent of the queued third').to.equal(1);
    expect([a!.launching, b!.launching, c!.launching]).to.deep.equal([true, true, true]);
    expect(l.open.map((o) => o.token)).to.deep.equal(['t1', 't2']);
    l.answer(0);
    await flush();
    expect([a!.state.state, a!.launching]).to.deep.equal(['running', false]);
    expect(b!.state.state).to.equal('waiting');
    // a's slot is free: c is taken at the next turn, its intent saved already.
    turns.shift()!();
    expect(l.open.map((o) => o.token)).to.deep.equal(['t1', 't2', 't3']);
    expect(w.savedNow).to.equal(1);
  });

  it('a deletion begun with starts in flight waits for their replies and stops the groups they started', async () => {
    const w = new FakeWorld();
    const turns: Array<() => void> = [];
    const starts = new StartQueue({ total: 4, perPod: 4 }, silent, (fn) => turns.push(fn));
    const l = pendingLaunches(w);
    const pod = new PodRuntime(record([{ name: 'a' }, { name: 'b' }]), {
      ...w.deps(),
      launch: l.launch,
      starts,
    });
    w.pods.push(pod);
    pod.advance();
    turns.shift()!();
    expect(l.open).to.have.length(2);
    pod.delete(2);
    await w.clock.advance(2);
    expect(w.finished, 'not over while starts are in flight').to.deep.equal([]);
    const pgid = l.answer(0);
    await flush();
    // SIGTERM already went out (to no group): the run that just started gets it too.
    expect(w.signals).to.include(`SIGTERM->${pgid}`);
    l.open[1]!.resolve({ ok: false, reason: 'cmdStartError', message: 'exec: no such file' });
    await flush();
    expect(w.finished).to.deep.equal([]);
    w.exit(pgid, null, 'SIGTERM');
    await w.clock.advance(2);
    expect(w.finished).to.deep.equal(['u1']);
    expect(pod.record.containers.map((c) => c.state.state)).to.deep.equal(['terminated', 'terminated']);
  });

  it('starts still queued when deletion begins are never started, even with their intent saved', async () => {
    const w = new FakeWorld();
    const turns: Array<() => void> = [];
    const starts = new StartQueue({ total: 1, perPod: 1 }, silent, (fn) => turns.push(fn));
    const l = pendingLaunches(w);
    const pod = new PodRuntime(record([{ name: 'a' }, { name: 'b' }]), {
      ...w.deps(),
      launch: l.launch,
      starts,
    });
    pod.advance();
    turns.shift()!();
    pod.delete(2);
    await w.clock.advance(2);
    const pgid = l.answer(0);
    await flush();
    for (const t of turns.splice(0)) t();
    expect(l.open, 'b was never requested').to.have.length(1);
    // Its intent was saved ahead of its turn; deletion dropped it: not launching, so nothing waits for it.
    expect(pod.record.containers[1]!.launching).to.equal(false);
    expect(w.signals).to.include(`SIGTERM->${pgid}`);
  });
});
