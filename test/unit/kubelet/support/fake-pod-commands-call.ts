import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { serviceErrorOf } from '../../../../src/common/grpc-errors.js';
import type { PodCommandRequest } from '../../../../src/generated/vkcmd/runner/v1/PodCommandRequest.js';
import type { PodCommandResponse__Output } from '../../../../src/generated/vkcmd/runner/v1/PodCommandResponse.js';

/**
 * A PodCommands call as grpc-js hands it to a client: written messages are
 * kept (and passed to `onWrite`, where a test plays the runner), answers and
 * failures emitted by the test.
 */
export class FakePodCommandsCall extends EventEmitter {
  readonly written: PodCommandRequest[] = [];
  constructor(private readonly onWrite: (message: PodCommandRequest) => void = () => undefined) {
    super();
  }
  write(message: PodCommandRequest): boolean {
    this.written.push(message);
    this.onWrite(message);
    return true;
  }
  cancel(): void {
    this.emit('error', serviceErrorOf(grpc.status.CANCELLED, 'Cancelled on client'));
  }
  answer(answer: Partial<PodCommandResponse__Output> & { requestId: number }): void {
    this.emit('data', answer);
  }
}
