import { expect } from 'chai';
import type { Pod__Output } from '../../../../src/generated/vkcmd/runner/v1/Pod.js';
import type { WatchPodsEvent__Output } from '../../../../src/generated/vkcmd/runner/v1/WatchPodsEvent.js';
import { RunnerPodMap } from '../../../../src/kubelet/runner/runner-pod-map.js';

const pod = (uid: string, revision: number): Pod__Output => ({ uid, revision }) as unknown as Pod__Output;
const event = (type: string, revision: number, p?: Pod__Output, epoch = 'e1'): WatchPodsEvent__Output =>
  ({ type, revision, epoch, pod: p ?? null }) as unknown as WatchPodsEvent__Output;

describe('RunnerPodMap', () => {
  it('applies live events and remembers the position to resume from', () => {
    const map = new RunnerPodMap();
    expect(map.position()).to.deep.equal({ epoch: '', sinceRevision: 0 });
    expect(map.apply(event('WATCH_EVENT_TYPE_SNAPSHOT', 3, pod('a', 3))).kind).to.equal('none');
    expect(map.apply(event('WATCH_EVENT_TYPE_SYNCED', 3)).kind).to.equal('synced');
    expect(map.apply(event('WATCH_EVENT_TYPE_MODIFIED', 4, pod('a', 4)))).to.deep.equal({
      kind: 'changed',
      pod: pod('a', 4),
    });
    expect(map.apply(event('WATCH_EVENT_TYPE_DELETED', 5, pod('a', 5))).kind).to.equal('deleted');
    expect(map.pods().size).to.equal(0);
    expect(map.position()).to.deep.equal({ epoch: 'e1', sinceRevision: 5 });
  });

  it('takes a heartbeat as no change: it moves no position, even one from another epoch or revision', () => {
    const map = new RunnerPodMap();
    map.apply(event('WATCH_EVENT_TYPE_SNAPSHOT', 3, pod('a', 3)));
    map.apply(event('WATCH_EVENT_TYPE_SYNCED', 3));
    expect(map.apply(event('WATCH_EVENT_TYPE_HEARTBEAT', 9, undefined, 'e2')).kind).to.equal('none');
    expect(map.apply(event('WATCH_EVENT_TYPE_HEARTBEAT', 3, undefined, '')).kind).to.equal('none');
    expect(map.position()).to.deep.equal({ epoch: 'e1', sinceRevision: 3 });
    expect([...map.pods().keys()]).to.deep.equal(['a']);
  });

  it('keeps the old pods visible until a RESET snapshot is complete, then replaces them', () => {
    const map = new RunnerPodMap();
    map.apply(event('WATCH_EVENT_TYPE_ADDED', 7, pod('old', 7)));
    map.apply(event('WATCH_EVENT_TYPE_RESET', 2, undefined, 'e2'));
    map.apply(event('WATCH_EVENT_TYPE_SNAPSHOT', 2, pod('new', 2), 'e2'));
    map.apply(event('WATCH_EVENT_TYPE_ADDED', 2, pod('late', 2), 'e2'));
    expect([...map.pods().keys()]).to.deep.equal(['old']);
    expect(map.apply(event('WATCH_EVENT_TYPE_SYNCED', 2, undefined, 'e2')).kind).to.equal('synced');
    expect([...map.pods().keys()]).to.deep.equal(['new', 'late']);
    expect(map.position()).to.deep.equal({ epoch: 'e2', sinceRevision: 2 });
  });

  it('drops an incomplete snapshot when the watch breaks', () => {
    const map = new RunnerPodMap();
    map.apply(event('WATCH_EVENT_TYPE_ADDED', 1, pod('kept', 1)));
    map.apply(event('WATCH_EVENT_TYPE_RESET', 1));
    map.apply(event('WATCH_EVENT_TYPE_SNAPSHOT', 1, pod('partial', 1)));
    map.watchEnded();
    expect(map.apply(event('WATCH_EVENT_TYPE_ADDED', 2, pod('next', 2))).kind).to.equal('changed');
    expect([...map.pods().keys()]).to.deep.equal(['kept', 'next']);
  });

  it("keeps a call's answer only when it is newer than the watch's", () => {
    const map = new RunnerPodMap();
    map.apply(event('WATCH_EVENT_TYPE_ADDED', 5, pod('a', 5)));
    expect(map.applyAnswer(pod('a', 4))).to.equal(false);
    expect(map.applyAnswer(pod('a', 6))).to.equal(true);
    expect(map.get('a')?.revision).to.equal(6);
  });
});
