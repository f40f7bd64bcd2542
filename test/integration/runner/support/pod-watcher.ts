import type * as grpc from '@grpc/grpc-js';
import type { Pod__Output } from '../../../../src/generated/vkcmd/runner/v1/Pod.js';
import type { RunnerClient } from '../../../../src/generated/vkcmd/runner/v1/Runner.js';
import type { WatchPodsEvent__Output } from '../../../../src/generated/vkcmd/runner/v1/WatchPodsEvent.js';
import { eventually } from './processes.js';

/** Collects WatchPods events and lets tests wait for pod states. */
export class PodWatcher {
  readonly events: Array<WatchPodsEvent__Output & { receivedAtMs: number }> = [];
  readonly pods = new Map<string, Pod__Output>();
  private readonly stream: grpc.ClientReadableStream<WatchPodsEvent__Output>;
  error: grpc.ServiceError | undefined;
  ended = false;

  constructor(
    client: RunnerClient,
    request: { epoch?: string; sinceRevision?: number; heartbeatIntervalMs?: number } = {},
  ) {
    this.stream = client.WatchPods(request);
    this.stream.on('data', (e: WatchPodsEvent__Output) => {
      this.events.push({ ...e, receivedAtMs: Date.now() });
      if (e.type === 'WATCH_EVENT_TYPE_RESET') this.pods.clear();
      if (e.pod && e.type === 'WATCH_EVENT_TYPE_DELETED') this.pods.delete(e.pod.uid);
      else if (e.pod) this.pods.set(e.pod.uid, e.pod);
    });
    this.stream.on('error', (err: grpc.ServiceError) => {
      this.error = err;
    });
    this.stream.on('end', () => {
      this.ended = true;
    });
  }

  async waitForPod(
    uid: string,
    pred: (p: Pod__Output) => boolean,
    timeoutMs = 15_000,
    what = 'pod state',
  ): Promise<Pod__Output> {
    return eventually(
      () => {
        const p = this.pods.get(uid);
        return p && pred(p) ? p : undefined;
      },
      timeoutMs,
      `${uid}: ${what}; last: ${JSON.stringify(this.pods.get(uid)?.containerStatuses ?? null)}`,
      5,
    );
  }

  waitForDeleted(uid: string, timeoutMs = 15_000): Promise<WatchPodsEvent__Output> {
    return eventually(
      () => this.events.find((e) => e.type === 'WATCH_EVENT_TYPE_DELETED' && e.pod?.uid === uid),
      timeoutMs,
      `${uid} deleted`,
      5,
    );
  }

  cancel(): void {
    this.stream.cancel();
  }
}
