import { expect } from 'chai';
import { pino } from 'pino';
import type { Handler__Output } from '../../../../src/generated/vkcmd/runner/v1/Handler.js';
import type { HookResult } from '../../../../src/runner/probes/lifecycle-hook.js';
import { ProbeTimers } from '../../../../src/runner/probes/probe-timers.js';
import { PodRuntime } from '../../../../src/runner/pods/pod-runtime.js';
import { flush } from '../support/fake-clock.js';
import { FakeWorld, record } from '../support/fake-world.js';

const preStop: Handler__Output = {
  action: 'exec',
  exec: { command: ['pre'] },
  httpGet: null,
  tcpSocket: null,
  grpc: null,
  sleep: null,
  error: '',
};

/** A pod whose container has a preStop hook that ends after `hookMs` (never, for 'hang'). */
function podWithPreStop(
  w: FakeWorld,
  hookMs: number | 'hang',
): { pod: PodRuntime; pgid: number; hooks: number[] } {
  const hooks: number[] = [];
  const deps = {
    ...w.deps(),
    health: {
      clock: w.clock,
      timers: new ProbeTimers(w.clock),
      runnerEnv: {},
      signalGroup: () => true,
      checkSoon: () => undefined,
      random: () => 0,
      log: pino({ level: 'silent' }),
      reportIntervalMs: 1_000,
      runHook: () => {
        hooks.push(w.clock.now);
        let cancel = (): void => undefined;
        const done = new Promise<HookResult>((resolve) => {
          cancel = () => resolve({ ok: false, message: 'cut' });
          if (hookMs !== 'hang') w.clock.setTimeout(() => resolve({ ok: true }), hookMs);
        });
        return { done, cancel: () => cancel() };
      },
    },
  };
  const rec = record([{ name: 'c1', health: { lifecycle: { postStart: null, preStop } } }]);
  const pod = new PodRuntime(rec, deps);
  w.pods.push(pod);
  pod.advance();
  return { pod, pgid: pod.record.containers[0]!.pgid, hooks };
}

describe('pod-deletion with a preStop hook (the kubelet minimum grace)', () => {
  it('a preStop that uses up the grace period is cut at its end; SIGTERM then gets 2 s before SIGKILL', async () => {
    const w = new FakeWorld();
    const { pod, pgid, hooks } = podWithPreStop(w, 'hang');
    await flush();
    pod.delete(5);
    await flush();
    expect(hooks).to.have.length(1);
    await w.clock.advance(4_999);
    expect(w.signals, 'nothing before the hook is cut').to.deep.equal([]);
    await w.clock.advance(1 + 2);
    expect(w.signals).to.deep.equal([`SIGTERM->${pgid}`]);
    await w.clock.advance(1_995);
    expect(w.signals).to.have.length(1);
    await w.clock.advance(5);
    expect(w.signals).to.deep.equal([`SIGTERM->${pgid}`, `SIGKILL->${pgid}`]);
  });

  it("a preStop that ends early leaves the grace period minus its whole seconds, as the kubelet's int64(elapsed.Seconds())", async () => {
    const w = new FakeWorld();
    const { pod, pgid } = podWithPreStop(w, 1_900);
    await flush();
    pod.delete(10);
    await w.clock.advance(1_900 + 2);
    expect(w.signals).to.deep.equal([`SIGTERM->${pgid}`]);
    // 10 s - int(1.9 s) = 9 s after SIGTERM.
    await w.clock.advance(9_000 - 3);
    expect(w.signals).to.have.length(1);
    await w.clock.advance(5);
    expect(w.signals).to.deep.equal([`SIGTERM->${pgid}`, `SIGKILL->${pgid}`]);
  });

  it('without a preStop hook the deadline does not move', async () => {
    const w = new FakeWorld();
    const deps = { ...w.deps() };
    const pod = new PodRuntime(record([{ name: 'c1' }]), deps);
    w.pods.push(pod);
    pod.advance();
    const pgid = pod.record.containers[0]!.pgid;
    pod.delete(1);
    await w.clock.advance(1_000 + 4);
    expect(w.signals).to.deep.equal([`SIGTERM->${pgid}`, `SIGKILL->${pgid}`]);
  });
});
