import type { Logger } from '../../common/logger.js';
import { ApiError, type KubeApi } from '../kube/kube-api.js';
import type { RequestCounter } from '../kube/kube-api-client.js';
import { LeaseController, NODE_LEASE_NAMESPACE, type LeaseControllerOptions } from './lease-controller.js';
import type { FromLeaseThread, RequestTally, ToLeaseThread } from './lease-thread-protocol.js';
import { SlotTimer } from './slot-timer.js';

/** Renewals due within the same second are sent together (SlotTimer). */
const RENEWAL_SLOT_MS = 1000;

export interface LeaseHostDeps {
  /** A node's API client, counting its requests in `counter`. */
  api: (nodeName: string, counter: RequestCounter) => KubeApi;
  /** Sends a message to the main thread. */
  post: (message: FromLeaseThread) => void;
  /** Whether renewals may be sent now (the main thread is not stalled). */
  mayRenew: () => boolean;
  logger: Logger;
  /** Between tallies of the requests sent. */
  tallyIntervalMs: number;
  /** The controllers' timer (a SlotTimer of RENEWAL_SLOT_MS by default; tests fire renewals by hand). */
  schedule?: LeaseControllerOptions['schedule'];
}

/**
 * The lease thread's side: one LeaseController per node the main thread
 * started, on this thread's event loop. Requests are counted here and sent
 * to the main thread as one tally every `tallyIntervalMs` (a message per
 * renewal would cost the main thread what the thread saves it). The main thread owns the
 * decisions; this only executes `start`, `uid`, `stop` and `delete`.
 */
export class LeaseHost {
  private readonly leases = new Map<string, LeaseController>();
  /** Each node's uid as the main thread last sent it. */
  private readonly uids = new Map<string, string | undefined>();
  private readonly tally = new Map<string, RequestTally>();
  private tallyTimer: NodeJS.Timeout | undefined;
  private stalled = false;
  private readonly slots = new SlotTimer(RENEWAL_SLOT_MS);
  private readonly schedule: NonNullable<LeaseControllerOptions['schedule']>;

  constructor(private readonly deps: LeaseHostDeps) {
    this.schedule = deps.schedule ?? ((fn, delayMs) => this.slots.schedule(fn, delayMs));
  }

  /** Acts on one message of the main thread. Never throws. */
  handle(message: ToLeaseThread): void {
    switch (message.type) {
      case 'start':
        this.start(message);
        return;
      case 'uid':
        if (this.leases.has(message.nodeName)) this.uids.set(message.nodeName, message.nodeUid);
        return;
      case 'stop':
        this.leases.get(message.nodeName)?.stop();
        return;
      case 'delete':
        void this.delete(message.nodeName, message.id);
        return;
    }
  }

  /** Sends the requests counted since the last tally, if any. */
  flushTally(): void {
    if (this.tally.size === 0) return;
    const tallies = [...this.tally.values()];
    this.tally.clear();
    this.deps.post({ type: 'counts', tallies });
  }

  /** Stops every renewal and the tally timer (the tally left is sent). */
  close(): void {
    for (const controller of this.leases.values()) controller.stop();
    this.slots.clear();
    clearInterval(this.tallyTimer);
    this.tallyTimer = undefined;
    this.flushTally();
  }

  private start(message: Extract<ToLeaseThread, { type: 'start' }>): void {
    const { nodeName } = message;
    this.uids.set(nodeName, message.nodeUid);
    let controller = this.leases.get(nodeName);
    if (!controller) {
      controller = new LeaseController(
        this.deps.api(nodeName, this.counter(nodeName)),
        {
          nodeName,
          leaseDurationSeconds: message.leaseDurationSeconds,
          renewIntervalMs: message.renewIntervalMs,
          nodeUid: () => this.uids.get(nodeName),
          mayRenew: () => this.mayRenew(),
          schedule: this.schedule,
        },
        this.deps.logger.child({ node: nodeName, component: 'lease' }),
      );
      this.leases.set(nodeName, controller);
    }
    this.tallyTimer ??= setInterval(() => this.flushTally(), this.deps.tallyIntervalMs);
    controller.start();
  }

  private async delete(nodeName: string, id: number): Promise<void> {
    const controller = this.leases.get(nodeName);
    this.leases.delete(nodeName);
    this.uids.delete(nodeName);
    controller?.stop();
    let error: { code: number; message: string } | undefined;
    try {
      if (controller) await controller.deleteLease();
      else await this.deps.api(nodeName, this.counter(nodeName)).deleteLease(NODE_LEASE_NAMESPACE, nodeName);
    } catch (err) {
      error = { code: err instanceof ApiError ? err.code : 0, message: (err as Error).message };
    }
    // The deletion's own request is counted before the main thread hears it is done.
    this.flushTally();
    this.deps.post(error ? { type: 'deleted', id, error } : { type: 'deleted', id });
  }

  /** Whether renewals may go out; says so in the log once when that changes. */
  private mayRenew(): boolean {
    const may = this.deps.mayRenew();
    if (may === this.stalled) {
      this.stalled = !may;
      if (this.stalled)
        this.deps.logger.warn(
          "The kubelet's main thread has not run for the lease duration; not renewing leases",
        );
      else this.deps.logger.info("The kubelet's main thread runs again; renewing leases");
    }
    return may;
  }

  private counter(nodeName: string): RequestCounter {
    return {
      apiserverRequestsTotal: {
        inc: ({ verb, resource, code }) => {
          const key = `${nodeName}\u0000${verb}\u0000${resource}\u0000${code}`;
          const entry = this.tally.get(key);
          if (entry) entry[4] += 1;
          else this.tally.set(key, [nodeName, verb, resource, code, 1]);
        },
      },
    };
  }
}
