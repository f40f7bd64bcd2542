import type * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { RunnerHeartbeat } from '../../../../src/kubelet/runner/runner-heartbeat.js';
import type { HeartbeatOutcome } from '../../../../src/kubelet/runner/runner-liveness.js';

type Callback = (err: grpc.ServiceError | null) => void;

/** A client whose health checks wait until the test answers them. */
function fakeClient(): { client: grpc.Client; pending: Callback[] } {
  const pending: Callback[] = [];
  const client = {
    makeUnaryRequest: (...args: unknown[]) => {
      pending.push(args[args.length - 1] as Callback);
      return {};
    },
  } as unknown as grpc.Client;
  return { client, pending };
}

describe('RunnerHeartbeat', () => {
  it('asks the runner when a check is due and reports the answer as asked', () => {
    const { client, pending } = fakeClient();
    const outcomes: Array<[HeartbeatOutcome, boolean]> = [];
    const hb = new RunnerHeartbeat(client, 60_000, (o, asked) => outcomes.push([o, asked]));
    hb.start();
    expect(pending).to.have.length(1);
    pending[0]!(null);
    hb.stop();
    expect(outcomes).to.deep.equal([['answered', true]]);
  });

  it('sends no check while the runner sent something on its own, and reports the tick answered, not asked', () => {
    const { client, pending } = fakeClient();
    const outcomes: Array<[HeartbeatOutcome, boolean]> = [];
    const hb = new RunnerHeartbeat(
      client,
      60_000,
      (o, asked) => outcomes.push([o, asked]),
      () => true,
      () => false,
    );
    hb.start();
    hb.stop();
    expect(pending).to.have.length(0);
    expect(outcomes).to.deep.equal([['answered', false]]);
  });

  it('reports an absent runner refused without asking, whatever it sent before', () => {
    const { client, pending } = fakeClient();
    const outcomes: Array<[HeartbeatOutcome, boolean]> = [];
    const hb = new RunnerHeartbeat(
      client,
      60_000,
      (o, asked) => outcomes.push([o, asked]),
      () => false,
      () => false,
    );
    hb.start();
    hb.stop();
    expect(pending).to.have.length(0);
    expect(outcomes).to.deep.equal([['refused', false]]);
  });
});
