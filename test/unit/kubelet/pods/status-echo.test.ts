import { expect } from 'chai';
import type { WirePod } from '../../../../src/kubelet/kube/wire-types.js';
import type { PodStateKind } from '../../../../src/kubelet/pods/pod-record.js';
import { isOwnStatusEcho } from '../../../../src/kubelet/pods/status-echo.js';
import { deletingPod, pendingPod, startedPod } from '../support/decide-fixtures.js';

function at(resourceVersion: string, base: WirePod = startedPod()): WirePod {
  return { ...base, metadata: { ...base.metadata, resourceVersion } };
}

function withEphemeral(pod: WirePod, names: string[]): WirePod {
  return {
    ...pod,
    spec: { ...pod.spec!, ephemeralContainers: names.map((name) => ({ name, image: 'debug' })) },
  };
}

describe('isOwnStatusEcho', () => {
  const cases: Array<[string, PodStateKind, WirePod | undefined, WirePod, string | undefined, boolean]> = [
    ['running, the resourceVersion our patch got', 'running', at('10', pendingPod()), at('11'), '11', true],
    ['another resourceVersion (another writer)', 'running', at('10'), at('12'), '11', false],
    ['no patch landed yet', 'running', at('10'), at('11'), undefined, false],
    ['first sight of the pod', 'running', undefined, at('11'), '11', false],
    ['not running: the decision reads the phase', 'lost', at('10'), at('11'), '11', false],
    ['terminating', 'terminatingInRunner', at('10'), at('11'), '11', false],
    [
      'a deletionTimestamp (a relist skipped its event)',
      'running',
      at('10'),
      at('11', deletingPod()),
      '11',
      false,
    ],
    [
      'a deletionTimestamp seen before',
      'running',
      at('10', deletingPod()),
      at('11', deletingPod()),
      '11',
      false,
    ],
    ['an ephemeral container added', 'running', at('10'), withEphemeral(at('11'), ['debugger']), '11', false],
    [
      'an ephemeral container renamed',
      'running',
      withEphemeral(at('10'), ['a']),
      withEphemeral(at('11'), ['b']),
      '11',
      false,
    ],
    [
      'the same ephemeral containers',
      'running',
      withEphemeral(at('10'), ['a']),
      withEphemeral(at('11'), ['a']),
      '11',
      true,
    ],
  ];
  for (const [title, state, previous, next, written, expected] of cases) {
    it(`${title}: ${expected ? 'an echo' : 'synced'}`, () => {
      expect(isOwnStatusEcho(state, previous, next, written)).to.equal(expected);
    });
  }
});
