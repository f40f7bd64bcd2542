import * as grpc from '@grpc/grpc-js';
import path from 'node:path';
import { streamingHandlers, type StreamingFake } from './support/fake-runner-streams.js';
import { loadRunnerProto } from '../../../src/common/proto.js';
import type { GetLogsRequest__Output } from '../../../src/generated/vkcmd/runner/v1/GetLogsRequest.js';
import type { LogChunk } from '../../../src/generated/vkcmd/runner/v1/LogChunk.js';
import type { RunnerClient, RunnerHandlers } from '../../../src/generated/vkcmd/runner/v1/Runner.js';
import type { Stats } from '../../../src/generated/vkcmd/runner/v1/Stats.js';

/** One GetLogs call the fake runner holds open until the test ends it. */
export interface HeldLogCall {
  request: GetLogsRequest__Output;
  write(text: string): void;
  end(): void;
  cancelled: Promise<void>;
}

/**
 * A runner that serves GetLogs, GetStats and the streaming calls, over a unix socket in `dir`.
 * Logs: `logs[container]` is sent and the call ends, unless the request
 * follows, in which case the call is held and handed to the test; a
 * container named in `logErrors` fails with that status.
 */
export class FakeRunner {
  readonly server = new grpc.Server();
  readonly socketPath: string;
  stats: Stats = {};
  statsError: grpc.status | undefined;
  logs: Record<string, string[]> = {};
  logErrors: Record<string, grpc.status> = {};
  readonly logRequests: GetLogsRequest__Output[] = [];
  /** Exec, Attach and PortForward: real local processes and connections (support/fake-runner-streams.ts). */
  readonly streaming: StreamingFake;
  private readonly held: HeldLogCall[] = [];
  private waiters: Array<(call: HeldLogCall) => void> = [];

  constructor(dir: string) {
    this.socketPath = path.join(dir, 'runner.sock');
    const handlers: Partial<RunnerHandlers> = {
      GetStats: (_call, callback) => {
        if (this.statsError !== undefined) callback({ code: this.statsError, details: 'stats failed' });
        else callback(null, this.stats);
      },
      GetLogs: (call) => this.getLogs(call),
    };
    const streaming = streamingHandlers();
    this.streaming = streaming.fake;
    Object.assign(handlers, streaming.handlers);
    const service = loadRunnerProto().grpcType.vkcmd.runner.v1.Runner.service;
    this.server.addService(service, handlers as grpc.UntypedServiceImplementation);
  }

  private getLogs(call: grpc.ServerWritableStream<GetLogsRequest__Output, LogChunk>): void {
    this.logRequests.push(call.request);
    const errorCode = this.logErrors[call.request.container];
    if (errorCode !== undefined) {
      call.emit('error', { code: errorCode, details: `no logs for ${call.request.container}` });
      return;
    }
    for (const text of this.logs[call.request.container] ?? []) call.write({ data: Buffer.from(text) });
    if (!call.request.follow) {
      call.end();
      return;
    }
    const cancelled = new Promise<void>((resolve) => call.on('cancelled', () => resolve()));
    const held: HeldLogCall = {
      request: call.request,
      write: (text) => call.write({ data: Buffer.from(text) }),
      end: () => call.end(),
      cancelled,
    };
    this.held.push(held);
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter(held);
  }

  /** Resolves with the next follow call (or one already held and not yet taken). */
  nextFollowCall(timeoutMs = 5_000): Promise<HeldLogCall> {
    const ready = this.held.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no follow GetLogs call arrived')), timeoutMs);
      this.waiters.push((call) => {
        clearTimeout(timer);
        this.held.splice(this.held.indexOf(call), 1);
        resolve(call);
      });
    });
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.bindAsync(`unix:${this.socketPath}`, grpc.ServerCredentials.createInsecure(), (err) =>
        err ? reject(err) : resolve(),
      );
    });
  }

  client(): RunnerClient {
    return runnerClient(`unix:${this.socketPath}`);
  }

  stop(): Promise<void> {
    this.server.forceShutdown();
    return Promise.resolve();
  }
}

export function runnerClient(target: string): RunnerClient {
  const Runner = loadRunnerProto().grpcType.vkcmd.runner.v1.Runner;
  return new Runner(target, grpc.credentials.createInsecure());
}
