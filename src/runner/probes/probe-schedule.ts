/**
 * When probes run: each probe ticks every period at a fixed phase, like
 * the kubelet's per-worker time.Ticker, and a tick that comes while the
 * previous run is still going is skipped (the ticker drops it). The phase
 * is the pod's creation on this runner plus a random offset below one
 * period, so probes created together spread over the period instead of
 * firing in the same millisecond; the kubelet spreads workers the same way
 * after it restarts. Everything here is a pure function of time.
 */

/** The phase of a probe: a time one of its ticks falls on. `random` is in [0, 1). Pure. */
export function probePhaseMs(createdAtMs: number, periodMs: number, random: number): number {
  return createdAtMs + Math.floor(Math.min(Math.max(random, 0), 0.999_999) * periodMs);
}

/** The first tick at or after `atMs` of a ticker with this phase and period. Pure. */
export function tickAtOrAfter(phaseMs: number, periodMs: number, atMs: number): number {
  if (atMs <= phaseMs) return phaseMs;
  const periods = Math.ceil((atMs - phaseMs) / periodMs);
  return phaseMs + periods * periodMs;
}

/** The tick after a run that ended at `endedAtMs`: strictly later than the tick it ran for. Pure. */
export function nextTickAfterRun(
  phaseMs: number,
  periodMs: number,
  ranForTickMs: number,
  endedAtMs: number,
): number {
  return tickAtOrAfter(phaseMs, periodMs, Math.max(endedAtMs, ranForTickMs + 1));
}

/**
 * How many ticks between the one a run was for and the next one it is
 * scheduled at passed without a run (the run started late or took longer
 * than a period). Pure.
 */
export function skippedTicks(ranForTickMs: number, nextTickMs: number, periodMs: number): number {
  if (periodMs <= 0) return 0;
  return Math.max(0, Math.ceil((nextTickMs - ranForTickMs) / periodMs) - 1);
}

/**
 * When a readiness probe with no result yet first runs in a run: as soon as
 * the container counts as started and its initial delay has passed (the
 * kubelet triggers it at once when a status shows no readiness result),
 * not at the next tick. Pure.
 */
export function firstReadinessRunAtMs(
  runStartedAtMs: number,
  startedAtMs: number,
  initialDelaySeconds: number,
): number {
  return Math.max(startedAtMs, runStartedAtMs + initialDelaySeconds * 1000);
}
