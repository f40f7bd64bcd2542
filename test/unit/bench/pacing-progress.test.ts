import { expect } from 'chai';
import { paced, pooled, type PacingClock } from '../../../bench/pacing.js';
import { Progress, formatProgressLine } from '../../../bench/progress.js';
import { CleanupStack } from '../../../bench/cleanup-stack.js';
import { resultFileName } from '../../../bench/results-file.js';
import { benchPod, podNames } from '../../../bench/bench-pod.js';

/** A clock whose sleep advances time instantly, recording when each call started. */
function fakeClock(): PacingClock & { t: number } {
  const clock = {
    t: 1000,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
    },
  };
  return clock;
}

describe('bench pacing', () => {
  it('paced starts call i at start + i/rate without waiting for earlier calls', async () => {
    const clock = fakeClock();
    const startedAt: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const run = paced(
      4,
      20,
      async (i) => {
        startedAt.push(clock.now());
        await (i === 0 ? gate : Promise.resolve());
      },
      { clock },
    );
    await new Promise((r) => setImmediate(r));
    expect(startedAt).to.deep.equal([1000, 1050, 1100, 1150]);
    release();
    expect(await run).to.deep.equal({ ok: 4, failed: 0, errors: [] });
  });

  it('paced and pooled count failures instead of stopping', async () => {
    const failOdd = async (i: number): Promise<void> => {
      if (i % 2) throw new Error(`no ${i}`);
    };
    expect(await paced(4, 1000, failOdd, { clock: fakeClock() })).to.deep.equal({
      ok: 2,
      failed: 2,
      errors: ['no 1', 'no 3'],
    });
    expect((await pooled(5, 2, failOdd)).failed).to.equal(2);
  });

  it('pooled never has more than `concurrency` calls in flight and runs each once', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await pooled(10, 3, async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      seen.push(i);
      await new Promise((r) => setImmediate(r));
      inFlight--;
    });
    expect(peak).to.equal(3);
    expect(seen.sort((a, b) => a - b)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('paced rejects when aborted', async () => {
    const abort = new AbortController();
    abort.abort(new Error('stop'));
    let calls = 0;
    const clock = fakeClock();
    await paced(3, 1, async () => void calls++, { clock, signal: abort.signal }).then(
      () => expect.fail('should reject'),
      (err: Error) => expect(err.message).to.equal('stop'),
    );
    expect(calls).to.equal(0);
  });
});

describe('bench progress', () => {
  it('formats a bar, the count and elapsed seconds', () => {
    expect(formatProgressLine('burst', 5, 10, 1500, 10)).to.equal('burst  [#####.....] 5/10  1.5s');
    expect(formatProgressLine('wait', 0, 0, 2000, 10, 'x')).to.equal('wait  2.0s  x');
  });

  it('off a TTY prints plain lines, throttled, with the final line always shown', () => {
    const out: string[] = [];
    let t = 0;
    const p = new Progress({ isTTY: false, write: (s) => out.push(s) }, () => t, 5000);
    p.start('phase', 10);
    t = 1000;
    p.update(3);
    t = 6000;
    p.update(4);
    p.finish('done');
    expect(out).to.deep.equal([
      'phase  [..............................] 0/10  0.0s\n',
      'phase  [############..................] 4/10  6.0s\n',
      'phase  [############..................] 4/10  6.0s  done\n',
    ]);
    expect(out.join('')).not.to.contain('\r');
  });

  it('on a TTY rewrites one line and clears it before logging', () => {
    const out: string[] = [];
    const p = new Progress({ isTTY: true, columns: 80, write: (s) => out.push(s) }, () => 0);
    p.start('phase', 2);
    p.log('hello');
    expect(out[0]?.startsWith('\r\x1b[2Kphase')).to.equal(true);
    expect(out[1]).to.equal('\r\x1b[2K');
    expect(out[2]).to.equal('hello\n');
    expect(out[3]?.startsWith('\r\x1b[2Kphase')).to.equal(true);
  });
});

describe('bench helpers', () => {
  it('clean-up runs in reverse order, once, past failures', async () => {
    const ran: string[] = [];
    const reports: string[] = [];
    const stack = new CleanupStack();
    stack.push('a', () => void ran.push('a'));
    stack.push('b', () => {
      throw new Error('b broke');
    });
    stack.push('c', async () => void ran.push('c'));
    await Promise.all([stack.runAll((m) => reports.push(m)), stack.runAll((m) => reports.push(m))]);
    await stack.runAll((m) => reports.push(m));
    expect(ran).to.deep.equal(['c', 'a']);
    expect(reports).to.deep.equal(['clean-up "b" failed: b broke']);
  });

  it('names result files by UTC time and short commit', () => {
    expect(resultFileName('2026-11-22T22:14:34.123Z', '0123456789abcdef0123')).to.equal(
      '2026-11-22-221434Z-0123456789ab.json',
    );
    expect(resultFileName('2026-11-22T22:14:34.123Z', '')).to.equal('2026-11-22-221434Z-nocommit.json');
  });

  it('bench pods bind directly or through the scheduler, never restart and mount no token', () => {
    const direct = benchPod({
      name: 'p',
      scenario: 's',
      nodeName: 'n',
      command: ['true'],
      viaScheduler: false,
    });
    const spec = direct['spec'] as Record<string, unknown>;
    expect(spec['nodeName']).to.equal('n');
    expect(spec['restartPolicy']).to.equal('Never');
    expect(spec['automountServiceAccountToken']).to.equal(false);
    expect(spec).not.to.have.property('terminationGracePeriodSeconds');
    const scheduled = benchPod({
      name: 'p',
      scenario: 's',
      nodeName: 'n',
      command: ['true'],
      viaScheduler: true,
    });
    expect(scheduled['spec']).not.to.have.property('nodeName');
    expect((scheduled['spec'] as Record<string, unknown>)['nodeSelector']).to.deep.equal({
      'vk-cmd.io/bench-node': 'n',
    });
    expect(podNames('x', 3)).to.deep.equal(['x-0000', 'x-0001', 'x-0002']);
    expect(podNames('x', 12345)[12344]).to.equal('x-12344');
  });
});
