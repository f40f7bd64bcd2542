import { expect } from 'chai';
import { pino } from 'pino';
import type { Handler__Output } from '../../../../src/generated/vkcmd/runner/v1/Handler.js';
import type { Probe__Output } from '../../../../src/generated/vkcmd/runner/v1/Probe.js';
import { ContainerHealth } from '../../../../src/runner/probes/container-health.js';
import type { HealthHost, HealthRecord, HealthSpec } from '../../../../src/runner/probes/health-types.js';
import type { HookResult } from '../../../../src/runner/probes/lifecycle-hook.js';
import { ProbeTimers } from '../../../../src/runner/probes/probe-timers.js';
import type { ProbeOutcome } from '../../../../src/runner/probes/probe-worker.js';
import { FakeClock, flush } from '../support/fake-clock.js';

const log = pino({ level: 'silent' });
const execHandler = (name: string): Handler__Output => ({
  action: 'exec',
  exec: { command: [name] },
  error: '',
});

function probe(name: string, over: Partial<Probe__Output> = {}): Probe__Output {
  return {
    handler: execHandler(name),
    initialDelaySeconds: 0,
    periodSeconds: 1,
    timeoutSeconds: 1,
    successThreshold: 0,
    failureThreshold: 0,
    ...over,
  };
}

/** A container's health driven by a fake clock, with scripted probe and hook results. */
function setup(spec: HealthSpec, hookResults: Record<string, HookResult | 'hang'> = {}) {
  const clock = new FakeClock();
  const timers = new ProbeTimers(clock);
  const results = new Map<string, ProbeOutcome>();
  const probed: string[] = [];
  const hooks: string[] = [];
  const signals: string[] = [];
  const events: string[] = [];
  const counts: string[] = [];
  const skips: string[] = [];
  /** How long a probe's runs take, by command name (default: they end at once). */
  const durations = new Map<string, number>();
  const record: HealthRecord = { name: 'c1' };
  let deleting = false;
  const host: HealthHost = {
    owner: { podName: 'p', namespace: 'ns', uid: 'u' },
    createdAtMs: clock.now,
    podGraceSeconds: () => 30,
    podDeleting: () => deleting,
    changed: () => events.push(`changed started=${record.started} ready=${record.ready}`),
    reported: () => events.push('reported'),
    counted: (_c, type, result) => counts.push(`${type}:${result}`),
    skipped: (_c, type, ticks) => skips.push(`${type}:${ticks}@${clock.now - T0}`),
  };
  const health = new ContainerHealth(record, spec, host, {
    clock,
    timers,
    runnerEnv: {},
    signalGroup: (pgid, signal) => {
      signals.push(`${signal}@${clock.now - T0}`);
      return true;
    },
    checkSoon: () => undefined,
    random: () => 0,
    log,
    runProbe: (handler) => {
      const name = handler.exec!.command[0]!;
      probed.push(`${name}@${clock.now - T0}`);
      const outcome = results.get(name) ?? { kind: 'success', output: '' };
      const ms = durations.get(name);
      if (ms === undefined) return Promise.resolve(outcome);
      return new Promise((resolve) => clock.setTimeout(() => resolve(outcome), ms));
    },
    runHook: (handler) => {
      const name = handler.exec!.command[0]!;
      hooks.push(`${name}@${clock.now - T0}`);
      const r = hookResults[name] ?? { ok: true };
      return {
        done: r === 'hang' ? new Promise<HookResult>(() => undefined) : Promise.resolve(r),
        cancel: () => undefined,
      };
    },
  });
  const T0 = clock.now;
  const start = (adopted = false): void =>
    health.runStarted(4242, clock.now, { cwd: '/tmp', podEnv: [] }, adopted);
  return {
    clock,
    health,
    record,
    results,
    probed,
    hooks,
    signals,
    events,
    counts,
    skips,
    durations,
    start,
    setDeleting: () => (deleting = true),
  };
}

describe('container health: probes and hooks of one container', () => {
  it('without probes the container is started and ready as soon as it runs', () => {
    const t = setup({ lifecycle: { postStart: null, preStop: execHandler('pre') } });
    t.start();
    expect(t.record).to.include({ started: true, ready: true });
  });

  it('readiness is false until the first success, which runs as soon as the container started', async () => {
    const t = setup({ readinessProbe: probe('ready') });
    t.results.set('ready', { kind: 'failure', output: 'not yet' });
    t.start();
    expect(t.record).to.include({ started: true, ready: false });
    await t.clock.advance(0);
    expect(t.probed).to.deep.equal(['ready@0']);
    expect(t.events).to.include('reported');
    t.results.set('ready', { kind: 'success', output: '' });
    await t.clock.advance(1_000);
    expect(t.record.ready).to.equal(true);
    expect(t.counts).to.deep.equal(['Readiness:failed', 'Readiness:successful']);
    expect(t.health.status().probeReports).to.deep.equal([
      {
        probeType: 'Readiness',
        failures: 1,
        lastFailure: 'not yet',
        errors: 0,
        lastError: '',
        warnings: 0,
        lastWarning: '',
      },
    ]);
  });

  it('startup holds readiness and liveness back until it succeeds', async () => {
    const t = setup({
      startupProbe: probe('startup', { failureThreshold: 10 }),
      readinessProbe: probe('ready'),
      livenessProbe: probe('live'),
    });
    t.results.set('startup', { kind: 'failure', output: 'starting' });
    t.start();
    await t.clock.advance(2_500);
    expect(t.probed.every((p) => p.startsWith('startup'))).to.equal(true);
    expect(t.record).to.include({ started: false, ready: false });
    t.results.delete('startup');
    await t.clock.advance(1_000);
    expect(t.record).to.include({ started: true, ready: true });
    await t.clock.advance(2_000);
    expect(t.probed.filter((p) => p.startsWith('live')).length).to.be.greaterThan(0);
    expect(t.probed.filter((p) => p.startsWith('startup'))).to.have.length(4);
  });

  it('a liveness failure stops the run: preStop, SIGTERM, SIGKILL after the probe-level grace; restart forced', async () => {
    const t = setup({
      livenessProbe: probe('live', { failureThreshold: 1, terminationGracePeriodSeconds: 5 }),
      lifecycle: { postStart: null, preStop: execHandler('pre') },
    });
    t.results.set('live', { kind: 'failure', output: 'HTTP probe failed with statuscode: 500' });
    t.start();
    await t.clock.advance(0);
    expect(t.health.status().stopReason).to.equal('LivenessProbe');
    expect(t.record.ready).to.equal(false);
    expect(t.hooks).to.deep.equal(['pre@0']);
    expect(t.signals).to.deep.equal(['SIGTERM@0']);
    await t.clock.advance(5_000);
    expect(t.signals).to.deep.equal(['SIGTERM@0', 'SIGKILL@5000']);
    expect(t.health.runEnded()).to.deep.equal({ forceRestart: true, message: '' });
  });

  it('postStart: not running until the hook ends; probes start only then', async () => {
    const t = setup(
      { readinessProbe: probe('ready'), lifecycle: { postStart: execHandler('post'), preStop: null } },
      {},
    );
    t.start();
    expect(t.health.status().postStartPending).to.equal(true);
    expect(t.record).to.include({ started: false, ready: false });
    expect(t.probed).to.deep.equal([]);
    await flush();
    expect(t.health.status().postStartPending).to.equal(false);
    expect(t.record).to.include({ started: true, ready: false });
    await t.clock.advance(0);
    expect(t.record).to.include({ started: true, ready: true });
    expect(t.hooks).to.deep.equal(['post@0']);
    expect(t.probed).to.deep.equal(['ready@0']);
  });

  it('a failed postStart stops the run with the pod grace and reports FailedPostStartHook', async () => {
    const t = setup(
      { livenessProbe: probe('live'), lifecycle: { postStart: execHandler('post'), preStop: null } },
      { post: { ok: false, message: 'Exec lifecycle hook ([post]) ... failed' } },
    );
    t.start();
    await flush();
    const s = t.health.status();
    expect(s).to.include({ postStartFailed: true, stopReason: 'FailedPostStartHook', started: false });
    expect(t.signals).to.deep.equal(['SIGTERM@0']);
    await t.clock.advance(30_000);
    expect(t.signals).to.deep.equal(['SIGTERM@0', 'SIGKILL@30000']);
    expect(t.probed).to.deep.equal([]);
    expect(t.health.runEnded()).to.deep.equal({
      forceRestart: false,
      message: 'Exec lifecycle hook ([post]) ... failed',
    });
  });

  it('a preStop that hangs is cut at the grace period, and SIGTERM still gets the 2 s minimum', async () => {
    const t = setup(
      {
        livenessProbe: probe('live', { failureThreshold: 1 }),
        lifecycle: { postStart: null, preStop: execHandler('pre') },
      },
      { pre: 'hang' },
    );
    t.results.set('live', { kind: 'failure', output: 'x' });
    t.start();
    await t.clock.advance(29_999);
    expect(t.signals).to.deep.equal([]);
    await t.clock.advance(1);
    expect(t.signals).to.deep.equal(['SIGTERM@30000']);
    await t.clock.advance(2_000);
    expect(t.signals).to.deep.equal(['SIGTERM@30000', 'SIGKILL@32000']);
  });

  it('pod deletion: liveness stops quietly, readiness goes on; preStop runs once for the deletion', async () => {
    const t = setup({
      readinessProbe: probe('ready'),
      livenessProbe: probe('live'),
      lifecycle: { postStart: null, preStop: execHandler('pre') },
    });
    t.start();
    await t.clock.advance(1_000);
    const before = t.probed.length;
    t.setDeleting();
    t.health.podDeletionBegan();
    await t.health.preStopForDeletion(30_000);
    await t.health.preStopForDeletion(30_000);
    await t.clock.advance(3_000);
    const after = t.probed.slice(before);
    expect(after.every((p) => p.startsWith('ready'))).to.equal(true);
    expect(after.length).to.be.greaterThan(0);
    expect(t.hooks).to.deep.equal(['pre@1000']);
  });

  it('a re-adopted run keeps its saved verdicts and runs no postStart', async () => {
    const t = setup({
      readinessProbe: probe('ready'),
      lifecycle: { postStart: execHandler('post'), preStop: null },
    });
    t.record.started = true;
    t.record.ready = true;
    t.results.set('ready', { kind: 'failure', output: 'x' });
    t.start(true);
    expect(t.record).to.include({ started: true, ready: true });
    expect(t.hooks).to.deep.equal([]);
    await t.clock.advance(3_500);
    expect(t.record.ready).to.equal(false);
  });

  it('a run that outlasts its period drops the ticks it covered, counts them, and goes on from the next tick', async () => {
    const t = setup({ livenessProbe: probe('live') });
    t.durations.set('live', 2_500);
    t.start();
    await t.clock.advance(0);
    await t.clock.advance(2_500);
    expect(t.skips).to.deep.equal(['Liveness:2@2500']);
    t.durations.delete('live');
    await t.clock.advance(500);
    expect(t.probed).to.deep.equal(['live@0', 'live@3000']);
    await t.clock.advance(3_000);
    expect(t.probed).to.deep.equal(['live@0', 'live@3000', 'live@4000', 'live@5000', 'live@6000']);
    expect(t.skips).to.have.length(1);
  });

  it('the run ending stops every tick', async () => {
    const t = setup({ readinessProbe: probe('ready') });
    t.start();
    await t.clock.advance(0);
    t.health.runEnded();
    const n = t.probed.length;
    await t.clock.advance(10_000);
    expect(t.probed.length).to.equal(n);
    expect(t.record).to.include({ started: false, ready: false });
  });
});
