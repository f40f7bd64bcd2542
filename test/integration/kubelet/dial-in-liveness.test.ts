import { expect } from 'chai';
import type { Fleet } from '../../../src/kubelet/fleet/fleet.js';
import { FleetHarness } from './support/fleet-harness.js';
import { waitFor } from './support/harness.js';

/** Resolves when the async `condition` holds, checking every 20 ms; rejects after the deadline. */
async function waitForAsync(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('kubelet --accept-runners: liveness of a node whose runner has not dialled in', function () {
  this.timeout(60_000);
  let h: FleetHarness;
  let fleet: Fleet;
  const heartbeats = async (outcome: 'answered' | 'silent' | 'refused'): Promise<number> =>
    (await h.metrics.get('vk-test')!.runnerHeartbeatsTotal.get()).values.find(
      (v) => v.labels['outcome'] === outcome,
    )?.value ?? 0;
  const ready = () => h.api.nodes.get('vk-test')?.status?.conditions?.find((c) => c.type === 'Ready');

  beforeEach(async () => {
    h = new FleetHarness();
    // A 1 s grace: a health check every 250 ms, each with a 250 ms deadline.
    fleet = await h.start({ runnerUnreachableGraceSeconds: 1 });
  });

  afterEach(async () => {
    await h.close();
  });

  it('is absent (unreachable), never silent, until its runner connects; then Ready', async () => {
    const link = fleet.unit('vk-test')!.link;
    // Several heartbeat periods with no runner: the client's connection is held by the bridge meanwhile.
    await waitForAsync(async () => (await heartbeats('refused')) >= 6, 10_000, 'checks while absent');
    expect(await heartbeats('silent'), 'no check judged silent while no runner is attached').to.equal(0);
    expect(link.silentSinceMs()).to.equal(undefined);
    expect(h.log()).not.to.include('Runner does not answer');
    await waitFor(() => ready()?.reason === 'RunnerUnreachable', 10_000, 'NotReady: not reached yet');

    // Once it is there, it is asked (and may be slow on a loaded host: silence is then possible, and true).
    const runner = h.runner('vk-test', { token: 'good-token' });
    runner.start();
    await waitFor(() => ready()?.status === 'True', 30_000, 'node Ready');
    await waitForAsync(async () => (await heartbeats('answered')) >= 2, 10_000, 'answered checks');
  });
});
