import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../common/logger.js';
import { rfc3339 } from '../kube-time.js';
import type { KubeApi } from '../kube/kube-api.js';

export interface PodEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** e.g. `spec.containers{c1}`; omitted for pod-level events. */
  fieldPath?: string;
}

/** `spec.containers{name}` or `spec.initContainers{name}`, as the kubelet references containers. */
export function containerFieldPath(pod: V1Pod, container: string): string {
  const isInit = (pod.spec?.initContainers ?? []).some((c) => c.name === container);
  return `spec.${isInit ? 'initContainers' : 'containers'}{${container}}`;
}

const MAX_REMEMBERED = 4096;

/**
 * Emits core/v1 Events about pods as a kubelet does (source kubelet/<node>).
 * A repeat of the same event is folded into the first one (count and
 * lastTimestamp patched). Fire-and-forget: never blocks or fails the caller.
 */
export class EventRecorder {
  private readonly seen = new Map<string, { name: string; namespace: string; count: number }>();
  private sequence = 0;

  constructor(
    private readonly api: KubeApi,
    private readonly nodeName: string,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  emit(pod: V1Pod, event: PodEvent): void {
    void this.send(pod, event).catch((err: unknown) =>
      this.logger.debug({ err, reason: event.reason, pod: podKey(pod) }, 'Failed to record event'),
    );
  }

  private async send(pod: V1Pod, event: PodEvent): Promise<void> {
    const namespace = pod.metadata?.namespace ?? 'default';
    const key = [pod.metadata?.uid, event.fieldPath, event.type, event.reason, event.message].join('\u0000');
    const nowMs = this.now();
    const previous = this.seen.get(key);
    if (previous) {
      previous.count++;
      await this.api.patchEvent(previous.namespace, previous.name, {
        count: previous.count,
        lastTimestamp: rfc3339(nowMs),
      });
      return;
    }
    const name = `${pod.metadata?.name ?? 'pod'}.${(BigInt(nowMs) * 1_000_000n + BigInt(this.sequence++ % 1_000_000)).toString(16)}`;
    const body: CoreV1Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: 'v1',
        kind: 'Pod',
        namespace,
        name: pod.metadata?.name,
        uid: pod.metadata?.uid,
        ...(event.fieldPath ? { fieldPath: event.fieldPath } : {}),
      },
      reason: event.reason,
      message: event.message,
      type: event.type,
      source: { component: 'kubelet', host: this.nodeName },
      reportingComponent: 'kubelet',
      reportingInstance: this.nodeName,
      firstTimestamp: rfc3339(nowMs) as unknown as Date,
      lastTimestamp: rfc3339(nowMs) as unknown as Date,
      count: 1,
    };
    if (this.seen.size >= MAX_REMEMBERED) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    this.seen.set(key, { name, namespace, count: 1 });
    try {
      await this.api.createEvent(namespace, body);
    } catch (err) {
      this.seen.delete(key);
      throw err;
    }
  }
}

export function podKey(pod: V1Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}
