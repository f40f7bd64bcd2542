import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { pino } from 'pino';
import { loadRunnerProto } from '../../../src/common/proto.js';
import type { RunnerHandlers } from '../../../src/generated/vkcmd/runner/v1/Runner.js';
import type { WireNode } from '../../../src/kubelet/kube/wire-types.js';
import { parseConnectTarget } from '../../../src/runner/connect/connect-target.js';
import { DialOut } from '../../../src/runner/connect/dial-out.js';
import { FakeRunner } from './support/fake-runner.js';
import { FleetHarness } from './support/fleet-harness.js';
import { waitFor } from './support/harness.js';

/** In-process runners over the runner's real DialOut (as the bench's light runners): cheap enough for dozens. */
function lightRunners(url: string, caFile: string, names: string[]): () => void {
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

describe('kubelet --fleet: a whole allocation dialling in at once', function () {
  this.timeout(120_000);
  let h: FleetHarness;
  let stopRunners: (() => void) | undefined;
  const portFrom = 34_000 + Math.floor(Math.random() * 100) * 60;

  beforeEach(() => {
    h = new FleetHarness();
  });
  afterEach(async () => {
    stopRunners?.();
    await h.close();
  });

  it('40 runners at once: nodes register a bounded number at a time, every one registered and Ready', async () => {
    const n = 40;
    let inFlight = 0;
    let maxInFlight = 0;
    const createNode = h.api.createNode.bind(h.api);
    // An API server that takes a while per registration: the nodes' starts overlap unless bounded.
    h.api.createNode = async (node: WireNode) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        await new Promise((r) => setTimeout(r, 100));
        return await createNode(node);
      } finally {
        inFlight--;
      }
    };
    await h.start(
      { runnerUnreachableGraceSeconds: 5, fleet: { portFrom, portTo: portFrom + n + 9 } },
      { maxConcurrentStarts: 4 },
    );
    const names = Array.from({ length: n }, (_, i) => `vk-burst-${i}`);
    stopRunners = lightRunners(h.url(), h.pki.caFile, names);
    const ready = (node: string) =>
      h.api.nodes.get(node)?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    await waitFor(() => names.every(ready), 90_000, 'every node Ready');
    expect(maxInFlight, 'registrations at once').to.be.within(1, 4);
  });
});
