import { expect } from 'chai';
import { pino } from 'pino';
import { KubeletMetrics } from '../../../../src/kubelet/kubelet-metrics.js';
import { RunnerSilenceWatch } from '../../../../src/kubelet/runner/runner-silence-watch.js';
import { heldChecksClient, type HeldCallback } from '../support/held-checks-client.js';

/**
 * A silence watch over a client whose health checks wait for the test, with
 * a period long enough that only start() ticks: each case drives one tick.
 */
function watch(nowMs: () => number): {
  silence: RunnerSilenceWatch;
  checks: HeldCallback[];
  metrics: KubeletMetrics;
} {
  const { client, held: checks } = heldChecksClient();
  const metrics = new KubeletMetrics({ collectProcessMetrics: false });
  const silence = new RunnerSilenceWatch(
    client,
    metrics,
    pino({ level: 'silent' }),
    { heartbeatIntervalMs: 60_000, runnerPresent: undefined, now: nowMs },
    { isSynced: () => true, state: () => 'Synced', answered: () => undefined, changed: () => undefined },
  );
  return { silence, checks, metrics };
}

const answeredTicks = async (metrics: KubeletMetrics): Promise<number> =>
  (await metrics.runnerHeartbeatsTotal.get()).values.find((v) => v.labels['outcome'] === 'answered')?.value ??
  0;

describe('RunnerSilenceWatch', () => {
  it('asks a runner that has sent nothing on its own (an older runner: no watch heartbeats)', () => {
    const { silence, checks } = watch(() => 1_000_000);
    silence.start();
    silence.stop();
    expect(checks).to.have.length(1);
  });

  it('does not ask a runner whose watch carried something within the period; the tick counts as answered', async () => {
    let nowMs = 1_000_000;
    const { silence, checks, metrics } = watch(() => nowMs);
    silence.answered(nowMs - 30_000); // a watch heartbeat half a period ago
    silence.start();
    silence.stop();
    expect(checks).to.have.length(0);
    expect(await answeredTicks(metrics)).to.equal(1);
    expect(silence.silentSinceMs()).to.equal(undefined);

    // A period of quiet on the watch: the next tick asks.
    nowMs += 30_000;
    silence.start();
    silence.stop();
    expect(checks).to.have.length(1);
  });
});
