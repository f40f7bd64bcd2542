import { expect } from 'chai';
import type { ProbeReport__Output } from '../../../../../src/generated/vkcmd/runner/v1/ProbeReport.js';
import { deletingPod, exitedInRunner, pendingPod, record, type Case } from '../../support/decide-fixtures.js';
import { cs, runnerPod, running, terminated, waiting } from '../../support/pod-fixtures.js';

const failing = (type: string, failures: number, lastFailure: string): ProbeReport__Output => ({
  probeType: type,
  failures,
  lastFailure,
  errors: 0,
  lastError: '',
  warnings: 0,
  lastWarning: '',
});

const startedKey = `started/c1/0/${runnerPod([cs('c1', running())]).containerStatuses[0]!.state!.running!.startedAtMs}`;
const held = (extra: Parameters<typeof record>[1] = {}) =>
  record('running', { runnerHistory: 'held', eventKeys: new Set([startedKey]), ...extra });

/** Probes and hooks: readiness and liveness transitions as the kubelet reports them. */
export const probeCases: Case[] = [
  {
    name: 'running, readiness fails: the status (not ready) and an Unhealthy event',
    from: held(),
    view: {
      runnerPod: runnerPod([
        cs('c1', running(), {
          started: true,
          ready: false,
          probeReports: [failing('Readiness', 1, 'not yet')],
        }),
      ]),
    },
    next: 'running',
    actions: ['writeStatus(runner)', 'event(Unhealthy)'],
    then: (d) => {
      expect([...d.next.probeEventCounts]).to.deep.equal([['c1/0/Readiness/failed', 1]]);
      const event = d.actions[1]!;
      expect(event.type === 'emitEvent' && event.event.message).to.equal('Readiness probe failed: not yet');
    },
  },
  {
    name: 'running, the same failures pushed again: status only',
    from: held({ probeEventCounts: new Map([['c1/0/Readiness/failed', 1]]) }),
    view: {
      runnerPod: runnerPod([
        cs('c1', running(), {
          started: true,
          ready: false,
          probeReports: [failing('Readiness', 1, 'not yet')],
        }),
      ]),
    },
    next: 'running',
    actions: ['writeStatus(runner)'],
  },
  {
    name: 'running, readiness passes: the status turns ready, no event',
    from: held({ probeEventCounts: new Map([['c1/0/Readiness/failed', 1]]) }),
    view: {
      runnerPod: runnerPod([
        cs('c1', running(), {
          started: true,
          ready: true,
          probeReports: [failing('Readiness', 1, 'not yet')],
        }),
      ]),
    },
    next: 'running',
    actions: ['writeStatus(runner)'],
  },
  {
    name: 'running, liveness fails past its threshold: Unhealthy (counting every failed run) then Killing',
    from: held(),
    view: {
      runnerPod: {
        ...runnerPod([
          cs('c1', running(), {
            started: true,
            ready: false,
            stopReason: 'LivenessProbe',
            probeReports: [failing('Liveness', 3, 'HTTP probe failed with statuscode: 500')],
          }),
        ]),
        restartPolicy: 'Always',
      },
    },
    next: 'running',
    actions: ['writeStatus(runner)', 'event(Unhealthy)', 'event(Killing)'],
    then: (d) => {
      const [, unhealthy, killing] = d.actions;
      expect(unhealthy?.type === 'emitEvent' && unhealthy.event.count).to.equal(3);
      expect(killing?.type === 'emitEvent' && killing.event.message).to.equal(
        'Container c1 failed liveness probe, will be restarted',
      );
    },
  },
  {
    name: 'running, postStart failed: FailedPostStartHook, then Killing',
    from: held(),
    view: {
      runnerPod: runnerPod([
        cs('c1', terminated(143, 'Error'), { postStartFailed: true, stopReason: 'FailedPostStartHook' }),
      ]),
    },
    next: 'running',
    actions: ['writeStatus(runner)', 'event(FailedPostStartHook)', 'event(Killing)'],
  },
  {
    name: 'terminatingInRunner, preStop failed: FailedPreStopHook with the status; no container events',
    from: record('terminatingInRunner', { runnerHistory: 'held' }),
    view: {
      apiPod: deletingPod(),
      runnerPod: { ...runnerPod([cs('c1', running(), { preStopFailed: true })]), deleting: true },
    },
    next: 'terminatingInRunner',
    actions: ['writeStatus(runner)', 'event(FailedPreStopHook)'],
  },
  {
    name: "terminatingInRunner, the runner's final state shows a failed preStop: its event before the final status",
    from: record('terminatingInRunner', { runnerHistory: 'held' }),
    view: {
      apiPod: deletingPod(),
      runnerFinal: {
        ...exitedInRunner(),
        containerStatuses: [cs('c1', terminated(143, 'Error'), { preStopFailed: true })],
      },
    },
    next: 'deletingApiObject',
    actions: ['event(FailedPreStopHook)', 'writeStatus(final,terminal,wait)', 'deleteApiObject'],
  },
  {
    name: 'running, the startup probe has not passed yet: not started, not ready, status only',
    from: held(),
    view: { runnerPod: runnerPod([cs('c1', running(), { started: false, ready: false })]) },
    next: 'running',
    actions: ['writeStatus(runner)'],
  },
  {
    name: 'running, startup fails past its threshold (Always): Unhealthy worded for startup, then Killing',
    from: held(),
    view: {
      runnerPod: {
        ...runnerPod([
          cs('c1', running(), {
            started: false,
            ready: false,
            stopReason: 'StartupProbe',
            probeReports: [failing('Startup', 2, 'dial tcp 127.0.0.1:8080: connect: connection refused')],
          }),
        ]),
        restartPolicy: 'Always',
      },
    },
    next: 'running',
    actions: ['writeStatus(runner)', 'event(Unhealthy)', 'event(Killing)'],
    then: (d) => {
      const [, unhealthy, killing] = d.actions;
      expect(unhealthy?.type === 'emitEvent' && unhealthy.event.message).to.equal(
        'Startup probe failed: dial tcp 127.0.0.1:8080: connect: connection refused',
      );
      expect(killing?.type === 'emitEvent' && killing.event.message).to.equal(
        'Container c1 failed startup probe, will be restarted',
      );
    },
  },
  {
    name: 'running, the liveness-stopped run waits in back-off: BackOff, its Unhealthy and Killing not repeated',
    from: held({
      eventKeys: new Set([startedKey, 'killing/c1/0/LivenessProbe']),
      probeEventCounts: new Map([['c1/0/Liveness/failed', 3]]),
    }),
    view: {
      runnerPod: {
        ...runnerPod([
          cs('c1', waiting('CrashLoopBackOff', 'back-off 10s restarting failed container=c1 pod=p'), {
            lastState: terminated(143, 'Error'),
            stopReason: 'LivenessProbe',
            probeReports: [failing('Liveness', 3, 'HTTP probe failed with statuscode: 500')],
          }),
        ]),
        restartPolicy: 'Always',
      },
    },
    next: 'running',
    actions: ['writeStatus(runner)', 'event(BackOff)'],
  },
  {
    name: 'running, the restarted run (restartCount 1) fails liveness again: Started, then Unhealthy counted afresh',
    from: held({
      eventKeys: new Set([startedKey, 'killing/c1/0/LivenessProbe', 'backoff/c1/0']),
      probeEventCounts: new Map([['c1/0/Liveness/failed', 3]]),
    }),
    view: {
      runnerPod: {
        ...runnerPod([
          cs('c1', running(), {
            restartCount: 1,
            lastState: terminated(143, 'Error'),
            started: true,
            ready: true,
            probeReports: [failing('Liveness', 1, 'HTTP probe failed with statuscode: 500')],
          }),
        ]),
        restartPolicy: 'Always',
      },
    },
    next: 'running',
    actions: ['writeStatus(runner)', 'event(Started)', 'event(Unhealthy)'],
    then: (d) => {
      const unhealthy = d.actions[2]!;
      expect(unhealthy.type === 'emitEvent' && unhealthy.event.count).to.equal(1);
      expect([...d.next.probeEventCounts]).to.deep.equal([['c1/1/Liveness/failed', 1]]);
    },
  },
  {
    name: 'running, liveness fails under Never with no other container running: Killing says Stopping container',
    from: held(),
    view: {
      runnerPod: runnerPod([
        cs('c1', running(), {
          started: true,
          stopReason: 'LivenessProbe',
          probeReports: [failing('Liveness', 1, 'command "check" timed out')],
        }),
      ]),
    },
    next: 'running',
    actions: ['writeStatus(runner)', 'event(Unhealthy)', 'event(Killing)'],
    then: (d) => {
      const killing = d.actions[2]!;
      expect(killing.type === 'emitEvent' && killing.event.message).to.equal('Stopping container c1');
    },
  },
  {
    name: 'creating, created while another pod here declares the same containerPort: PortConflict',
    from: record({ kind: 'creating', error: undefined }),
    input: {
      type: 'created',
      pod: pendingPod(),
      skippedVolumes: [],
      portConflicts: [
        {
          container: 'c1',
          port: 8080,
          protocol: 'TCP',
          other: { namespace: 'ns', name: 'web-0', container: 'c1' },
        },
      ],
    },
    next: 'running',
    actions: ['resetRetryBackoff', 'event(PortConflict)', 'resync'],
  },
];
