import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { PreconditionError } from '../../../../src/common/errors.js';
import { toServiceError } from '../../../../src/common/grpc-errors.js';
import type { PodCommandResponse } from '../../../../src/generated/vkcmd/runner/v1/PodCommandResponse.js';
import type { Pod } from '../../../../src/generated/vkcmd/runner/v1/Pod.js';
import { servePodCommands } from '../../../../src/runner/server/pod-commands.js';

/** The server side of a PodCommands call: what the handler writes and ends with. */
class FakeServerCall extends EventEmitter {
  readonly written: PodCommandResponse[] = [];
  ended = false;
  write(message: PodCommandResponse): boolean {
    this.written.push(message);
    return true;
  }
  end(): void {
    this.ended = true;
  }
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

function serve(createPod: (uid: string) => Promise<Pod>) {
  const call = new FakeServerCall();
  const failed: string[] = [];
  const deletes: string[] = [];
  servePodCommands(call as never, {
    createPod: (request) => createPod(request.pod!.uid),
    deletePod: (request) => {
      deletes.push(request.uid);
      return { found: true, pod: null };
    },
    track: () => () => undefined,
    fail: (method, err) => {
      failed.push(method);
      return toServiceError(err);
    },
  });
  return { call, failed, deletes };
}

describe('servePodCommands', () => {
  it('answers each command with its request id, a failure among them without ending the stream', async () => {
    let releaseA: (pod: Pod) => void = () => undefined;
    const { call, failed, deletes } = serve((uid) =>
      uid === 'a'
        ? new Promise<Pod>((resolve) => (releaseA = resolve))
        : Promise.reject(new PreconditionError(`pod ${uid} was deleted; it never runs again`)),
    );
    call.emit('data', { requestId: 1, command: 'createPod', createPod: { pod: { uid: 'a' } } });
    call.emit('data', { requestId: 2, command: 'createPod', createPod: { pod: { uid: 'gone' } } });
    call.emit('data', { requestId: 3, command: 'deletePod', deletePod: { uid: 'b' } });
    await settle();
    expect(call.written).to.deep.equal([
      {
        requestId: 2,
        failure: {
          code: grpc.status.FAILED_PRECONDITION,
          message: 'pod gone was deleted; it never runs again',
        },
      },
      { requestId: 3, deleted: { found: true, pod: null } },
    ]);
    expect(failed).to.deep.equal(['CreatePod']);
    expect(deletes).to.deep.equal(['b']);

    releaseA({ uid: 'a' });
    await settle();
    expect(call.written[2]).to.deep.equal({ requestId: 1, pod: { uid: 'a' } });
    expect(call.ended).to.equal(false);
    call.emit('end');
    expect(call.ended).to.equal(true);
  });

  it('a message without a command is answered INVALID_ARGUMENT', async () => {
    const { call, failed } = serve(() => Promise.reject(new Error('not used')));
    call.emit('data', { requestId: 7 });
    await settle();
    expect(failed).to.deep.equal(['PodCommands']);
    expect(call.written).to.have.length(1);
    expect(call.written[0]!.requestId).to.equal(7);
    expect(call.written[0]!.failure?.code).to.equal(grpc.status.INVALID_ARGUMENT);
  });
});
