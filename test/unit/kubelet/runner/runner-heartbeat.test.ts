import { expect } from 'chai';
import { RunnerHeartbeat } from '../../../../src/kubelet/runner/runner-heartbeat.js';
import type { HeartbeatOutcome } from '../../../../src/kubelet/runner/runner-liveness.js';
import { heldChecksClient } from '../support/held-checks-client.js';

/**
 * A heartbeat started once (a period long enough that only start() ticks)
 * for a runner that is `present`, with a check `due` or not; the checks it
 * sent and the outcomes it reported, with whether it asked.
 */
function tickOnce(present?: () => boolean, due?: () => boolean) {
  const { client, held } = heldChecksClient();
  const outcomes: Array<[HeartbeatOutcome, boolean]> = [];
  const hb = new RunnerHeartbeat(client, 60_000, (o, asked) => outcomes.push([o, asked]), present, due);
  hb.start();
  return { hb, held, outcomes };
}

describe('RunnerHeartbeat', () => {
  it('asks the runner when a check is due and reports the answer as asked', () => {
    const { hb, held, outcomes } = tickOnce();
    expect(held).to.have.length(1);
    held[0]!(null);
    hb.stop();
    expect(outcomes).to.deep.equal([['answered', true]]);
  });

  it('sends no check while the runner sent something on its own, and reports the tick answered, not asked', () => {
    const { hb, held, outcomes } = tickOnce(
      () => true,
      () => false,
    );
    hb.stop();
    expect(held).to.have.length(0);
    expect(outcomes).to.deep.equal([['answered', false]]);
  });

  it('reports an absent runner refused without asking, whatever it sent before', () => {
    const { hb, held, outcomes } = tickOnce(
      () => false,
      () => false,
    );
    hb.stop();
    expect(held).to.have.length(0);
    expect(outcomes).to.deep.equal([['refused', false]]);
  });
});
