import type { DeletePodResponse__Output } from '../src/generated/vkcmd/runner/v1/DeletePodResponse.js';
import type { Pod__Output } from '../src/generated/vkcmd/runner/v1/Pod.js';
import type { PodSpec } from '../src/generated/vkcmd/runner/v1/PodSpec.js';
import type { RunnerClient } from '../src/generated/vkcmd/runner/v1/Runner.js';
import { PodCommandStream } from '../src/kubelet/runner/pod-command-stream.js';

/** How the runner-only benchmarks send pod commands. */
export type CommandWay = 'stream' | 'unary';

/**
 * A runner's CreatePod and DeletePod as a benchmark sends them: each rejects
 * with the call's error and resolves with the runner's answer. close() ends
 * the stream (idempotent).
 */
export interface PodCommands {
  createPod(spec: PodSpec): Promise<unknown>;
  deletePod(uid: string): Promise<unknown>;
  close(): void;
}

/** Deadline of one command, as the kubelet gives its own. */
const COMMAND_TIMEOUT_MS = 30_000;

/**
 * 'stream': messages on one PodCommands stream, as the kubelet sends them
 * (decision 0019), through the kubelet's own PodCommandStream; 'unary': one
 * gRPC call each (grpcurl's way).
 */
export function podCommands(client: RunnerClient, way: CommandWay): PodCommands {
  const createPod = (spec: PodSpec): Promise<Pod__Output> =>
    new Promise((resolve, reject) =>
      client.CreatePod({ pod: spec }, (err, pod) =>
        err || !pod ? reject(err ?? new Error('no pod')) : resolve(pod),
      ),
    );
  const deletePod = (uid: string): Promise<DeletePodResponse__Output> =>
    new Promise((resolve, reject) =>
      client.DeletePod({ uid }, (err, answer) =>
        err || !answer ? reject(err ?? new Error('no answer')) : resolve(answer),
      ),
    );
  if (way === 'unary') return { createPod, deletePod, close: () => undefined };
  const stream = new PodCommandStream(() => client.podCommands(), {
    createPod: (request) => createPod(request.pod),
    deletePod: (request) => deletePod(request.uid),
  });
  return {
    createPod: (spec) => stream.createPod(spec, COMMAND_TIMEOUT_MS),
    deletePod: (uid) => stream.deletePod({ uid }, COMMAND_TIMEOUT_MS),
    close: () => stream.close(),
  };
}
