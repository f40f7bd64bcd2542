import { expect } from 'chai';
import type { Pod } from '../../../../src/generated/vkcmd/runner/v1/Pod.js';
import { WatchHub, type HubEvent } from '../../../../src/runner/server/watch-hub.js';

function collector(): { events: HubEvent[]; deliver: (e: HubEvent) => void } {
  const events: HubEvent[] = [];
  return { events, deliver: (e) => events.push(e) };
}

const pod =
  (uid: string) =>
  (revision: number): Pod => ({ uid, revision });

describe('watch-hub', () => {
  it('a fresh watcher gets RESET, one SNAPSHOT per pod, SYNCED, then live events with increasing revisions', () => {
    const hub = new WatchHub(100, 'epoch-1');
    hub.publish('WATCH_EVENT_TYPE_ADDED', pod('a'));
    const c = collector();
    hub.subscribe(c, { epoch: '', sinceRevision: 0 }, () => [{ uid: 'a' }, { uid: 'b' }]);
    hub.publish('WATCH_EVENT_TYPE_MODIFIED', pod('a'));
    expect(c.events.map((e) => [e.type, e.revision, e.pod?.uid])).to.deep.equal([
      ['WATCH_EVENT_TYPE_RESET', 1, undefined],
      ['WATCH_EVENT_TYPE_SNAPSHOT', 1, 'a'],
      ['WATCH_EVENT_TYPE_SNAPSHOT', 1, 'b'],
      ['WATCH_EVENT_TYPE_SYNCED', 1, undefined],
      ['WATCH_EVENT_TYPE_MODIFIED', 2, 'a'],
    ]);
    expect(c.events.every((e) => e.epoch === 'epoch-1')).to.equal(true);
  });

  it('resumes from a revision still in the history with exactly the missed events', () => {
    const hub = new WatchHub(100, 'e');
    for (let i = 0; i < 10; i++) hub.publish('WATCH_EVENT_TYPE_MODIFIED', pod(`p${i}`));
    const c = collector();
    hub.subscribe(c, { epoch: 'e', sinceRevision: 7 }, () => {
      throw new Error('no snapshot expected');
    });
    expect(c.events.map((e) => [e.type, e.revision])).to.deep.equal([
      ['WATCH_EVENT_TYPE_MODIFIED', 8],
      ['WATCH_EVENT_TYPE_MODIFIED', 9],
      ['WATCH_EVENT_TYPE_MODIFIED', 10],
      ['WATCH_EVENT_TYPE_SYNCED', 10],
    ]);
  });

  it('a client already current gets just SYNCED', () => {
    const hub = new WatchHub(100, 'e');
    hub.publish('WATCH_EVENT_TYPE_ADDED', pod('a'));
    const c = collector();
    hub.subscribe(c, { epoch: 'e', sinceRevision: 1 }, () => []);
    expect(c.events.map((e) => e.type)).to.deep.equal(['WATCH_EVENT_TYPE_SYNCED']);
  });

  const snapshotCases: Array<[string, string, number]> = [
    ['another epoch', 'other', 5],
    ['a revision from the future', 'e', 99],
    ['a revision that fell out of the ring', 'e', 2],
    ['a negative revision', 'e', -1],
  ];
  for (const [what, epoch, since] of snapshotCases) {
    it(`falls back to a full snapshot for ${what}`, () => {
      const hub = new WatchHub(5, 'e');
      for (let i = 0; i < 20; i++) hub.publish('WATCH_EVENT_TYPE_MODIFIED', pod('a'));
      expect(hub.canResume(epoch, since)).to.equal(false);
      const c = collector();
      hub.subscribe(c, { epoch, sinceRevision: since }, () => [{ uid: 'a' }]);
      expect(c.events[0]!.type).to.equal('WATCH_EVENT_TYPE_RESET');
      expect(c.events.at(-1)!.type).to.equal('WATCH_EVENT_TYPE_SYNCED');
    });
  }

  it('keeps the last `capacity` events resumable across compaction', () => {
    const hub = new WatchHub(5, 'e');
    for (let i = 0; i < 23; i++) hub.publish('WATCH_EVENT_TYPE_MODIFIED', pod('a'));
    expect(hub.canResume('e', 18)).to.equal(true);
    expect(hub.canResume('e', 17)).to.equal(false);
    const c = collector();
    hub.subscribe(c, { epoch: 'e', sinceRevision: 18 }, () => []);
    expect(c.events.map((e) => e.revision)).to.deep.equal([19, 20, 21, 22, 23, 23]);
  });

  it('unsubscribe stops delivery', () => {
    const hub = new WatchHub(5, 'e');
    const c = collector();
    const off = hub.subscribe(c, { epoch: '', sinceRevision: 0 }, () => []);
    off();
    hub.publish('WATCH_EVENT_TYPE_ADDED', pod('a'));
    expect(c.events.map((e) => e.type)).to.deep.equal(['WATCH_EVENT_TYPE_RESET', 'WATCH_EVENT_TYPE_SYNCED']);
    expect(hub.subscriberCount).to.equal(0);
  });
});
