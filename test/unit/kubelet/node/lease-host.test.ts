import { expect } from 'chai';
import { pino } from 'pino';
import { ApiError, type KubeApi } from '../../../../src/kubelet/kube/kube-api.js';
import type { RequestCounter } from '../../../../src/kubelet/kube/kube-api-client.js';
import type { WireLease } from '../../../../src/kubelet/kube/wire-types.js';
import { LeaseHost } from '../../../../src/kubelet/node/lease-host.js';
import {
  mainThreadStalled,
  type FromLeaseThread,
} from '../../../../src/kubelet/node/lease-thread-protocol.js';

/** Leases by node name, and the requests made, counted as KubeApiClient counts them. */
class Leases {
  readonly stored = new Map<string, WireLease>();
  readonly calls: string[] = [];
  failDelete: ApiError | undefined;

  api(nodeName: string, counter: RequestCounter): KubeApi {
    const call = <T>(verb: string, fn: () => T): Promise<T> => {
      this.calls.push(`${verb} ${nodeName}`);
      try {
        const result = fn();
        counter.apiserverRequestsTotal.inc({ verb, resource: 'leases', code: '200' });
        return Promise.resolve(result);
      } catch (err) {
        counter.apiserverRequestsTotal.inc({
          verb,
          resource: 'leases',
          code: String((err as ApiError).code),
        });
        return Promise.reject(err as Error);
      }
    };
    return {
      getLease: () => call('get', () => this.stored.get(nodeName)),
      createLease: (lease: WireLease) => call('create', () => this.store(nodeName, lease)),
      replaceLease: (lease: WireLease) => call('update', () => this.store(nodeName, lease)),
      deleteLease: () =>
        call('delete', () => {
          if (this.failDelete) throw this.failDelete;
          return this.stored.delete(nodeName);
        }),
    } as unknown as KubeApi;
  }

  private store(nodeName: string, lease: WireLease): WireLease {
    this.stored.set(nodeName, lease);
    return lease;
  }
}

/** A host whose renewals run when the test fires them, and what it posted. */
function hostWith(mayRenew: () => boolean = () => true) {
  const leases = new Leases();
  const posted: FromLeaseThread[] = [];
  const timers: Array<{ fn: () => void; delayMs: number; cancelled: boolean }> = [];
  const host = new LeaseHost({
    api: (nodeName, counter) => leases.api(nodeName, counter),
    post: (m) => posted.push(m),
    mayRenew,
    logger: pino({ level: 'silent' }),
    tallyIntervalMs: 3_600_000,
    schedule: (fn, delayMs) => {
      const timer = { fn, delayMs, cancelled: false };
      timers.push(timer);
      return () => (timer.cancelled = true);
    },
  });
  /** Fires the live timers and lets the renewals they start finish. */
  const fire = async (): Promise<void> => {
    const due = timers.splice(0).filter((t) => !t.cancelled);
    for (const t of due) t.fn();
    await settle();
  };
  return { host, leases, posted, timers, fire };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const start = (nodeName: string, nodeUid?: string) =>
  ({ type: 'start', nodeName, leaseDurationSeconds: 40, renewIntervalMs: 10_000, nodeUid }) as const;

describe('LeaseHost: the lease thread side', () => {
  it('renews each started node on its own timer, and tallies the requests per node in one message', async () => {
    const { host, leases, posted, fire } = hostWith();
    host.handle(start('n1', 'uid-1'));
    host.handle(start('n2', 'uid-2'));
    await settle();
    await fire();
    expect(leases.calls).to.deep.equal([
      'get n1',
      'get n2',
      'create n1',
      'create n2',
      'update n1',
      'update n2',
    ]);
    expect(leases.stored.get('n1')?.metadata?.ownerReferences?.[0]?.uid).to.equal('uid-1');
    expect(posted).to.deep.equal([]);
    host.flushTally();
    expect(posted).to.have.length(1);
    const tallies = posted[0]!.type === 'counts' ? posted[0]!.tallies : [];
    expect(tallies).to.have.deep.members([
      ['n1', 'get', 'leases', '200', 1],
      ['n1', 'create', 'leases', '200', 1],
      ['n1', 'update', 'leases', '200', 1],
      ['n2', 'get', 'leases', '200', 1],
      ['n2', 'create', 'leases', '200', 1],
      ['n2', 'update', 'leases', '200', 1],
    ]);
    host.flushTally();
    expect(posted).to.have.length(1);
    host.close();
  });

  it('takes a new uid into the next renewal, and stops a stopped node', async () => {
    const { host, leases, fire } = hostWith();
    host.handle(start('n1'));
    await settle();
    expect(leases.stored.get('n1')?.metadata?.ownerReferences).to.equal(undefined);
    host.handle({ type: 'uid', nodeName: 'n1', nodeUid: 'uid-9' });
    await fire();
    expect(leases.stored.get('n1')?.metadata?.ownerReferences?.[0]?.uid).to.equal('uid-9');
    host.handle({ type: 'stop', nodeName: 'n1' });
    const before = leases.calls.length;
    await fire();
    expect(leases.calls.length).to.equal(before);
    host.close();
  });

  it('sends no renewal while the main thread is stalled, and goes on when it runs again', async () => {
    let mainRuns = true;
    const { host, leases, fire } = hostWith(() => mainRuns);
    host.handle(start('n1', 'u'));
    await settle();
    expect(leases.calls).to.deep.equal(['get n1', 'create n1']);
    mainRuns = false;
    await fire();
    await fire();
    expect(leases.calls).to.deep.equal(['get n1', 'create n1']);
    mainRuns = true;
    await fire();
    expect(leases.calls).to.deep.equal(['get n1', 'create n1', 'update n1']);
    host.close();
  });

  it('answers a delete with its id, after the tally that counts it; a failed one with the API error', async () => {
    const { host, leases, posted } = hostWith();
    host.handle(start('n1', 'u'));
    await settle();
    host.handle({ type: 'stop', nodeName: 'n1' });
    host.handle({ type: 'delete', nodeName: 'n1', id: 7 });
    await settle();
    expect(leases.stored.has('n1')).to.equal(false);
    expect(posted.at(-1)).to.deep.equal({ type: 'deleted', id: 7 });
    const tally = posted.at(-2);
    expect(tally?.type === 'counts' && tally.tallies).to.deep.include(['n1', 'delete', 'leases', '200', 1]);

    // A node this thread does not hold (started before a restart of the thread) is deleted all the same.
    leases.failDelete = new ApiError(403, 'leases is forbidden');
    host.handle({ type: 'delete', nodeName: 'n-other', id: 8 });
    await settle();
    expect(posted.at(-1)).to.deep.equal({
      type: 'deleted',
      id: 8,
      error: { code: 403, message: 'leases is forbidden' },
    });
    host.close();
  });
});

describe('mainThreadStalled', () => {
  const cases: Array<{ name: string; aliveAtMs: number; nowMs: number; want: boolean }> = [
    { name: 'a tick a second ago', aliveAtMs: 99_000, nowMs: 100_000, want: false },
    { name: 'a tick exactly the limit ago', aliveAtMs: 60_000, nowMs: 100_000, want: false },
    { name: 'no tick for longer than the limit', aliveAtMs: 59_999, nowMs: 100_000, want: true },
    { name: 'a tick from the future (clock stepped back)', aliveAtMs: 200_000, nowMs: 100_000, want: false },
  ];
  for (const c of cases) {
    it(c.name, () => expect(mainThreadStalled(c.aliveAtMs, c.nowMs, 40_000)).to.equal(c.want));
  }
});
