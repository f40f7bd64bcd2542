import { expect } from 'chai';
import type { WatchPodsEvent__Output } from '../../../src/generated/vkcmd/runner/v1/WatchPodsEvent.js';
import { applyRunnerEvent, timesOf, type RunnerPodTimes } from '../../../bench/runner-pod-times.js';

function event(type: WatchPodsEvent__Output['type'], state: object | undefined): WatchPodsEvent__Output {
  return {
    type,
    revision: 1,
    epoch: 'e',
    pod: {
      uid: 'u',
      namespace: 'ns',
      name: 'p',
      initContainerStatuses: [],
      containerStatuses: state
        ? [{ name: 'c1', state, lastState: null, restartCount: 0, pgid: 0, image: '' }]
        : [],
      createdAtMs: 0,
      deleting: false,
      revision: 1,
      restartPolicy: 'Never',
    },
  } as unknown as WatchPodsEvent__Output;
}

describe('bench runner pod times', () => {
  it('records the first running and terminated arrival and the runner times', () => {
    const times = new Map<string, RunnerPodTimes>();
    applyRunnerEvent(
      times,
      event('WATCH_EVENT_TYPE_ADDED', { state: 'waiting', waiting: { reason: 'x' } }),
      5,
    );
    expect(times.get('ns/p')).to.deep.equal({});
    applyRunnerEvent(
      times,
      event('WATCH_EVENT_TYPE_MODIFIED', { state: 'running', running: { startedAtMs: 8 } }),
      10,
    );
    applyRunnerEvent(
      times,
      event('WATCH_EVENT_TYPE_MODIFIED', { state: 'running', running: { startedAtMs: 8 } }),
      11,
    );
    const terminated = {
      state: 'terminated',
      terminated: { startedAtMs: 8, finishedAtMs: 1008, exitCode: 0 },
    };
    applyRunnerEvent(times, event('WATCH_EVENT_TYPE_MODIFIED', terminated), 1020);
    applyRunnerEvent(times, event('WATCH_EVENT_TYPE_MODIFIED', terminated), 1030);
    const key = applyRunnerEvent(times, event('WATCH_EVENT_TYPE_DELETED', terminated), 2000);
    expect(key).to.equal('ns/p');
    expect(times.get('ns/p')).to.deep.equal({
      runningEventMs: 10,
      startedAtMs: 8,
      terminatedEventMs: 1020,
      finishedAtMs: 1008,
      deletedEventMs: 2000,
    });
    expect(timesOf(times, 'finishedAtMs')).to.deep.equal(new Map([['ns/p', 1008]]));
    expect(timesOf(times, 'runningEventMs').get('ns/p')).to.equal(10);
  });

  it('ignores events without a pod (RESET, SYNCED)', () => {
    const times = new Map<string, RunnerPodTimes>();
    const synced = {
      type: 'WATCH_EVENT_TYPE_SYNCED',
      revision: 1,
      epoch: 'e',
      pod: null,
    } as WatchPodsEvent__Output;
    expect(applyRunnerEvent(times, synced, 1)).to.equal(undefined);
    expect(times.size).to.equal(0);
  });
});
