import { expect } from 'chai';
import {
  hookWithinBound,
  newRun,
  newWorker,
  restoredWorkerState,
  runVerdict,
  type Run,
} from '../../../../src/runner/probes/health-run.js';
import type { HookResult, HookRun } from '../../../../src/runner/probes/lifecycle-hook.js';
import type { ProbeSettings, ProbeType } from '../../../../src/runner/probes/probe-settings.js';
import { initialWorkerState, type ProbeResult } from '../../../../src/runner/probes/probe-worker.js';
import { FakeClock, flush } from '../support/fake-clock.js';

const settings = (type: ProbeType): ProbeSettings => ({
  type,
  handler: { action: 'exec', exec: { command: ['true'] } } as ProbeSettings['handler'],
  initialDelaySeconds: 0,
  periodMs: 10_000,
  timeoutMs: 1_000,
  successThreshold: 2,
  failureThreshold: 3,
  terminationGracePeriodSeconds: undefined,
});

/** A run with probes whose current results are given. */
function runWith(results: Partial<Record<ProbeType, ProbeResult>>, over: Partial<Run> = {}): Run {
  const run = { ...newRun(100, 0, { cwd: '/', podEnv: [] }), ...over };
  for (const [type, result] of Object.entries(results) as Array<[ProbeType, ProbeResult]>) {
    const state = { ...initialWorkerState(type), result };
    run.workers.push(newWorker(settings(type), 0, state));
  }
  return run;
}

describe('health run: the verdict of a run', () => {
  const rows: Array<{ name: string; run: Run | undefined; started: boolean; ready: boolean }> = [
    { name: 'no run: neither', run: undefined, started: false, ready: false },
    { name: 'no probes: started and ready', run: runWith({}), started: true, ready: true },
    { name: 'an ended run: neither', run: runWith({}, { ended: true }), started: false, ready: false },
    {
      name: 'postStart still running: neither',
      run: runWith({}, { postStart: { done: new Promise(() => undefined), cancel: () => undefined } }),
      started: false,
      ready: false,
    },
    {
      name: 'postStart failed: neither',
      run: runWith({}, { postStartFailed: true }),
      started: false,
      ready: false,
    },
    {
      name: 'startup not yet passed: neither',
      run: runWith({ Startup: 'unknown' }),
      started: false,
      ready: false,
    },
    {
      name: 'startup passed, readiness failing: started only',
      run: runWith({ Startup: 'success', Readiness: 'failure' }),
      started: true,
      ready: false,
    },
    {
      name: 'startup and readiness passed: both',
      run: runWith({ Startup: 'success', Readiness: 'success' }),
      started: true,
      ready: true,
    },
    {
      name: 'being stopped for a failed probe: started, not ready',
      run: runWith({ Readiness: 'success', Liveness: 'failure' }, { stopReason: 'LivenessProbe' }),
      started: true,
      ready: false,
    },
  ];
  for (const row of rows) {
    it(row.name, () => expect(runVerdict(row.run)).to.deep.equal({ started: row.started, ready: row.ready }));
  }
});

describe('health run: the state an adopted run starts from', () => {
  const passing = { result: 'success', lastResult: 'success', resultRun: 2, onHold: false };
  const rows: Array<{ type: ProbeType; record: { started?: boolean; ready?: boolean }; passes: boolean }> = [
    { type: 'Startup', record: { started: true }, passes: true },
    { type: 'Startup', record: { started: false }, passes: false },
    { type: 'Readiness', record: { started: true, ready: true }, passes: true },
    { type: 'Readiness', record: { started: true }, passes: false },
    { type: 'Liveness', record: {}, passes: true },
  ];
  for (const row of rows) {
    it(`${row.type} with ${JSON.stringify(row.record)}: ${row.passes ? 'passing' : 'initial'}`, () => {
      const state = restoredWorkerState(settings(row.type), { name: 'c1', ...row.record });
      expect(state).to.deep.equal(row.passes ? passing : initialWorkerState(row.type));
    });
  }
});

describe('health run: a hook within its bound', () => {
  const hook = () => {
    let end: (r: HookResult) => void = () => undefined;
    const cancelled: string[] = [];
    const run: HookRun = {
      done: new Promise<HookResult>((r) => (end = r)),
      cancel: (reason) => {
        cancelled.push(reason);
        end({ ok: false, message: reason });
      },
    };
    return { run, cancelled, end: (r: HookResult) => end(r) };
  };

  it('resolves when the hook ends, and its bound is disarmed', async () => {
    const clock = new FakeClock();
    const h = hook();
    let settled = false;
    void hookWithinBound(h.run, 5_000, clock).then(() => (settled = true));
    h.end({ ok: true });
    await flush();
    expect(settled).to.equal(true);
    expect(clock.pending).to.deep.equal([]);
    expect(h.cancelled).to.deep.equal([]);
  });

  it('at the bound the hook is cancelled and the wait ends', async () => {
    const clock = new FakeClock();
    const h = hook();
    let settled = false;
    void hookWithinBound(h.run, 5_000, clock).then(() => (settled = true));
    await clock.advance(4_999);
    expect(settled).to.equal(false);
    await clock.advance(1);
    expect(settled).to.equal(true);
    expect(h.cancelled).to.deep.equal(['did not complete within the 5 s grace period']);
  });
});
