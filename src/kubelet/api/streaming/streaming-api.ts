import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../../common/logger.js';
import type { RunnerStreams } from '../../runner/runner-streams.js';
import { httpStatusForError } from '../api-errors.js';
import { sendBody, sendText } from '../api-handlers.js';
import type { RouteMatch } from '../api-routes.js';
import type { PodLister } from '../pod-lister.js';
import type { CommandChannels } from './command-channels.js';
import { runCommandSession } from './command-session.js';
import { serveSpdyPortForward } from './port-forward-spdy.js';
import { serveWsPortForward } from './port-forward-ws.js';
import { writeRawResponse, writeSpdyUpgrade } from './raw-response.js';
import { readForm, runToCompletion } from './run-command.js';
import { acceptSpdyCommand } from './spdy-command.js';
import {
  ACCEPTED_PROTOCOLS_HEADER,
  PORT_FORWARD_SPDY_PROTOCOLS,
  PORT_FORWARD_WS_PROTOCOLS,
  REMOTE_COMMAND_SPDY_PROTOCOLS,
  REMOTE_COMMAND_WS_PROTOCOLS,
  headerValues,
  isSpdyUpgrade,
  isWebSocketUpgrade,
  negotiateSpdyProtocol,
  negotiateWsProtocol,
  spdyCommandVersion,
} from './stream-protocols.js';
import {
  parseCommandStreamOptions,
  parseExecCommand,
  parsePortForwardPorts,
  parseRunCommand,
  type CommandStreamOptions,
} from './stream-request.js';
import { resolveStreamTarget, type RunnerPodView, type StreamTarget } from './stream-target.js';
import { acceptWsCommand } from './ws-command.js';

export interface StreamingApiOptions {
  pods: PodLister;
  /** The runner's pods, to refuse a container that is not running at once; undefined skips the check. */
  runnerPods: RunnerPodView | undefined;
  streams: RunnerStreams;
  logger: Logger;
  /** How long a SPDY client has to open its streams; the kubelet's 30 s by default. */
  streamCreationTimeoutMs?: number;
}

type StreamRoute = 'exec' | 'attach' | 'portForward';

/** A parsed streaming request, ready to be upgraded. */
type Prepared =
  | { route: 'exec' | 'attach'; target: StreamTarget; streams: CommandStreamOptions; command: string[] }
  | { route: 'portForward'; target: StreamTarget; ports: number[] };

/**
 * The kubelet's streaming endpoints (`/exec`, `/attach`, `/portForward`,
 * `/run`) behind authentication and authorisation, which the server does
 * first. Upgrades to SPDY/3.1 (what the API server always uses toward a
 * kubelet) or WebSocket (clients that call the kubelet directly), then runs
 * the session against the runner. Sessions are tracked so `closeAll` can
 * end them on shutdown.
 */
export class StreamingApi {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly sockets = new Set<Duplex>();
  private readonly timeoutMs: number;

  constructor(private readonly options: StreamingApiOptions) {
    this.timeoutMs = options.streamCreationTimeoutMs ?? 30_000;
  }

  /** Sessions open now. */
  get openSessions(): number {
    return this.sockets.size;
  }

  /** A streaming route asked without an upgrade: `/run` is served, the others refused as the kubelet does. */
  async servePlain(route: RouteMatch, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (route.route !== 'run') {
      return sendText(res, 400, 'unable to upgrade: missing upgrade headers in request');
    }
    const [namespace = '', pod = '', uid = '', container = ''] = route.params;
    const target = resolveStreamTarget(this.options.pods, this.options.runnerPods, {
      namespace,
      pod,
      uid,
      container,
    });
    const form = await readForm(req);
    const command = parseRunCommand(form.has('cmd') ? form : url.searchParams);
    const result = await runToCompletion(this.options.streams, target, command);
    if (result.ok) return sendBody(res, 200, 'application/json', result.output.toString('utf8'));
    sendText(res, 500, result.message);
  }

  /**
   * Answers an upgrade request on a streaming route; errors before the
   * upgrade are HTTP answers on the socket. Returns the status answered
   * (101 once upgraded).
   */
  serveUpgrade(route: RouteMatch, url: URL, req: IncomingMessage, socket: Duplex, head: Buffer): number {
    const refuse = (status: number, message: string): number => {
      writeRawResponse(socket, status, message);
      return status;
    };
    if (route.route !== 'exec' && route.route !== 'attach' && route.route !== 'portForward') {
      return refuse(400, 'unable to upgrade: this path takes no upgrade');
    }
    const webSocket = isWebSocketUpgrade(req.headers.connection, req.headers.upgrade);
    let prepared: Prepared;
    try {
      prepared = this.prepare(route.route, route.params, url.searchParams, webSocket);
    } catch (err) {
      return refuse(httpStatusForError(err), err instanceof Error ? err.message : String(err));
    }
    if (webSocket) return this.upgradeWebSocket(prepared, req, socket, head);
    if (isSpdyUpgrade(req.headers.connection, req.headers.upgrade))
      return this.upgradeSpdy(prepared, req, socket, head);
    return refuse(400, 'unable to upgrade: missing upgrade headers in request');
  }

  /** Drops every open session (shutdown). */
  closeAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.wss.close();
  }

  private prepare(
    route: StreamRoute,
    params: string[],
    query: URLSearchParams,
    webSocket: boolean,
  ): Prepared {
    const [namespace = '', pod = '', uid = '', container = ''] = params;
    if (route === 'portForward') {
      // Over SPDY each stream names its port; over WebSocket the query does.
      const ports = webSocket ? parsePortForwardPorts(query) : [];
      const target = resolveStreamTarget(this.options.pods, undefined, {
        namespace,
        pod,
        uid,
        container: undefined,
      });
      return { route, target, ports };
    }
    const streams = parseCommandStreamOptions(query);
    const command = route === 'exec' ? parseExecCommand(query) : [];
    const target = resolveStreamTarget(this.options.pods, this.options.runnerPods, {
      namespace,
      pod,
      uid,
      container,
    });
    return { route, target, streams, command };
  }

  private track(socket: Duplex): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    const tls = socket as Duplex & { setNoDelay?: (on: boolean) => void; setTimeout?: (ms: number) => void };
    tls.setNoDelay?.(true);
    tls.setTimeout?.(0);
  }

  private upgradeSpdy(prepared: Prepared, req: IncomingMessage, socket: Duplex, head: Buffer): number {
    const supported =
      prepared.route === 'portForward' ? PORT_FORWARD_SPDY_PROTOCOLS : REMOTE_COMMAND_SPDY_PROTOCOLS;
    const negotiation = negotiateSpdyProtocol(
      headerValues(req.headers['x-stream-protocol-version']),
      supported,
    );
    if (!negotiation.ok) {
      const headers = negotiation.accepted.map((p) => [ACCEPTED_PROTOCOLS_HEADER, p] as const);
      writeRawResponse(socket, negotiation.status, negotiation.message, headers);
      return negotiation.status;
    }
    this.track(socket);
    writeSpdyUpgrade(socket, negotiation.protocol);
    const log = this.sessionLogger(prepared, negotiation.protocol);
    if (prepared.route === 'portForward') {
      void serveSpdyPortForward({
        socket,
        head,
        target: prepared.target,
        logger: log,
        streamCreationTimeoutMs: this.timeoutMs,
        connect: (port, sink) => this.connect(prepared.target, port, sink),
      });
      return 101;
    }
    acceptSpdyCommand({
      socket,
      head,
      streams: prepared.streams,
      version: spdyCommandVersion(negotiation.protocol),
      logger: log,
      streamCreationTimeoutMs: this.timeoutMs,
    }).then(
      (channels) => this.runCommand(prepared, channels, log),
      (err: unknown) => log.debug({ err }, 'Streaming session not established'),
    );
    return 101;
  }

  private upgradeWebSocket(prepared: Prepared, req: IncomingMessage, socket: Duplex, head: Buffer): number {
    const table = prepared.route === 'portForward' ? PORT_FORWARD_WS_PROTOCOLS : REMOTE_COMMAND_WS_PROTOCOLS;
    const offered = headerValues(req.headers['sec-websocket-protocol']);
    const chosen = negotiateWsProtocol(offered, table);
    const protocol = chosen === undefined ? undefined : table.get(chosen);
    if (chosen === undefined || !protocol) {
      const supports = [...table.keys()].filter((p) => p).join(' ');
      writeRawResponse(
        socket,
        403,
        `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${supports}]`,
      );
      return 403;
    }
    this.track(socket);
    const log = this.sessionLogger(prepared, chosen);
    this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (prepared.route === 'portForward') {
        void serveWsPortForward(ws, protocol, prepared.ports, prepared.target, (port, sink) =>
          this.connect(prepared.target, port, sink),
        );
        return;
      }
      void this.runCommand(prepared, acceptWsCommand(ws, protocol, prepared.streams), log);
    });
    return 101;
  }

  private connect(target: StreamTarget, port: number, sink: Parameters<RunnerStreams['portForward']>[1]) {
    return this.options.streams.portForward(
      { uid: target.uid, namespace: target.namespace, name: target.name, port },
      sink,
    );
  }

  private runCommand(prepared: Prepared, channels: CommandChannels, log: Logger): Promise<void> {
    if (prepared.route === 'portForward') return Promise.resolve();
    const { target, streams, command } = prepared;
    const base = {
      uid: target.uid,
      namespace: target.namespace,
      name: target.name,
      container: target.container,
      stdin: streams.stdin,
      stdout: streams.stdout,
      stderr: streams.stderr,
      tty: streams.tty,
    };
    log.debug('Streaming session started');
    return runCommandSession(
      channels,
      (sink, size) =>
        prepared.route === 'exec'
          ? this.options.streams.exec({ ...base, command, ...(size ? { size } : {}) }, sink)
          : this.options.streams.attach({ ...base, ...(size ? { size } : {}) }, sink),
      log,
    ).then(() => log.debug('Streaming session ended'));
  }

  private sessionLogger(prepared: Prepared, protocol: string): Logger {
    const { target } = prepared;
    return this.options.logger.child({
      session: prepared.route,
      pod: `${target.namespace}/${target.name}`,
      ...(target.container ? { container: target.container } : {}),
      protocol,
    });
  }
}
