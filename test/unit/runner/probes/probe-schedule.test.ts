import { expect } from 'chai';
import {
  firstReadinessRunAtMs,
  nextTickAfterRun,
  probePhaseMs,
  skippedTicks,
  tickAtOrAfter,
} from '../../../../src/runner/probes/probe-schedule.js';
import { probeSettings, PROBE_DEFAULTS } from '../../../../src/runner/probes/probe-settings.js';

describe('probe schedule: a pure function of time', () => {
  it('the phase is the pod creation plus a random offset below one period', () => {
    expect(probePhaseMs(10_000, 1_000, 0)).to.equal(10_000);
    expect(probePhaseMs(10_000, 1_000, 0.5)).to.equal(10_500);
    expect(probePhaseMs(10_000, 1_000, 0.99999999)).to.be.below(11_000);
  });

  it('200 probes created in the same millisecond spread over the period', () => {
    const phases = Array.from({ length: 200 }, (_, i) => probePhaseMs(0, 1_000, i / 200));
    const perTenth = new Map<number, number>();
    for (const p of phases) perTenth.set(Math.floor(p / 100), (perTenth.get(Math.floor(p / 100)) ?? 0) + 1);
    expect(perTenth.size).to.equal(10);
    expect(Math.max(...perTenth.values())).to.equal(20);
  });

  it('ticks fall on phase + k * period', () => {
    expect(tickAtOrAfter(1_500, 1_000, 0)).to.equal(1_500);
    expect(tickAtOrAfter(1_500, 1_000, 1_500)).to.equal(1_500);
    expect(tickAtOrAfter(1_500, 1_000, 1_501)).to.equal(2_500);
    expect(tickAtOrAfter(1_500, 10_000, 60_000)).to.equal(61_500);
  });

  it('after a run the next tick is strictly later than the one it ran for; a slow run skips ticks as a ticker drops them', () => {
    expect(nextTickAfterRun(0, 1_000, 3_000, 3_010)).to.equal(4_000);
    expect(nextTickAfterRun(0, 1_000, 3_000, 3_000)).to.equal(4_000);
    expect(nextTickAfterRun(0, 1_000, 3_000, 5_200)).to.equal(6_000);
  });

  const skips: Array<[number, number, number, number]> = [
    // ranFor, next, period -> skipped
    [3_000, 4_000, 1_000, 0],
    [3_000, 6_000, 1_000, 2],
    [3_000, 13_000, 10_000, 0],
    // an early readiness run off the grid: the grid tick after it is not skipped
    [2_400, 3_000, 1_000, 0],
    [2_400, 5_000, 1_000, 2],
    [0, 1_000, 0, 0],
  ];
  for (const [ranFor, next, period, skipped] of skips) {
    it(`a run for ${ranFor} whose next tick is ${next} (period ${period}) skipped ${skipped}`, () => {
      expect(skippedTicks(ranFor, next, period)).to.equal(skipped);
    });
  }

  it('readiness without a result runs as soon as the container started and the initial delay passed', () => {
    expect(firstReadinessRunAtMs(1_000, 1_000, 0)).to.equal(1_000);
    expect(firstReadinessRunAtMs(1_000, 1_200, 5)).to.equal(6_000);
    expect(firstReadinessRunAtMs(1_000, 9_000, 5)).to.equal(9_000);
  });

  it("probe settings take Kubernetes' defaults for unset fields", () => {
    const s = probeSettings('Liveness', {
      handler: { error: '' },
      initialDelaySeconds: 0,
      periodSeconds: 0,
      timeoutSeconds: 0,
      successThreshold: 0,
      failureThreshold: 0,
    })!;
    expect(s.periodMs).to.equal(PROBE_DEFAULTS.periodSeconds * 1000);
    expect(s.timeoutMs).to.equal(1_000);
    expect([s.successThreshold, s.failureThreshold]).to.deep.equal([1, 3]);
    expect(s.terminationGracePeriodSeconds).to.equal(undefined);
    expect(probeSettings('Liveness', null)).to.equal(undefined);
  });
});
