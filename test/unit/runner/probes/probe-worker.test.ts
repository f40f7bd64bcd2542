import { expect } from 'chai';
import {
  probeSettings,
  type ProbeSettings,
  type ProbeType,
} from '../../../../src/runner/probes/probe-settings.js';
import {
  applyOutcome,
  decideTick,
  initialWorkerState,
  type ProbeOutcome,
  type WorkerState,
} from '../../../../src/runner/probes/probe-worker.js';

const T0 = 1_000_000;

function settings(type: ProbeType, over: Partial<ProbeSettings> = {}): ProbeSettings {
  return {
    ...probeSettings(type, {
      handler: { error: '' },
      initialDelaySeconds: 0,
      periodSeconds: 0,
      timeoutSeconds: 0,
      successThreshold: 0,
      failureThreshold: 0,
    })!,
    ...over,
  };
}

const fail: ProbeOutcome = { kind: 'failure', output: 'HTTP probe failed with statuscode: 500' };
const ok: ProbeOutcome = { kind: 'success', output: '' };
const warn: ProbeOutcome = { kind: 'warning', output: 'Probe terminated redirects, Response body: ' };
const errored: ProbeOutcome = { kind: 'error', message: 'port "http" not found' };

/** Applies outcomes in order; returns every step's flags and the final state. */
function run(type: ProbeType, outcomes: ProbeOutcome[], over: Partial<ProbeSettings> = {}) {
  const s = settings(type, over);
  let state: WorkerState = initialWorkerState(type);
  const steps = outcomes.map((o) => {
    const a = applyOutcome(state, s, o);
    state = a.next;
    return { result: a.next.result, changed: a.changed, stop: a.stop, counted: a.counted };
  });
  return { steps, state };
}

describe('probe worker: the kubelet worker as pure decisions', () => {
  describe('initial values', () => {
    it('readiness starts failed (not ready), liveness succeeded (alive), startup unknown (not started)', () => {
      expect(initialWorkerState('Readiness').result).to.equal('failure');
      expect(initialWorkerState('Liveness').result).to.equal('success');
      expect(initialWorkerState('Startup').result).to.equal('unknown');
    });
  });

  describe('thresholds', () => {
    it('readiness turns ready on the first success with successThreshold 1', () => {
      const { steps } = run('Readiness', [ok]);
      expect(steps[0]).to.deep.equal({
        result: 'success',
        changed: true,
        stop: false,
        counted: 'successful',
      });
    });

    it('readiness needs successThreshold successes in a row; a failure in between starts over', () => {
      const { steps } = run('Readiness', [ok, fail, ok, ok, ok], { successThreshold: 3 });
      expect(steps.map((s) => s.result)).to.deep.equal([
        'failure',
        'failure',
        'failure',
        'failure',
        'success',
      ]);
      expect(steps.map((s) => s.changed)).to.deep.equal([false, false, false, false, true]);
    });

    it('readiness turns unready after failureThreshold failures in a row, never stopping the container', () => {
      const { steps } = run('Readiness', [ok, fail, fail, fail, fail]);
      expect(steps.map((s) => s.result)).to.deep.equal([
        'success',
        'success',
        'success',
        'failure',
        'failure',
      ]);
      expect(steps.map((s) => s.changed)).to.deep.equal([true, false, false, true, false]);
      expect(steps.some((s) => s.stop)).to.equal(false);
    });

    it('liveness stops the run at the third failure in a row (default threshold) and goes on hold', () => {
      const { steps, state } = run('Liveness', [fail, ok, fail, fail, fail]);
      expect(steps.map((s) => s.stop)).to.deep.equal([false, false, false, false, true]);
      expect(steps[4]!.result).to.equal('failure');
      expect(state.onHold).to.equal(true);
      expect(state.resultRun).to.equal(0);
    });

    it('liveness with failureThreshold 1 stops at the first failure', () => {
      const { steps } = run('Liveness', [fail], { failureThreshold: 1 });
      expect(steps[0]).to.include({ result: 'failure', changed: true, stop: true, counted: 'failed' });
    });

    it('startup succeeds once and fails (stopping the run) after failureThreshold failures', () => {
      expect(run('Startup', [fail, ok]).steps.map((s) => s.result)).to.deep.equal(['unknown', 'success']);
      expect(run('Startup', [fail, fail, fail]).steps.map((s) => s.stop)).to.deep.equal([false, false, true]);
    });
  });

  describe('outcomes', () => {
    it('a warning counts as a success (a redirect to another host is not a failure)', () => {
      const { steps } = run('Readiness', [warn]);
      expect(steps[0]).to.include({ result: 'success', counted: 'successful' });
    });

    it('an errored run is thrown away: no result change, no count, the run of results unbroken', () => {
      const { steps, state } = run('Liveness', [fail, errored, errored, fail, fail]);
      expect(steps.map((s) => s.counted)).to.deep.equal(['failed', undefined, undefined, 'failed', 'failed']);
      expect(steps.map((s) => s.stop)).to.deep.equal([false, false, false, false, true]);
      expect(state.onHold).to.equal(true);
    });

    it('an invalid readiness probe never makes the container ready', () => {
      const { state } = run('Readiness', [errored, errored, errored, errored]);
      expect(state.result).to.equal('failure');
    });
  });

  describe('decideTick', () => {
    const ctx = { nowMs: T0, runStartedAtMs: T0, started: true, podDeleting: false };

    it('waits for initialDelaySeconds in whole seconds since the run started', () => {
      const s = settings('Liveness', { initialDelaySeconds: 5 });
      const w = initialWorkerState('Liveness');
      expect(decideTick(w, s, { ...ctx, nowMs: T0 + 4_999 })).to.equal('wait');
      expect(decideTick(w, s, { ...ctx, nowMs: T0 + 5_000 })).to.equal('probe');
    });

    it('startup runs until the container started; readiness and liveness only after', () => {
      const notStarted = { ...ctx, started: false };
      expect(decideTick(initialWorkerState('Startup'), settings('Startup'), notStarted)).to.equal('probe');
      expect(decideTick(initialWorkerState('Readiness'), settings('Readiness'), notStarted)).to.equal('wait');
      expect(decideTick(initialWorkerState('Liveness'), settings('Liveness'), notStarted)).to.equal('wait');
      expect(decideTick(initialWorkerState('Startup'), settings('Startup'), ctx)).to.equal('wait');
      expect(decideTick(initialWorkerState('Liveness'), settings('Liveness'), ctx)).to.equal('probe');
    });

    it('on hold after a liveness failure: no probing until a new run', () => {
      const held = { ...initialWorkerState('Liveness'), onHold: true };
      expect(decideTick(held, settings('Liveness'), ctx)).to.equal('wait');
    });

    it('pod deletion stops liveness and startup quietly; readiness keeps probing', () => {
      const deleting = { ...ctx, podDeleting: true };
      expect(decideTick(initialWorkerState('Liveness'), settings('Liveness'), deleting)).to.equal(
        'stopQuietly',
      );
      expect(decideTick(initialWorkerState('Startup'), settings('Startup'), deleting)).to.equal(
        'stopQuietly',
      );
      expect(decideTick(initialWorkerState('Readiness'), settings('Readiness'), deleting)).to.equal('probe');
    });
  });
});
