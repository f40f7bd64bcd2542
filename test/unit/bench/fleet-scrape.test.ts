import { expect } from 'chai';
import { getEventListeners } from 'node:events';
import {
  counterDelta,
  deadlineSignal,
  kindDelta,
  scrapeNodes,
  untilAborted,
  type MetricsFetch,
} from '../../../bench/scenarios/fleet-scrape.js';

const METRIC = 'vkcmd_kubelet_apiserver_requests_total';
const body = (n: number): string =>
  `# TYPE ${METRIC} counter\n${METRIC}{verb="PATCH"} ${n}\n${METRIC}{verb="GET"} 1\nother_total 99\n`;

/** Never answers: settles only when its signal aborts. */
const hangs: MetricsFetch = (_port, signal) =>
  new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));

describe('fleet scrape', () => {
  const targets = [
    { node: 'a', port: 1 },
    { node: 'b', port: 2 },
    { node: 'c', port: 3 },
  ];

  it('sums the metric per node', async () => {
    const got = await scrapeNodes(targets, METRIC, (port) => Promise.resolve(body(port * 10)), {
      concurrency: 2,
      timeoutMs: 1000,
    });
    expect([...got.values]).to.deep.equal([
      ['a', 11],
      ['b', 21],
      ['c', 31],
    ]);
    expect(got.unanswered).to.deep.equal([]);
    // By verb (the test body has no resource label), over every node.
    expect([...got.byKind]).to.deep.equal([
      ['PATCH', 60],
      ['GET', 3],
    ]);
  });

  it('kindDelta: each kind grows from its value before, or from 0', () => {
    const before = new Map([['update leases', 10]]);
    const after = new Map([
      ['update leases', 16],
      ['watch pods', 1],
    ]);
    expect(kindDelta(before, after)).to.deep.equal({ 'update leases': 6, 'watch pods': 1 });
  });

  it('counts a node that hangs as unanswered once its timeout passes, and goes on', async () => {
    const fetch: MetricsFetch = (port, signal) =>
      port === 2 ? hangs(port, signal) : Promise.resolve(body(5));
    const got = await scrapeNodes(targets, METRIC, fetch, { concurrency: 1, timeoutMs: 20 });
    expect([...got.values.keys()]).to.deep.equal(['a', 'c']);
    expect(got.unanswered).to.deep.equal(['b']);
    expect(got.errors[0]).to.match(/^b: /);
  });

  it('counts a node that answers an error as unanswered', async () => {
    const fetch: MetricsFetch = (port) =>
      port === 1 ? Promise.reject(new Error('HTTP 503')) : Promise.resolve(body(1));
    const got = await scrapeNodes(targets, METRIC, fetch, { concurrency: 3, timeoutMs: 1000 });
    expect(got.unanswered).to.deep.equal(['a']);
    expect(got.errors).to.deep.equal(['a: HTTP 503']);
  });

  it('ends every scrape under way on the abort, and starts no more', async () => {
    const abort = new AbortController();
    let started = 0;
    const fetch: MetricsFetch = (port, signal) => {
      started++;
      if (started === 1) queueMicrotask(() => abort.abort(new Error('stop')));
      return hangs(port, signal);
    };
    const got = await scrapeNodes(targets, METRIC, fetch, {
      concurrency: 1,
      timeoutMs: 60_000,
      signal: abort.signal,
    });
    expect(started).to.equal(1);
    expect(got.unanswered).to.deep.equal(['a', 'b', 'c']);
  });

  it('never rejects with no targets', async () => {
    const got = await scrapeNodes([], METRIC, hangs, { concurrency: 4, timeoutMs: 10 });
    expect(got).to.deep.equal({ values: new Map(), unanswered: [], errors: [], byKind: new Map() });
  });

  const deltaCases: Array<[string, Array<[string, number]>, Array<[string, number]>, number, number]> = [
    [
      'all answered',
      [
        ['a', 1],
        ['b', 2],
      ],
      [
        ['a', 4],
        ['b', 7],
      ],
      8,
      2,
    ],
    [
      'missing after',
      [
        ['a', 1],
        ['b', 2],
      ],
      [['a', 4]],
      3,
      1,
    ],
    [
      'missing before',
      [['a', 1]],
      [
        ['a', 4],
        ['b', 7],
      ],
      3,
      1,
    ],
    ['none', [], [], 0, 0],
  ];
  for (const [name, before, after, sum, nodes] of deltaCases) {
    it(`counterDelta: ${name}`, () =>
      expect(counterDelta(new Map(before), new Map(after))).to.deep.equal({ sum, nodes }));
  }

  it('listens on the outer signal once for the whole scrape, not once per scrape under way', async () => {
    const outer = new AbortController();
    let most = 0;
    const many = Array.from({ length: 40 }, (_, i) => ({ node: `n${i}`, port: i }));
    await scrapeNodes(
      many,
      METRIC,
      async () => {
        most = Math.max(most, getEventListeners(outer.signal, 'abort').length);
        await new Promise((resolve) => setImmediate(resolve));
        return body(1);
      },
      { concurrency: 32, timeoutMs: 1000, signal: outer.signal },
    );
    expect(most).to.equal(1);
    expect(getEventListeners(outer.signal, 'abort')).to.have.length(0);
  });

  it('deadlineSignal aborts after its time, or with the outer signal, and done() clears it', async () => {
    const timed = deadlineSignal(10);
    await new Promise((resolve) => timed.signal.addEventListener('abort', resolve));
    expect((timed.signal.reason as Error).message).to.match(/deadline of 10 ms/);
    const outer = new AbortController();
    const joined = deadlineSignal(60_000, outer.signal);
    outer.abort(new Error('interrupted'));
    expect((joined.signal.reason as Error).message).to.equal('interrupted');
    joined.done();
    const cleared = deadlineSignal(60_000);
    cleared.done();
    expect(cleared.signal.aborted).to.equal(false);
  });

  it('untilAborted rejects a promise that never settles once the signal aborts', async () => {
    const abort = new AbortController();
    const never = new Promise<number>(() => undefined);
    const waiting = untilAborted(never, abort.signal);
    abort.abort(new Error('budget spent'));
    const err = await waiting.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).to.equal('budget spent');
    expect(await untilAborted(Promise.resolve(3), new AbortController().signal)).to.equal(3);
  });
});
