import { expect } from 'chai';
import type { WirePod } from '../../../../../src/kubelet/kube/wire-types.js';
import { UnavailableError } from '../../../../../src/common/errors.js';
import {
  deletingInRunner,
  record,
  runningInRunner,
  startedPod,
  type Case,
} from '../../support/decide-fixtures.js';
import { cs, running } from '../../support/pod-fixtures.js';

/** The started pod with `kubectl debug` containers added to its spec. */
function debuggedPod(...names: string[]): WirePod {
  const pod = startedPod();
  pod.spec!.ephemeralContainers = names.map((name) => ({ name, image: 'x', targetContainerName: 'c1' }));
  return pod;
}

const held = { runnerHistory: 'held' as const };

/** Ephemeral containers: started once in a running pod, announced, retried only when that can help. */
export const ephemeralCases: Case[] = [
  {
    name: 'running, the spec gains an ephemeral container: status, then AddEphemeralContainer (last: async)',
    from: record('running', held),
    view: { apiPod: debuggedPod('debugger'), runnerPod: runningInRunner() },
    next: 'running',
    actions: ['writeStatus(runner)', 'addEphemeralContainer'],
    then: (d) => expect(d.actions.at(-1)).to.deep.include({ container: 'debugger' }),
  },
  {
    name: 'running, two added: the first the runner does not report and was not asked for',
    from: record('running', { ...held, ephemeralRequested: new Set(['a']) }),
    view: { apiPod: debuggedPod('a', 'b'), runnerPod: runningInRunner() },
    next: 'running',
    actions: ['writeStatus(runner)', 'addEphemeralContainer'],
    then: (d) => expect(d.actions.at(-1)).to.deep.include({ container: 'b' }),
  },
  {
    name: 'running, the runner reports it running: its Started event, no second AddEphemeralContainer',
    from: record('running', held),
    view: {
      apiPod: debuggedPod('debugger'),
      runnerPod: { ...runningInRunner(), ephemeralContainerStatuses: [cs('debugger', running())] },
    },
    next: 'running',
    // c1 already shows running in the API: only the debugger's run is announced.
    actions: ['writeStatus(runner)', 'event(Started)'],
    then: (d) =>
      expect(d.actions[1]).to.deep.include({
        event: {
          type: 'Normal',
          reason: 'Started',
          message: 'Started container debugger',
          fieldPath: 'spec.ephemeralContainers{debugger}',
        },
      }),
  },
  {
    name: 'running, the runner is deleting the pod: nothing is started in it',
    from: record('running', held),
    view: { apiPod: debuggedPod('debugger'), runnerPod: deletingInRunner() },
    next: 'running',
    actions: ['writeStatus(runner)'],
  },
  {
    name: 'ephemeralAdded: remembered, Created event, sync again',
    from: record('running', held),
    view: { apiPod: debuggedPod('debugger'), runnerPod: runningInRunner() },
    input: { type: 'ephemeralAdded', pod: debuggedPod('debugger'), container: 'debugger' },
    next: 'running',
    actions: ['event(Created)', 'resync'],
    then: (d) => expect([...d.next.ephemeralRequested]).to.deep.equal(['debugger']),
  },
  {
    name: 'ephemeralFailed, the runner unreachable: retried, not remembered',
    from: record('running', held),
    view: { apiPod: debuggedPod('debugger'), runnerPod: runningInRunner() },
    input: {
      type: 'ephemeralFailed',
      pod: debuggedPod('debugger'),
      container: 'debugger',
      error: new UnavailableError('down'),
      retry: true,
    },
    next: 'running',
    actions: ['warn(Cannot start ephemeral container)', 'scheduleRetry'],
    then: (d) => expect(d.next.ephemeralRequested.size).to.equal(0),
  },
  {
    name: 'ephemeralFailed, refused by the runner: a Failed warning, given up',
    from: record('running', held),
    view: { apiPod: debuggedPod('debugger'), runnerPod: runningInRunner() },
    input: {
      type: 'ephemeralFailed',
      pod: debuggedPod('debugger'),
      container: 'debugger',
      error: new Error('no such target'),
      retry: false,
    },
    next: 'running',
    actions: ['warn(Cannot start ephemeral container)', 'event(Failed)'],
    then: (d) => expect([...d.next.ephemeralRequested]).to.deep.equal(['debugger']),
  },
];
