import { expect } from 'chai';
import type { WirePod } from '../../../src/kubelet/kube/wire-types.js';
import { kubeApiAccessVolume } from '../../fixtures/kubelet-api/pod-volumes.js';
import type { Harness } from './support/harness.js';
import { harnessPerTest, percentile, waitFor } from './support/harness.js';

function scriptPod(name: string, extra: Partial<WirePod['spec']> = {}): WirePod {
  return {
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: {
      nodeName: 'vk-test',
      restartPolicy: 'Never',
      containers: [
        {
          name: 'c1',
          image: 'script',
          command: ['bash'],
          args: ['$(GREETING)'],
          env: [
            { name: 'GREETING', value: 'hello' },
            { name: 'WHO', valueFrom: { configMapKeyRef: { name: `${name}-cfg`, key: 'who' } } },
            { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
          volumeMounts: [{ name: 'script', mountPath: 'job' }],
        },
      ],
      volumes: [{ name: 'script', configMap: { name: `${name}-cfg` } }],
      ...extra,
    },
  };
}

const statusOf = (h: Harness, name: string) => h.api.pod('default', name)?.status;
const c1 = (h: Harness, name: string) => statusOf(h, name)?.containerStatuses?.find((s) => s.name === 'c1');

describe('kubelet pods against a fake runner and API', function () {
  this.timeout(30_000);
  let h: Harness;
  harnessPerTest((x) => (h = x));

  it('creates a pod end to end and reports Running then Succeeded with real times and the pgid', async () => {
    await h.startKubelet();
    h.api.configMaps.set('default/p1-cfg', { data: { 'run.sh': 'echo hi\n', who: 'world' } });
    const pod = h.api.addPod(scriptPod('p1'));
    const uid = pod.metadata!.uid!;

    const running = await waitFor(() => c1(h, 'p1')?.state?.running && statusOf(h, 'p1'), 5000, 'p1 running');
    expect(running.phase).to.equal('Running');
    expect(running.podIP).to.equal('10.1.2.3');
    expect(running.hostIPs).to.deep.equal([{ ip: '10.1.2.3' }]);
    expect(running.startTime).to.be.a('string');
    const status = c1(h, 'p1')!;
    const pgid = h.runner.pod(uid)!.containerStatuses[0]!.pgid;
    expect(status.containerID).to.equal(`vk-cmd://default_p1_c1_${pgid}`);
    expect(status.ready).to.equal(true);
    expect(status.started).to.equal(true);
    expect(running.conditions?.find((c) => c.type === 'Ready')?.status).to.equal('True');

    expect(h.runner.createCount(uid)).to.equal(1);
    const spec = h.runner.createCalls[0]!;
    expect(spec.restartPolicy).to.equal('Never');
    expect(spec.containers[0]!.env).to.deep.equal([
      { name: 'GREETING', value: 'hello' },
      { name: 'WHO', value: 'world' },
      { name: 'POD', value: 'p1' },
    ]);
    expect(spec.volumes[0]!.configMap!.data['run.sh']!.toString('utf8')).to.equal('echo hi\n');

    h.runner.terminate(uid, 'c1', 0, 'Completed');
    const done = await waitFor(
      () => statusOf(h, 'p1')?.phase === 'Succeeded' && statusOf(h, 'p1'),
      5000,
      'Succeeded',
    );
    const terminated = done.containerStatuses![0]!.state!.terminated!;
    expect(terminated.reason).to.equal('Completed');
    expect(terminated.exitCode).to.equal(0);
    expect(terminated.startedAt).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(done.conditions?.find((c) => c.type === 'Ready')?.reason).to.equal('PodCompleted');
    expect(
      h.api.events.some(
        (e) => e.reason === 'Started' && e.involvedObject.fieldPath === 'spec.containers{c1}',
      ),
    ).to.equal(true);
  });

  it('measures runner event -> status patch latency over many pods', async () => {
    await h.startKubelet();
    const uids: string[] = [];
    for (let i = 0; i < 40; i++) {
      h.api.configMaps.set(`default/l${i}-cfg`, { data: { 'run.sh': 'x', who: 'w' } });
      uids.push(h.api.addPod(scriptPod(`l${i}`)).metadata!.uid!);
    }
    await waitFor(() => uids.every((_, i) => c1(h, `l${i}`)?.state?.running), 10_000, 'all running');
    const endToEnd: number[] = [];
    for (let i = 0; i < uids.length; i++) {
      const sentAt = Date.now();
      h.runner.terminate(uids[i]!, 'c1', i % 2 === 0 ? 0 : 7, i % 2 === 0 ? 'Completed' : 'Error');
      const terminated = await waitFor(() => c1(h, `l${i}`)?.state?.terminated, 5000, `l${i} terminated`);
      expect(terminated.exitCode).to.equal(i % 2 === 0 ? 0 : 7);
      const patch = h.api.statusPatches.find(
        (p) => p.uid === uids[i] && JSON.stringify(p.status).includes('"terminated"') && p.atMs >= sentAt,
      );
      expect(patch, `l${i}: a status patch carrying the terminated state`).to.not.equal(undefined);
      endToEnd.push(patch!.atMs - sentAt);
    }
    expect(statusOf(h, 'l1')?.phase).to.equal('Failed');
    const inKubelet = h.latenciesMs();
    const report = (name: string, v: number[]) =>
      console.log(
        `      ${name}: n=${v.length} p50=${percentile(v, 50)} ms p99=${percentile(v, 99)} ms max=${Math.max(...v)} ms`,
      );
    // Reported, not asserted: speed belongs to the benchmark.
    report('runner event received -> status patch issued', inKubelet);
    report('runner event sent -> status patch received by the API (gRPC included)', endToEnd);
    expect(inKubelet.length, 'the kubelet timed every terminated event').to.be.at.least(uids.length);
  });

  it('waits with CreateContainerConfigError while the ConfigMap is missing and starts once it appears', async () => {
    await h.startKubelet();
    const pod = h.api.addPod(scriptPod('late'));
    const waiting = await waitFor(
      () => c1(h, 'late')?.state?.waiting?.reason === 'CreateContainerConfigError' && c1(h, 'late'),
      5000,
      'CreateContainerConfigError',
    );
    expect(waiting.state!.waiting!.message).to.equal('configmap "late-cfg" not found');
    expect(statusOf(h, 'late')?.phase).to.equal('Pending');
    expect(h.runner.createCount(pod.metadata!.uid!)).to.equal(0);
    expect(
      h.api.events.some(
        (e) => e.reason === 'Failed' && e.message === 'Error: configmap "late-cfg" not found',
      ),
    ).to.equal(true);

    h.api.configMaps.set('default/late-cfg', { data: { 'run.sh': 'x', who: 'w' } });
    await waitFor(() => c1(h, 'late')?.state?.running, 5000, 'late running');
    expect(h.runner.createCount(pod.metadata!.uid!)).to.equal(1);
  });

  it('deletes with the grace period, then removes the pod object with a UID precondition', async () => {
    await h.startKubelet();
    h.api.configMaps.set('default/d1-cfg', { data: { 'run.sh': 'x', who: 'w' } });
    const pod = h.api.addPod(scriptPod('d1'));
    const uid = pod.metadata!.uid!;
    await waitFor(() => c1(h, 'd1')?.state?.running, 5000, 'running');

    h.api.markDeleting('default', 'd1', 7);
    await waitFor(() => h.api.deletedPods.find((d) => d.uid === uid), 5000, 'pod object deleted');
    expect(h.runner.deleteCalls).to.deep.equal([{ uid, gracePeriodSeconds: 7 }]);
    expect(
      h.api.events.some((e) => e.reason === 'Killing' && e.message === 'Stopping container c1'),
    ).to.equal(true);
    const deleteCall = h.api.calls.find((c) => c.op === 'deletePod');
    expect(deleteCall?.detail).to.deep.equal({ namespace: 'default', name: 'd1', uid });
    // The final status was written before the object was removed.
    const last = h.api.statusPatches.filter((p) => p.uid === uid).at(-1)!;
    expect(JSON.stringify(last.status)).to.contain('"exitCode":143');
  });

  it('deletes a pod that never started without asking the runner', async () => {
    await h.startKubelet();
    const pod = h.api.addPod(scriptPod('never'));
    await waitFor(
      () => c1(h, 'never')?.state?.waiting?.reason === 'CreateContainerConfigError',
      5000,
      'waiting',
    );
    h.api.markDeleting('default', 'never', 30);
    await waitFor(() => h.api.deletedPods.find((d) => d.uid === pod.metadata!.uid), 5000, 'deleted');
    expect(h.runner.deleteCalls).to.deep.equal([]);
    expect(h.runner.createCount(pod.metadata!.uid!)).to.equal(0);
  });

  it('a same-named replacement waits until the runner has forgotten the old pod', async () => {
    await h.startKubelet();
    h.runner.deleteDelayMs = 300;
    h.api.configMaps.set('default/r1-cfg', { data: { 'run.sh': 'x', who: 'w' } });
    const first = h.api.addPod(scriptPod('r1'));
    const oldUid = first.metadata!.uid!;
    await waitFor(() => c1(h, 'r1')?.state?.running, 5000, 'running');
    // Force deletion: the object is gone at once while the runner still stops the processes.
    await h.api.deletePod('default', 'r1', oldUid);
    await waitFor(() => h.runner.deleteCalls.find((d) => d.uid === oldUid), 5000, 'runner DeletePod');
    const second = h.api.addPod(scriptPod('r1'));
    const newUid = second.metadata!.uid!;
    await waitFor(() => c1(h, 'r1')?.state?.running, 5000, 'replacement running');
    expect(h.runner.createCount(newUid)).to.equal(1);
    // The runner saw the old pod's DELETED event before the replacement's CreatePod.
    const deletedAt = h.runner.events.findIndex((e) => e.type === 'deleted' && e.uid === oldUid);
    const createdAt = h.runner.events.findIndex((e) => e.type === 'create' && e.uid === newUid);
    expect(deletedAt, 'old pod forgotten').to.be.at.least(0);
    expect(createdAt, 'not created while the old pod was stopping').to.be.greaterThan(deletedAt);
    expect(h.api.pod('default', 'r1')?.metadata?.uid).to.equal(newUid);
  });

  it('deletes from the runner the pods the API server does not have', async () => {
    h.runner.autoStart = true;
    await h.startKubelet();
    h.api.configMaps.set('default/o1-cfg', { data: { 'run.sh': 'x', who: 'w' } });
    const pod = h.api.addPod(scriptPod('o1'));
    const uid = pod.metadata!.uid!;
    await waitFor(() => c1(h, 'o1')?.state?.running, 5000, 'running');
    // Force-deleted in the API (no graceful deletion): the informer reports it gone.
    await h.api.deletePod('default', 'o1', uid);
    await waitFor(() => h.runner.deleteCalls.find((d) => d.uid === uid), 5000, 'runner DeletePod');
    await waitFor(() => h.runner.pod(uid) === undefined, 5000, 'runner forgot the pod');
  });

  it('provides the default kube-api-access volume without a token, and runs without the volumes it cannot provide (FailedMount)', async () => {
    await h.startKubelet();
    h.api.configMaps.set('default/kube-root-ca.crt', { data: { 'ca.crt': 'CA PEM' } });
    const pod = h.api.addPod({
      metadata: { name: 'vols', namespace: 'default' },
      spec: {
        nodeName: 'vk-test',
        restartPolicy: 'Never',
        serviceAccountName: 'builder',
        containers: [
          {
            name: 'c1',
            image: 'none',
            command: ['sleep', '600'],
            volumeMounts: [
              { name: 'kube-api-access-abcde', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
              { name: 'data', mountPath: '/data' },
            ],
          },
        ],
        volumes: [
          kubeApiAccessVolume('kube-api-access-abcde'),
          { name: 'data', persistentVolumeClaim: { claimName: 'scratch' } },
        ],
      },
    });
    const uid = pod.metadata!.uid!;
    await waitFor(() => c1(h, 'vols')?.state?.running, 5000, 'running');
    const spec = h.runner.createCalls.find((c) => c.uid === uid)!;
    expect(spec.containers[0]!.volumeMounts.map((m) => m.name)).to.deep.equal(['kube-api-access-abcde']);
    const volume = spec.volumes[0]!.secret!;
    const text = (key: string) => volume.data[key]?.toString('utf8');
    expect(volume.items.map((i) => i.path)).to.deep.equal(['ca.crt', 'namespace']);
    expect(text('ca.crt')).to.equal('CA PEM');
    expect(text('namespace')).to.equal('default');
    const warning = await waitFor(
      () => h.api.events.find((e) => e.reason === 'FailedMount'),
      5000,
      'FailedMount',
    );
    expect(warning.type).to.equal('Warning');
    expect(warning.message).to.contain('"data" (persistentVolumeClaim volume)');
  });
});
