import { expect } from 'chai';
import type { WireNode } from '../../../src/kubelet/kube/wire-types.js';
import { FleetHarness } from './support/fleet-harness.js';
import { lightRunners } from './support/light-runners.js';
import { waitFor } from './support/harness.js';

describe('kubelet --fleet: a whole allocation dialling in at once', function () {
  this.timeout(120_000);
  let h: FleetHarness;
  let stopRunners: (() => void) | undefined;
  const portFrom = 34_000 + Math.floor(Math.random() * 100) * 60;

  beforeEach(() => {
    h = new FleetHarness();
  });
  afterEach(async () => {
    stopRunners?.();
    await h.close();
  });

  it('40 runners at once: nodes register a bounded number at a time, every one registered and Ready', async () => {
    const n = 40;
    let inFlight = 0;
    let maxInFlight = 0;
    const createNode = h.api.createNode.bind(h.api);
    // An API server that takes a while per registration: the nodes' starts overlap unless bounded.
    h.api.createNode = async (node: WireNode) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        await new Promise((r) => setTimeout(r, 100));
        return await createNode(node);
      } finally {
        inFlight--;
      }
    };
    await h.start(
      { runnerUnreachableGraceSeconds: 5, fleet: { portFrom, portTo: portFrom + n + 9 } },
      { maxConcurrentStarts: 4 },
    );
    const names = Array.from({ length: n }, (_, i) => `vk-burst-${i}`);
    stopRunners = lightRunners(h.url(), h.pki.caFile, names);
    const ready = (node: string) =>
      h.api.nodes.get(node)?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    await waitFor(() => names.every(ready), 90_000, 'every node Ready');
    expect(maxInFlight, 'registrations at once').to.be.within(1, 4);
  });
});
