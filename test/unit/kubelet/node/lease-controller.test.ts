import { expect } from 'chai';
import { pino } from 'pino';
import { ApiError, type KubeApi } from '../../../../src/kubelet/kube/kube-api.js';
import type { WireLease } from '../../../../src/kubelet/kube/wire-types.js';
import { LeaseController, nextRenewalDelayMs } from '../../../../src/kubelet/node/lease-controller.js';

/** The Lease calls a controller makes, against an API server holding at most one Lease. */
class LeaseApi {
  readonly calls: string[] = [];
  stored: WireLease | undefined;
  private version = 0;
  conflictNext = false;
  /** Called inside each update before it answers (a slow API server advances the test's clock). */
  duringUpdate: () => void = () => undefined;

  api(): KubeApi {
    return {
      getLease: () => {
        this.calls.push('get');
        return Promise.resolve(this.stored);
      },
      createLease: (lease: WireLease) => {
        this.calls.push('create');
        return Promise.resolve(this.store(lease));
      },
      replaceLease: (lease: WireLease) => {
        this.calls.push('update');
        this.duringUpdate();
        if (this.conflictNext || lease.metadata?.resourceVersion !== this.stored?.metadata?.resourceVersion) {
          this.conflictNext = false;
          return Promise.reject(new ApiError(409, 'conflict'));
        }
        return Promise.resolve(this.store(lease));
      },
    } as unknown as KubeApi;
  }

  private store(lease: WireLease): WireLease {
    this.stored = { ...lease, metadata: { ...lease.metadata, resourceVersion: String(++this.version) } };
    return this.stored;
  }
}

describe('LeaseController: the requests its renewals make', () => {
  const controller = (api: LeaseApi, now: () => number): LeaseController =>
    new LeaseController(
      api.api(),
      { nodeName: 'vk-1', leaseDurationSeconds: 40, renewIntervalMs: 10_000, nodeUid: () => 'uid-1', now },
      pino({ level: 'silent' }),
    );

  it('a minute of renewals is one read, one create and then one update each, of the cached Lease', async () => {
    const api = new LeaseApi();
    let nowMs = 1_000_000;
    const c = controller(api, () => nowMs);
    for (let i = 0; i < 6; i++) {
      await c.renew();
      nowMs += 10_000;
    }
    expect(api.calls).to.deep.equal(['get', 'create', 'update', 'update', 'update', 'update', 'update']);
    expect(c.lastRenewalMs()).to.equal(1_050_000);
    expect(api.stored?.spec?.renewTime).to.equal('1970-01-01T00:17:30.000000Z');
  });

  it('a conflict costs one read of the Lease, then updates go on from the cache', async () => {
    const api = new LeaseApi();
    const c = controller(api, () => 0);
    await c.renew();
    api.conflictNext = true;
    await c.renew();
    await c.renew();
    expect(api.calls).to.deep.equal(['get', 'create', 'update', 'get', 'update', 'update']);
  });
});

describe('nextRenewalDelayMs', () => {
  const cases: Array<{ name: string; stampedAtMs: number; nowMs: number; want: number }> = [
    { name: 'an answer at once: the whole interval', stampedAtMs: 1000, nowMs: 1000, want: 10_000 },
    { name: 'an answer after 3 s: the 7 s left', stampedAtMs: 1000, nowMs: 4000, want: 7000 },
    { name: 'an answer after the whole interval: at once', stampedAtMs: 1000, nowMs: 11_000, want: 0 },
    { name: 'an answer later still: at once, never negative', stampedAtMs: 1000, nowMs: 60_000, want: 0 },
    {
      name: 'a clock stepped back: never more than the interval',
      stampedAtMs: 50_000,
      nowMs: 1000,
      want: 10_000,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(nextRenewalDelayMs(c.stampedAtMs, c.nowMs, 10_000)).to.equal(c.want);
    });
  }
});

describe('LeaseController: the renewal schedule', () => {
  it('a slow renewal does not push the next one back: renewTimes stay one interval apart', async () => {
    const api = new LeaseApi();
    let nowMs = 1_000_000;
    // Each update takes 3 s of the test's clock before it answers.
    api.duringUpdate = () => (nowMs += 3000);
    const delays: number[] = [];
    const stamps: string[] = [];
    let next: (() => void) | undefined;
    const c = new LeaseController(
      api.api(),
      {
        nodeName: 'vk-1',
        leaseDurationSeconds: 40,
        renewIntervalMs: 10_000,
        nodeUid: () => 'uid-1',
        now: () => nowMs,
        schedule: (fn, delayMs) => {
          delays.push(delayMs);
          next = () => {
            nowMs += delayMs;
            fn();
          };
          return () => (next = undefined);
        },
      },
      pino({ level: 'silent' }),
    );
    const renewed = async (): Promise<void> => {
      const before = delays.length;
      while (delays.length === before) await new Promise((resolve) => setImmediate(resolve));
      stamps.push(api.stored?.spec?.renewTime ?? '');
    };
    c.start();
    await renewed(); // create: answered at once
    for (let i = 0; i < 3; i++) {
      next!();
      await renewed();
    }
    c.stop();
    expect(next).to.equal(undefined);
    expect(delays).to.deep.equal([10_000, 7000, 7000, 7000]);
    expect(stamps).to.deep.equal([
      '1970-01-01T00:16:40.000000Z',
      '1970-01-01T00:16:50.000000Z',
      '1970-01-01T00:17:00.000000Z',
      '1970-01-01T00:17:10.000000Z',
    ]);
  });

  it('a failed renewal is tried again after a second', async () => {
    const api = new LeaseApi();
    const delays: number[] = [];
    const failing = {
      ...api.api(),
      getLease: () => Promise.reject(new Error('connection refused')),
    } as unknown as KubeApi;
    const c = controllerRecordingDelays(failing, delays);
    c.start();
    while (delays.length === 0) await new Promise((resolve) => setImmediate(resolve));
    c.stop();
    expect(delays).to.deep.equal([1000]);
  });
});

describe('LeaseController: start and stop', () => {
  it('a second start() is one loop, and a start() after stop() while a renewal is in flight leaves one loop', async () => {
    const api = new LeaseApi();
    const reads: Array<() => void> = [];
    const held = {
      ...api.api(),
      // Each read waits until the test answers it.
      getLease: () => new Promise<undefined>((resolve) => reads.push(() => resolve(undefined))),
    } as unknown as KubeApi;
    const scheduled: number[] = [];
    const c = controllerRecordingDelays(held, scheduled);
    c.start();
    c.start();
    await settle();
    expect(reads).to.have.length(1);
    c.stop();
    c.start();
    await settle();
    expect(reads).to.have.length(2);
    // Both reads answer now: the first run's renewal lands, but only the second run goes on.
    for (const answer of reads) answer();
    await settle();
    expect(scheduled).to.have.length(1);
  });
});

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** A controller for vk-1 whose timer never fires: each delay it schedules is pushed to `delays`. */
function controllerRecordingDelays(api: KubeApi, delays: number[]): LeaseController {
  return new LeaseController(
    api,
    {
      nodeName: 'vk-1',
      leaseDurationSeconds: 40,
      renewIntervalMs: 10_000,
      nodeUid: () => 'uid-1',
      schedule: (_fn, delayMs) => {
        delays.push(delayMs);
        return () => undefined;
      },
    },
    pino({ level: 'silent' }),
  );
}
