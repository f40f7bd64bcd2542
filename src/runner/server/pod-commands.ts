import * as grpc from '@grpc/grpc-js';
import { InvalidInputError } from '../../common/errors.js';
import type { CreatePodRequest__Output } from '../../generated/vkcmd/runner/v1/CreatePodRequest.js';
import type { DeletePodRequest__Output } from '../../generated/vkcmd/runner/v1/DeletePodRequest.js';
import type { DeletePodResponse } from '../../generated/vkcmd/runner/v1/DeletePodResponse.js';
import type { Pod } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { PodCommandRequest__Output } from '../../generated/vkcmd/runner/v1/PodCommandRequest.js';
import type { PodCommandResponse } from '../../generated/vkcmd/runner/v1/PodCommandResponse.js';
import type { RunnerHandlers } from '../../generated/vkcmd/runner/v1/Runner.js';
import { serveRequestStream, type RequestStreamHooks } from './request-stream.js';

type PodCommandsCall = Parameters<RunnerHandlers['PodCommands']>[0];

/** What servePodCommands needs: the unary calls' own handlers, and the stream hooks. */
export interface PodCommandHooks extends RequestStreamHooks {
  /** CreatePod's handler; may reject with a shared error kind. */
  createPod(request: CreatePodRequest__Output): Pod | Promise<Pod>;
  /** DeletePod's handler; may reject with a shared error kind. */
  deletePod(request: DeletePodRequest__Output): DeletePodResponse | Promise<DeletePodResponse>;
}

/**
 * Serves one PodCommands call: each message's command runs through the same
 * handler as its unary call, and its answer, or the status that call would
 * fail with (logged by `fail` under the command's name), goes back with the
 * message's request_id. A failed command leaves the stream open. A message
 * without a command is answered INVALID_ARGUMENT.
 */
export function servePodCommands(call: PodCommandsCall, hooks: PodCommandHooks): void {
  serveRequestStream(call, 'PodCommands', hooks, async (request: PodCommandRequest__Output) => {
    const requestId = request.requestId;
    // Logged under the unary call's name, as its refusals are.
    const method =
      request.command === 'createPod'
        ? 'CreatePod'
        : request.command === 'deletePod'
          ? 'DeletePod'
          : 'PodCommands';
    try {
      return await runCommand(request, hooks);
    } catch (err) {
      const status = hooks.fail(method, err);
      const failure = { code: status.code ?? grpc.status.INTERNAL, message: status.details ?? '' };
      return { requestId, failure } satisfies PodCommandResponse;
    }
  });
}

async function runCommand(
  request: PodCommandRequest__Output,
  hooks: PodCommandHooks,
): Promise<PodCommandResponse> {
  const requestId = request.requestId;
  if (request.command === 'createPod' && request.createPod) {
    return { requestId, pod: await hooks.createPod(request.createPod) };
  }
  if (request.command === 'deletePod' && request.deletePod) {
    return { requestId, deleted: await hooks.deletePod(request.deletePod) };
  }
  throw new InvalidInputError('a pod command message carries neither create_pod nor delete_pod');
}
