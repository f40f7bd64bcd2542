import { expect } from 'chai';
import * as grpc from '@grpc/grpc-js';
import type { RunnerClient } from '../../../../src/generated/vkcmd/runner/v1/Runner.js';
import { RunnerRequests } from '../../../../src/kubelet/runner/runner-requests.js';
import { serviceErrorOf } from '../../../../src/common/grpc-errors.js';
import { FakePodCommandsCall } from '../support/fake-pod-commands-call.js';

type Callback = grpc.requestCallback<unknown>;

/**
 * A runner whose CreatePod answers only when the test says so; DeletePod
 * answers at once. With `stream` its client has PodCommands; without, the
 * stream is UNIMPLEMENTED (an older runner) and the unary calls answer.
 */
function slowCreates(stream = true): {
  client: RunnerClient;
  sentCreates: () => number;
  answerCreates: () => void;
  sentDeletes: () => number;
} {
  const pendingCreates: Callback[] = [];
  let deletes = 0;
  const deleted = (cb: Callback): void => {
    deletes++;
    setImmediate(() => cb(null, { found: true }));
  };
  const open = (): FakePodCommandsCall => {
    const call: FakePodCommandsCall = new FakePodCommandsCall((message) => {
      const requestId = Number(message.requestId);
      if (!stream) {
        process.nextTick(() =>
          call.emit('error', serviceErrorOf(grpc.status.UNIMPLEMENTED, 'unimplemented')),
        );
      } else if (message.createPod) {
        pendingCreates.push((_err, pod) => call.answer({ requestId, result: 'pod', pod: pod as never }));
      } else {
        deleted((_err, answer) => call.answer({ requestId, result: 'deleted', deleted: answer as never }));
      }
    });
    return call;
  };
  const client = {
    podCommands: open,
    createPod: (_req: unknown, _opts: unknown, cb: Callback) => void pendingCreates.push(cb),
    deletePod: (_req: unknown, _opts: unknown, cb: Callback) => deleted(cb),
  } as unknown as RunnerClient;
  return {
    client,
    sentCreates: () => pendingCreates.length,
    answerCreates: () => pendingCreates.splice(0).forEach((cb) => cb(null, { uid: 'u' })),
    sentDeletes: () => deletes,
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

function requests(
  client: RunnerClient,
  maxCreatesInFlight: number,
  maxMutationsInFlight: number,
): RunnerRequests {
  return new RunnerRequests(client, {
    callTimeoutMs: 10_000,
    maxCreatesInFlight,
    maxMutationsInFlight,
    now: () => Date.now(),
    isStopped: () => false,
    isClosed: () => false,
  });
}

describe('RunnerRequests', () => {
  for (const stream of [true, false]) {
    const how = stream ? 'on PodCommands' : 'as unary calls to a runner without PodCommands';
    it(`a DeletePod is sent at once while CreatePods that the runner has not answered fill their slots (${how})`, async () => {
      const runner = slowCreates(stream);
      const subject = requests(runner.client, 4, 2);
      const creates = Array.from({ length: 6 }, () => subject.createPod({ uid: 'u' }));
      await tick();
      expect(runner.sentCreates()).to.equal(4);
      expect(subject.load.creates).to.deep.equal({ running: 4, waiting: 2 });

      const deleted = await subject.deletePod('other', 30);
      expect(deleted).to.deep.equal({ found: true });
      expect(runner.sentDeletes()).to.equal(1);

      runner.answerCreates();
      await tick();
      expect(runner.sentCreates()).to.equal(2);
      runner.answerCreates();
      await Promise.all(creates);
      expect(subject.load.creates).to.deep.equal({ running: 0, waiting: 0 });
    });
  }

  it('keeps up to MAX_CREATES_IN_FLIGHT creates open by default, more than the other mutations', async () => {
    const { MAX_CREATES_IN_FLIGHT, MAX_MUTATIONS_IN_FLIGHT } =
      await import('../../../../src/kubelet/runner/runner-link.js');
    expect(MAX_CREATES_IN_FLIGHT).to.be.greaterThan(MAX_MUTATIONS_IN_FLIGHT);
    // 20 pods/s created, each CreatePod answered after its first starts (2.8 s
    // measured beside a 1,000-container pod): the creates in flight must carry that.
    expect(MAX_CREATES_IN_FLIGHT).to.be.at.least(20 * 2.8);
    const runner = slowCreates();
    const subject = requests(runner.client, MAX_CREATES_IN_FLIGHT, MAX_MUTATIONS_IN_FLIGHT);
    const creates = Array.from({ length: MAX_CREATES_IN_FLIGHT + 1 }, () => subject.createPod({ uid: 'u' }));
    await tick();
    expect(runner.sentCreates()).to.equal(MAX_CREATES_IN_FLIGHT);
    runner.answerCreates();
    await tick();
    runner.answerCreates();
    await Promise.all(creates);
  });
});
