import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../common/logger.js';
import type { KubeletApiOptions } from './kubelet-api-options.js';
import { httpStatusForError } from './api-errors.js';
import { ApiHandlers, sendText } from './api-handlers.js';
import { STREAMING_ROUTES, UNKNOWN_ROUTE_LABEL, type RouteMatch } from './api-routes.js';
import { ContainerLogsHandler } from './container-logs-handler.js';
import { createKubeAccessReviewer, createKubeTokenReviewer } from './kube-reviewers.js';
import { RequestAdmission, parseTarget, type Admission } from './request-admission.js';
import { RequestAuthenticator } from './request-authenticator.js';
import { RequestAuthorizer } from './request-authorizer.js';
import { writeRawResponse } from './streaming/raw-response.js';
import type { StreamingApi, StreamingApiOptions } from './streaming/streaming-api.js';

type State = 'new' | 'starting' | 'serving' | 'stopping' | 'stopped';

/** How long an idle client connection stays open, as a kubelet's (Go's) outlasting its clients' 90 s. */
export const IDLE_CONNECTION_TIMEOUT_MS = 120_000;

/**
 * The kubelet's HTTPS API (logs, stats, resource, cAdvisor and probe metrics,
 * pods, health, own metrics) on KUBELET_PORT, authenticating and authorising every request as a
 * kubelet does. States: new -> starting -> serving -> stopping -> stopped;
 * `start` and `stop` are each meant to be called once. `stop` is two-phase:
 * stop accepting and end log streams, wait up to `shutdownTimeoutMs` for
 * in-flight requests, then destroy the remaining connections.
 */
export class KubeletApiServer {
  private state: State = 'new';
  private readonly server: https.Server;
  private readonly log: Logger;
  private readonly admission: RequestAdmission;
  private readonly handlers: ApiHandlers;
  private readonly logs: ContainerLogsHandler;
  /** Loaded on the first exec, attach, port-forward or run (ws, SPDY: about 4 MB a node need not hold). */
  private streaming: Promise<StreamingApi> | undefined;
  private readonly streamingOptions: StreamingApiOptions;

  constructor(private readonly options: KubeletApiOptions) {
    this.log = options.logger.child({ component: 'kubelet-api' });
    const nowMs = options.nowMs ?? Date.now;
    const authenticator =
      options.shared?.authenticator ??
      new RequestAuthenticator({
        tokenReviewer: options.tokenReviewer ?? createKubeTokenReviewer(options.transport),
        anonymousAuth: options.anonymousAuth,
        nowMs,
      });
    const authorizer =
      options.shared?.authorizer ??
      new RequestAuthorizer({
        mode: options.authorizationMode,
        reviewer: options.accessReviewer ?? createKubeAccessReviewer(options.transport),
        nowMs,
      });
    this.admission = new RequestAdmission(authenticator, authorizer, options.nodeName, this.log);
    this.handlers = new ApiHandlers(options, nowMs, options.runnerTimeoutMs ?? 10_000);
    this.logs = new ContainerLogsHandler({
      runner: options.runner,
      pods: options.pods,
      logger: this.log,
      headerDelayMs: options.logHeaderDelayMs,
    });
    this.streamingOptions = {
      pods: options.pods,
      runnerPods: options.runnerPods ?? options.runner,
      streams: options.streams ?? options.runner,
      logger: this.log,
      streamCreationTimeoutMs: options.streamCreationTimeoutMs,
    };
    this.server = https.createServer(
      {
        cert: options.tlsCertPem,
        key: options.tlsKeyPem,
        minVersion: 'TLSv1.2',
        // Client certificates are checked per request so that token and anonymous callers still get in.
        ...(options.clientCaPem
          ? { ca: options.clientCaPem, requestCert: true, rejectUnauthorized: false }
          : {}),
      },
      (req, res) => void this.handle(req, res),
    );
    this.server.on('tlsClientError', (err) => this.log.debug({ err }, 'TLS handshake failed'));
    // Scrapers (metrics-server, Prometheus) come back every 10-60 s and keep idle connections 90 s;
    // Node's default of 5 s made each scrape a new TLS handshake: per node, in a fleet of thousands.
    this.server.keepAliveTimeout = IDLE_CONNECTION_TIMEOUT_MS;
    this.server.on(
      'upgrade',
      (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.handleUpgrade(req, socket, head),
    );
  }

  private transition(next: State): void {
    this.log.info({ from: this.state, to: next }, 'Kubelet API state changed');
    this.state = next;
  }

  /** Listens on `listenAddress:port` and resolves with the bound port (useful with port 0). */
  async start(): Promise<{ port: number }> {
    if (this.state !== 'new') throw new Error(`cannot start the kubelet API in state ${this.state}`);
    this.transition('starting');
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.options.port, this.options.listenAddress, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.server.on('error', (err) => this.log.error({ err }, 'Kubelet API server error'));
    const port = (this.server.address() as AddressInfo).port;
    this.transition('serving');
    this.log.info({ address: this.options.listenAddress, port }, 'Serving the kubelet API');
    return { port };
  }

  /** Stops serving; resolves once every connection is closed. Idempotent. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    if (this.state === 'new') {
      this.transition('stopped');
      return;
    }
    this.transition('stopping');
    this.handlers.stop();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.logs.closeAll();
    void this.streaming?.then((streaming) => streaming.closeAll());
    this.server.closeIdleConnections();
    const timeoutMs = this.options.shutdownTimeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), timeoutMs);
    });
    if (await Promise.race([closed.then(() => false), timedOut])) {
      this.log.warn({ timeoutMs }, 'Kubelet API connections still open after the timeout; closing them');
      this.server.closeAllConnections();
      await closed;
    }
    clearTimeout(timer);
    this.transition('stopped');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { url, route } = parseTarget(req);
    const label = route?.label ?? UNKNOWN_ROUTE_LABEL;
    res.once('close', () =>
      this.options.metrics.httpRequestsTotal.inc({ route: label, code: String(res.statusCode) }),
    );
    try {
      await this.serve(req, res, url, route);
    } catch (err) {
      this.sendError(res, err);
    }
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL | undefined,
    route: RouteMatch | undefined,
  ): Promise<void> {
    const admission = await this.admit(req, url);
    if (!admission.admitted) return sendText(res, admission.status, admission.body);
    if (!url) return sendText(res, 400, 'malformed request path');
    if (!route) return sendText(res, 404, '404 page not found');
    const method = req.method ?? 'GET';
    if (STREAMING_ROUTES.has(route.route)) {
      // exec, attach and portForward take GET and POST (a plain one is refused: it must upgrade); run takes POST.
      const allowed = route.route === 'run' ? ['POST'] : ['GET', 'POST'];
      if (!allowed.includes(method)) {
        res.setHeader('Allow', allowed.join(', '));
        return sendText(res, 405, 'Method Not Allowed');
      }
      const streaming = await this.streamingApi();
      if (this.state !== 'serving') return sendText(res, 503, 'the kubelet API is shutting down');
      return streaming.servePlain(route, url, req, res);
    }
    if (method !== 'GET') {
      res.setHeader('Allow', 'GET');
      return sendText(res, 405, 'Method Not Allowed');
    }
    switch (route.route) {
      case 'containerLogs':
        return this.logs.serve(route.params, url.searchParams, res, (err) => this.sendError(res, err));
      case 'statsSummary':
        return this.handlers.statsSummary(res, url.searchParams);
      case 'metricsResource':
        return this.handlers.resourceMetrics(res);
      case 'metricsCadvisor':
        return this.handlers.cadvisorMetrics(res);
      case 'metricsProbes':
        return this.handlers.probeMetrics(res);
      case 'metrics':
        return this.handlers.metrics(res);
      case 'pods':
        return this.handlers.pods(res);
      case 'runningPods':
        return this.handlers.runningPods(res);
      case 'healthz':
        return this.handlers.healthz(res);
      case 'readyz':
        return this.handlers.readyz(res);
    }
  }

  /** 503 while not serving; otherwise authenticated and authorised as a kubelet does (RequestAdmission). */
  private async admit(req: IncomingMessage, url: URL | undefined): Promise<Admission> {
    if (this.state !== 'serving')
      return { admitted: false, status: 503, body: 'the kubelet API is shutting down' };
    return this.admission.admit(req, url);
  }

  /** An upgrade request (SPDY or WebSocket): admitted like any request, then handed to the streaming endpoints. */
  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', (err) => this.log.debug({ err }, 'Upgraded connection failed'));
    const { url, route } = parseTarget(req);
    const label = route?.label ?? UNKNOWN_ROUTE_LABEL;
    let code = 101;
    try {
      const admission = await this.admit(req, url);
      if (!admission.admitted) {
        code = admission.status;
        return writeRawResponse(socket, admission.status, admission.body);
      }
      if (!url || !route || !STREAMING_ROUTES.has(route.route)) {
        code = route ? 400 : 404;
        return writeRawResponse(
          socket,
          code,
          route ? 'unable to upgrade: this path takes no upgrade' : '404 page not found',
        );
      }
      const streaming = await this.streamingApi();
      if (this.state !== 'serving') {
        code = 503;
        return writeRawResponse(socket, code, 'the kubelet API is shutting down');
      }
      code = streaming.serveUpgrade(route, url, req, socket, head);
    } catch (err) {
      code = httpStatusForError(err);
      this.log.warn({ err }, 'Upgrade request failed');
      writeRawResponse(socket, code, err instanceof Error ? err.message : String(err));
    } finally {
      this.options.metrics.httpRequestsTotal.inc({ route: label, code: String(code) });
    }
  }

  /** The streaming endpoints, loaded on first use; a failed load is tried again by the next request. */
  private streamingApi(): Promise<StreamingApi> {
    this.streaming ??= import('./streaming/streaming-api.js').then(
      ({ StreamingApi }) => new StreamingApi(this.streamingOptions),
      (err: unknown) => {
        this.streaming = undefined;
        throw err;
      },
    );
    return this.streaming;
  }

  private sendError(res: ServerResponse, err: unknown): void {
    const status = httpStatusForError(err);
    if (status >= 500) this.log.warn({ err }, 'Kubelet API request failed');
    if (res.headersSent) {
      res.end();
      return;
    }
    sendText(res, status, err instanceof Error ? err.message : String(err));
  }
}
