import { expect } from 'chai';
import type { WirePod } from '../../../../src/kubelet/kube/wire-types.js';
import { InvalidInputError, NotFoundError } from '../../../../src/common/errors.js';
import { resolveLogTarget } from '../../../../src/kubelet/api/container-logs-handler.js';
import type { PodLister } from '../../../../src/kubelet/api/pod-lister.js';

const POD: WirePod = {
  metadata: { namespace: 'ns', name: 'p', uid: 'uid-p' },
  spec: {
    initContainers: [{ name: 'init' }],
    containers: [{ name: 'main' }],
    ephemeralContainers: [{ name: 'debugger' }],
  },
};
const NO_UID: WirePod = {
  metadata: { namespace: 'ns', name: 'new' },
  spec: { containers: [{ name: 'main' }] },
};

const lister: PodLister = {
  list: () => [POD, NO_UID],
  get: (ns, name) => [POD, NO_UID].find((p) => p.metadata?.namespace === ns && p.metadata.name === name),
};

describe('resolveLogTarget', () => {
  const found: Array<[string, string]> = [
    ['a container', 'main'],
    ['an init container', 'init'],
    ['an ephemeral container', 'debugger'],
  ];
  for (const [title, container] of found) {
    it(`finds ${title}`, () => {
      expect(resolveLogTarget(lister, 'ns', 'p', container)).to.deep.equal({ uid: 'uid-p' });
    });
  }

  const refused: Array<[string, [string, string, string], new (message: string) => Error, string]> = [
    ['a missing pod name', ['ns', '', 'main'], InvalidInputError, 'Missing podID.'],
    ['a missing container name', ['ns', 'p', ''], InvalidInputError, 'Missing container name.'],
    ['a missing namespace', ['', 'p', 'main'], InvalidInputError, 'Missing podNamespace.'],
    ['an unknown pod', ['ns', 'q', 'main'], NotFoundError, 'pod "q" does not exist'],
    ['a pod in another namespace', ['other', 'p', 'main'], NotFoundError, 'pod "p" does not exist'],
    ['a pod without a UID yet', ['ns', 'new', 'main'], NotFoundError, 'pod "new" does not exist'],
    ['an unknown container', ['ns', 'p', 'nope'], NotFoundError, 'container "nope" not found in pod "p"'],
  ];
  for (const [title, [ns, pod, container], errorClass, message] of refused) {
    it(`refuses ${title}`, () => {
      expect(() => resolveLogTarget(lister, ns, pod, container)).to.throw(errorClass, message);
    });
  }
});
