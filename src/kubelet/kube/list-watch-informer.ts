import { setTimeout as delay } from 'node:timers/promises';
import type { WirePod, WirePodList, WireStatus } from './wire-types.js';
import type { Logger } from '../../common/logger.js';
import { Backoff } from '../../common/backoff.js';
import { ApiError, requestOutcome, type PodInformer, type PodInformerHandlers } from './kube-api.js';
import type { KubeTransport } from './kube-transport.js';
import { kindForHttpStatus, kubeErrorKind } from './kube-errors.js';
import type { WatchEvent } from './watch-decoder.js';

/** Counts one API request by verb, resource and outcome (an HTTP code, or "<error>"). */
export type CountRequest = (verb: string, resource: string, code: string) => void;

/** The watch's resourceVersion is too old (410 Gone, kind resourceExhausted): list again. */
class Expired extends Error {}

/**
 * A watch that the server ended within this time without sending anything is
 * treated as a failure, as client-go does: re-watching at once could spin.
 */
const SHORT_WATCH_MS = 1000;

const key = (namespace: string | undefined, name: string | undefined): string =>
  `${namespace ?? ''}/${name ?? ''}`;

/**
 * Pods bound to this node, kept by list + watch on `spec.nodeName` over the
 * kubelet's own transport. Cached pods drop `metadata.managedFields`, which
 * the kubelet never reads and which is often the largest part of a pod.
 *
 * States: stopped -> listing -> watching (-> watching again from the last
 * resourceVersion when the server ends a watch; after a back-off when it ended
 * it at once and empty) ; any failure -> backing off -> listing; 410 Gone ->
 * listing, at once the first time and after a back-off when watches keep
 * expiring without delivering an event: each relist of a busy node sends
 * every pod again and makes every pod's worker look at it, and relisting in a
 * tight loop would starve the kubelet that is falling behind. A relist
 * delivers `update` for changed pods, `delete` for pods that vanished
 * meanwhile, then `synced`.
 */
export class ListWatchPodInformer implements PodInformer {
  private readonly cache = new Map<string, WirePod>();
  private readonly abort = new AbortController();
  private readonly backoff = new Backoff(1000, 30_000);
  private resourceVersion = '';
  /** 410s since the last watch that delivered an event. */
  private expiriesInRow = 0;
  private synced = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly transport: KubeTransport,
    private readonly nodeName: string,
    private readonly countRequest: CountRequest,
    private readonly logger: Logger,
    private readonly random: () => number = Math.random,
    private readonly nowMs: () => number = Date.now,
  ) {}

  start(handlers: PodInformerHandlers): void {
    this.running ??= this.run(handlers);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  list(): readonly WirePod[] {
    return [...this.cache.values()];
  }

  get(namespace: string, name: string): WirePod | undefined {
    return this.cache.get(key(namespace, name));
  }

  private get fieldSelector(): string {
    return `spec.nodeName=${this.nodeName}`;
  }

  private async run(handlers: PodInformerHandlers): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await this.relist(handlers);
        while (!this.abort.signal.aborted) {
          const delivered = await this.watchOnce(handlers);
          if (this.abort.signal.aborted) break;
          if (delivered === 'events') {
            this.backoff.reset();
            this.expiriesInRow = 0;
          } else if (delivered === 'nothing, at once') {
            const delayMs = this.backoff.next();
            this.logger.warn(
              { delayMs },
              'Pod watch ended at once without events; watching again after a delay',
            );
            await this.sleep(delayMs);
          }
        }
      } catch (err) {
        if (this.abort.signal.aborted) break;
        if (err instanceof Expired) {
          this.expiriesInRow++;
          const delayMs = this.expiriesInRow > 1 ? this.backoff.next() : 0;
          this.logger.debug(
            { resourceVersion: this.resourceVersion, delayMs },
            'Pod watch expired; listing again',
          );
          if (delayMs > 0) await this.sleep(delayMs);
          continue;
        }
        const delayMs = this.backoff.next();
        this.logger.warn({ err, delayMs }, 'Pod watch failed; retrying');
        await this.sleep(delayMs);
      }
    }
  }

  private async relist(handlers: PodInformerHandlers): Promise<void> {
    let list: WirePodList;
    try {
      list = await this.transport.request<WirePodList>({
        method: 'GET',
        path: '/api/v1/pods',
        query: { fieldSelector: this.fieldSelector },
        timeoutMs: 60_000,
        signal: this.abort.signal,
      });
      this.countRequest('list', 'pods', '200');
    } catch (err) {
      this.countRequest('list', 'pods', requestOutcome(err));
      throw err;
    }
    if (this.abort.signal.aborted) return;
    const seen = new Set<string>();
    for (const pod of list.items) {
      const k = key(pod.metadata?.namespace, pod.metadata?.name);
      seen.add(k);
      this.apply('MODIFIED', trim(pod), handlers);
    }
    for (const [k, pod] of this.cache) {
      if (!seen.has(k)) {
        this.cache.delete(k);
        handlers.delete(pod);
      }
    }
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    this.synced = true;
    handlers.synced();
  }

  /** One watch request; returns when the server ends it, saying whether it sent anything. */
  private async watchOnce(handlers: PodInformerHandlers): Promise<'events' | 'nothing' | 'nothing, at once'> {
    let failure: Error | undefined;
    let events = 0;
    const startedMs = this.nowMs();
    const onEvent = (event: WatchEvent): void => {
      if (failure) return;
      events++;
      if (event.type === 'ERROR') {
        const status = event.object as WireStatus;
        failure =
          kindForHttpStatus(status.code ?? 0) === 'resourceExhausted'
            ? new Expired()
            : new ApiError(status.code ?? 0, status.message ?? 'watch error event');
        return;
      }
      const pod = event.object as WirePod;
      const rv = pod.metadata?.resourceVersion;
      if (event.type !== 'BOOKMARK') this.apply(event.type, trim(pod), handlers);
      if (rv) this.resourceVersion = rv;
    };
    const timeoutSeconds = 240 + Math.floor(this.random() * 120);
    try {
      await this.transport.watch(
        '/api/v1/pods',
        {
          fieldSelector: this.fieldSelector,
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds,
        },
        onEvent,
        this.abort.signal,
      );
      this.countRequest('watch', 'pods', '200');
    } catch (err) {
      this.countRequest('watch', 'pods', requestOutcome(err));
      if (kubeErrorKind(err) === 'resourceExhausted') throw new Expired();
      throw err;
    }
    if (failure) throw failure;
    if (events > 0) return 'events';
    return this.nowMs() - startedMs < SHORT_WATCH_MS ? 'nothing, at once' : 'nothing';
  }

  private apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: WirePod, handlers: PodInformerHandlers): void {
    const k = key(pod.metadata?.namespace, pod.metadata?.name);
    if (type === 'DELETED') {
      const old = this.cache.get(k);
      this.cache.delete(k);
      if (old) handlers.delete(pod);
      return;
    }
    const old = this.cache.get(k);
    if (old && old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return;
    this.cache.set(k, pod);
    if (old) handlers.update(pod);
    else handlers.add(pod);
  }

  /** Resolves after `ms`, or at once when the informer stops. */
  private sleep(ms: number): Promise<void> {
    return delay(ms, undefined, { signal: this.abort.signal }).catch(() => undefined);
  }
}

function trim(pod: WirePod): WirePod {
  if (pod.metadata?.managedFields) delete pod.metadata.managedFields;
  return pod;
}
