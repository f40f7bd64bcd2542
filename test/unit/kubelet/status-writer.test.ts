import { expect } from 'chai';
import type { V1Pod, V1PodStatus } from '@kubernetes/client-node';
import { pino } from 'pino';
import { ApiError, type KubeApi } from '../../../src/kubelet/kube/kube-api.js';
import { KubeletMetrics } from '../../../src/kubelet/kubelet-metrics.js';
import { StatusWriter } from '../../../src/kubelet/pods/status-writer.js';

/** A patchPodStatus whose calls complete only when the test says so. */
class GatedApi {
  readonly patches: Array<{
    body: { metadata: { uid: string }; status: V1PodStatus };
    resolve: () => void;
    reject: (e: unknown) => void;
  }> = [];
  patchPodStatus(_ns: string, _name: string, body: object): Promise<V1Pod> {
    return new Promise((resolve, reject) => {
      this.patches.push({ body: body as never, resolve: () => resolve({}), reject });
    });
  }
}

const ref = { namespace: 'ns', name: 'p', uid: 'u1' };
const st = (phase: string): V1PodStatus => ({ phase, conditions: [] });
const tick = () => new Promise((r) => setImmediate(r));

describe('StatusWriter', () => {
  let api: GatedApi;
  let writer: StatusWriter;
  beforeEach(() => {
    api = new GatedApi();
    writer = new StatusWriter(
      api as unknown as KubeApi,
      new KubeletMetrics({ collectProcessMetrics: false }),
      pino({ level: 'silent' }),
    );
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
    const done = writer.set(ref, st('Running'), st('Running'));
    await done;
    expect(api.patches).to.have.length(0);
    void writer.set(ref, st('Failed'), st('Running'));
    await tick();
    api.patches[0]!.resolve();
    await tick();
    await writer.set(ref, st('Failed'), st('Running'));
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
