import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { heartbeatOutcome, type HeartbeatOutcome } from './runner-liveness.js';

const check = healthService['Check']!;

/**
 * Asks the runner "are you there?" every `intervalMs`: the standard
 * grpc.health.v1.Health/Check for the whole server (service ""), over the
 * link's own channel (so with its credentials and token), with a deadline
 * of `intervalMs`. One check at a time: while one waits, ticks are skipped.
 * HTTP/2 keepalive pings only tell a dead connection; a stopped runner's
 * kernel still holds the connection open and acknowledges TCP, so only a
 * call that the runner process itself must answer tells whether it runs.
 *
 * `runnerPresent`, when given, says whether there is a runner to ask at all
 * (a dial-in node's channel holds the client's connection while no runner
 * has dialled in). While it says no, no check is sent and each tick reports
 * `refused`: an absent runner is unreachable, not silent; and a check that
 * outlived its runner's connection is read the same way.
 *
 * `checkDue`, when given, says whether a tick must ask at all: a runner that
 * sent something on its own within the period (its watch heartbeats) is not
 * asked, and the tick reports `answered` with `asked` false. One DATA frame
 * on the open watch then does what a whole call did.
 */
export class RunnerHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  private running = false;

  constructor(
    private readonly client: grpc.Client,
    private readonly intervalMs: number,
    private readonly onOutcome: (outcome: HeartbeatOutcome, asked: boolean) => void,
    private readonly runnerPresent: () => boolean = () => true,
    private readonly checkDue: () => boolean = () => true,
  ) {}

  /** Starts checking at once, then every interval. Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.timer = setInterval(() => this.beat(), this.intervalMs);
    this.beat();
  }

  /** No more checks; the outcome of one in flight is dropped. Idempotent. */
  stop(): void {
    this.running = false;
    clearInterval(this.timer);
  }

  private beat(): void {
    if (this.inFlight || !this.running) return;
    if (!this.runnerPresent()) {
      this.onOutcome('refused', false);
      return;
    }
    if (!this.checkDue()) {
      this.onOutcome('answered', false);
      return;
    }
    this.inFlight = true;
    const done = (err: grpc.ServiceError | null): void => {
      this.inFlight = false;
      if (this.running) this.onOutcome(heartbeatOutcome(err, this.runnerPresent()), true);
    };
    try {
      this.client.makeUnaryRequest(
        check.path,
        check.requestSerialize,
        check.responseDeserialize,
        { service: '' },
        new grpc.Metadata(),
        { deadline: Date.now() + this.intervalMs },
        done,
      );
    } catch {
      // The channel was closed under us (shutdown): nothing to ask any more.
      this.inFlight = false;
    }
  }
}
