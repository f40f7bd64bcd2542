import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { loadRunnerProto } from '../../common/proto.js';
import type { Logger } from '../../common/logger.js';
import type { RunnerClient } from '../../generated/vkcmd/runner/v1/Runner.js';
import type { RunnerEndpoint } from '../config/runner-endpoint.js';
import type { KubeletMetrics } from '../kubelet-metrics.js';
import { RunnerLink, type RunnerLinkOptions } from './runner-link.js';

/** HTTP/2 keepalive of the runner channel. */
export interface RunnerKeepalive {
  /** Ping the runner after this long (the timer restarts on each acknowledgement). */
  timeMs: number;
  /** Drop the connection when a ping is not acknowledged within this long. */
  timeoutMs: number;
}

/**
 * On every transport, unix sockets (and SSH-forwarded ones) included. The
 * runner's grpc-js server answers pings at any rate (it enforces no minimum
 * interval and sends no too_many_pings GOAWAY).
 */
export const DEFAULT_KEEPALIVE: RunnerKeepalive = { timeMs: 30_000, timeoutMs: 10_000 };

/** The kubelet's Runner for `endpoint`: a RunnerLink that owns a new client (its close() closes it). */
export function createRunnerLink(
  endpoint: RunnerEndpoint,
  metrics: KubeletMetrics,
  logger: Logger,
  options: RunnerLinkOptions & { keepalive?: RunnerKeepalive } = {},
): RunnerLink {
  const client = createRunnerClient(endpoint, readFileSync, options.keepalive);
  return new RunnerLink(client, metrics, logger, options);
}

/**
 * A grpc-js client for the runner. TCP uses TLS (optionally mTLS) unless the
 * endpoint is explicitly insecure; a bearer token, if configured, is sent as
 * `authorization` metadata on every call (re-read from its file per call so
 * rotation works). `credentialsOverride`, when given, replaces the
 * endpoint's credentials (a dial-in node's connection is the runner's
 * accepted socket: RunnerBridge.credentials()). The caller
 * owns the client and must close() it; outside src/kubelet/runner/ only
 * RunnerLink (the Runner interface) is used.
 */
export function createRunnerClient(
  endpoint: RunnerEndpoint,
  readFile: (p: string) => Buffer = readFileSync,
  keepalive: RunnerKeepalive = DEFAULT_KEEPALIVE,
  credentialsOverride?: grpc.ChannelCredentials,
): RunnerClient {
  const { grpcType } = loadRunnerProto();
  let credentials: grpc.ChannelCredentials;
  if (credentialsOverride) {
    credentials = credentialsOverride;
  } else if (endpoint.transport === 'unix' || endpoint.insecure) {
    credentials = grpc.credentials.createInsecure();
  } else {
    credentials = grpc.credentials.createSsl(
      endpoint.caPath ? readFile(endpoint.caPath) : null,
      endpoint.keyPath ? readFile(endpoint.keyPath) : null,
      endpoint.certPath ? readFile(endpoint.certPath) : null,
    );
  }
  const interceptors: grpc.Interceptor[] = [];
  if (endpoint.tokenFile) {
    const tokenFile = endpoint.tokenFile;
    interceptors.push(
      (options, nextCall) =>
        new grpc.InterceptingCall(nextCall(options), {
          start(metadata, listener, next) {
            metadata.set('authorization', `Bearer ${readFile(tokenFile).toString('utf8').trim()}`);
            next(metadata, listener);
          },
        }),
    );
  }
  const channelOptions: grpc.ClientOptions = {
    interceptors,
    // Reconnect quickly; the link applies its own back-off on top.
    'grpc.initial_reconnect_backoff_ms': 250,
    'grpc.max_reconnect_backoff_ms': 10_000,
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    // A connection whose peer vanished (host down, tunnel cut without a reset) is
    // only noticed through pings; a stopped runner is noticed by the link's health
    // checks well before (RunnerLink).
    'grpc.keepalive_time_ms': keepalive.timeMs,
    'grpc.keepalive_timeout_ms': keepalive.timeoutMs,
    'grpc.keepalive_permit_without_calls': 1,
  };
  return new grpcType.vkcmd.runner.v1.Runner(endpoint.target, credentials, channelOptions);
}
