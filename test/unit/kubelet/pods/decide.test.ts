import { expect } from 'chai';
import { decide, hasSameNamePredecessor } from '../../../../src/kubelet/pods/decide.js';
import type { PodInput } from '../../../../src/kubelet/pods/pod-actions.js';
import type { PodRecord, PodStateKind } from '../../../../src/kubelet/pods/pod-record.js';
import { creationCases } from './decide-cases/creation-cases.js';
import { apiGoneCases } from './decide-cases/api-gone-cases.js';
import { deletionCases } from './decide-cases/deletion-cases.js';
import { ephemeralCases } from './decide-cases/ephemeral-cases.js';
import { lostCases, runningCases } from './decide-cases/running-cases.js';
import {
  covered,
  deletingPod,
  exitedInRunner,
  pendingPod,
  predecessor,
  record,
  runCases,
  runningInRunner,
  summarize,
  SYNC,
  view,
} from '../support/decide-fixtures.js';

const ALL_STATES: PodStateKind[] = [
  'new',
  'orphan',
  'waitingForPredecessor',
  'waitingForConfig',
  'creating',
  'running',
  'finished',
  'lost',
  'terminating',
  'terminatingInRunner',
  'deletingApiObject',
  'gone',
];

describe('decide: the pod lifecycle', () => {
  describe('creation', () => runCases(creationCases));
  describe('the runner holds the pod', () => runCases(runningCases));
  describe('lost and terminal pods', () => runCases(lostCases));
  describe('deletion', () => runCases(deletionCases));
  describe('the API object is gone', () => runCases(apiGoneCases));
  describe('ephemeral containers', () => runCases(ephemeralCases));

  it('the tables enter and leave every state', () => {
    for (const state of ALL_STATES) {
      // An orphan's record starts in that state (the executor adopts the runner pod); nothing enters it.
      if (state !== 'orphan') {
        expect(
          covered.some(([, to]) => to === state),
          `a case enters ${state}`,
        ).to.equal(true);
      }
      if (state === 'gone') continue;
      expect(
        covered.some(([from, to]) => from === state && to !== state),
        `a case leaves ${state}`,
      ).to.equal(true);
    }
  });

  it("the final status is computed from the runner's last state, as terminal, and awaited", () => {
    const v = view({ apiPod: deletingPod(7), runnerFinal: exitedInRunner() });
    const { actions } = decide(record('terminatingInRunner', { runnerHistory: 'held' }), v, SYNC);
    expect(actions[0]).to.deep.equal({
      type: 'writeStatus',
      pod: v.apiPod,
      runnerPod: v.runnerFinal,
      configError: undefined,
      lost: false,
      terminal: true,
      wait: true,
    });
  });

  it('finds a same-named predecessor by namespace and name, never the pod itself', () => {
    const self = record('new');
    expect(hasSameNamePredecessor(self, new Map([['u', runningInRunner()]]))).to.equal(false);
    expect(hasSameNamePredecessor(self, new Map([['u0', predecessor()]]))).to.equal(true);
    const elsewhere = { ...predecessor(), namespace: 'other' };
    expect(hasSameNamePredecessor(self, new Map([['u0', elsewhere]]))).to.equal(false);
  });
});

/**
 * Runs decisions as the executor does: each sync's async result is fed back
 * at once; each step's view is what the kubelet observes at that sync. Returns each step's
 * state and actions.
 */
function walk(
  start: PodRecord,
  steps: Array<{ view: Parameters<typeof view>[0]; result?: PodInput }>,
): string[] {
  const out: string[] = [];
  let rec = start;
  for (const step of steps) {
    const v = view(step.view);
    let input: PodInput | undefined = SYNC;
    while (input) {
      const d = decide(rec, v, input);
      rec = d.next;
      out.push(`${rec.state.kind}: ${d.actions.map((a) => summarize(a, v)).join(' ')}`.trim());
      const last = d.actions.at(-1);
      input =
        last && ['createInRunner', 'deleteInRunner', 'deleteApiObject'].includes(last.type)
          ? step.result
          : undefined;
    }
  }
  return out;
}

describe('decide: whole protocols', () => {
  it('create, run, delete gracefully, write the final status, delete the object, forget', () => {
    const pod = pendingPod();
    expect(
      walk(record('new'), [
        { view: { apiPod: pod }, result: { type: 'created', pod, skippedVolumes: [] } },
        { view: { apiPod: pod, runnerPod: runningInRunner() } },
        {
          view: { apiPod: deletingPod(7), runnerPod: runningInRunner() },
          result: { type: 'runnerDeleteSent' },
        },
        { view: { apiPod: deletingPod(7), runnerFinal: exitedInRunner() }, result: { type: 'apiDeleted' } },
        { view: { apiPod: undefined, runnerFinal: exitedInRunner() } },
      ]),
    ).to.deep.equal([
      'creating: createInRunner',
      'running: resetRetryBackoff resync',
      'running: writeStatus(runner) event(Started) startLatency(9.5)',
      'terminatingInRunner: event(Killing) deleteInRunner(7)',
      'terminatingInRunner: writeStatus(runner)',
      'deletingApiObject: writeStatus(final,terminal,wait) deleteApiObject',
      'deletingApiObject:',
      'gone: forget',
    ]);
  });

  it('a same-named successor waits for its predecessor, then is created', () => {
    const pod = pendingPod();
    expect(
      walk(record('new'), [
        { view: { apiPod: pod, others: [predecessor()] } },
        { view: { apiPod: pod }, result: { type: 'created', pod, skippedVolumes: [] } },
      ]),
    ).to.deep.equal([
      'waitingForPredecessor:',
      'creating: createInRunner',
      'running: resetRetryBackoff resync',
    ]);
  });

  it('a missing ConfigMap: shown once, retried with back-off until it exists', () => {
    const pod = pendingPod();
    const error = { message: 'configmap "cfg" not found', containers: [] };
    expect(
      walk(record('new'), [
        { view: { apiPod: pod }, result: { type: 'createWaiting', pod, error } },
        { view: { apiPod: pod, retryPending: true } },
        { view: { apiPod: pod }, result: { type: 'createWaiting', pod, error } },
        { view: { apiPod: pod }, result: { type: 'created', pod, skippedVolumes: [] } },
      ]),
    ).to.deep.equal([
      'creating: createInRunner',
      'waitingForConfig: info(Cannot create pod yet) event(Failed) writeStatus(none,CreateContainerConfigError) scheduleRetry',
      'waitingForConfig:',
      'creating: createInRunner',
      'waitingForConfig: writeStatus(none,CreateContainerConfigError) scheduleRetry',
      'creating: createInRunner',
      'running: resetRetryBackoff resync',
    ]);
  });

  it('a runner that lost its state while the link was down: nothing until synced, then lost once', () => {
    const running = record('running', { runnerHistory: 'held' });
    expect(walk(running, [{ view: { linkSynced: false } }, { view: {} }, { view: {} }])).to.deep.equal([
      'running:',
      'lost: warn(Runner lost a started pod; reporting it Failed) event(RunnerLostPod) writeStatus(none,lost)',
      'lost: writeStatus(none,lost)',
    ]);
  });
});
