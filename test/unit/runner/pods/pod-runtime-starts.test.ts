import { expect } from 'chai';
import type { ContainerRecord } from '../../../../src/runner/pods/pod-record.js';
import { PodRuntime } from '../../../../src/runner/pods/pod-runtime.js';
import type { StartOutcome } from '../../../../src/runner/pods/start-resolution.js';
import { flush } from '../support/fake-clock.js';
import { FakeWorld, record } from '../support/fake-world.js';

const terminatedAs = (c: ContainerRecord): unknown =>
  c.state.state === 'terminated' && [c.state.terminated.exitCode, c.state.terminated.reason];

describe('pod-runtime: exactly-once starts (fake processes)', () => {
  it('saves the intent (a fresh token, launching) before the process starts; running clears it', () => {
    const w = new FakeWorld();
    const order: string[] = [];
    const deps = w.deps();
    const pod = new PodRuntime(record([{ name: 'c1', launchToken: 'old' }], 'OnFailure'), {
      ...deps,
      persistNow: (p) => {
        const c = p.record.containers[0]!;
        order.push(`save ${c.launchToken} launching=${c.launching}`);
      },
      launch: (plan, dir, token) => {
        order.push(`launch ${token}`);
        return deps.launch(plan, dir, token);
      },
      files: { ...deps.files, removeRunFile: (_dir, token) => order.push(`forget run ${token}`) },
    });
    pod.advance();
    const c = pod.record.containers[0]!;
    expect(order).to.deep.equal(['forget run old', 'save t1 launching=true', 'launch t1']);
    expect([c.state.state, c.launching, c.launchToken]).to.deep.equal(['running', false, 't1']);
  });

  it('a start whose intent cannot be saved starts nothing and fails the container', () => {
    const w = new FakeWorld();
    const pod = new PodRuntime(record([{ name: 'c1' }]), {
      ...w.deps(),
      persistNow: () => {
        throw new Error('ENOSPC');
      },
    });
    pod.advance();
    const c = pod.record.containers[0]!;
    expect(w.launches).to.deep.equal([]);
    expect(terminatedAs(c)).to.deep.equal([1, 'cmdStartError']);
    expect(c.state.state === 'terminated' && c.state.terminated.message).to.match(
      /cannot record the start.*ENOSPC/,
    );
  });

  it("an adopted run's exit code comes from its own run file, else from exitcode", async () => {
    const w = new FakeWorld();
    const running = { state: 'running' as const, running: { startedAtMs: 5 } };
    const rec = record([
      { name: 'a', state: running, pgid: 7001, launchToken: 'ta' },
      { name: 'b', state: running, pgid: 7002, launchToken: 'tb' },
    ]);
    w.runs.set('/r/ns/p-u1/containers/a/ta', { state: 'exited', exitCode: 6, beganAtMs: 1, endedAtMs: 2 });
    w.exitCodes.set('/r/ns/p-u1/containers/a', 99);
    w.exitCodes.set('/r/ns/p-u1/containers/b', 4);
    const pod = new PodRuntime(rec, w.deps());
    pod.resume();
    for (const pgid of [7001, 7002]) w.ends.get(pgid)!({ pgid, leaderExit: undefined, scanError: undefined });
    await flush();
    expect(rec.containers.map(terminatedAs)).to.deep.equal([
      [6, 'Error'],
      [4, 'Error'],
    ]);
  });

  it('resume applies how unrecorded starts ended; a start never begun runs once, with a new token', async () => {
    const w = new FakeWorld();
    const rec = record(
      ['again', 'found', 'ended', 'gone'].map((name) => ({
        name,
        launching: true,
        launchToken: `old-${name}`,
      })),
    );
    const [again, found, ended, gone] = rec.containers as [
      ContainerRecord,
      ContainerRecord,
      ContainerRecord,
      ContainerRecord,
    ];
    const settled = new Map<ContainerRecord, StartOutcome>([
      [again, { kind: 'start-again' }],
      [found, { kind: 'adopt', pgid: 8100, leaderStartTicks: 0, startedAtMs: 50 }],
      [ended, { kind: 'exited', exitCode: 2, startedAtMs: 50, finishedAtMs: 60 }],
      [gone, { kind: 'vanished', startedAtMs: 50 }],
    ]);
    const pod = new PodRuntime(rec, w.deps());
    pod.resume(settled);
    await flush();
    expect(w.launches.map((l) => l.split('@')[0])).to.deep.equal(['again']);
    expect([again.state.state, again.launchToken]).to.deep.equal(['running', 't1']);
    expect([found.state.state, found.pgid, w.pgidFiles.get(found.dir), w.ends.has(8100)]).to.deep.equal([
      'running',
      8100,
      8100,
      true,
    ]);
    expect(found.state.state === 'running' && found.state.running.startedAtMs).to.equal(50);
    expect(terminatedAs(ended)).to.deep.equal([2, 'Error']);
    expect(ended.state.state === 'terminated' && ended.state.terminated.finishedAtMs).to.equal(60);
    expect(terminatedAs(gone)).to.deep.equal([137, 'Error']);
    expect(rec.containers.map((c) => c.launching)).to.deep.equal([false, false, false, false]);
  });

  it('an unsettled start is never started by advance()', () => {
    const w = new FakeWorld();
    const pod = new PodRuntime(record([{ name: 'c1', launching: true, launchToken: 't0' }]), w.deps());
    pod.advance();
    expect(w.launches).to.deep.equal([]);
  });
});
