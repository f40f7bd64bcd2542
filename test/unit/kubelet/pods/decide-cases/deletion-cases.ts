import { expect } from 'chai';
import {
  deletingInRunner,
  deletingPod,
  exitedInRunner,
  record,
  runningInRunner,
  startedPod,
  terminalPod,
  type Case,
} from '../../support/decide-fixtures.js';
import { cs, runnerPod, running, terminated } from '../../support/pod-fixtures.js';

const failed = ['warn(Pod sync failed)', 'scheduleRetry'];
const held = { runnerHistory: 'held' } as const;
const finalDelete = ['writeStatus(final,terminal,wait)', 'deleteApiObject'];

/** The API shows a deletionTimestamp: the runner first, then the final status and the API object. */
export const deletionCases: Case[] = [
  {
    name: 'running, deletion requested: Killing, DeletePod with the pod grace period',
    from: record('running', held),
    view: { apiPod: deletingPod(7), runnerPod: runningInRunner() },
    next: 'terminatingInRunner',
    actions: ['event(Killing)', 'deleteInRunner(7)'],
    then: (d) =>
      expect(d.actions[0]).to.deep.include({
        event: {
          type: 'Normal',
          reason: 'Killing',
          message: 'Stopping container c1',
          fieldPath: 'spec.containers{c1}',
        },
      }),
  },
  {
    name: 'Killing only for the containers still running',
    from: record('running', held),
    view: {
      apiPod: deletingPod(30),
      runnerPod: runnerPod([cs('c1', running()), cs('c2', terminated(0, 'Completed'))]),
    },
    next: 'terminatingInRunner',
    actions: ['event(Killing)', 'deleteInRunner(30)'],
  },
  {
    name: 'terminatingInRunner, DeletePod accepted: the status follows',
    from: record('terminatingInRunner', held),
    input: { type: 'runnerDeleteSent' },
    view: { apiPod: deletingPod(7), runnerPod: deletingInRunner() },
    next: 'terminatingInRunner',
    actions: ['writeStatus(runner)'],
  },
  {
    name: 'terminatingInRunner, DeletePod failed: terminating, retried',
    from: record('terminatingInRunner', held),
    input: { type: 'runnerDeleteFailed', error: new Error('unavailable') },
    view: { apiPod: deletingPod(7), runnerPod: runningInRunner() },
    next: 'terminating',
    actions: failed,
  },
  {
    name: 'terminating, the runner pod still not deleting: DeletePod again',
    from: record('terminating', held),
    view: { apiPod: deletingPod(7), runnerPod: runningInRunner() },
    next: 'terminatingInRunner',
    actions: ['event(Killing)', 'deleteInRunner(7)'],
  },
  {
    name: 'terminatingInRunner, the runner stops it: status only, no second DeletePod',
    from: record('terminatingInRunner', held),
    view: { apiPod: deletingPod(7), runnerPod: deletingInRunner() },
    next: 'terminatingInRunner',
    actions: ['writeStatus(runner)'],
  },
  {
    name: 'new, the runner already deleting it (kubelet restarted mid-deletion): no second DeletePod',
    from: record('new'),
    view: { apiPod: deletingPod(7), runnerPod: deletingInRunner() },
    next: 'terminatingInRunner',
    actions: ['writeStatus(runner)'],
  },
  {
    name: 'running, deletion requested while the link is down: waits',
    from: record('running', held),
    view: { apiPod: deletingPod(7), runnerPod: runningInRunner(), linkSynced: false },
    next: 'terminating',
    actions: [],
  },
  {
    name: 'terminatingInRunner while the link is down: keeps waiting',
    from: record('terminatingInRunner', held),
    view: { apiPod: deletingPod(7), runnerPod: deletingInRunner(), linkSynced: false },
    next: 'terminatingInRunner',
    actions: [],
  },
  {
    name: "terminatingInRunner, the runner's DELETED: final status written first, then the API delete",
    from: record('terminatingInRunner', held),
    view: { apiPod: deletingPod(7), runnerFinal: exitedInRunner() },
    next: 'deletingApiObject',
    actions: finalDelete,
  },
  {
    name: 'terminatingInRunner, the runner lost it instead (no final state): the API delete',
    from: record('terminatingInRunner', held),
    view: { apiPod: deletingPod(7) },
    next: 'deletingApiObject',
    actions: ['deleteApiObject'],
  },
  {
    name: 'running, gone from the runner while the link is down: waits (the runner may still hold it)',
    from: record('running', held),
    view: { apiPod: deletingPod(7), linkSynced: false },
    next: 'terminating',
    actions: [],
  },
  {
    name: 'new, the API shows it started, link down: waits',
    from: record('new'),
    view: { apiPod: deletingPod(7, startedPod()), linkSynced: false },
    next: 'terminating',
    actions: [],
  },
  {
    name: 'waitingForConfig, never started: the API delete without asking the runner, even with the link down',
    from: record({ kind: 'waitingForConfig', error: { message: 'x', containers: [] } }),
    view: { apiPod: deletingPod(30), linkSynced: false },
    next: 'deletingApiObject',
    actions: ['deleteApiObject'],
  },
  {
    name: 'new, deleted before it was created: the API delete',
    from: record('new'),
    view: { apiPod: deletingPod(30) },
    next: 'deletingApiObject',
    actions: ['deleteApiObject'],
  },
  {
    name: 'deletingApiObject: not sent twice',
    from: record('deletingApiObject', held),
    view: { apiPod: deletingPod(7), runnerFinal: exitedInRunner() },
    next: 'deletingApiObject',
    actions: [],
  },
  {
    name: 'deletingApiObject, the API delete succeeded: waits for the informer',
    from: record('deletingApiObject', held),
    input: { type: 'apiDeleted' },
    view: { apiPod: deletingPod(7) },
    next: 'deletingApiObject',
    actions: [],
  },
  {
    name: 'deletingApiObject, the API delete failed: terminating, retried',
    from: record('deletingApiObject', held),
    input: { type: 'apiDeleteFailed', error: new Error('500') },
    view: { apiPod: deletingPod(7) },
    next: 'terminating',
    actions: failed,
  },
  {
    name: 'terminating, the runner holds nothing: final status and API delete again',
    from: record('terminating', held),
    view: { apiPod: deletingPod(7), runnerFinal: exitedInRunner() },
    next: 'deletingApiObject',
    actions: finalDelete,
  },
  {
    name: 'lost, deletion requested: the API delete',
    from: record('lost', { runnerHistory: 'lost' }),
    view: { apiPod: deletingPod(30, startedPod()) },
    next: 'deletingApiObject',
    actions: ['deleteApiObject'],
  },
  {
    name: 'finished, deletion requested: the API delete',
    from: record('finished', held),
    view: { apiPod: deletingPod(30, terminalPod()) },
    next: 'deletingApiObject',
    actions: ['deleteApiObject'],
  },
  {
    name: 'waitingForPredecessor, deletion requested: the API delete',
    from: record({ kind: 'waitingForPredecessor', error: undefined }),
    view: { apiPod: deletingPod(30) },
    next: 'deletingApiObject',
    actions: ['deleteApiObject'],
  },
  {
    name: 'creating met by a sync, deletion requested: the API delete',
    from: record({ kind: 'creating', error: undefined }),
    view: { apiPod: deletingPod(30) },
    next: 'deletingApiObject',
    actions: ['deleteApiObject'],
  },
];
