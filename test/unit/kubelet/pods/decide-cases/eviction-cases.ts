import { expect } from 'chai';
import type { PodInput, WriteStatusAction } from '../../../../../src/kubelet/pods/pod-actions.js';
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

const MESSAGE = 'Pod ephemeral local storage usage exceeds the total limit of containers 1Gi. ';
const EVICT: PodInput = { type: 'evict', message: MESSAGE };
const evicted = (state: Parameters<typeof record>[0]) =>
  record(state, { runnerHistory: 'held', evicted: MESSAGE });

/** The eviction manager evicts a pod (local storage over its limits), and what follows until it is stopped. */
export const evictionCases: Case[] = [
  {
    name: 'running, evicted: an Evicted warning, the status Failed/Evicted, DeletePod with a 1 s grace period',
    from: record('running', { runnerHistory: 'held' }),
    view: { apiPod: startedPod(), runnerPod: runningInRunner() },
    input: EVICT,
    next: 'terminatingInRunner',
    actions: ['info(Evicting pod)', 'event(Evicted)', 'writeStatus(runner,evicted)', 'deleteInRunner(1)'],
    then: (d) => {
      expect(d.next.evicted).to.equal(MESSAGE);
      const event = d.actions[1]!;
      expect(event.type === 'emitEvent' && event.event).to.deep.equal({
        type: 'Warning',
        reason: 'Evicted',
        message: MESSAGE,
      });
      expect((d.actions[2] as WriteStatusAction).evicted).to.equal(MESSAGE);
    },
  },
  {
    name: 'evicted a second time: nothing more than a sync (one event, one DeletePod)',
    from: evicted('terminatingInRunner'),
    view: { apiPod: startedPod(), runnerPod: deletingInRunner() },
    input: EVICT,
    next: 'running',
    actions: ['writeStatus(runner,evicted)'],
  },
  {
    name: 'being deleted through the API: not evicted, the deletion goes on',
    from: record('terminatingInRunner', { runnerHistory: 'held' }),
    view: { apiPod: deletingPod(7), runnerPod: deletingInRunner() },
    input: EVICT,
    next: 'terminatingInRunner',
    actions: ['writeStatus(runner)'],
    then: (d) => expect(d.next.evicted).to.equal(undefined),
  },
  {
    name: 'already terminal in the API: not evicted',
    from: record('finished', { runnerHistory: 'held' }),
    view: { apiPod: terminalPod('Failed') },
    input: EVICT,
    next: 'finished',
    actions: [],
    then: (d) => expect(d.next.evicted).to.equal(undefined),
  },
  {
    name: 'not in the runner: not evicted (nothing to stop)',
    from: record('new'),
    view: {},
    input: EVICT,
    next: 'creating',
    actions: ['createInRunner'],
    then: (d) => expect(d.next.evicted).to.equal(undefined),
  },
  {
    name: 'evicted, the runner stops it: mirrored with the eviction, no second DeletePod',
    from: evicted('terminatingInRunner'),
    view: { apiPod: startedPod(), runnerPod: deletingInRunner() },
    next: 'running',
    actions: ['writeStatus(runner,evicted)'],
  },
  {
    name: 'evicted, DeletePod not sent yet (after a failed call): sent',
    from: evicted('running'),
    view: { apiPod: startedPod(), runnerPod: runningInRunner() },
    next: 'terminatingInRunner',
    actions: ['writeStatus(runner,evicted)', 'deleteInRunner(1)'],
  },
  {
    name: 'evicted, the runner forgot it: the final status (Evicted, terminal), never reported lost',
    from: evicted('running'),
    view: { apiPod: startedPod(), runnerFinal: exitedInRunner() },
    next: 'finished',
    actions: ['writeStatus(final,evicted,terminal)'],
  },
  {
    name: 'evicted and finished, the API shows it Failed: nothing more',
    from: evicted('finished'),
    view: { apiPod: terminalPod('Failed') },
    next: 'finished',
    actions: [],
  },
  {
    name: 'evicted while the link is down: it waits for the link',
    from: evicted('running'),
    view: { apiPod: startedPod(), runnerPod: runningInRunner(), linkSynced: false },
    next: 'running',
    actions: [],
  },
];
