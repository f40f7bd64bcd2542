import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  RunnerLiveness,
  healthCheckDue,
  heartbeatIntervalMs,
  watchHeartbeatMs,
  heartbeatOutcome,
  type HeartbeatOutcome,
} from '../../../../src/kubelet/runner/runner-liveness.js';

function serviceError(code: grpc.status): grpc.ServiceError {
  return Object.assign(new Error(grpc.status[code]), { code, details: '', metadata: new grpc.Metadata() });
}

describe('runner liveness', () => {
  describe('heartbeatOutcome: what a health check says', () => {
    const cases: Array<[string, grpc.ServiceError | null, HeartbeatOutcome]> = [
      ['SERVING or NOT_SERVING (an answer)', null, 'answered'],
      ['no answer before the deadline', serviceError(grpc.status.DEADLINE_EXCEEDED), 'silent'],
      ['connection refused or closed', serviceError(grpc.status.UNAVAILABLE), 'refused'],
      ['the connection reset under the call', serviceError(grpc.status.CANCELLED), 'refused'],
      ['a runner without the health service', serviceError(grpc.status.UNIMPLEMENTED), 'answered'],
      ['a runner refusing the token', serviceError(grpc.status.UNAUTHENTICATED), 'answered'],
      ['an unknown service', serviceError(grpc.status.NOT_FOUND), 'answered'],
      ['an internal error', serviceError(grpc.status.INTERNAL), 'answered'],
    ];
    for (const [title, err, outcome] of cases) {
      it(`${title}: ${outcome}`, () => expect(heartbeatOutcome(err)).to.equal(outcome));
    }
    // A dial-in node whose runner has not connected (or whose connection went): absent, not silent.
    const absent: Array<[string, grpc.ServiceError | null, HeartbeatOutcome]> = [
      ['no runner attached, the deadline passed', serviceError(grpc.status.DEADLINE_EXCEEDED), 'refused'],
      ['no runner attached, refused', serviceError(grpc.status.UNAVAILABLE), 'refused'],
      ['the runner answered as it went', null, 'answered'],
    ];
    for (const [title, err, outcome] of absent) {
      it(`${title}: ${outcome}`, () => expect(heartbeatOutcome(err, false)).to.equal(outcome));
    }
  });

  describe('heartbeatIntervalMs: a quarter of the grace period, within [100 ms, 10 s]', () => {
    const cases: Array<[number, number]> = [
      [0, 100],
      [0.2, 100],
      [0.5, 125],
      [2, 500],
      [10, 2_500],
      [20, 5_000],
      [40, 10_000],
      [41, 10_000],
      [300, 10_000],
    ];
    for (const [graceSeconds, ms] of cases) {
      it(`${graceSeconds} s -> ${ms} ms`, () => expect(heartbeatIntervalMs(graceSeconds)).to.equal(ms));
    }
  });

  describe('watchHeartbeatMs: half the health check period', () => {
    const cases: Array<[number, number]> = [
      [100, 50],
      [125, 63],
      [500, 250],
      [5_000, 2_500],
    ];
    for (const [periodMs, ms] of cases) {
      it(`${periodMs} ms -> ${ms} ms`, () => expect(watchHeartbeatMs(periodMs)).to.equal(ms));
    }
  });

  describe('healthCheckDue: ask only a runner that sent nothing for a period', () => {
    const cases: Array<[string, number | undefined, number, boolean]> = [
      ['nothing noted yet (an older runner, or before the watch)', undefined, 10_000, true],
      ['a watch message just now', 9_990, 10_000, false],
      ['a watch heartbeat half a period ago', 7_500, 10_000, false],
      ['the last message just short of a period ago', 5_001, 10_000, false],
      ['nothing for a whole period (stopped, or no heartbeats)', 5_000, 10_000, true],
      ['nothing for longer', 1_000, 10_000, true],
    ];
    for (const [title, lastMs, nowMs, due] of cases) {
      it(`${title}: ${due ? 'ask' : 'skip'}`, () =>
        expect(healthCheckDue(lastMs, nowMs, 5_000)).to.equal(due));
    }
  });

  describe('RunnerLiveness', () => {
    type Step =
      | { at: number; heartbeat: HeartbeatOutcome; synced: boolean }
      | { at: number; answer: true; synced: boolean }
      | { at: number; linkSynced: true };
    const cases: Array<{ name: string; steps: Step[]; silentSince: Array<number | undefined> }> = [
      {
        name: 'answers keep it live',
        steps: [
          { at: 100, heartbeat: 'answered', synced: true },
          { at: 200, answer: true, synced: true },
        ],
        silentSince: [undefined, undefined],
      },
      {
        name: 'a missed deadline dates silence from the last answer; more silence keeps that date',
        steps: [
          { at: 100, heartbeat: 'answered', synced: true },
          { at: 150, answer: true, synced: true },
          { at: 400, heartbeat: 'silent', synced: true },
          { at: 700, heartbeat: 'silent', synced: false },
        ],
        silentSince: [undefined, undefined, 150, 150],
      },
      {
        name: 'an answer while synced ends silence',
        steps: [
          { at: 400, heartbeat: 'silent', synced: true },
          { at: 500, heartbeat: 'answered', synced: true },
        ],
        silentSince: [0, undefined],
      },
      {
        name: 'an answer while the link is down does not end it; the resync does',
        steps: [
          { at: 400, heartbeat: 'silent', synced: false },
          { at: 500, heartbeat: 'answered', synced: false },
          { at: 510, answer: true, synced: false },
          { at: 520, linkSynced: true },
        ],
        silentSince: [0, 0, 0, undefined],
      },
      {
        name: 'a refused check: the runner is gone, not silent',
        steps: [
          { at: 400, heartbeat: 'silent', synced: true },
          { at: 500, heartbeat: 'refused', synced: false },
          { at: 600, heartbeat: 'refused', synced: false },
        ],
        silentSince: [0, undefined, undefined],
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const liveness = new RunnerLiveness(0);
        const seen: Array<number | undefined> = [];
        let previous: number | undefined;
        for (const step of c.steps) {
          let changed: boolean;
          if ('heartbeat' in step) changed = liveness.heartbeat(step.heartbeat, step.at, step.synced);
          else if ('answer' in step) changed = liveness.answered(step.at, step.synced);
          else changed = liveness.synced(step.at);
          const now = liveness.silentSinceMs();
          expect(changed, `changed at ${step.at}`).to.equal(now !== previous);
          previous = now;
          seen.push(now);
        }
        expect(seen).to.deep.equal(c.silentSince);
      });
    }
  });
});
