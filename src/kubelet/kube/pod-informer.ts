import { ListWatch, Watch, type KubeConfig, type V1Pod, type V1PodList } from '@kubernetes/client-node';
import type { Logger } from '../../common/logger.js';
import { Backoff } from '../backoff.js';
import type { KubeletMetrics } from '../kubelet-metrics.js';
import type { PodInformer, PodInformerHandlers } from './kube-api.js';

type WatchCallback = (phase: string, apiObj: unknown, watchObj?: unknown) => void;
type DoneCallback = (err: unknown) => void;

/**
 * A Watch that asks the server to end each watch after a few minutes (so a
 * silently dead connection is replaced), requests bookmarks, and counts every
 * watch request.
 */
class CountingWatch extends Watch {
  constructor(
    config: KubeConfig,
    private readonly metrics: KubeletMetrics,
  ) {
    super(config);
  }

  override async watch(
    path: string,
    queryParams: Record<string, unknown>,
    callback: WatchCallback,
    done: DoneCallback,
  ): Promise<AbortController> {
    let code = '200';
    const params = {
      ...queryParams,
      allowWatchBookmarks: true,
      timeoutSeconds: 240 + Math.floor(Math.random() * 120),
    };
    const wrappedDone: DoneCallback = (err) => {
      if (err) {
        const status = (err as { statusCode?: number }).statusCode;
        code = typeof status === 'number' ? String(status) : code;
      }
      done(err);
    };
    const controller = await super.watch(path, params, callback, wrappedDone);
    this.metrics.apiserverRequestsTotal.inc({ verb: 'watch', resource: 'pods', code });
    return controller;
  }
}

/**
 * The pods bound to this node, from client-node's ListWatch with a
 * spec.nodeName field selector. ListWatch stops on errors; this restarts it
 * with back-off. Relists deliver deletions for pods that vanished meanwhile.
 */
export class ListWatchPodInformer implements PodInformer {
  private listWatch: ListWatch<V1Pod> | undefined;
  private synced = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly backoff = new Backoff(1000, 30_000);

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly nodeName: string,
    private readonly listPods: (fieldSelector: string) => Promise<V1PodList>,
    private readonly metrics: KubeletMetrics,
    private readonly logger: Logger,
  ) {}

  start(handlers: PodInformerHandlers): void {
    const fieldSelector = `spec.nodeName=${this.nodeName}`;
    const listFn = async (): Promise<V1PodList> => {
      const list = await this.listPods(fieldSelector);
      // ListWatch applies the list synchronously after this promise settles; setImmediate runs after that.
      setImmediate(() => {
        this.synced = true;
        this.backoff.reset();
        handlers.synced();
      });
      return list;
    };
    const lw = new ListWatch<V1Pod>(
      '/api/v1/pods',
      new CountingWatch(this.kubeConfig, this.metrics),
      listFn,
      false,
      undefined,
      fieldSelector,
    );
    lw.on('add', (pod) => handlers.add(pod));
    lw.on('update', (pod) => handlers.update(pod));
    lw.on('delete', (pod) => handlers.delete(pod));
    lw.on('error', (err) => {
      if (this.stopped) return;
      const delayMs = this.backoff.next();
      this.logger.warn({ err, delayMs }, 'Pod watch failed; retrying');
      this.retryTimer = setTimeout(() => {
        if (!this.stopped) void lw.start().catch(() => undefined);
      }, delayMs);
    });
    this.listWatch = lw;
    void lw.start().catch((err: unknown) => this.logger.warn({ err }, 'Pod informer failed to start'));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.listWatch?.stop();
  }

  hasSynced(): boolean {
    return this.synced;
  }

  list(): readonly V1Pod[] {
    return this.listWatch?.list() ?? [];
  }

  get(namespace: string, name: string): V1Pod | undefined {
    return this.listWatch?.get(name, namespace);
  }
}
