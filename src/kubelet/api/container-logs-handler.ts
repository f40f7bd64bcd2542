import type { ServerResponse } from 'node:http';
import type { WirePod } from '../kube/wire-types.js';
import { InvalidInputError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { LogCall, Runner } from '../runner/runner.js';
import type { PodLister } from './pod-lister.js';
import { parseContainerLogQuery } from './log-query.js';

function hasContainer(pod: WirePod, container: string): boolean {
  const spec = pod.spec;
  return [
    ...(spec?.containers ?? []),
    ...(spec?.initContainers ?? []),
    ...(spec?.ephemeralContainers ?? []),
  ].some((c) => c.name === container);
}

/**
 * Checks a `/containerLogs/{namespace}/{pod}/{container}` request and finds
 * the pod's UID, with the kubelet's messages. Pure; throws InvalidInputError
 * or NotFoundError.
 */
export function resolveLogTarget(
  pods: PodLister,
  namespace: string,
  podName: string,
  container: string,
): { uid: string } {
  if (!podName) throw new InvalidInputError('Missing podID.');
  if (!container) throw new InvalidInputError('Missing container name.');
  if (!namespace) throw new InvalidInputError('Missing podNamespace.');
  const pod = pods.get(namespace, podName);
  const uid = pod?.metadata?.uid;
  if (!pod || !uid) throw new NotFoundError(`pod "${podName}" does not exist`);
  if (!hasContainer(pod, container))
    throw new NotFoundError(`container "${container}" not found in pod "${podName}"`);
  return { uid };
}

export interface ContainerLogsHandlerOptions {
  runner: Pick<Runner, 'getLogs' | 'isConnected'>;
  pods: PodLister;
  logger: Logger;
  /**
   * For `follow` only: send the 200 headers after this long without output or the runner's
   * acceptance (a runner that never sends it), so a quiet `-f` stream opens anyway.
   */
  headerDelayMs?: number;
}

/**
 * Streams container logs from the runner to HTTP clients, one gRPC call per
 * request, chunk by chunk with back-pressure. A client that goes away cancels
 * its call. Tracks open streams so `closeAll` can end them on shutdown.
 */
export class ContainerLogsHandler {
  private readonly open = new Set<{ call: LogCall; res: ServerResponse }>();

  constructor(private readonly options: ContainerLogsHandlerOptions) {}

  get openStreams(): number {
    return this.open.size;
  }

  /** Serves one request; resolves when the response is complete or the client left. Never rejects. */
  serve(
    params: string[],
    query: URLSearchParams,
    res: ServerResponse,
    sendError: (err: unknown) => void,
  ): Promise<void> {
    const [namespace = '', podName = '', container = ''] = params;
    let uid: string;
    let logQuery;
    try {
      logQuery = parseContainerLogQuery(query);
      uid = resolveLogTarget(this.options.pods, namespace, podName, container).uid;
    } catch (err) {
      sendError(err);
      return Promise.resolve();
    }
    const log = this.options.logger.child({ pod: `${namespace}/${podName}`, uid, container });
    const request = {
      uid,
      namespace,
      name: podName,
      container,
      follow: logQuery.follow,
      tailLines: logQuery.tailLines,
      sinceSeconds: logQuery.sinceSeconds,
      sinceTimeMs: logQuery.sinceTimeMs,
      limitBytes: logQuery.limitBytes,
      timestamps: logQuery.timestamps,
      previous: logQuery.previous,
      stream: logQuery.stream,
    };

    return new Promise<void>((resolve) => {
      let settled = false;
      const commit = (): void => {
        if (res.headersSent) return;
        // No Content-Length: Node sends the body chunked, each write flushed as it comes.
        res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Content-Type-Options': 'nosniff' });
        res.flushHeaders();
      };
      // The runner accepts a valid request at once (its headers arrive before any output), so
      // the 200 waits for that and every refusal still gets its own code, however slow the host.
      const delayMs = this.options.headerDelayMs ?? 2000;
      // Only a connected runner earns an early 200: an unreachable one must still get its 503.
      const commitIfConnected = (): void => {
        if (this.options.runner.isConnected()) commit();
        else timer = setTimeout(commitIfConnected, delayMs);
      };
      let timer = request.follow ? setTimeout(commitIfConnected, delayMs) : undefined;
      const finish = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.open.delete(entry);
        resolve();
      };
      const call = this.options.runner.getLogs(request, {
        accepted: commit,
        data: (chunk) => {
          commit();
          if (!res.write(chunk)) {
            call.pause();
            res.once('drain', () => call.resume());
          }
        },
        end: () => {
          commit();
          res.end();
          finish();
        },
        error: (err) => {
          if (res.destroyed || res.writableEnded) return finish();
          if (!res.headersSent) {
            sendError(err);
          } else {
            log.warn({ err }, 'Container log stream ended with an error');
            res.end();
          }
          finish();
        },
      });
      const entry = { call, res };
      this.open.add(entry);
      res.on('close', () => {
        // The client went away (or shutdown ended the response): stop the runner's stream.
        if (!res.writableFinished) log.debug('Log client disconnected');
        call.cancel();
        finish();
      });
    });
  }

  /** Ends every open stream (shutdown): cancels the calls and completes the responses. Idempotent. */
  closeAll(): void {
    for (const { call, res } of this.open) {
      call.cancel();
      if (!res.headersSent) res.writeHead(503, { 'Content-Type': 'text/plain' });
      res.end();
    }
  }
}
