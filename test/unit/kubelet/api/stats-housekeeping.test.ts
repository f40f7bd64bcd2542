import type { ServerResponse } from 'node:http';
import { expect } from 'chai';
import { pino } from 'pino';
import { ApiHandlers } from '../../../../src/kubelet/api/api-handlers.js';
import type { KubeletApiOptions } from '../../../../src/kubelet/api/kubelet-api-options.js';
import {
  aheadDelayMs,
  collectionFresh,
  StatsHousekeeping,
  type HousekeepingTimers,
  type StatsHousekeepingOptions,
} from '../../../../src/kubelet/api/stats-housekeeping.js';
import { UnavailableError } from '../../../../src/common/errors.js';
import type { Stats__Output } from '../../../../src/generated/vkcmd/runner/v1/Stats.js';

/** A clock and timers the test moves by hand. */
class ManualTime implements HousekeepingTimers {
  nowMs = 0;
  private timers: Array<{ atMs: number; fn: () => void; id: number }> = [];
  private nextId = 1;

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ atMs: this.nowMs + ms, fn, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  get armed(): number {
    return this.timers.length;
  }

  /** Moves to `toMs`, firing due timers in time order. */
  async advanceTo(toMs: number): Promise<void> {
    for (;;) {
      const due = this.timers.filter((t) => t.atMs <= toMs).sort((a, b) => a.atMs - b.atMs)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.nowMs = due.atMs;
      due.fn();
      await Promise.resolve();
    }
    this.nowMs = toMs;
  }
}

function statsAt(timestampMs: number): Stats__Output {
  return { timestampMs, node: null as never, pods: [] };
}

/** A runner whose GetStats answers at once with the time of the call, recording when it was called. */
function runnerStats(time: ManualTime) {
  const calls: number[] = [];
  return {
    calls,
    collect: (): Promise<Stats__Output> => {
      calls.push(time.nowMs);
      return Promise.resolve(statsAt(time.nowMs));
    },
  };
}

/** A housekeeping on the test's clock: a 10 s max age unless `o` says otherwise. */
function housekeeping(
  time: ManualTime,
  collect: () => Promise<Stats__Output>,
  o: Partial<StatsHousekeepingOptions> = {},
): StatsHousekeeping {
  return new StatsHousekeeping({
    collect,
    nowMs: () => time.nowMs,
    maxAgeMs: 10_000,
    timers: time,
    ...o,
  });
}

describe('stats housekeeping: scrapes answered from collections made ahead of them', () => {
  it('collectionFresh: at most maxAgeMs old, never from the future, never without one', () => {
    const rows: Array<[number | undefined, number, number, boolean]> = [
      [undefined, 0, 10_000, false],
      [0, 0, 10_000, true],
      [0, 10_000, 10_000, true],
      [0, 10_001, 10_000, false],
      [5_000, 4_000, 10_000, false],
      [0, 0, 0, true],
      [0, 1, 0, false],
    ];
    for (const [taken, now, maxAge, want] of rows)
      expect(collectionFresh(taken, now, maxAge), `${taken} ${now} ${maxAge}`).to.equal(want);
  });

  it('aheadDelayMs: 10-70 % of the usable age before the expected request, by phase; none when nothing to expect', () => {
    const rows: Array<[number | undefined, number, number, number | undefined]> = [
      [10_000, 10_000, 0, 9_000],
      [10_000, 10_000, 0.5, 6_000],
      [10_000, 10_000, 1, 3_000],
      // metrics-server's default 60 s: the collection is still at most 10 s old, not 60.
      [60_000, 10_000, 0, 59_000],
      [60_000, 10_000, 1, 53_000],
      // Requests faster than the max age: the age follows the interval.
      [4_000, 10_000, 0.5, 2_400],
      [undefined, 10_000, 0.5, undefined],
      [1_000, 10_000, 0.5, undefined],
      [11 * 60_000, 10_000, 0.5, undefined],
      [10_000, 0, 0.5, undefined],
      // A phase outside [0, 1] is clamped.
      [10_000, 10_000, 7, 3_000],
    ];
    for (const [interval, maxAge, phase, want] of rows)
      expect(aheadDelayMs(interval, maxAge, phase), `${interval} ${maxAge} ${phase}`).to.equal(want);
  });

  it('requests at once share one collection, and one within the max age uses it', async () => {
    const time = new ManualTime();
    let resolve: (s: Stats__Output) => void = () => undefined;
    let calls = 0;
    const h = housekeeping(
      time,
      () => {
        calls++;
        return new Promise((r) => (resolve = r));
      },
      { phase: 0.5 },
    );
    const a = h.get();
    const b = h.get();
    resolve(statsAt(0));
    expect(await a).to.equal(await b);
    await time.advanceTo(500);
    expect((await h.get()).timestampMs).to.equal(0);
    expect(calls).to.equal(1);
    await time.advanceTo(30_000);
    const c = h.get();
    resolve(statsAt(30_000));
    expect((await c).timestampMs).to.equal(30_000);
    expect(calls).to.equal(2);
    h.stop();
  });

  it('a failed collection is not kept: the next request collects again and may succeed', async () => {
    const time = new ManualTime();
    let failing = true;
    let calls = 0;
    const h = housekeeping(time, () => {
      calls++;
      return failing
        ? Promise.reject(new UnavailableError('runner link down'))
        : Promise.resolve(statsAt(time.nowMs));
    });
    let error: unknown;
    await h.get().catch((err: unknown) => (error = err));
    expect(error).to.be.instanceOf(UnavailableError);
    failing = false;
    expect((await h.get()).timestampMs).to.equal(0);
    expect(calls).to.equal(2);
    h.stop();
  });

  it('scrapes every 10 s are answered by collections made ahead, each node at its own phase', async () => {
    const time = new ManualTime();
    const nodes = [0, 0.5, 0.99].map((phase) => {
      const runner = runnerStats(time);
      return { runner, h: housekeeping(time, runner.collect, { phase }) };
    });
    const ages: number[] = [];
    for (let scrape = 0; scrape < 5; scrape++) {
      await time.advanceTo(scrape * 10_000);
      for (const n of nodes) {
        const age = time.nowMs - (await n.h.get()).timestampMs;
        if (scrape >= 2) ages.push(age);
      }
    }
    // Only the first scrape collects itself (the second still finds it fresh, and
    // learns the interval); after it each node collects ahead, at its own time.
    for (const n of nodes) {
      expect(n.runner.calls.filter((at) => at % 10_000 === 0)).to.deep.equal([0]);
      expect(n.runner.calls).to.have.length(4);
      expect(n.h.collectionsAhead).to.equal(3);
    }
    expect(nodes.map((n) => n.runner.calls[1])).to.deep.equal([19_000, 16_000, 13_060]);
    expect(ages).to.deep.equal([1_000, 4_000, 6_940, 1_000, 4_000, 6_940, 1_000, 4_000, 6_940]);
    for (const n of nodes) n.h.stop();
    expect(time.armed).to.equal(0);
  });

  it('stop cancels the collection armed ahead; caching off collects for every request and arms none', async () => {
    const time = new ManualTime();
    const runner = runnerStats(time);
    const h = housekeeping(time, runner.collect, { phase: 0 });
    await h.get();
    await time.advanceTo(10_000);
    await h.get();
    expect(time.armed).to.equal(1);
    h.stop();
    await time.advanceTo(60_000);
    expect(runner.calls).to.deep.equal([0]);

    const off = runnerStats(time);
    const uncached = housekeeping(time, off.collect, { maxAgeMs: 0 });
    await uncached.get();
    await uncached.get();
    await time.advanceTo(70_000);
    await uncached.get();
    expect(off.calls).to.deep.equal([60_000, 60_000, 70_000]);
    expect(time.armed).to.equal(0);
  });

  it('ApiHandlers: /metrics/resource and /stats/summary within the max age cost the runner one GetStats', async () => {
    let calls = 0;
    let nowMs = 5_000;
    const options = {
      nodeName: 'vk-1',
      runner: {
        getStats: () => {
          calls++;
          return Promise.resolve({
            ...statsAt(nowMs),
            node: { cpuUsageCoreNanoseconds: 2e9, memoryWorkingSetBytes: 4096 },
          });
        },
      },
      pods: { list: () => [], get: () => undefined },
      logger: pino({ level: 'silent' }),
      statsPhase: 0.5,
    } as unknown as KubeletApiOptions;
    const handlers = new ApiHandlers(options, () => nowMs, 1_000);
    const bodies: string[] = [];
    const res = {
      writeHead: () => res,
      end: (b: Buffer) => {
        bodies.push(b.toString());
        return res;
      },
    } as unknown as ServerResponse;
    await handlers.resourceMetrics(res);
    nowMs += 2_000;
    await handlers.statsSummary(res, new URLSearchParams());
    await handlers.resourceMetrics(res);
    expect(calls).to.equal(1);
    // The samples carry the collection's time, not the request's.
    expect(bodies[2]).to.match(/^node_cpu_usage_seconds_total 2 5000$/m);
    nowMs += 20_000;
    await handlers.resourceMetrics(res);
    expect(calls).to.equal(2);
    handlers.stop();
  });
});
