import { expect } from 'chai';
import type { WirePod, WirePodStatus } from '../../../../src/kubelet/kube/wire-types.js';
import { pino } from 'pino';
import { ApiError, type KubeApi } from '../../../../src/kubelet/kube/kube-api.js';
import { KubeletMetrics } from '../../../../src/kubelet/kubelet-metrics.js';
import { StatusWriter, type ObservedStatus } from '../../../../src/kubelet/pods/status-writer.js';

/** The body of a pod status patch. */
type StatusPatch = { metadata: { uid: string }; status: WirePodStatus };

/** A patchPodStatus whose calls complete only when the test says so. */
class GatedApi {
  private rv = 10;
  readonly patches: Array<{
    body: StatusPatch;
    /** Completes the patch; the API answers with the next resourceVersion. */
    resolve: () => string;
    reject: (e: unknown) => void;
  }> = [];
  patchPodStatus(_ns: string, _name: string, body: object): Promise<WirePod> {
    return new Promise((resolve, reject) => {
      this.patches.push({
        body: body as StatusPatch,
        resolve: () => {
          const resourceVersion = String(++this.rv);
          resolve({ metadata: { resourceVersion } });
          return resourceVersion;
        },
        reject,
      });
    });
  }
}

const ref = { namespace: 'ns', name: 'p', uid: 'u1' };
const st = (phase: string, ready = 'True'): WirePodStatus => ({
  phase,
  conditions: [{ type: 'Ready', status: ready }],
});
const seen = (status: WirePodStatus, resourceVersion: string | undefined): ObservedStatus => ({
  status,
  resourceVersion,
});
const tick = () => new Promise((r) => setImmediate(r));

async function until(what: string, condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(condition(), what).to.equal(true);
}

describe('StatusWriter', () => {
  let api: GatedApi;
  let nowMs: number;
  let writer: StatusWriter;
  beforeEach(() => {
    api = new GatedApi();
    nowMs = 1_000_000;
    writer = new StatusWriter(
      api as unknown as KubeApi,
      new KubeletMetrics({ collectProcessMetrics: false }),
      pino({ level: 'silent' }),
      { now: () => nowMs, retryInitialMs: 2 },
    );
  });

  /** Writes `status` once and lets the patch land; returns the resourceVersion it got. */
  async function written(status: WirePodStatus): Promise<string> {
    const before = api.patches.length;
    const done = writer.set(ref, status, undefined);
    await tick();
    expect(api.patches).to.have.length(before + 1);
    const rv = api.patches[before]!.resolve();
    await done;
    return rv;
  }

  it("spaces a large pod's writes: the next waits out the spacing after the last answer, and only the latest state goes", async () => {
    const spaced = new StatusWriter(
      api as unknown as KubeApi,
      new KubeletMetrics({ collectProcessMetrics: false }),
      pino({ level: 'silent' }),
      { now: () => nowMs, retryInitialMs: 2, spacingMs: (s) => (s.phase === 'Running' ? 40 : 0) },
    );
    const first = spaced.set(ref, st('Running'), undefined);
    await tick();
    api.patches[0]!.resolve();
    await first;
    nowMs += 10;
    const second = spaced.set(ref, st('Running', 'False'), undefined);
    void spaced.set(ref, st('Succeeded'), undefined);
    // 30 ms of the spacing are left (by the writer's clock): nothing goes out meanwhile.
    for (let i = 0; i < 5; i++) await tick();
    expect(api.patches).to.have.length(1);
    nowMs += 30;
    await until('the spaced write goes out', () => api.patches.length === 2);
    expect(api.patches[1]!.body.status.phase).to.equal('Succeeded');
    api.patches[1]!.resolve();
    await second;
  });

  it('does not space an ordinary pod: its next state goes out as soon as the last is answered', async () => {
    await written(st('Running'));
    void writer.set(ref, st('Succeeded'), undefined);
    await tick();
    expect(api.patches).to.have.length(2);
  });

  it('keeps one patch in flight per pod and sends only the latest state next', async () => {
    void writer.set(ref, st('Pending'), undefined, 1);
    void writer.set(ref, st('Running'), undefined, 2);
    void writer.set(ref, st('Succeeded'), undefined, 3);
    await tick();
    expect(api.patches.map((p) => p.body.status.phase)).to.deep.equal(['Pending']);
    expect(api.patches[0]!.body.metadata.uid).to.equal('u1');
    api.patches[0]!.resolve();
    await tick();
    await tick();
    expect(api.patches.map((p) => p.body.status.phase)).to.deep.equal(['Pending', 'Succeeded']);
  });

  it('skips a state equal to what the API shows or what was last written', async () => {
    await writer.set(ref, st('Running'), seen(st('Running'), '5'));
    expect(api.patches).to.have.length(0);
    const rv = await written(st('Failed'));
    await writer.set(ref, st('Failed'), seen(st('Failed'), rv));
    expect(api.patches).to.have.length(1);
  });

  it('a newer state equal to the one in flight cancels the pending one', async () => {
    void writer.set(ref, st('Running'), undefined);
    void writer.set(ref, st('Succeeded'), undefined);
    void writer.set(ref, st('Running'), undefined);
    await tick();
    api.patches[0]!.resolve();
    await tick();
    await tick();
    expect(api.patches).to.have.length(1);
  });

  it('writes an unchanged status again when another writer changed it in the API (needsReconcile)', async () => {
    const rv = await written(st('Running'));
    // The node lifecycle controller marks the pod not ready (MarkPodsNotReady).
    const external = String(Number(rv) + 1);
    void writer.set(ref, st('Running'), seen(st('Running', 'False'), external));
    await tick();
    expect(api.patches).to.have.length(2);
    expect(api.patches[1]!.body.status.conditions).to.deep.equal([{ type: 'Ready', status: 'True' }]);
  });

  it('does not write again for an observation older than its last patch', async () => {
    const rv = await written(st('Running'));
    const stale = String(Number(rv) - 1);
    await writer.set(ref, st('Running'), seen(st('Pending', 'False'), stale));
    expect(api.patches).to.have.length(1);
  });

  it('re-writes of an unchanged status back off, so a field the API keeps changing is no write loop', async () => {
    await written(st('Running'));
    // The API keeps showing Ready=False whatever is written.
    const fight = async (): Promise<void> => {
      const before = api.patches.length;
      const done = writer.set(ref, st('Running'), seen(st('Running', 'False'), '999999'));
      await tick();
      if (api.patches.length > before) api.patches.at(-1)!.resolve();
      await done;
    };
    for (let i = 0; i < 10; i++) await fight();
    expect(api.patches, 'first patch and two immediate re-writes').to.have.length(3);
    nowMs += 1000;
    await fight();
    expect(api.patches, 'one more after the back-off').to.have.length(4);
    for (let i = 0; i < 10; i++) await fight();
    expect(api.patches).to.have.length(4);
    // A real change is written at once and ends the back-off.
    void writer.set(ref, st('Succeeded'), seen(st('Running', 'False'), '999999'));
    await tick();
    expect(api.patches).to.have.length(5);
    expect(api.patches.at(-1)!.body.status.phase).to.equal('Succeeded');
  });

  it('retries a patch the API server failed with a 5xx, with the latest state', async () => {
    const done = writer.set(ref, st('Running'), undefined);
    await tick();
    api.patches[0]!.reject(new ApiError(503, 'etcd leader changed'));
    await until('a second attempt', () => api.patches.length === 2);
    expect(api.patches[1]!.body.status.phase).to.equal('Running');
    api.patches[1]!.resolve();
    await done;
    expect(await writer.drain(100)).to.equal(true);
  });

  it('clears a reason and message the status does not set', async () => {
    void writer.set(ref, st('Running'), undefined);
    await tick();
    expect(api.patches[0]!.body.status).to.include({ reason: null, message: null });
  });

  it('gives up on 404 and resolves waiters; drain reports completion', async () => {
    const done = writer.set(ref, st('Running'), undefined);
    await tick();
    api.patches[0]!.reject(new ApiError(404, 'gone'));
    await done;
    expect(await writer.drain(100)).to.equal(true);
  });

  it('drain times out while a patch hangs', async () => {
    void writer.set(ref, st('Running'), undefined);
    await tick();
    expect(await writer.drain(20)).to.equal(false);
  });
});
