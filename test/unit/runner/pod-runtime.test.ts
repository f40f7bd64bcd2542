import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { pino } from 'pino';
import type { Clock } from '../../../src/runner/clock.js';
import type { ContainerLogs } from '../../../src/runner/container-logs.js';
import type { GroupEnd, GroupMonitor } from '../../../src/runner/group-monitor.js';
import type { LaunchPlan } from '../../../src/runner/pod-plan.js';
import { waiting, type ContainerRecord, type PodRecord } from '../../../src/runner/pod-record.js';
import { PodRuntime, type PodRuntimeDeps } from '../../../src/runner/pod-runtime.js';
import type { ProcessTable } from '../../../src/runner/process-table.js';
import { KUBERNETES_BACKOFF } from '../../../src/runner/restart-backoff.js';

class FakeClock implements Clock {
  now = 1_000_000;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private next = 1;
  nowMs(): number {
    return this.now;
  }
  setTimeout(fn: () => void, delayMs: number): unknown {
    const id = this.next++;
    this.timers.push({ at: this.now + Math.max(0, delayMs), fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  get pending(): number[] {
    return this.timers.map((t) => t.at - this.now).sort((a, b) => a - b);
  }
  /** Moves time forward, firing due timers in order. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.now = due.at;
      due.fn();
      await flush();
    }
    this.now = end;
  }
}

const flush = () => new Promise<void>((r) => setImmediate(r));

class FakeWorld {
  clock = new FakeClock();
  nextPgid = 5_000;
  ends = new Map<number, (end: GroupEnd) => void>();
  signals: string[] = [];
  launches: string[] = [];
  removed: string[] = [];
  changes = 0;
  finished = false;
  exitCodes = new Map<string, number>();

  deps(): PodRuntimeDeps {
    const logs = {
      start() {},
      stop() {},
      rotate() {},
      refresh() {},
      onGrow: () => () => undefined,
      indexes: {},
    };
    return {
      clock: this.clock,
      monitor: {
        watchChild: (pgid: number, _child: ChildProcess, onEnd: (e: GroupEnd) => void) =>
          this.ends.set(pgid, onEnd),
        adopt: (pgid: number, onEnd: (e: GroupEnd) => void) => this.ends.set(pgid, onEnd),
        scanSoon: () => undefined,
      } as unknown as GroupMonitor,
      table: { scan: () => [], read: () => undefined } as unknown as ProcessTable,
      launch: (plan: LaunchPlan) => {
        const pgid = this.nextPgid++;
        this.launches.push(`${plan.argv.join(' ')}@${this.clock.now}`);
        return {
          ok: true,
          run: { pgid, child: {} as ChildProcess, startedAtMs: this.clock.now, leaderStartTicks: 1 },
        };
      },
      stderrInfo: () => ({ sizeBytes: 0 }),
      readExitCode: (dir) => this.exitCodes.get(dir),
      readPgidFile: () => undefined,
      removePodDir: (dir) => this.removed.push(dir),
      signalGroup: (pgid, sig) => {
        this.signals.push(`${sig}->${pgid}`);
        return this.ends.has(pgid);
      },
      signalProcess: () => false,
      newLogs: () => logs as unknown as ContainerLogs,
      policy: 'fail',
      backoff: KUBERNETES_BACKOFF,
      keepPodDirs: false,
      bootId: 'boot-1',
      log: pino({ level: 'silent' }),
      onChange: () => this.changes++,
      onFinished: () => (this.finished = true),
    };
  }

  /** The group's leader exits with `code` and nothing is left. */
  exit(pgid: number, code: number): void {
    const onEnd = this.ends.get(pgid)!;
    this.ends.delete(pgid);
    onEnd({ pgid, leaderExit: { code, signal: null }, scanError: undefined });
  }
}

function record(
  containers: Array<Partial<ContainerRecord> & { name: string }>,
  restartPolicy = 'Never',
): PodRecord {
  return {
    version: 1,
    uid: 'u1',
    namespace: 'ns',
    name: 'p1',
    restartPolicy,
    createdAtMs: 1,
    podDir: '/r/ns/p1',
    podDirWritten: true,
    deleting: false,
    deleteStartedAtMs: 0,
    gracePeriodSeconds: 0,
    containers: containers.map((c) => ({
      init: false,
      image: '',
      dir: `/r/ns/p1/containers/${c.name}`,
      launch: { argv: [c.name], cwd: '/', podEnv: [] },
      setupError: undefined,
      state: waiting('ContainerCreating'),
      lastState: undefined,
      restartCount: 0,
      pgid: 0,
      leaderStartTicks: 0,
      bootId: 'boot-1',
      backoffMs: 0,
      restartAtMs: 0,
      ...c,
    })),
  };
}

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
          `back-off ${waits.at(-1)! / 1000}s restarting failed container=c1 pod=p1`,
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

  it('delete: SIGTERM, SIGKILL after the grace period, then the directory goes and onFinished fires', async () => {
    const w = new FakeWorld();
    const pod = new PodRuntime(record([{ name: 'c1' }]), w.deps());
    pod.advance();
    const pgid = pod.record.containers[0]!.pgid;
    pod.delete(2);
    expect(w.signals).to.deep.equal([`SIGTERM->${pgid}`]);
    await w.clock.advance(1_999);
    expect(w.signals).to.have.length(1);
    await w.clock.advance(1);
    expect(w.signals).to.deep.equal([`SIGTERM->${pgid}`, `SIGKILL->${pgid}`]);
    expect(w.finished).to.equal(false);
    const onEnd = w.ends.get(pgid)!;
    onEnd({ pgid, leaderExit: { code: null, signal: 'SIGKILL' }, scanError: undefined });
    const c = pod.record.containers[0]!;
    expect(
      c.state.state === 'terminated' && [c.state.terminated.exitCode, c.state.terminated.message],
    ).to.deep.equal([137, 'killed after 2 s grace period']);
    expect(w.removed).to.deep.equal(['/r/ns/p1']);
    expect(w.finished).to.equal(true);
  });

  it('delete during back-off cancels the restart and finishes at once; a shorter grace period wins', async () => {
    const w = new FakeWorld();
    const pod = new PodRuntime(record([{ name: 'c1' }], 'Always'), w.deps());
    pod.advance();
    w.exit(pod.record.containers[0]!.pgid, 0);
    await flush();
    expect(w.clock.pending).to.deep.equal([10_000]);
    pod.delete(30);
    expect(w.finished).to.equal(true);
    expect(w.clock.pending).to.deep.equal([]);

    const w2 = new FakeWorld();
    const p2 = new PodRuntime(record([{ name: 'c1' }]), w2.deps());
    p2.advance();
    p2.delete(30);
    p2.delete(60);
    expect(w2.clock.pending).to.deep.equal([30_000]);
    p2.delete(0);
    expect(w2.signals.at(-1)).to.equal(`SIGKILL->${p2.record.containers[0]!.pgid}`);
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
    w.exitCodes.set('/r/ns/p1/containers/ended', 9);
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
