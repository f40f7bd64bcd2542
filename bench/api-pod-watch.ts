import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { listObjects } from '../test/e2e/support/wait.js';
import type { PodJson, PodTimeline } from './pod-timeline.js';

/**
 * One list+watch of every pod in a namespace, feeding a PodTimeline with the
 * time each object arrives. When the watch ends (server timeout, expired
 * resourceVersion, a dropped connection) it lists again and resumes; a pod that
 * vanished meanwhile is marked gone at the re-list time. `start()` resolves once
 * the first watch is established.
 */
export class ApiPodWatch {
  private controller: AbortController | undefined;
  private stopped = false;
  restarts = 0;
  lastError: string | undefined;

  constructor(
    private readonly kc: KubeConfig,
    private readonly namespace: string,
    private readonly timeline: PodTimeline,
    private readonly now: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    await this.listAndWatch();
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
  }

  private get listPath(): string {
    return `/api/v1/namespaces/${this.namespace}/pods`;
  }

  private async listAndWatch(): Promise<void> {
    const list = await listObjects<PodJson>(this.kc, this.listPath, {});
    const nowMs = this.now();
    const names = new Set<string>();
    for (const pod of list.items) {
      this.timeline.observe(pod, nowMs);
      if (pod.metadata?.name) names.add(pod.metadata.name);
    }
    this.timeline.reconcile(names, nowMs);
    this.controller = await new Watch(this.kc).watch(
      this.listPath,
      { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 3600 },
      (phase: string, obj: PodJson) => {
        const at = this.now();
        if (phase === 'ADDED' || phase === 'MODIFIED') this.timeline.observe(obj, at);
        else if (phase === 'DELETED' && obj.metadata?.name) this.timeline.gone(obj.metadata.name, at);
        else if (phase === 'ERROR') this.lastError = JSON.stringify(obj);
      },
      (err: unknown) => {
        if (this.stopped) return;
        if (err) this.lastError = String((err as Error).message ?? err);
        this.restarts++;
        this.resume();
      },
    );
    if (this.stopped) this.controller.abort();
  }

  private resume(): void {
    setTimeout(() => {
      if (this.stopped) return;
      this.listAndWatch().catch((err: unknown) => {
        this.lastError = (err as Error).message;
        this.resume();
      });
    }, 200);
  }
}
