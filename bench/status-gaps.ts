/** First sightings of a pod's container transitions, by pod name. */
export interface TransitionTimes {
  running: ReadonlyMap<string, number>;
  terminated: ReadonlyMap<string, number>;
}

/** Gaps of one kind of transition, in ms, and the transitions the API never showed. */
export interface GapSample {
  values: number[];
  missing: number;
}

/**
 * How long each status stayed due: for every transition the runner reported
 * (first running event, first terminated event of each pod), the time until
 * the API watch first showed it. A later state supersedes an earlier one: a
 * pod that ran briefly may go straight to Terminated on the API, which settles
 * its running transition too. A transition the API never showed counts as
 * missing (infinitely late); one the runner never reported is not a
 * transition. Values may be slightly negative: the benchmark's two watches
 * are separate streams. Pure.
 */
export function statusWriteGaps(
  names: readonly string[],
  runner: TransitionTimes,
  api: TransitionTimes,
): { all: GapSample; running: GapSample; terminated: GapSample } {
  const running: GapSample = { values: [], missing: 0 };
  const terminated: GapSample = { values: [], missing: 0 };
  const record = (sample: GapSample, from: number | undefined, to: number | undefined): void => {
    if (from === undefined) return;
    if (to === undefined) sample.missing++;
    else sample.values.push(to - from);
  };
  for (const name of names) {
    const apiTerminated = api.terminated.get(name);
    const apiRunning = api.running.get(name);
    const runningShown =
      apiRunning === undefined ? apiTerminated : Math.min(apiRunning, apiTerminated ?? Infinity);
    record(running, runner.running.get(name), runningShown);
    record(terminated, runner.terminated.get(name), apiTerminated);
  }
  return {
    all: {
      values: [...running.values, ...terminated.values],
      missing: running.missing + terminated.missing,
    },
    running,
    terminated,
  };
}
