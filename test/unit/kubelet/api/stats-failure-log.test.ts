import type { ServerResponse } from 'node:http';
import { expect } from 'chai';
import { pino } from 'pino';
import { ApiHandlers } from '../../../../src/kubelet/api/api-handlers.js';
import type { KubeletApiOptions } from '../../../../src/kubelet/api/kubelet-api-options.js';
import { RepeatedFailure } from '../../../../src/kubelet/api/repeated-failure.js';
import { UnavailableError } from '../../../../src/common/errors.js';
import type { Stats__Output } from '../../../../src/generated/vkcmd/runner/v1/Stats.js';

describe('stats failures are logged once per run of failures, not once per scrape', () => {
  it('RepeatedFailure: warn on the first failure of a run; a success ends the run and says how long it was', () => {
    const r = new RepeatedFailure();
    const seen = [
      r.failed(),
      r.failed(),
      r.failed(),
      r.succeeded(),
      r.succeeded(),
      r.failed(),
      r.succeeded(),
    ];
    expect(seen).to.deep.equal([true, false, false, 3, 0, true, 1]);
  });

  it('/metrics/resource scraped 20 times from a runner without stats: one warning, one line when stats return', async () => {
    const lines: Array<{ level: number; msg: string; failures?: number }> = [];
    const logger = pino({ level: 'debug' }, { write: (l: string) => lines.push(JSON.parse(l) as never) });
    let failing = true;
    const stats: Stats__Output = {
      timestampMs: 1000,
      node: null as never,
      pods: [],
    };
    const options = {
      nodeName: 'vk-1',
      runner: {
        getStats: () =>
          failing
            ? Promise.reject(new UnavailableError('UNIMPLEMENTED: unimplemented'))
            : Promise.resolve(stats),
      },
      pods: { list: () => [], get: () => undefined },
      logger,
    } as unknown as KubeletApiOptions;
    let nowMs = 1000;
    const handlers = new ApiHandlers(options, () => nowMs, 1000);
    const res = { writeHead: () => res, end: () => res } as unknown as ServerResponse;
    const scrape = async (times: number) => {
      for (let i = 0; i < times; i++) await handlers.resourceMetrics(res);
    };
    await scrape(20);
    const warnings = () => lines.filter((l) => l.level === 40).map((l) => l.msg);
    expect(warnings()).to.deep.equal(['Error getting stats for the resource metrics endpoint']);
    failing = false;
    await scrape(2);
    expect(lines.filter((l) => l.level === 30).map((l) => [l.msg, l.failures])).to.deep.equal([
      ['Stats for the resource metrics endpoint again', 20],
    ]);
    failing = true;
    // Past the age a collection answers scrapes for (stats-housekeeping.ts).
    nowMs += 60_000;
    await scrape(3);
    expect(warnings()).to.have.length(2);
    handlers.stop();
  });
});
