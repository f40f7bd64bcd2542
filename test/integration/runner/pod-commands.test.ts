import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { errorKind } from '../../../src/common/errors.js';
import type { PodCommandResponse__Output } from '../../../src/generated/vkcmd/runner/v1/PodCommandResponse.js';
import { PodCommandStream } from '../../../src/kubelet/runner/pod-command-stream.js';
import { isRunning, RunnerHarness, scriptPod, type PodWatcher } from './support/runner-harness.js';

describe('runner: PodCommands, CreatePod and DeletePod on one stream', function () {
  this.timeout(60_000);
  let h: RunnerHarness;
  let watcher: PodWatcher;

  before(async () => {
    h = new RunnerHarness();
    await h.startInProcess();
    watcher = h.watch();
  });
  after(async () => h.close());

  it("the kubelet's commands run as the unary calls would, refusals included, on one stream", async () => {
    let opened = 0;
    const unary: string[] = [];
    const stream = new PodCommandStream(
      () => {
        opened++;
        return h.client.podCommands();
      },
      {
        createPod: () => {
          unary.push('CreatePod');
          return Promise.reject(new Error('CreatePod was not expected'));
        },
        deletePod: () => {
          unary.push('DeletePod');
          return Promise.reject(new Error('DeletePod was not expected'));
        },
      },
    );
    try {
      const a = scriptPod('cmd-a', 'sleep 30\n');
      const b = scriptPod('cmd-b', 'sleep 30\n');
      const [podA, podB] = await Promise.all([stream.createPod(a, 10_000), stream.createPod(b, 10_000)]);
      expect([podA.uid, podB.uid]).to.deep.equal([a.uid, b.uid]);
      await watcher.waitForPod(a.uid!, isRunning('c1'));
      await watcher.waitForPod(b.uid!, isRunning('c1'));

      // Idempotent per UID, as CreatePod: the same pod back, nothing started twice.
      const again = await stream.createPod(a, 10_000);
      expect(again.containerStatuses[0]!.pgid).to.equal(podA.containerStatuses[0]!.pgid);

      // A refused command leaves the stream open for the next one.
      const refused = await stream.createPod({ ...a, uid: '' }, 10_000).catch((e: unknown) => e);
      expect(errorKind(refused)).to.equal('invalidInput');
      expect(await stream.deletePod({ uid: 'no-such-pod' }, 10_000)).to.deep.include({ found: false });

      expect(await stream.deletePod({ uid: a.uid!, gracePeriodSeconds: 2 }, 10_000)).to.deep.include({
        found: true,
      });
      await watcher.waitForDeleted(a.uid!);
      // A UID whose deletion completed never runs again.
      const rerun = await stream.createPod(a, 10_000).catch((e: unknown) => e);
      expect(errorKind(rerun)).to.equal('precondition');

      await stream.deletePod({ uid: b.uid!, gracePeriodSeconds: 2 }, 10_000);
      await watcher.waitForDeleted(b.uid!);
      expect([opened, unary]).to.deep.equal([1, []]);
    } finally {
      stream.close();
    }
  });

  it('a message without a command is answered INVALID_ARGUMENT under its request id', async () => {
    const call = h.client.podCommands();
    const answers: PodCommandResponse__Output[] = [];
    const two = new Promise<void>((resolve, reject) => {
      call.on('data', (answer: PodCommandResponse__Output) => {
        answers.push(answer);
        if (answers.length === 2) resolve();
      });
      call.on('error', reject);
    });
    call.write({ requestId: 41 });
    call.write({ requestId: 42, deletePod: { uid: 'no-such-pod' } });
    await two;
    call.end();
    const byId = new Map(answers.map((a) => [a.requestId, a]));
    expect(byId.get(41)?.result).to.equal('failure');
    expect(byId.get(41)?.failure?.code).to.equal(grpc.status.INVALID_ARGUMENT);
    expect(byId.get(42)?.deleted?.found).to.equal(false);
  });
});
