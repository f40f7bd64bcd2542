import { expect } from 'chai';
import {
  exitedInRunner,
  record,
  runningInRunner,
  startedPod,
  startingInRunner,
  terminalPod,
  type Case,
} from '../../support/decide-fixtures.js';
import { cs, runnerPod, waiting } from '../../support/pod-fixtures.js';

/** The runner holds the pod: adoption, mirroring, events, start latency. */
export const runningCases: Case[] = [
  {
    name: 'new, the runner already holds it (adopted after a kubelet restart): mirrored, no CreatePod',
    from: record('new'),
    view: { runnerPod: runningInRunner() },
    next: 'running',
    actions: ['writeStatus(runner)', 'event(Started)'],
    then: (d) => {
      expect(d.next.runnerHistory).to.equal('held');
      expect(d.next.startLatencyPending, 'not created here: no start latency').to.equal(false);
    },
  },
  {
    name: 'running, created here, every container running: Started and the start latency, once',
    from: record('running', { runnerHistory: 'held', startLatencyPending: true }),
    view: { runnerPod: runningInRunner() },
    next: 'running',
    actions: ['writeStatus(runner)', 'event(Started)', 'startLatency(9.5)'],
    then: (d) => {
      expect(d.next.startLatencyPending).to.equal(false);
      expect([...d.next.eventKeys]).to.have.length(1);
    },
  },
  {
    name: 'running, containers not running yet: status only, the start latency stays due',
    from: record('running', { runnerHistory: 'held', startLatencyPending: true }),
    view: { runnerPod: startingInRunner() },
    next: 'running',
    actions: ['writeStatus(runner)'],
    then: (d) => expect(d.next.startLatencyPending).to.equal(true),
  },
  {
    name: 'running, an event already emitted: not again',
    from: record('running', {
      runnerHistory: 'held',
      eventKeys: new Set([
        `started/c1/0/${runningInRunner().containerStatuses[0]!.state!.running!.startedAtMs}`,
      ]),
    }),
    view: { runnerPod: runningInRunner() },
    next: 'running',
    actions: ['writeStatus(runner)'],
  },
  {
    name: 'running, a container crash-loops: BackOff',
    from: record('running', { runnerHistory: 'held' }),
    view: { runnerPod: runnerPod([cs('c1', waiting('CrashLoopBackOff'), { restartCount: 2 })]) },
    next: 'running',
    actions: ['writeStatus(runner)', 'event(BackOff)'],
  },
  {
    name: 'running, the container ended: status only (the pod stays in the runner until deleted)',
    from: record('running', { runnerHistory: 'held' }),
    view: { runnerPod: exitedInRunner() },
    next: 'running',
    actions: ['writeStatus(runner)'],
  },
  {
    name: 'running while the link is not synced: no status written',
    from: record('running', { runnerHistory: 'held' }),
    view: { runnerPod: runningInRunner(), linkSynced: false },
    next: 'running',
    actions: [],
  },
  {
    name: 'running, the API shows it terminal and the runner still holds it: mirrored',
    from: record('running', { runnerHistory: 'held' }),
    view: { apiPod: terminalPod(), runnerPod: exitedInRunner() },
    next: 'running',
    actions: ['writeStatus(runner)'],
  },
];

/** Pods the runner lost, and terminal pods with no runner pod. */
export const lostCases: Case[] = [
  {
    name: 'running, the runner no longer holds it: lost, warned once, Failed written',
    from: record('running', { runnerHistory: 'held' }),
    next: 'lost',
    actions: [
      'warn(Runner lost a started pod; reporting it Failed)',
      'event(RunnerLostPod)',
      'writeStatus(none,lost)',
    ],
    then: (d) => expect(d.next.runnerHistory).to.equal('lost'),
  },
  {
    name: 'running, the runner pod vanished while the link is down: nothing reported',
    from: record('running', { runnerHistory: 'held' }),
    view: { linkSynced: false },
    next: 'running',
    actions: [],
  },
  {
    name: 'new, the API shows it started but the runner lost it (kubelet and runner restarted): lost',
    from: record('new'),
    view: { apiPod: startedPod() },
    next: 'lost',
    actions: [
      'warn(Runner lost a started pod; reporting it Failed)',
      'event(RunnerLostPod)',
      'writeStatus(none,lost)',
    ],
  },
  {
    name: 'new, the API shows it started, the link not synced: neither created nor failed',
    from: record('new'),
    view: { apiPod: startedPod(), linkSynced: false },
    next: 'new',
    actions: [],
  },
  {
    name: 'lost: the status again, no second warning',
    from: record('lost', { runnerHistory: 'lost' }),
    view: { apiPod: startedPod() },
    next: 'lost',
    actions: ['writeStatus(none,lost)'],
  },
  {
    name: 'lost, the runner holds it again: mirrored, still reported lost',
    from: record('lost', { runnerHistory: 'lost' }),
    view: { apiPod: startedPod(), runnerPod: exitedInRunner() },
    next: 'lost',
    actions: ['writeStatus(runner,lost)'],
  },
  {
    name: 'lost, the API shows Failed: finished',
    from: record('lost', { runnerHistory: 'lost' }),
    view: { apiPod: terminalPod('Failed') },
    next: 'finished',
    actions: [],
  },
  {
    name: 'running, the API shows Succeeded and the runner holds nothing: finished, not lost',
    from: record('running', { runnerHistory: 'held' }),
    view: { apiPod: terminalPod() },
    next: 'finished',
    actions: [],
  },
  {
    name: 'new, a terminal pod with no runner pod (even with the link down): finished, never created',
    from: record('new'),
    view: { apiPod: terminalPod('Failed'), linkSynced: false },
    next: 'finished',
    actions: [],
  },
  {
    name: 'finished, the runner holds it again: mirrored',
    from: record('finished', { runnerHistory: 'held' }),
    view: { apiPod: terminalPod(), runnerPod: exitedInRunner() },
    next: 'running',
    actions: ['writeStatus(runner)'],
  },
  {
    name: 'finished stays finished',
    from: record('finished', { runnerHistory: 'held' }),
    view: { apiPod: terminalPod() },
    next: 'finished',
    actions: [],
  },
];
