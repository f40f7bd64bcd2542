import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { loadRunnerProto } from '../../common/proto.js';
import type { Logger } from '../../common/logger.js';
import type { RunnerClient } from '../../generated/vkcmd/runner/v1/Runner.js';
import type { RunnerEndpoint } from '../config/runner-endpoint.js';
import type { KubeletMetrics } from '../kubelet-metrics.js';
import { RunnerLink, type RunnerLinkOptions } from './runner-link.js';

/** The kubelet's Runner for `endpoint`: a RunnerLink that owns a new client (its close() closes it). */
export function createRunnerLink(
  endpoint: RunnerEndpoint,
  metrics: KubeletMetrics,
  logger: Logger,
  options: RunnerLinkOptions = {},
): RunnerLink {
  return new RunnerLink(createRunnerClient(endpoint), metrics, logger, options);
}

/**
 * A grpc-js client for the runner. TCP uses TLS (optionally mTLS) unless the
 * endpoint is explicitly insecure; a bearer token, if configured, is sent as
 * `authorization` metadata on every call (re-read from its file per call so
 * rotation works). The caller owns the client and must close() it; outside
 * src/kubelet/runner/ only RunnerLink (the Runner interface) is used.
 */
export function createRunnerClient(
  endpoint: RunnerEndpoint,
  readFile: (p: string) => Buffer = readFileSync,
): RunnerClient {
  const { grpcType } = loadRunnerProto();
  let credentials: grpc.ChannelCredentials;
  if (endpoint.transport === 'unix' || endpoint.insecure) {
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
  };
  if (endpoint.transport === 'tcp') {
    // Over SSH tunnels a dead peer is only noticed through keepalive pings.
    channelOptions['grpc.keepalive_time_ms'] = 30_000;
    channelOptions['grpc.keepalive_timeout_ms'] = 10_000;
  }
  return new grpcType.vkcmd.runner.v1.Runner(endpoint.target, credentials, channelOptions);
}
