import { expect } from 'chai';
import { FleetHarness } from './support/fleet-harness.js';
import { waitFor } from './support/harness.js';

describe('kubelet --fleet with a loopback --pod-ip', function () {
  this.timeout(90_000);
  let h: FleetHarness;
  const portFrom = 33_000 + Math.floor(Math.random() * 300) * 10;
  const ready = (node: string) => h.api.nodes.get(node)?.status?.conditions?.find((c) => c.type === 'Ready');

  beforeEach(() => {
    h = new FleetHarness();
  });
  afterEach(async () => h.close());

  it('logs the warning once for the process, while each node records its own LoopbackPodIP event', async () => {
    // An address of its own: the warning is once per process and address, and other suites share the process.
    await h.start({
      podIp: '127.0.0.77',
      runnerUnreachableGraceSeconds: 3,
      fleet: { portFrom, portTo: portFrom + 9 },
    });
    for (const node of ['vk-a', 'vk-b', 'vk-c']) h.runner(node, { token: 'wild-token' }).start();
    for (const node of ['vk-a', 'vk-b', 'vk-c']) {
      await waitFor(() => ready(node)?.status === 'True', 40_000, `${node} Ready`);
    }
    const events = () => h.api.events.filter((e) => e.reason === 'LoopbackPodIP');
    await waitFor(() => events().length >= 3, 10_000, 'a LoopbackPodIP event per node');
    expect(
      events()
        .map((e) => e.involvedObject?.name)
        .sort(),
    ).to.deep.equal(['vk-a', 'vk-b', 'vk-c']);
    const warnings = h
      .log()
      .split('\n')
      .filter((l) => l.includes('is a loopback address'));
    expect(warnings).to.have.length(1);
  });
});
