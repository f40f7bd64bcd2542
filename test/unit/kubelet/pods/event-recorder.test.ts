import { expect } from 'chai';
import type { WireEvent, WirePod } from '../../../../src/kubelet/kube/wire-types.js';
import { pino } from 'pino';
import { ApiError, type KubeApi } from '../../../../src/kubelet/kube/kube-api.js';
import {
  EventRecorder,
  MAX_EVENT_WRITES_IN_FLIGHT,
  type PodEvent,
} from '../../../../src/kubelet/pods/event-recorder.js';
import {
  AGGREGATE_MAX_MESSAGES,
  AGGREGATE_MESSAGE_PREFIX,
  SPAM_BURST,
  SPAM_REFILL_MS,
} from '../../../../src/kubelet/pods/event-correlator.js';

/** Events in memory; `fail` makes the next calls of an operation fail with an HTTP code. */
class EventsApi {
  readonly calls: Array<{ op: 'create' | 'patch'; name: string; count: number }> = [];
  readonly stored = new Map<string, WireEvent>();
  readonly fail: Array<{ op: 'create' | 'patch'; code: number }> = [];

  private failure(op: 'create' | 'patch'): void {
    const i = this.fail.findIndex((f) => f.op === op);
    if (i === -1) return;
    const [f] = this.fail.splice(i, 1);
    throw new ApiError(f!.code, `injected ${f!.code}`);
  }

  async createEvent(_ns: string, event: WireEvent): Promise<WireEvent> {
    this.failure('create');
    const name = event.metadata.name!;
    if (this.stored.has(name)) throw new ApiError(409, 'exists');
    this.calls.push({ op: 'create', name, count: event.count ?? 0 });
    this.stored.set(name, structuredClone(event));
    return event;
  }

  async patchEvent(_ns: string, name: string, patch: { count: number }): Promise<WireEvent> {
    this.failure('patch');
    const event = this.stored.get(name);
    if (!event) throw new ApiError(404, 'not found');
    this.calls.push({ op: 'patch', name, count: patch.count });
    Object.assign(event, patch);
    return event;
  }

  /** The API server's --event-ttl passing. */
  expireAll(): void {
    this.stored.clear();
  }
}

const pod: WirePod = { metadata: { name: 'p', namespace: 'ns', uid: 'u' } };
const started: PodEvent = { type: 'Normal', reason: 'Started', message: 'Started container c1' };
const other = (n: number): PodEvent => ({ type: 'Normal', reason: 'Other', message: `m${n}` });

describe('EventRecorder', () => {
  let api: EventsApi;
  let nowMs: number;
  let recorder: EventRecorder;
  const make = (options: { maxRemembered?: number; maxAgeMs?: number } = {}) =>
    new EventRecorder(api as unknown as KubeApi, 'node-1', pino({ level: 'silent' }), {
      now: () => nowMs,
      ...options,
    });
  beforeEach(() => {
    api = new EventsApi();
    nowMs = Date.parse('2025-01-01T00:00:00Z');
    recorder = make();
  });
  const emit = async (event: PodEvent): Promise<void> => {
    recorder.emit(pod, event);
    await recorder.flush();
  };

  it('creates an event as the kubelet does and folds repeats into it, in order', async () => {
    recorder.emit(pod, started);
    recorder.emit(pod, started);
    recorder.emit(pod, started);
    await recorder.flush();
    expect(api.calls.map((c) => [c.op, c.count])).to.deep.equal([
      ['create', 1],
      ['patch', 2],
      ['patch', 3],
    ]);
    const event = [...api.stored.values()][0]!;
    expect(event).to.deep.include({
      reason: 'Started',
      type: 'Normal',
      source: { component: 'kubelet', host: 'node-1' },
      count: 3,
    });
    expect(event.involvedObject).to.deep.include({ kind: 'Pod', name: 'p', namespace: 'ns', uid: 'u' });
  });

  it('an emit standing for several occurrences (probe failures pushed together) adds them all to the count', async () => {
    const unhealthy: PodEvent = { type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe failed: ' };
    await emit({ ...unhealthy, count: 3 });
    await emit({ ...unhealthy, count: 2 });
    await emit(unhealthy);
    expect(api.calls.map((c) => [c.op, c.count])).to.deep.equal([
      ['create', 3],
      ['patch', 5],
      ['patch', 6],
    ]);
  });

  it('re-creates an event the API server expired (404 on the patch), keeping the count', async () => {
    await emit(started);
    await emit(started);
    api.expireAll();
    nowMs += 60_000;
    await emit(started);
    expect(api.calls.map((c) => [c.op, c.count])).to.deep.equal([
      ['create', 1],
      ['patch', 2],
      ['create', 3],
    ]);
    await emit(started);
    expect(api.calls.at(-1)).to.deep.include({ op: 'patch', count: 4 });
  });

  it('counts a repeat only once the API server took it', async () => {
    await emit(started);
    api.fail.push({ op: 'patch', code: 500 });
    await emit(started);
    await emit(started);
    expect(api.calls.map((c) => c.count)).to.deep.equal([1, 2]);
    expect([...api.stored.values()][0]!.count).to.equal(2);
  });

  it('a failed create is forgotten: the next emit creates it', async () => {
    api.fail.push({ op: 'create', code: 503 });
    await emit(started);
    expect(api.stored.size).to.equal(0);
    await emit(started);
    expect(api.calls.map((c) => [c.op, c.count])).to.deep.equal([['create', 1]]);
  });

  it('starts a new event once the last write is older than maxAgeMs', async () => {
    recorder = make({ maxAgeMs: 1000 });
    await emit(started);
    nowMs += 1001;
    await emit(started);
    expect(api.calls.map((c) => c.op)).to.deep.equal(['create', 'create']);
    expect(new Set(api.calls.map((c) => c.name)).size).to.equal(2);
  });

  it('remembers a bounded number of events, dropping the least recently used', async () => {
    recorder = make({ maxRemembered: 2 });
    await emit(other(1));
    await emit(other(2));
    await emit(other(1)); // used again: now the most recent
    await emit(other(3)); // evicts m2
    await emit(other(1));
    await emit(other(2));
    const ops = api.calls.map((c) => `${c.op}:${api.stored.get(c.name)?.message}`);
    expect(ops).to.deep.equal(['create:m1', 'create:m2', 'patch:m1', 'create:m3', 'patch:m1', 'create:m2']);
  });

  it('writes at most maxWritesInFlight events at once; the rest wait in order and all land', async () => {
    const gated: Array<{ name: string; release: () => void }> = [];
    const gatedApi = {
      createEvent: (_ns: string, event: WireEvent): Promise<WireEvent> =>
        new Promise((resolve) => gated.push({ name: event.message ?? '', release: () => resolve(event) })),
      patchEvent: () => Promise.reject(new Error('no repeats here')),
    };
    const limited = new EventRecorder(gatedApi as unknown as KubeApi, 'node-1', pino({ level: 'silent' }), {
      now: () => nowMs,
      maxWritesInFlight: 2,
    });
    for (let n = 1; n <= 5; n++) limited.emit(pod, other(n));
    const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
    await settle();
    expect(gated.map((g) => g.name)).to.deep.equal(['m1', 'm2']);
    gated[0]!.release();
    await settle();
    expect(gated.map((g) => g.name)).to.deep.equal(['m1', 'm2', 'm3']);
    for (let i = 0; i < 5; i++) {
      gated[i]?.release();
      await settle();
    }
    const flushed = limited.flush();
    gated.forEach((g) => g.release());
    await flushed;
    expect(gated.map((g) => g.name)).to.deep.equal(['m1', 'm2', 'm3', 'm4', 'm5']);
  });

  it('limits event writes in flight by default (MAX_EVENT_WRITES_IN_FLIGHT)', async () => {
    let inFlight = 0;
    let most = 0;
    const releases: Array<() => void> = [];
    const countingApi = {
      createEvent: (_ns: string, event: WireEvent): Promise<WireEvent> => {
        most = Math.max(most, ++inFlight);
        return new Promise((resolve) =>
          releases.push(() => {
            inFlight--;
            resolve(event);
          }),
        );
      },
      patchEvent: () => Promise.reject(new Error('no repeats here')),
    };
    const bounded = new EventRecorder(
      countingApi as unknown as KubeApi,
      'node-1',
      pino({ level: 'silent' }),
      {
        now: () => nowMs,
      },
    );
    // One event for each of 50 pods: neither aggregated nor held back by the spam filter.
    for (let n = 0; n < 50; n++) bounded.emit({ metadata: { ...pod.metadata, uid: `u${n}` } }, other(n));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(most).to.equal(MAX_EVENT_WRITES_IN_FLIGHT);
    const flushed = bounded.flush();
    while (releases.length > 0) {
      releases.shift()!();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await flushed;
    expect(most).to.equal(MAX_EVENT_WRITES_IN_FLIGHT);
  });
  describe("client-go's correlator", () => {
    const startedOf = (n: number): PodEvent => ({
      type: 'Normal',
      reason: 'Started',
      message: `Started container c${String(n).padStart(4, '0')}`,
      fieldPath: `spec.containers{c${String(n).padStart(4, '0')}}`,
    });

    it('a pod of 1,000 containers: 9 Started events, then one aggregate counting the rest, 25 writes in all', async () => {
      for (let n = 0; n < 1000; n++) recorder.emit(pod, startedOf(n));
      await recorder.flush();
      expect(api.calls).to.have.length(SPAM_BURST);
      const creates = api.calls.filter((c) => c.op === 'create');
      expect(creates).to.have.length(AGGREGATE_MAX_MESSAGES);
      const messages = creates.map((c) => api.stored.get(c.name)!.message);
      expect(messages.slice(0, 9)).to.deep.equal(Array.from({ length: 9 }, (_, n) => startedOf(n).message));
      const aggregate = api.stored.get(creates[9]!.name)!;
      // Every aggregated occurrence is counted, those held back included (the writes lag the emits here).
      expect(aggregate.count).to.equal(1000 - 9);
      expect(aggregate.message).to.equal(`${AGGREGATE_MESSAGE_PREFIX}${startedOf(24).message}`);
      expect(aggregate.involvedObject).to.deep.include({ kind: 'Pod', uid: 'u' });
    });

    it('holds back writes beyond the burst, and the next write allowed counts them', async () => {
      const unhealthy: PodEvent = {
        type: 'Warning',
        reason: 'Unhealthy',
        message: 'Liveness probe failed: ',
      };
      for (let i = 0; i < SPAM_BURST + 5; i++) await emit(unhealthy);
      expect(api.calls).to.have.length(SPAM_BURST);
      expect(api.calls.at(-1)).to.deep.include({ op: 'patch', count: SPAM_BURST });
      nowMs += SPAM_REFILL_MS;
      await emit(unhealthy);
      expect(api.calls).to.have.length(SPAM_BURST + 1);
      expect(api.calls.at(-1)).to.deep.include({ op: 'patch', count: SPAM_BURST + 6 });
      await emit(unhealthy);
      expect(api.calls, 'one write per refill').to.have.length(SPAM_BURST + 1);
    });

    it("one pod's events do not use another pod's budget", async () => {
      for (let n = 0; n < 100; n++) recorder.emit(pod, startedOf(n));
      const other: WirePod = { metadata: { name: 'q', namespace: 'ns', uid: 'v' } };
      recorder.emit(other, started);
      await recorder.flush();
      const forOther = [...api.stored.values()].filter((e) => e.involvedObject.uid === 'v');
      expect(forOther.map((e) => [e.message, e.count])).to.deep.equal([[started.message, 1]]);
    });
  });
});
