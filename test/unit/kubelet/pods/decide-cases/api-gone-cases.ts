import {
  deletingInRunner,
  deletingPod,
  exitedInRunner,
  pendingPod,
  record,
  runningInRunner,
  type Case,
} from '../../support/decide-fixtures.js';

const failed = ['warn(Pod sync failed)', 'scheduleRetry'];
const held = { runnerHistory: 'held' } as const;

/** The API no longer has the pod (force-deleted, replaced by a same-named pod) or never had it (an orphan). */
export const apiGoneCases: Case[] = [
  {
    name: 'running, force-deleted: DeletePod with the grace period the object last had',
    from: record('running', held),
    view: { apiPod: undefined, lastApiPod: deletingPod(5), runnerPod: runningInRunner() },
    next: 'terminatingInRunner',
    actions: ['deleteInRunner(5)'],
  },
  {
    name: "running, gone without a deletion grace period: the spec's terminationGracePeriodSeconds",
    from: record('running', held),
    view: { apiPod: undefined, lastApiPod: pendingPod(), runnerPod: runningInRunner() },
    next: 'terminatingInRunner',
    actions: ['deleteInRunner(20)'],
  },
  {
    name: "orphan (the API never had it): DeletePod with the runner's default grace",
    from: record('orphan'),
    view: { apiPod: undefined, lastApiPod: undefined, runnerPod: runningInRunner() },
    next: 'terminatingInRunner',
    actions: ['deleteInRunner(default)'],
  },
  {
    name: 'orphan, DeletePod failed: terminating, retried',
    from: record('terminatingInRunner'),
    input: { type: 'runnerDeleteFailed', error: new Error('unavailable') },
    view: { apiPod: undefined, lastApiPod: undefined, runnerPod: runningInRunner() },
    next: 'terminating',
    actions: failed,
  },
  {
    name: 'terminating, API object gone: DeletePod again',
    from: record('terminating'),
    view: { apiPod: undefined, lastApiPod: undefined, runnerPod: runningInRunner() },
    next: 'terminatingInRunner',
    actions: ['deleteInRunner(default)'],
  },
  {
    name: 'orphan while the link is down: waits',
    from: record('orphan'),
    view: { apiPod: undefined, lastApiPod: undefined, runnerPod: runningInRunner(), linkSynced: false },
    next: 'terminating',
    actions: [],
  },
  {
    name: 'terminatingInRunner, DeletePod accepted for a pod the API no longer has: no status',
    from: record('terminatingInRunner', held),
    input: { type: 'runnerDeleteSent' },
    view: { apiPod: undefined, runnerPod: deletingInRunner() },
    next: 'terminatingInRunner',
    actions: [],
  },
  {
    name: 'terminatingInRunner, the runner still stopping it: waits',
    from: record('terminatingInRunner', held),
    view: { apiPod: undefined, runnerPod: deletingInRunner() },
    next: 'terminatingInRunner',
    actions: [],
  },
  {
    name: 'running, the runner is deleting it already: no DeletePod',
    from: record('running', held),
    view: { apiPod: undefined, runnerPod: deletingInRunner() },
    next: 'terminatingInRunner',
    actions: [],
  },
  {
    name: "terminatingInRunner, the runner's DELETED: forgotten",
    from: record('terminatingInRunner', held),
    view: { apiPod: undefined, runnerFinal: exitedInRunner() },
    next: 'gone',
    actions: ['forget'],
  },
  {
    name: "deletingApiObject, the informer's DELETE: forgotten",
    from: record('deletingApiObject', held),
    view: { apiPod: undefined },
    next: 'gone',
    actions: ['forget'],
  },
  {
    name: 'new, deleted before anything was asked of the runner: forgotten',
    from: record('new'),
    view: { apiPod: undefined },
    next: 'gone',
    actions: ['forget'],
  },
  {
    name: 'waitingForConfig, the API object gone while the link is down: waits',
    from: record({ kind: 'waitingForConfig', error: { message: 'x', containers: [] } }),
    view: { apiPod: undefined, linkSynced: false },
    next: 'terminating',
    actions: [],
  },
  {
    name: 'terminating, the link synced and the runner holds nothing: forgotten',
    from: record('terminating'),
    view: { apiPod: undefined },
    next: 'gone',
    actions: ['forget'],
  },
  {
    name: 'gone: nothing more',
    from: record('gone'),
    view: { apiPod: undefined, runnerPod: runningInRunner() },
    next: 'gone',
    actions: [],
  },
];
