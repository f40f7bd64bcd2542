import * as grpc from '@grpc/grpc-js';
import { errorKind } from '../../common/errors.js';
import { fromServiceError } from '../../common/grpc-errors.js';

/**
 * What one health check says about the runner. answered: the runner sent
 * something, whatever the status (SERVING, NOT_SERVING, UNIMPLEMENTED, a
 * refused token): it is running. silent: nothing came back before the
 * deadline: the connection is there (or being opened) but nobody answers,
 * as with a stopped (SIGSTOP) or wedged runner. refused: there is no runner
 * to ask (connection refused, closed or reset; the runner shuts down).
 */
export type HeartbeatOutcome = 'answered' | 'silent' | 'refused';

/**
 * Reads a finished health check. The shared table says whether the runner
 * answered (any kind but unavailable); within "unavailable" a missed
 * deadline is silence, unless no runner is there to answer (`runnerPresent`
 * false: a dial-in node whose runner has not connected, or whose connection
 * went while the check waited), and anything else is an absent runner. Pure.
 */
export function heartbeatOutcome(err: grpc.ServiceError | null, runnerPresent = true): HeartbeatOutcome {
  if (!err) return 'answered';
  if (errorKind(fromServiceError(err)) !== 'unavailable') return 'answered';
  return err.code === grpc.status.DEADLINE_EXCEEDED && runnerPresent ? 'silent' : 'refused';
}

/** The longest health check period: a silent runner is known within two of them. */
export const MAX_HEARTBEAT_INTERVAL_MS = 10_000;

/**
 * The heartbeat period (also each check's deadline) for a grace period: a
 * quarter of it, so silence is known well before the grace ends, between
 * 100 ms and 10 s. At the default grace (40 s) that is 10 s: an idle node's
 * link then carries a watch heartbeat every 5 s, and with a fleet of nodes
 * those messages are a good part of the kubelet's idle CPU (measured in
 * bench/README.md). Pure.
 */
export function heartbeatIntervalMs(graceSeconds: number): number {
  return Math.min(MAX_HEARTBEAT_INTERVAL_MS, Math.max(100, Math.round((graceSeconds * 1000) / 4)));
}

/**
 * How long a quiet WatchPods stream waits before the runner sends a
 * heartbeat on it, for a health check period: half of it, so a live
 * runner's watch carries something in every period even when the heartbeat
 * or its reading runs late by up to half a period. Pure.
 */
export function watchHeartbeatMs(heartbeatIntervalMs: number): number {
  return Math.max(1, Math.round(heartbeatIntervalMs / 2));
}

/**
 * Whether a heartbeat tick must ask the runner with a health check: not when
 * the runner sent something on its own (a watch event or heartbeat, a call's
 * answer) less than one period ago, which says as much as an answered check;
 * a runner that sends no watch heartbeats (an older one) is asked every
 * period. `lastNotedAnswerMs` is undefined while nothing was noted. Pure.
 */
export function healthCheckDue(
  lastNotedAnswerMs: number | undefined,
  nowMs: number,
  heartbeatIntervalMs: number,
): boolean {
  return lastNotedAnswerMs === undefined || nowMs - lastNotedAnswerMs >= heartbeatIntervalMs;
}

/**
 * Whether the runner answers, from the evidence the link gathers. Silence
 * starts at the last answer once a health check goes unanswered, and lasts
 * until the link is synced again (an answer while the link is down does not
 * end it: the watch still has to resume) or the runner is found gone (then
 * it is unreachable, not silent). Each method returns whether
 * silentSinceMs() changed. Pure given the times passed in.
 */
export class RunnerLiveness {
  private lastAnswerAtMs: number;
  private silentSince: number | undefined;

  constructor(nowMs: number) {
    this.lastAnswerAtMs = nowMs;
  }

  /** Since when the runner has not answered, once that is known; undefined while it answers. */
  silentSinceMs(): number | undefined {
    return this.silentSince;
  }

  lastAnswerMs(): number {
    return this.lastAnswerAtMs;
  }

  /** The runner sent something (a watch event, a call's answer, a health check's answer). */
  answered(nowMs: number, linkSynced: boolean): boolean {
    this.lastAnswerAtMs = Math.max(this.lastAnswerAtMs, nowMs);
    return linkSynced ? this.clear() : false;
  }

  heartbeat(outcome: HeartbeatOutcome, nowMs: number, linkSynced: boolean): boolean {
    switch (outcome) {
      case 'answered':
        return this.answered(nowMs, linkSynced);
      case 'silent':
        if (this.silentSince !== undefined) return false;
        this.silentSince = this.lastAnswerAtMs;
        return true;
      case 'refused':
        return this.clear();
    }
  }

  /** The link (re)synced: the runner answered everything it had to. */
  synced(nowMs: number): boolean {
    return this.answered(nowMs, true);
  }

  private clear(): boolean {
    if (this.silentSince === undefined) return false;
    this.silentSince = undefined;
    return true;
  }
}
