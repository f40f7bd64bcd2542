import { expect } from 'chai';
import {
  MAX_WATCH_HEARTBEAT_MS,
  MIN_WATCH_HEARTBEAT_MS,
  WatchHeartbeat,
  heartbeatDueInMs,
  watchHeartbeatIntervalMs,
} from '../../../../src/runner/server/watch-heartbeat.js';

describe('watch heartbeat', () => {
  describe('watchHeartbeatIntervalMs: what a WatchPods request asks for', () => {
    const cases: Array<[number, number | undefined]> = [
      [0, undefined],
      [-5, undefined],
      [Number.NaN, undefined],
      [1, MIN_WATCH_HEARTBEAT_MS],
      [50, 50],
      [2_500, 2_500],
      [1_000_000, MAX_WATCH_HEARTBEAT_MS],
    ];
    for (const [requestedMs, intervalMs] of cases) {
      it(`${requestedMs} ms -> ${intervalMs}`, () =>
        expect(watchHeartbeatIntervalMs(requestedMs)).to.equal(intervalMs));
    }
  });

  describe('heartbeatDueInMs: the time left of the quiet interval', () => {
    const cases: Array<[string, number, number, number]> = [
      ['just sent', 1_000, 1_000, 500],
      ['sent a while ago', 1_000, 1_300, 200],
      ['quiet exactly the interval', 1_000, 1_500, 0],
      ['quiet longer (a late timer)', 1_000, 4_000, 0],
    ];
    for (const [title, lastSentMs, nowMs, dueInMs] of cases) {
      it(`${title}: ${dueInMs} ms`, () => expect(heartbeatDueInMs(lastSentMs, nowMs, 500)).to.equal(dueInMs));
    }
  });

  describe('WatchHeartbeat', () => {
    it('sends one after each quiet interval, and none once stopped', async () => {
      const sentAtMs: number[] = [];
      const startMs = Date.now();
      await new Promise<void>((resolve) => {
        const hb = new WatchHeartbeat(20, () => {
          sentAtMs.push(Date.now());
          if (sentAtMs.length === 3) {
            hb.stop();
            resolve();
          }
        });
        hb.start();
      });
      expect(sentAtMs[0]! - startMs).to.be.at.least(19);
      expect(sentAtMs[2]! - sentAtMs[0]!).to.be.at.least(38);
    });

    it('sends none while the stream is busy, then one after it falls quiet', async () => {
      const intervalMs = 40;
      let sends = 0;
      let busyUntilMs = 0;
      await new Promise<void>((resolve) => {
        const hb = new WatchHeartbeat(intervalMs, () => {
          sends++;
          expect(Date.now() - busyUntilMs, 'a heartbeat while busy').to.be.at.least(intervalMs - 1);
          hb.stop();
          resolve();
        });
        hb.start();
        // Writes every 5 ms for 6 intervals: each one restarts the quiet interval.
        let writes = 0;
        const busy = setInterval(() => {
          hb.sent();
          busyUntilMs = Date.now();
          if (++writes === 48) clearInterval(busy);
        }, 5);
      });
      expect(sends).to.equal(1);
    });
  });
});
