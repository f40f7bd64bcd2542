import { expect } from 'chai';
import type { ContainerCreateError } from '../../../../../src/kubelet/pods/pod-status.js';
import { CONFIG_ERROR, pendingPod, predecessor, record, type Case } from '../../support/decide-fixtures.js';

const waitingForConfig = { kind: 'waitingForConfig', error: CONFIG_ERROR } as const;
const creatingWithError = { kind: 'creating', error: CONFIG_ERROR } as const;
const failed = ['warn(Pod sync failed)', 'scheduleRetry'];
const errorOf = (d: { next: { state: object } }) => (d.next.state as { error?: ContainerCreateError }).error;

/** Creation: the link, retries, a same-named predecessor, configuration errors, CreatePod's outcomes. */
export const creationCases: Case[] = [
  {
    name: 'new: created once the link is synced',
    from: record('new'),
    next: 'creating',
    actions: ['createInRunner'],
  },
  {
    name: 'new: nothing is created while the link is not synced',
    from: record('new'),
    view: { linkSynced: false },
    next: 'new',
    actions: [],
  },
  {
    name: 'new: waits while a retry is armed',
    from: record('new'),
    view: { retryPending: true },
    next: 'new',
    actions: [],
  },
  {
    name: 'new: a same-named pod still in the runner is waited for',
    from: record('new'),
    view: { others: [predecessor()] },
    next: 'waitingForPredecessor',
    actions: [],
  },
  {
    name: 'waitingForPredecessor: created once the predecessor is gone',
    from: record({ kind: 'waitingForPredecessor', error: undefined }),
    next: 'creating',
    actions: ['createInRunner'],
  },
  {
    name: 'waitingForPredecessor: still waits while the predecessor is there',
    from: record({ kind: 'waitingForPredecessor', error: undefined }),
    view: { others: [predecessor()] },
    next: 'waitingForPredecessor',
    actions: [],
  },
  {
    name: 'waitingForConfig: a predecessor keeps the shown error',
    from: record(waitingForConfig),
    view: { others: [predecessor()] },
    next: 'waitingForPredecessor',
    actions: [],
    then: (d) => expect(errorOf(d)).to.equal(CONFIG_ERROR),
  },
  {
    name: 'waitingForConfig: waits for its retry',
    from: record(waitingForConfig),
    view: { retryPending: true },
    next: 'waitingForConfig',
    actions: [],
  },
  {
    name: 'waitingForConfig: tries again once the retry fired, still showing the error',
    from: record(waitingForConfig),
    next: 'creating',
    actions: ['createInRunner'],
    then: (d) => expect(errorOf(d)).to.equal(CONFIG_ERROR),
  },
  {
    name: 'creating, a ConfigMap is missing: CreateContainerConfigError logged, announced, shown; retry',
    from: record({ kind: 'creating', error: undefined }),
    input: { type: 'createWaiting', pod: pendingPod(), error: CONFIG_ERROR },
    next: 'waitingForConfig',
    actions: [
      'info(Cannot create pod yet)',
      'event(Failed)',
      'writeStatus(none,CreateContainerConfigError)',
      'scheduleRetry',
    ],
    then: (d) => {
      expect(d.actions[1]).to.deep.include({
        event: {
          type: 'Warning',
          reason: 'Failed',
          message: 'Error: configmap "cfg" not found',
          fieldPath: 'spec.containers{c1}',
        },
      });
      expect(errorOf(d)).to.equal(CONFIG_ERROR);
    },
  },
  {
    name: 'creating, the same error again: shown, not announced again',
    from: record(creatingWithError),
    input: { type: 'createWaiting', pod: pendingPod(), error: { ...CONFIG_ERROR } },
    next: 'waitingForConfig',
    actions: ['writeStatus(none,CreateContainerConfigError)', 'scheduleRetry'],
  },
  {
    name: 'creating, another error: announced',
    from: record(creatingWithError),
    input: {
      type: 'createWaiting',
      pod: pendingPod(),
      error: { message: 'secret "s" not found', containers: [] },
    },
    next: 'waitingForConfig',
    actions: [
      'info(Cannot create pod yet)',
      'event(Failed)',
      'writeStatus(none,CreateContainerConfigError)',
      'scheduleRetry',
    ],
  },
  {
    name: 'creating, CreatePod succeeded: running, back-off reset, FailedMount for skipped volumes, sync again',
    from: record({ kind: 'creating', error: undefined }),
    input: {
      type: 'created',
      pod: pendingPod(),
      skippedVolumes: [{ name: 'data', kind: 'persistentVolumeClaim volume' }],
    },
    next: 'running',
    actions: ['resetRetryBackoff', 'event(FailedMount)', 'resync'],
    then: (d) => {
      expect(d.next.runnerHistory).to.equal('held');
      expect(d.next.startLatencyPending, 'created here: start latency is due').to.equal(true);
    },
  },
  {
    name: 'creating, the pod or the link changed while fetching: nothing created, sync again',
    from: record({ kind: 'creating', error: undefined }),
    input: { type: 'createAborted' },
    next: 'new',
    actions: ['resync'],
  },
  {
    name: 'creating with an error shown, aborted: the error stays',
    from: record(creatingWithError),
    input: { type: 'createAborted' },
    next: 'waitingForConfig',
    actions: ['resync'],
  },
  {
    name: 'creating, the runner refused the spec: CreateContainerError shown, sync failed, retry',
    from: record({ kind: 'creating', error: undefined }),
    input: {
      type: 'createFailed',
      pod: pendingPod(),
      error: new Error('bad'),
      refusal: 'pod.containers[0].name: bad',
    },
    next: 'waitingForConfig',
    actions: [
      'info(Cannot create pod yet)',
      'event(Failed)',
      'writeStatus(none,CreateContainerError)',
      ...failed,
    ],
    then: (d) =>
      expect(errorOf(d)).to.deep.equal({
        reason: 'CreateContainerError',
        message: 'pod.containers[0].name: bad',
        containers: [],
      }),
  },
  {
    name: 'creating, an API or runner call failed: sync failed, retry',
    from: record({ kind: 'creating', error: undefined }),
    input: { type: 'createFailed', pod: pendingPod(), error: new Error('unavailable'), refusal: undefined },
    next: 'new',
    actions: failed,
  },
  {
    name: 'creating with an error shown, a call failed: the error stays',
    from: record(creatingWithError),
    input: { type: 'createFailed', pod: pendingPod(), error: new Error('unavailable'), refusal: undefined },
    next: 'waitingForConfig',
    actions: failed,
  },
  {
    name: 'creating met by a sync (its result never came): not created, waits for the retry',
    from: record(creatingWithError),
    view: { retryPending: true },
    next: 'waitingForConfig',
    actions: [],
  },
];
