import { fromServiceError, serviceErrorOf } from '../../common/grpc-errors.js';
import type { DeletePodResponse__Output } from '../../generated/vkcmd/runner/v1/DeletePodResponse.js';
import type { PodCommandRequest } from '../../generated/vkcmd/runner/v1/PodCommandRequest.js';
import type { PodCommandResponse__Output } from '../../generated/vkcmd/runner/v1/PodCommandResponse.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { PodSpec } from '../../generated/vkcmd/runner/v1/PodSpec.js';
import {
  REAL_TIMERS,
  RequestStream,
  type RequestStreamCall,
  type RequestStreamTimers,
} from './request-stream.js';

type Answer = PodCommandResponse__Output;
export type PodCommandsCall = RequestStreamCall<PodCommandRequest, Answer>;

/** One command: CreatePod's request or DeletePod's. */
export type PodCommand =
  { createPod: { pod: PodSpec } } | { deletePod: { uid: string; gracePeriodSeconds?: number } };

/** The unary calls a runner without PodCommands is asked with. */
export interface PodCommandCalls {
  createPod(request: { pod: PodSpec }, timeoutMs: number): Promise<Pod__Output>;
  deletePod(
    request: { uid: string; gracePeriodSeconds?: number },
    timeoutMs: number,
  ): Promise<DeletePodResponse__Output>;
}

/**
 * CreatePod and DeletePod on the runner's PodCommands: one long-lived stream
 * per link, a message per command, where each unary call cost a new HTTP/2
 * stream on both sides (bench/README.md, "Pod commands on one stream").
 * Contract of createPod() and deletePod(): those of the unary calls
 * (RequestStream's for deadlines, a broken stream and a runner without the
 * method): each resolves with the call's answer or rejects with the shared
 * kind its status maps to. Never throws.
 */
export class PodCommandStream {
  private readonly stream: RequestStream<PodCommand, PodCommandRequest, Answer, Answer>;

  constructor(
    /** Opens the call (the client's podCommands); may throw when the channel is closed. */
    open: () => PodCommandsCall,
    calls: PodCommandCalls,
    timers: RequestStreamTimers = REAL_TIMERS,
    now: () => number = Date.now,
  ) {
    // A runner without the stream answers through the unary calls, in the stream's shape.
    const unary = async (command: PodCommand, timeoutMs: number): Promise<Answer> =>
      'createPod' in command
        ? { requestId: 0, result: 'pod', pod: await calls.createPod(command.createPod, timeoutMs) }
        : { requestId: 0, result: 'deleted', deleted: await calls.deletePod(command.deletePod, timeoutMs) };
    this.stream = new RequestStream(
      open,
      unary,
      {
        what: 'pod command',
        message: (requestId, command) => ({ requestId, ...command }),
        requestId: (answer) => answer.requestId,
        result: (answer) =>
          answer.result === 'failure' && answer.failure
            ? fromServiceError(serviceErrorOf(answer.failure.code, answer.failure.message))
            : answer,
      },
      timers,
      now,
    );
  }

  async createPod(spec: PodSpec, timeoutMs: number): Promise<Pod__Output> {
    const answer = await this.stream.send({ createPod: { pod: spec } }, timeoutMs);
    if (answer.result === 'pod' && answer.pod) return answer.pod;
    throw fromServiceError(new Error('the runner sent no pod for CreatePod'));
  }

  async deletePod(
    request: { uid: string; gracePeriodSeconds?: number },
    timeoutMs: number,
  ): Promise<DeletePodResponse__Output> {
    const answer = await this.stream.send({ deletePod: request }, timeoutMs);
    if (answer.result === 'deleted' && answer.deleted) return answer.deleted;
    throw fromServiceError(new Error('the runner sent no answer for DeletePod'));
  }

  /** Ends the stream; commands still waiting reject as unavailable. */
  close(): void {
    this.stream.close();
  }
}
