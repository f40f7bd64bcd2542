import { expect } from 'chai';
import { waiting, type PodRecord } from '../../../../src/runner/pods/pod-record.js';
import { PodRuntime } from '../../../../src/runner/pods/pod-runtime.js';
import { flush } from '../support/fake-clock.js';
import { FakeWorld, proc, record } from '../support/fake-world.js';

function startPod(w: FakeWorld, rec: PodRecord): PodRuntime {
  const pod = new PodRuntime(rec, w.deps());
  w.pods.push(pod);
  pod.advance();
  return pod;
}

function terminatedOf(pod: PodRuntime, i = 0): [number, string] | false {
  const c = pod.record.containers[i]!;
  return c.state.state === 'terminated' && [c.state.terminated.exitCode, c.state.terminated.message];
}

describe('pod-deletion (fake clock, fake /proc)', () => {
  it('SIGTERM from a shared snapshot, SIGKILL after the grace period, then the directory goes', async () => {
    const w = new FakeWorld();
    const pod = startPod(w, record([{ name: 'c1' }]));
    const pgid = pod.record.containers[0]!.pgid;
    pod.delete(2);
    expect(w.signals, 'waits for the shared snapshot').to.deep.equal([]);
    await w.clock.advance(2);
    expect(w.signals).to.deep.equal([`SIGTERM->${pgid}`]);
    expect(pod.record.termSent).to.equal(true);
    await w.clock.advance(1_997);
    expect(w.signals).to.have.length(1);
    await w.clock.advance(3);
    expect(w.signals).to.deep.equal([`SIGTERM->${pgid}`, `SIGKILL->${pgid}`]);
    expect([pod.record.killSent, pod.record.containers[0]!.killed]).to.deep.equal([true, true]);
    w.exit(pgid, null, 'SIGKILL');
    expect(terminatedOf(pod)).to.deep.equal([137, 'killed after 2 s grace period']);
    expect(w.finished, 'a last snapshot confirms nothing is left').to.deep.equal([]);
    await w.clock.advance(2);
    expect(w.removed).to.deep.equal(['/r/ns/p-u1']);
    expect(w.finished).to.deep.equal(['u1']);
    expect(w.scanner.scans).to.equal(3);
  });

  it("a DeletePod that arrives while the finished pod's directory is being removed arms nothing", async () => {
    const w = new FakeWorld();
    let release = (): void => undefined;
    const deps = { ...w.deps(), removePodDir: () => new Promise<void>((r) => (release = r)) };
    const pod = new PodRuntime(record([{ name: 'c1' }]), deps);
    w.pods.push(pod);
    pod.advance();
    const pgid = pod.record.containers[0]!.pgid;
    pod.delete(30);
    await w.clock.advance(2);
    w.exit(pgid, 143);
    await w.clock.advance(2);
    expect(w.finished, 'directory removal still under way').to.deep.equal([]);
    const [signals, changes] = [w.signals.length, w.changes];
    pod.delete(0);
    await w.clock.advance(10);
    expect(w.signals.length, 'no SIGKILL').to.equal(signals);
    expect(w.changes, 'not persisted again').to.equal(changes);
    expect(w.clock.pending).to.deep.equal([]);
    release();
    await flush();
    expect(w.finished).to.deep.equal(['u1']);
  });

  it('deleting a pod whose runs all ended saves the record once (the deletion), not again for the SIGTERM that found nothing', async () => {
    const w = new FakeWorld();
    const pod = startPod(w, record([{ name: 'c1' }]));
    w.exit(pod.record.containers[0]!.pgid, 0);
    await flush();
    const changes = w.changes;
    pod.delete(30);
    expect(w.changes - changes, 'the deletion began').to.equal(1);
    await w.clock.advance(2);
    expect(w.signals, 'nothing left to signal').to.deep.equal([]);
    expect(w.finished).to.deep.equal(['u1']);
    expect(w.changes - changes, 'no save or MODIFIED event for a pod whose record is being removed').to.equal(
      1,
    );
  });

  it('N concurrent deletes cost one /proc scan per phase', async () => {
    const w = new FakeWorld();
    const pods = Array.from({ length: 50 }, (_, i) =>
      startPod(w, record([{ name: 'c1' }], 'Never', `u${i}`)),
    );
    for (const p of pods) p.delete(30);
    await w.clock.advance(2);
    expect(w.scanner.scans).to.equal(1);
    expect(w.signals.filter((s) => s.startsWith('SIGTERM->'))).to.have.length(50);
    await w.clock.advance(30_000);
    expect(w.scanner.scans).to.equal(2);
    expect(w.signals.filter((s) => s.startsWith('SIGKILL->'))).to.have.length(50);
    for (const p of pods) w.exit(p.record.containers[0]!.pgid, null, 'SIGKILL');
    await w.clock.advance(2);
    expect(w.scanner.scans).to.equal(3);
    expect(w.finished).to.have.length(50);
  });

  it("a double-forked daemon carrying the pod's identity gets the signals; deletion ends as soon as it is gone", async () => {
    const w = new FakeWorld();
    const pod = startPod(w, record([{ name: 'c1' }]));
    const pgid = pod.record.containers[0]!.pgid;
    w.procs.set(900, proc(900, 900));
    w.identities.set(900, { uid: 'u1', podDir: '/r/ns/p-u1' });
    // Same uid, another runner's pod directory: not ours.
    w.procs.set(901, proc(901, 901));
    w.identities.set(901, { uid: 'u1', podDir: '/elsewhere/ns/p-u1' });
    const started = w.clock.now;
    pod.delete(30);
    await w.clock.advance(2);
    expect(w.signals).to.deep.equal(['SIGTERM->pid 900', `SIGTERM->${pgid}`]);
    w.exit(pgid, 143);
    await w.clock.advance(1_000);
    expect(w.finished, 'waits while the daemon lives').to.deep.equal([]);
    w.procs.delete(900);
    await w.clock.advance(250);
    expect(w.finished).to.deep.equal(['u1']);
    expect(w.clock.now - started).to.be.below(30_000);
    expect(w.signals.some((s) => s.startsWith('SIGKILL'))).to.equal(false);
  });

  it('the setsid child of a container that already completed is found and killed; a reused pid is spared', async () => {
    const w = new FakeWorld();
    const pod = startPod(w, record([{ name: 'c1' }, { name: 'c2' }]));
    w.exit(pod.record.containers[0]!.pgid, 0);
    w.exit(pod.record.containers[1]!.pgid, 0);
    await flush();
    w.procs.set(950, proc(950, 950));
    w.procs.set(951, proc(951, 951));
    for (const pid of [950, 951]) w.identities.set(pid, { uid: 'u1', podDir: '/r/ns/p-u1' });
    pod.delete(2);
    await w.clock.advance(2);
    expect(w.signals).to.deep.equal(['SIGTERM->pid 950', 'SIGTERM->pid 951']);
    // 951 exits and its pid goes to an unrelated process.
    w.procs.set(951, proc(951, 951, { startTicks: 77 }));
    w.identities.delete(951);
    await w.clock.advance(2_000);
    expect(w.signals.slice(2)).to.deep.equal(['SIGKILL->pid 950']);
    w.procs.delete(950);
    await w.clock.advance(250);
    expect(w.finished).to.deep.equal(['u1']);
  });

  it('a pod that never started a process is deleted at once, without a scan', async () => {
    const w = new FakeWorld();
    const pod = startPod(
      w,
      record([
        { name: 'c1', launch: undefined, setupError: { reason: 'copyFileError', message: 'refused' } },
      ]),
    );
    expect(terminatedOf(pod)).to.deep.equal([1, 'copyFileError: refused']);
    pod.delete(30);
    await flush();
    expect(w.finished).to.deep.equal(['u1']);
    expect(w.scanner.scans).to.equal(0);
  });

  it('delete during back-off cancels the restart; a shorter grace period wins, a longer one does not', async () => {
    const w = new FakeWorld();
    const pod = startPod(w, record([{ name: 'c1' }], 'Always'));
    w.exit(pod.record.containers[0]!.pgid, 0);
    await flush();
    expect(w.clock.pending).to.deep.equal([10_000]);
    pod.delete(30);
    await w.clock.advance(2);
    expect(w.finished).to.deep.equal(['u1']);
    expect(w.clock.pending).to.deep.equal([]);
    expect(w.launches).to.have.length(1);

    const w2 = new FakeWorld();
    const p2 = startPod(w2, record([{ name: 'c1' }]));
    p2.delete(30);
    p2.delete(60);
    await w2.clock.advance(2);
    expect(w2.clock.pending).to.deep.equal([29_998]);
    p2.delete(5);
    expect(w2.clock.pending).to.deep.equal([5_000]);
    await w2.clock.advance(5_002);
    expect(w2.signals.at(-1)).to.equal(`SIGKILL->${p2.record.containers[0]!.pgid}`);
  });

  it('resume: no second SIGTERM; SIGKILL when the grace period runs out; killed survives another restart', async () => {
    const running = {
      name: 'c1',
      state: { state: 'running' as const, running: { startedAtMs: 5 } },
      pgid: 7001,
      leaderStartTicks: 7001,
    };
    const w = new FakeWorld();
    w.procs.set(7001, proc(7001, 7001));
    const rec: PodRecord = {
      ...record([running]),
      deleting: true,
      termSent: true,
      deleteStartedAtMs: w.clock.now - 1_000,
      gracePeriodSeconds: 30,
    };
    const pod = new PodRuntime(rec, w.deps());
    w.pods.push(pod);
    pod.resume();
    await w.clock.advance(2);
    expect(w.signals).to.deep.equal([]);
    await w.clock.advance(29_000);
    expect(w.signals).to.deep.equal(['SIGKILL->7001']);
    expect(rec.containers[0]!.killed).to.equal(true);

    // The runner stops again; the group is gone when the next one starts, without an exit code.
    pod.detach();
    const w2 = new FakeWorld();
    const again = new PodRuntime(JSON.parse(JSON.stringify(rec)) as PodRecord, w2.deps());
    again.resume();
    w2.ends.get(7001)!({ pgid: 7001, leaderExit: undefined, scanError: undefined });
    expect(terminatedOf(again)).to.deep.equal([137, 'killed after 30 s grace period']);

    const w3 = new FakeWorld();
    w3.procs.set(7001, proc(7001, 7001));
    const notTermed = new PodRuntime(
      { ...record([running]), deleting: true, deleteStartedAtMs: w3.clock.now, gracePeriodSeconds: 30 },
      w3.deps(),
    );
    notTermed.resume();
    await w3.clock.advance(2);
    expect(w3.signals, 'SIGTERM never went out before the restart').to.deep.equal(['SIGTERM->7001']);
  });

  it('waiting containers are not started once deletion began', async () => {
    const w = new FakeWorld();
    const pod = startPod(
      w,
      record([
        { name: 'i1', init: true, state: waiting('PodInitializing') },
        { name: 'a1', state: waiting('PodInitializing') },
      ]),
    );
    pod.delete(30);
    w.exit(pod.record.containers[0]!.pgid, 0);
    await w.clock.advance(2);
    expect(w.launches.map((l) => l.split('@')[0])).to.deep.equal(['i1']);
    expect(w.finished).to.deep.equal(['u1']);
  });

  it('pods whose processes all ended, deleted one after another, share a snapshot taken since they ended', async () => {
    const w = new FakeWorld();
    const pods = Array.from({ length: 4 }, (_, i) => startPod(w, record([{ name: 'c1' }], 'Never', `u${i}`)));
    for (const p of pods.slice(0, 3)) w.exit(p.record.containers[0]!.pgid, 0);
    pods[0]!.delete(30);
    await w.clock.advance(2);
    expect([w.scanner.scans, w.finished]).to.deep.equal([1, ['u0']]);
    await w.clock.advance(50);
    pods[1]!.delete(30);
    await w.clock.advance(1);
    expect([w.scanner.scans, w.scanner.reused, w.finished]).to.deep.equal([1, 1, ['u0', 'u1']]);
    // Ended after the last snapshot: a fresh one.
    w.exit(pods[3]!.record.containers[0]!.pgid, 0);
    pods[3]!.delete(30);
    await w.clock.advance(2);
    expect([w.scanner.scans, w.finished]).to.deep.equal([2, ['u0', 'u1', 'u3']]);
    // The last snapshot is too old.
    await w.clock.advance(1_001);
    pods[2]!.delete(30);
    await w.clock.advance(2);
    expect([w.scanner.scans, w.finished]).to.deep.equal([3, ['u0', 'u1', 'u3', 'u2']]);
  });

  it('a stray found in a reused snapshot is signalled and waited for like any other', async () => {
    const w = new FakeWorld();
    const pod = startPod(w, record([{ name: 'c1' }]));
    w.exit(pod.record.containers[0]!.pgid, 0);
    w.procs.set(8000, proc(8000, 8000, { ppid: 1 }));
    w.identities.set(8000, { uid: 'u1', podDir: pod.record.podDir });
    const warm = w.scanner.snapshot();
    await w.clock.advance(2);
    await warm;
    pod.delete(30);
    await w.clock.advance(1);
    expect([w.scanner.scans, w.scanner.reused]).to.deep.equal([1, 1]);
    expect(w.signals).to.deep.equal(['SIGTERM->pid 8000']);
    expect(w.finished).to.deep.equal([]);
    w.procs.delete(8000);
    // The next recheck (200 ms) finds it gone; a fresh snapshot confirms nothing is left.
    await w.clock.advance(210);
    expect(w.finished).to.deep.equal(['u1']);
  });
});
