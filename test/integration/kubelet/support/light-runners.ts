import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { loadRunnerProto } from '../../../../src/common/proto.js';
import type { RunnerHandlers } from '../../../../src/generated/vkcmd/runner/v1/Runner.js';
import { parseConnectTarget } from '../../../../src/runner/connect/connect-target.js';
import { DialOut } from '../../../../src/runner/connect/dial-out.js';
import { FakeRunner } from './fake-runner.js';

/** In-process runners over the runner's real DialOut (as the bench's light runners): cheap enough for dozens. */
export function lightRunners(url: string, caFile: string, names: string[]): () => void {
  const { grpcType } = loadRunnerProto();
  const stops = names.map((nodeName) => {
    const fake = new FakeRunner(`/nonexistent/${nodeName}.sock`);
    const server = new grpc.Server();
    server.addService(grpcType.vkcmd.runner.v1.Runner.service, fake.handlers() as RunnerHandlers);
    const dialOut = new DialOut({
      request: { target: parseConnectTarget(url), nodeName, version: 'light', timeoutMs: 20_000 },
      credentials: () => ({ ca: readFileSync(caFile), token: 'wild-token' }),
      sink: server.createConnectionInjector(grpc.ServerCredentials.createInsecure()),
      logger: pino({ level: 'silent' }),
    });
    dialOut.start();
    return () => {
      dialOut.stop();
      server.forceShutdown();
    };
  });
  return () => stops.forEach((stop) => stop());
}
