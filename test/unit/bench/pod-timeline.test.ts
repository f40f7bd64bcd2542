import { expect } from 'chai';
import { PodTimeline, milestonesOf, type PodJson } from '../../../bench/pod-timeline.js';

const pod = (name: string, phase: string, state?: object): PodJson => ({
  metadata: { name },
  status: { phase, containerStatuses: state ? [{ name: 'c1', state }] : [] },
});

describe('bench pod timeline', () => {
  const cases: Array<[string, PodJson, string[]]> = [
    ['pending without statuses', pod('a', 'Pending'), []],
    ['waiting', pod('a', 'Pending', { waiting: {} }), []],
    ['running', pod('a', 'Running', { running: {} }), ['running']],
    ['terminated, phase not yet final', pod('a', 'Running', { terminated: { exitCode: 0 } }), ['terminated']],
    ['succeeded', pod('a', 'Succeeded', { terminated: { exitCode: 0 } }), ['terminated', 'succeeded']],
    ['failed', pod('a', 'Failed', { terminated: { exitCode: 1 } }), ['terminated', 'failed']],
  ];
  for (const [label, p, expected] of cases) {
    it(`milestones of a pod that is ${label}`, () => expect(milestonesOf(p)).to.deep.equal(expected));
  }

  it('terminated needs every container terminated', () => {
    const p: PodJson = {
      metadata: { name: 'a' },
      status: { containerStatuses: [{ state: { terminated: {} } }, { state: { running: {} } }] },
    };
    expect(milestonesOf(p)).to.deep.equal(['running']);
  });

  it('keeps the first sighting of each milestone and notifies only on change', () => {
    const t = new PodTimeline();
    let changes = 0;
    t.subscribe(() => changes++);
    t.observe(pod('a', 'Running', { running: {} }), 10);
    t.observe(pod('a', 'Running', { running: {} }), 20);
    t.observe(pod('a', 'Succeeded', { terminated: {} }), 30);
    expect(t.times('running').get('a')).to.equal(10);
    expect(t.times('succeeded').get('a')).to.equal(30);
    expect(changes).to.equal(2);
    expect(t.countReached(['a', 'b'], ['succeeded', 'failed'])).to.equal(1);
  });

  it('a re-list marks pods that vanished meanwhile as gone, and only those', () => {
    const t = new PodTimeline();
    t.observe(pod('a', 'Pending'), 1);
    t.observe(pod('b', 'Pending'), 1);
    t.reconcile(new Set(['b']), 50);
    expect(t.times('gone').get('a')).to.equal(50);
    expect(t.times('gone').has('b')).to.equal(false);
    t.gone('b', 60);
    t.gone('b', 70);
    expect(t.times('gone').get('b')).to.equal(60);
  });
});
