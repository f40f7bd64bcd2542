import { expect } from 'chai';
import { pino } from 'pino';
import type { Pod__Output } from '../../../../src/generated/vkcmd/runner/v1/Pod.js';
import type { WirePod } from '../../../../src/kubelet/kube/wire-types.js';
import type { PodInput, WriteStatusAction } from '../../../../src/kubelet/pods/pod-actions.js';
import type { PodEffects } from '../../../../src/kubelet/pods/pod-effects.js';
import { PodExecutor } from '../../../../src/kubelet/pods/pod-executor.js';
import type { RunnerPods } from '../../../../src/kubelet/pods/pod-record.js';
import { TurnBudget } from '../../../../src/kubelet/pods/turn-budget.js';
import { deletingPod, exitedInRunner, pendingPod, runningInRunner } from '../support/decide-fixtures.js';

/** A promise with its resolve, to hold an async action open. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves once `condition` holds, checking after each turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setImmediate(r));
}

class FakeRunner implements RunnerPods {
  synced = true;
  readonly map = new Map<string, Pod__Output>();
  isSynced = () => this.synced;
  getPod = (uid: string) => this.map.get(uid);
  pods = () => this.map;
  createPod = () => Promise.reject(new Error('not used'));
  deletePod = () => Promise.reject(new Error('not used'));
}

/** PodEffects as a script: each call is recorded; async results come from the queues. */
class FakeEffects {
  readonly calls: string[] = [];
  readonly writes: Array<{ action: WriteStatusAction; eventAtMs: number | undefined }> = [];
  createResults: Array<Promise<PodInput>> = [];
  finalWrite: Promise<void> | undefined;
  /** The resourceVersion the last status patch got (writtenVersion). */
  written: string | undefined;
  create = (): Promise<PodInput> => {
    this.calls.push('create');
    return this.createResults.shift() ?? Promise.resolve({ type: 'createAborted' });
  };
  deleteInRunner = (): Promise<PodInput> => {
    this.calls.push('deleteInRunner');
    return Promise.resolve({ type: 'runnerDeleteSent' });
  };
  deleteApiObject = (): Promise<PodInput> => {
    this.calls.push('deleteApiObject');
    return Promise.resolve({ type: 'apiDeleted' });
  };
  writeStatus = (_ref: unknown, _first: number, action: WriteStatusAction, eventAtMs: number | undefined) => {
    this.calls.push(action.terminal ? 'writeFinalStatus' : 'writeStatus');
    this.writes.push({ action, eventAtMs });
    return (action.wait && this.finalWrite) || Promise.resolve();
  };
  // Void like the real effects: a value returned here would be fed back into decide() as an input.
  emit = (): void => void this.calls.push('emit');
  observeStartLatency = (): void => void this.calls.push('startLatency');
  forget = (): void => void this.calls.push('forget');
  writtenVersion = (): string | undefined => this.written;
}

function setup(turnBudget?: TurnBudget) {
  const runner = new FakeRunner();
  const effects = new FakeEffects();
  const executor = new PodExecutor(runner, effects as unknown as PodEffects, pino({ level: 'silent' }), {
    now: () => 1000,
    retryInitialMs: 1,
    retryMaxMs: 2,
    ...(turnBudget ? { turnBudget } : {}),
  });
  const idle = () => until(() => executor.snapshot('u')?.syncing !== true);
  return { runner, effects, executor, idle };
}

describe('PodExecutor', () => {
  it('runs one sync per pod at a time; events during a sync make one more sync, not one each', async () => {
    const { runner, effects, executor, idle } = setup();
    const create = deferred<PodInput>();
    effects.createResults.push(create.promise);
    executor.apiPodChanged(pendingPod());
    expect(executor.snapshot('u')?.state.kind).to.equal('creating');
    for (let i = 0; i < 3; i++) executor.apiPodChanged(pendingPod());
    expect(effects.calls).to.deep.equal(['create']);
    runner.map.set('u', runningInRunner());
    create.resolve({ type: 'created', pod: pendingPod(), skippedVolumes: [] });
    await idle();
    expect(effects.calls).to.deep.equal(['create', 'writeStatus', 'emit', 'startLatency']);
    expect(executor.snapshot('u')).to.deep.include({ created: true, syncing: false });
  });

  it("feeds an action's result back into decide: a config error arms a retry that creates again", async () => {
    const { effects, executor } = setup();
    const error = { message: 'configmap "cfg" not found', containers: [] };
    effects.createResults.push(Promise.resolve({ type: 'createWaiting', pod: pendingPod(), error }));
    const second = deferred<PodInput>();
    effects.createResults.push(second.promise);
    executor.apiPodChanged(pendingPod());
    await until(() => effects.calls.filter((c) => c === 'create').length === 2);
    expect(effects.calls).to.deep.equal(['create', 'emit', 'writeStatus', 'create']);
    expect(effects.writes[0]!.action.configError).to.equal(error);
    expect(executor.snapshot('u')?.state).to.deep.equal({ kind: 'creating', error });
    executor.stop();
  });

  it("hands a runner event's arrival to the status write that reflects it, and to no later one", async () => {
    const { runner, effects, executor, idle } = setup();
    runner.map.set('u', runningInRunner());
    executor.apiPodChanged(pendingPod());
    await idle();
    executor.runnerPodChanged(runningInRunner(), 500);
    executor.runnerPodChanged(runningInRunner(), 600);
    await idle();
    executor.apiPodChanged(pendingPod());
    await idle();
    expect(effects.writes.map((w) => w.eventAtMs)).to.deep.equal([undefined, 500, 600, undefined]);
  });

  it('awaits the final status before deleting the API object, then forgets the pod on its DELETE', async () => {
    const { runner, effects, executor, idle } = setup();
    runner.map.set('u', runningInRunner());
    executor.apiPodChanged(pendingPod());
    await idle();
    executor.apiPodChanged(deletingPod(7));
    await idle();
    const final = deferred<void>();
    effects.finalWrite = final.promise;
    runner.map.delete('u');
    executor.runnerPodDeleted(exitedInRunner(), 700);
    await until(() => effects.calls.includes('writeFinalStatus'));
    await new Promise((r) => setImmediate(r)); // a turn in which a delete that did not wait would be sent
    expect(effects.calls).to.not.include('deleteApiObject');
    final.resolve();
    await idle();
    expect(effects.calls.slice(-2)).to.deep.equal(['writeFinalStatus', 'deleteApiObject']);
    expect(effects.writes.at(-1)!.eventAtMs).to.equal(700);
    executor.apiPodDeleted(deletingPod(7));
    await until(() => !executor.has('u'));
    expect(effects.calls.at(-1)).to.equal('forget');
  });

  it("a same-named pod with a new UID takes the old one's API object away, and the old one's DELETED wakes it", async () => {
    const { runner, effects, executor, idle } = setup();
    runner.map.set('u', runningInRunner());
    executor.apiPodChanged(pendingPod());
    await idle();
    const base = pendingPod();
    executor.apiPodChanged({ ...base, metadata: { ...base.metadata, uid: 'u2' } });
    await idle();
    await until(() => executor.snapshot('u2')?.syncing !== true);
    expect(executor.snapshot('u2')?.state.kind).to.equal('waitingForPredecessor');
    expect(effects.calls).to.include('deleteInRunner');
    expect(effects.calls).to.not.include('create');
    effects.createResults.push(deferred<PodInput>().promise); // the create stays in flight
    runner.map.delete('u');
    executor.runnerPodDeleted(exitedInRunner(), 700);
    await until(() => effects.calls.includes('create'));
    expect(executor.snapshot('u2')?.state.kind).to.equal('creating');
    executor.stop();
  });

  it('does not sync a running pod on the echo of its own status patch, and does on any other update', async () => {
    const { runner, effects, executor, idle } = setup();
    runner.map.set('u', runningInRunner());
    const at = (resourceVersion: string, base = pendingPod()): WirePod => ({
      ...base,
      metadata: { ...base.metadata, resourceVersion },
    });
    executor.apiPodChanged(at('10'));
    await idle();
    expect(effects.calls).to.deep.equal(['writeStatus', 'emit']);
    effects.written = '11';
    executor.apiPodChanged(at('11'));
    await idle();
    expect(effects.calls).to.deep.equal(['writeStatus', 'emit']);
    expect(executor.snapshot('u')?.syncing).to.equal(false);
    executor.apiPodChanged(at('12'));
    await idle();
    expect(effects.calls).to.deep.equal(['writeStatus', 'emit', 'writeStatus']);
    // The next sync reads the newest object, the echo included.
    expect(effects.writes.at(-1)!.action.pod.metadata?.resourceVersion).to.equal('12');
    // A deletion is never an echo, whatever its resourceVersion.
    effects.written = '13';
    executor.apiPodChanged(at('13', deletingPod(7)));
    await idle();
    expect(effects.calls.slice(3)).to.deep.equal(['emit', 'deleteInRunner', 'writeStatus']);
  });

  it('starts no sync after stop', () => {
    const { effects, executor } = setup();
    executor.stop();
    executor.apiPodChanged(pendingPod());
    expect(effects.calls).to.deep.equal([]);
    expect(executor.snapshot('u')?.state.kind).to.equal('new');
  });

  it("beyond the turn's budget API changes wait for later turns, in order, folding into one sync; a runner event starts a waiting pod at once", async () => {
    // A budget of 0 grants one start per turn.
    const { runner, effects, executor } = setup(new TurnBudget(0));
    const uids = ['u', 'v', 'w'];
    for (const uid of uids) runner.map.set(uid, runningInRunner());
    const podOf = (uid: string) => {
      const base = pendingPod();
      return { ...base, metadata: { ...base.metadata, uid, name: `p-${uid}` } };
    };
    for (const uid of uids) executor.apiPodChanged(podOf(uid));
    // The first ran at once (adopted: its status written, Started); the others wait, reported as syncing.
    expect(effects.calls).to.deep.equal(['writeStatus', 'emit']);
    expect(uids.map((uid) => executor.snapshot(uid)?.state.kind)).to.deep.equal(['running', 'new', 'new']);
    expect(uids.map((uid) => executor.snapshot(uid)?.syncing)).to.deep.equal([true, true, true]);
    executor.apiPodChanged(podOf('v'));
    // A runner state is synced as it arrives, so a running state followed at once by an exit is still seen.
    executor.runnerPodChanged({ ...runningInRunner(), uid: 'w' }, 600);
    expect(executor.snapshot('w')?.state.kind).to.equal('running');
    await until(() => uids.every((uid) => executor.snapshot(uid)?.syncing === false));
    expect(uids.map((uid) => executor.snapshot(uid)?.state.kind)).to.deep.equal([
      'running',
      'running',
      'running',
    ]);
    // u and w at once; v once for both of its API changes, in a later turn.
    expect(effects.writes.map((w) => w.action.pod.metadata?.uid)).to.deep.equal(['u', 'w', 'v']);
    expect(effects.writes.map((w) => w.eventAtMs)).to.deep.equal([undefined, 600, undefined]);
  });

  it('starts no waiting sync after stop', async () => {
    const { runner, effects, executor } = setup(new TurnBudget(0));
    runner.map.set('u', runningInRunner());
    runner.map.set('v', runningInRunner());
    const base = pendingPod();
    executor.apiPodChanged(base);
    executor.apiPodChanged({ ...base, metadata: { ...base.metadata, uid: 'v', name: 'p-v' } });
    executor.stop();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(effects.writes.map((w) => w.action.pod.metadata?.uid)).to.deep.equal(['u']);
    expect(executor.snapshot('v')).to.deep.include({ syncing: false });
  });

  it('resyncs a pod an interval after its last sync, and a pod that synced for a change of its own later', async () => {
    const runner = new FakeRunner();
    const effects = new FakeEffects();
    let nowMs = 1000;
    let syncs = 0;
    const executor = new PodExecutor(runner, effects as unknown as PodEffects, pino({ level: 'silent' }), {
      now: () => nowMs,
      retryInitialMs: 1,
      retryMaxMs: 2,
      onSynced: () => syncs++,
    });
    const idle = () => until(() => executor.snapshot('u')?.syncing !== true);
    /** The periodic resync at `atMs`: when the next pod is due, whether 'u' syncs now, and the syncs so far. */
    const resyncAt = (atMs: number) => {
      nowMs = atMs;
      const nextAtMs = executor.syncStale(60_000, 1000);
      return { nextAtMs, syncing: executor.snapshot('u')?.syncing, syncs };
    };
    runner.map.set('u', runningInRunner());
    executor.apiPodChanged(pendingPod());
    await idle();
    expect(syncs).to.equal(1);
    expect(resyncAt(30_000)).to.deep.equal({ nextAtMs: 61_000, syncing: false, syncs: 1 });
    // A runner event at 40 s syncs it: its next resync moves to 100 s.
    nowMs = 40_000;
    executor.runnerPodChanged(runningInRunner(), nowMs);
    await idle();
    expect(syncs).to.equal(2);
    expect(resyncAt(60_500)).to.deep.equal({ nextAtMs: 100_000, syncing: false, syncs: 2 });
    expect(resyncAt(99_200)).to.deep.equal({ nextAtMs: undefined, syncing: true, syncs: 2 });
    await idle();
    expect(syncs).to.equal(3);
    expect(executor.syncStale(60_000, 1000)).to.equal(159_200);
  });
});
