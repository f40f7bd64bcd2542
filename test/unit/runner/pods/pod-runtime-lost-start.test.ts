import { expect } from 'chai';
import type { LaunchResult } from '../../../../src/runner/process/launch-plan.js';
import type { ContainerRecord } from '../../../../src/runner/pods/pod-record.js';
import { PodRuntime } from '../../../../src/runner/pods/pod-runtime.js';
import type { StartOutcome } from '../../../../src/runner/pods/start-resolution.js';
import { FakeWorld, record } from '../support/fake-world.js';

const LOST: LaunchResult = { ok: false, reason: 'cmdStartError', message: 'the launcher died', lost: true };

/** A pod whose first launch is lost (the launcher died) and whose lost start settles as `outcome`. */
function lostOnce(w: FakeWorld, outcome: StartOutcome | undefined, withSettle = true) {
  const deps = w.deps();
  const tokens: string[] = [];
  const asked: string[] = [];
  let first = true;
  const pod = new PodRuntime(record([{ name: 'c1' }], 'Never'), {
    ...deps,
    launch: (plan, dir, token, cgroup) => {
      tokens.push(token);
      if (first) {
        first = false;
        return LOST;
      }
      return deps.launch(plan, dir, token, cgroup);
    },
    ...(withSettle
      ? {
          settleLostStart: (c: ContainerRecord) => {
            asked.push(c.launchToken ?? '');
            return outcome;
          },
        }
      : {}),
  });
  pod.advance();
  return { pod, c: pod.record.containers[0]!, tokens, asked };
}

describe('pod-runtime: a start the launcher lost is settled from evidence', () => {
  it('never begun (claimed): started once more with a new token; the claimed run file stays', () => {
    const w = new FakeWorld();
    // What the settling found: the runner claimed the run file, so the lost start can never begin.
    w.runs.set('/r/ns/p-u1/containers/c1/t1', { state: 'claimed' });
    const { c, tokens, asked } = lostOnce(w, { kind: 'start-again' });
    expect(asked).to.deep.equal(['t1']);
    expect(tokens).to.deep.equal(['t1', 't2']);
    expect([c.state.state, c.launching, c.launchToken]).to.deep.equal(['running', false, 't2']);
    expect(w.launches).to.have.length(1);
    expect(w.runs.get('/r/ns/p-u1/containers/c1/t1')).to.deep.equal({ state: 'claimed' });
  });

  it('began and alive: adopted (pgid file written), never started again', () => {
    const w = new FakeWorld();
    const { c, tokens } = lostOnce(w, { kind: 'adopt', pgid: 7100, leaderStartTicks: 9, startedAtMs: 3 });
    expect(tokens).to.deep.equal(['t1']);
    expect([c.state.state, c.launching, c.pgid, c.leaderStartTicks]).to.deep.equal([
      'running',
      false,
      7100,
      9,
    ]);
    expect(w.pgidFiles.get(c.dir)).to.equal(7100);
    expect(w.ends.has(7100)).to.equal(true);
  });

  it('began and already ended: terminated with the code its run file holds', () => {
    const w = new FakeWorld();
    const { c, tokens } = lostOnce(w, { kind: 'exited', exitCode: 42, startedAtMs: 3, finishedAtMs: 4 });
    expect(tokens).to.deep.equal(['t1']);
    expect(
      c.state.state === 'terminated' && [c.state.terminated.exitCode, c.state.terminated.reason],
    ).to.deep.equal([42, 'Error']);
  });

  it('no evidence: stays launching for the next runner; nothing starts again', () => {
    const w = new FakeWorld();
    const { c, tokens } = lostOnce(w, undefined);
    expect(tokens).to.deep.equal(['t1']);
    expect([c.state.state, c.launching]).to.deep.equal(['waiting', true]);
  });

  it('without a settle function the lost start fails as a start error', () => {
    const w = new FakeWorld();
    const { c } = lostOnce(w, undefined, false);
    expect(c.state.state === 'terminated' && c.state.terminated.reason).to.equal('cmdStartError');
    expect(c.state.state === 'terminated' && c.state.terminated.message).to.match(/the launcher died/);
  });
});
