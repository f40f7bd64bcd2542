import { expect } from 'chai';
import { CallLimiter } from '../../../../src/kubelet/runner/call-limiter.js';

/** A task the test finishes by hand. */
function gate<T>(value: T): {
  task: () => Promise<T>;
  started: () => boolean;
  finish: () => void;
  fail: () => void;
} {
  let resolve: (v: T) => void = () => undefined;
  let reject: (e: Error) => void = () => undefined;
  let started = false;
  return {
    task: () =>
      new Promise<T>((res, rej) => {
        started = true;
        resolve = res;
        reject = rej;
      }),
    started: () => started,
    finish: () => resolve(value),
    fail: () => reject(new Error(`task ${String(value)} failed`)),
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('CallLimiter', () => {
  it('runs at most `limit` tasks at once and starts the waiting ones in order', async () => {
    const limiter = new CallLimiter(2);
    const gates = [0, 1, 2, 3, 4].map((i) => gate(i));
    const results = gates.map((g) => limiter.run(g.task));
    await tick();
    expect(gates.map((g) => g.started())).to.deep.equal([true, true, false, false, false]);
    expect(limiter.load).to.deep.equal({ running: 2, waiting: 3 });
    gates[1]!.finish();
    await tick();
    expect(gates.map((g) => g.started())).to.deep.equal([true, true, true, false, false]);
    gates[0]!.fail();
    await tick();
    expect(gates.map((g) => g.started())).to.deep.equal([true, true, true, true, false]);
    for (const g of gates.slice(2)) {
      g.finish();
      await tick();
    }
    const settled = await Promise.allSettled(results);
    expect(
      settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message)),
    ).to.deep.equal(['task 0 failed', 1, 2, 3, 4]);
    expect(limiter.load).to.deep.equal({ running: 0, waiting: 0 });
  });

  it('refuses a limit below 1', () => {
    expect(() => new CallLimiter(0)).to.throw(RangeError);
  });
});
