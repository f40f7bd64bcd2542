import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import type { AddEphemeralContainerRequest } from '../../../src/generated/vkcmd/runner/v1/AddEphemeralContainerRequest.js';
import type { Pod__Output } from '../../../src/generated/vkcmd/runner/v1/Pod.js';
import type { ContainerStatus__Output } from '../../../src/generated/vkcmd/runner/v1/ContainerStatus.js';
import {
  eventually,
  groupMembers,
  isRunning,
  readLogs,
  RunnerHarness,
  scriptPod,
  unary,
  type PodWatcher,
} from './support/runner-harness.js';

function addEphemeral(h: RunnerHarness, req: AddEphemeralContainerRequest): Promise<Pod__Output> {
  return new Promise((resolve, reject) =>
    h.client.AddEphemeralContainer(req, (err, pod) => (err ? reject(err) : resolve(pod!))),
  );
}

function ephemeral(pod: Pod__Output | undefined, name: string): ContainerStatus__Output | undefined {
  return pod?.ephemeralContainerStatuses.find((s) => s.name === name);
}

describe('runner: ephemeral containers', function () {
  this.timeout(60_000);
  let h: RunnerHarness;
  let watcher: PodWatcher;

  before(async () => {
    h = new RunnerHarness();
    await h.startProcess();
    watcher = h.watch();
  });
  after(async () => h.close());

  it("runs in its target's directory and environment, is idempotent, survives a runner restart and dies with the pod", async () => {
    const spec = scriptPod('debugged', 'exec sleep 300\n', { restartPolicy: 'Always' });
    spec.containers![0]!.env = [{ name: 'GREETING', value: 'hello' }];
    await h.create(spec);
    const uid = spec.uid!;
    await watcher.waitForPod(uid, isRunning('c1'));
    const req: AddEphemeralContainerRequest = {
      uid,
      targetContainer: 'c1',
      container: {
        name: 'debug',
        image: 'busybox',
        command: ['sh', '-c', 'pwd; echo "$GREETING from $VK_CMD_CONTAINER_NAME"; exec sleep 300'],
      },
    };
    const first = await addEphemeral(h, req);
    expect(first.containerStatuses.map((s) => s.name)).to.deep.equal(['c1']);
    const pod = await watcher.waitForPod(uid, (p) => ephemeral(p, 'debug')?.state?.state === 'running');
    const pgid = ephemeral(pod, 'debug')!.pgid;
    expect(pgid).to.be.greaterThan(1);
    const again = await addEphemeral(h, req);
    expect(ephemeral(again, 'debug')?.pgid).to.equal(pgid);

    const logs = await eventually(
      async () => {
        const text = await readLogs(h.client, { uid, container: 'debug' });
        return text.includes('from') ? text : undefined;
      },
      5_000,
      'ephemeral output',
    );
    expect(logs).to.equal(
      `${path.join(h.rootDir, 'ns1', 'debugged', 'containers', 'c1')}\nhello from debug\n`,
    );

    await h.killProcess('SIGKILL');
    await h.startProcess();
    const after = await unary<object, Pod__Output>(h.client, 'GetPod', { uid });
    expect(ephemeral(after, 'debug')).to.deep.include({ pgid, restartCount: 0 });
    expect(ephemeral(after, 'debug')?.state?.state).to.equal('running');

    // The watch of the killed runner is over; later tests use this one.
    watcher = h.watch();
    await unary(h.client, 'DeletePod', { uid, gracePeriodSeconds: 2 });
    const deleted = await watcher.waitForDeleted(uid);
    expect(ephemeral(deleted.pod!, 'debug')?.state?.state).to.equal('terminated');
    expect(groupMembers(pgid)).to.deep.equal([]);
  });

  it('runs once: an ephemeral container that ends is never restarted, whatever the restart policy', async () => {
    const spec = scriptPod('once', 'exec sleep 300\n', { restartPolicy: 'Always' });
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, isRunning('c1'));
    await addEphemeral(h, {
      uid: spec.uid!,
      container: { name: 'quick', command: ['sh', '-c', 'pwd; exit 3'] },
    });
    const pod = await watcher.waitForPod(
      spec.uid!,
      (p) => ephemeral(p, 'quick')?.state?.state === 'terminated',
    );
    const status = ephemeral(pod, 'quick')!;
    expect(status.state?.terminated).to.include({ exitCode: 3, reason: 'Error' });
    expect(status.restartCount).to.equal(0);
    // No target: the pod directory.
    expect(await readLogs(h.client, { uid: spec.uid!, container: 'quick' })).to.equal(
      `${path.join(h.rootDir, 'ns1', 'once')}\n`,
    );
  });

  it('refuses unknown pods and targets, bad names and pods that are not running', async () => {
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: grpc.ServiceError) => `${e.code} ${e.details}`,
      );
    expect(
      await code(addEphemeral(h, { uid: 'nope', container: { name: 'd', command: ['true'] } })),
    ).to.equal(`${grpc.status.NOT_FOUND} pod uid nope not found`);
    const spec = scriptPod('short', 'exit 0\n');
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, (p) => p.containerStatuses[0]?.state?.state === 'terminated');
    expect(
      await code(addEphemeral(h, { uid: spec.uid!, container: { name: 'd', command: ['true'] } })),
    ).to.equal(`${grpc.status.FAILED_PRECONDITION} pod ns1/short is not running`);
    const live = scriptPod('live', 'exec sleep 300\n');
    await h.create(live);
    await watcher.waitForPod(live.uid!, isRunning('c1'));
    const uid = live.uid!;
    expect(
      await code(
        addEphemeral(h, { uid, targetContainer: 'zz', container: { name: 'd', command: ['true'] } }),
      ),
    ).to.equal(`${grpc.status.INVALID_ARGUMENT} targetContainer: "zz" is not a container of pod ns1/live`);
    expect(await code(addEphemeral(h, { uid, container: { name: 'D_1', command: ['true'] } }))).to.equal(
      `${grpc.status.INVALID_ARGUMENT} container.name: "D_1" must be a DNS label`,
    );
    expect(await code(addEphemeral(h, { uid, container: { name: 'c1', command: ['true'] } }))).to.equal(
      `${grpc.status.INVALID_ARGUMENT} container.name: "c1" is used by another container of the pod`,
    );
  });
});
