import { expect } from 'chai';
import { pino } from 'pino';
import { ApiError, type KubeApi } from '../../../../src/kubelet/kube/kube-api.js';
import type { WireLease } from '../../../../src/kubelet/kube/wire-types.js';
import { LeaseController } from '../../../../src/kubelet/node/lease-controller.js';

/** The Lease calls a controller makes, against an API server holding at most one Lease. */
class LeaseApi {
  readonly calls: string[] = [];
  stored: WireLease | undefined;
  private version = 0;
  conflictNext = false;

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
