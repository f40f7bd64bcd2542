import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { errorKind } from '../../../../src/common/errors.js';
import type { Pod__Output } from '../../../../src/generated/vkcmd/runner/v1/Pod.js';
import { PodCommandStream, type PodCommandsCall } from '../../../../src/kubelet/runner/pod-command-stream.js';
import { serviceErrorOf } from '../../../../src/common/grpc-errors.js';
import { FakePodCommandsCall } from '../support/fake-pod-commands-call.js';

function pod(uid: string): Pod__Output {
  return { uid, name: uid, namespace: 'ns' } as Pod__Output;
}

function subject() {
  const calls: FakePodCommandsCall[] = [];
  const unary: string[] = [];
  const stream = new PodCommandStream(
    () => {
      const call = new FakePodCommandsCall();
      calls.push(call);
      return call as unknown as PodCommandsCall;
    },
    {
      createPod: (request) => {
        unary.push(`CreatePod ${request.pod.uid}`);
        return Promise.resolve(pod(request.pod.uid!));
      },
      deletePod: (request) => {
        unary.push(`DeletePod ${request.uid}`);
        return Promise.resolve({ found: true, pod: null });
      },
    },
  );
  return { stream, calls, unary };
}

const failure = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => new Error('resolved'),
    (e: unknown) => e,
  );

describe('PodCommandStream', () => {
  it('sends CreatePod and DeletePod as messages on one stream and matches their answers by request id', async () => {
    const { stream, calls, unary } = subject();
    const created = stream.createPod({ uid: 'a' }, 10_000);
    const deleted = stream.deletePod({ uid: 'b', gracePeriodSeconds: 5 }, 10_000);
    expect(calls).to.have.length(1);
    expect(calls[0]!.written).to.deep.equal([
      { requestId: 1, createPod: { pod: { uid: 'a' } } },
      { requestId: 2, deletePod: { uid: 'b', gracePeriodSeconds: 5 } },
    ]);
    // The deletion is answered first: a CreatePod waits for the pod's first starts.
    calls[0]!.answer({ requestId: 2, result: 'deleted', deleted: { found: false, pod: null } });
    calls[0]!.answer({ requestId: 1, result: 'pod', pod: pod('a') });
    expect(await deleted).to.deep.equal({ found: false, pod: null });
    expect((await created).uid).to.equal('a');
    expect(unary).to.deep.equal([]);
  });

  it("a failed command rejects with its status's kind and message, and the stream stays open", async () => {
    const { stream, calls } = subject();
    const refused = stream.createPod({ uid: 'gone' }, 10_000);
    calls[0]!.answer({
      requestId: 1,
      result: 'failure',
      failure: {
        code: grpc.status.FAILED_PRECONDITION,
        message: 'pod gone was deleted; it never runs again',
      },
    });
    const err = await failure(refused);
    expect(errorKind(err)).to.equal('precondition');
    expect((err as Error).message).to.equal('pod gone was deleted; it never runs again');

    const next = stream.createPod({ uid: 'b' }, 10_000);
    expect(calls).to.have.length(1);
    calls[0]!.answer({ requestId: 2, result: 'pod', pod: pod('b') });
    expect((await next).uid).to.equal('b');
  });

  it('an answer that does not fit its command is an internal error, not a pod', async () => {
    const { stream, calls } = subject();
    const created = stream.createPod({ uid: 'a' }, 10_000);
    const deleted = stream.deletePod({ uid: 'b' }, 10_000);
    calls[0]!.answer({ requestId: 1, result: 'deleted', deleted: { found: true, pod: null } });
    calls[0]!.answer({ requestId: 2 });
    expect(errorKind(await failure(created))).to.equal('internal');
    expect(errorKind(await failure(deleted))).to.equal('internal');
  });

  it('a runner without PodCommands gets each waiting command as its own unary call', async () => {
    const { stream, calls, unary } = subject();
    const created = stream.createPod({ uid: 'a' }, 10_000);
    const deleted = stream.deletePod({ uid: 'b' }, 10_000);
    calls[0]!.emit('error', serviceErrorOf(grpc.status.UNIMPLEMENTED, 'unimplemented'));
    expect((await created).uid).to.equal('a');
    expect(await deleted).to.deep.equal({ found: true, pod: null });
    expect(await stream.deletePod({ uid: 'c' }, 10_000)).to.deep.equal({ found: true, pod: null });
    expect(unary).to.deep.equal(['CreatePod a', 'DeletePod b', 'DeletePod c']);
    expect(calls).to.have.length(1);
  });
});
