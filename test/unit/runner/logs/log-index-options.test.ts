import { expect } from 'chai';
import type { GetLogsRequest__Output } from '../../../../src/generated/vkcmd/runner/v1/GetLogsRequest.js';
import { LogTimeIndex } from '../../../../src/runner/logs/log-index.js';
import { logRunFor, parseLogOptions, timestampPrefix } from '../../../../src/runner/logs/log-options.js';
import { waiting, type ContainerStateValue } from '../../../../src/runner/pods/pod-record.js';

function req(over: Partial<GetLogsRequest__Output> = {}): GetLogsRequest__Output {
  return {
    uid: 'u',
    namespace: '',
    name: '',
    container: 'c1',
    follow: false,
    timestamps: false,
    stream: 'LOG_STREAM_ALL',
    previous: false,
    ...over,
  };
}

describe('log-index: LogTimeIndex', () => {
  it('gives each byte the time of the first observation that covered it', () => {
    const idx = new LogTimeIndex();
    expect(idx.record(10, 1000)).to.equal(true);
    expect(idx.record(10, 1500)).to.equal(false);
    expect(idx.record(25, 2000)).to.equal(true);
    expect([0, 9, 10, 24, 25].map((o) => idx.timeOf(o))).to.deep.equal([1000, 1000, 2000, 2000, undefined]);
  });

  it('finds the first offset seen at or after a time', () => {
    const idx = new LogTimeIndex([
      [10, 1000],
      [25, 2000],
      [40, 3000],
    ]);
    expect(idx.offsetSince(0)).to.equal(0);
    expect(idx.offsetSince(1500)).to.equal(10);
    expect(idx.offsetSince(3000)).to.equal(25);
    expect(idx.offsetSince(5000)).to.equal(40);
  });

  it('never goes back in time and stays bounded, keeping the last entry', () => {
    const idx = new LogTimeIndex([], 8);
    for (let i = 1; i <= 100; i++) idx.record(i * 10, 1000 + i);
    idx.record(2000, 5); // a clock step back
    expect(idx.size).to.be.at.most(8);
    expect(idx.indexedBytes).to.equal(2000);
    expect(idx.timeOf(1995)).to.equal(1100);
    const json = idx.toJSON();
    for (let i = 1; i < json.length; i++) {
      expect(json[i]![0]).to.be.greaterThan(json[i - 1]![0]);
      expect(json[i]![1]).to.be.at.least(json[i - 1]![1]);
    }
  });

  it('round-trips through JSON and ignores damaged entries', () => {
    const idx = LogTimeIndex.fromJSON([[5, 1], 'x', [3, 2], [9, 3], [10]]);
    expect(idx.toJSON()).to.deep.equal([
      [5, 1],
      [9, 3],
    ]);
    expect(LogTimeIndex.fromJSON('garbage').size).to.equal(0);
  });
});

describe('log-options: parseLogOptions', () => {
  const now = 1_000_000;
  it('defaults: both streams, no limits', () => {
    expect(parseLogOptions(req(), now)).to.deep.equal({
      streams: ['stdout', 'stderr'],
      follow: false,
      tailLines: undefined,
      sinceMs: undefined,
      limitBytes: undefined,
      timestamps: false,
      previous: false,
    });
  });
  const table: Array<[string, Partial<GetLogsRequest__Output>, Partial<ReturnType<typeof parseLogOptions>>]> =
    [
      ['stdout only', { stream: 'LOG_STREAM_STDOUT' }, { streams: ['stdout'] }],
      ['stderr only', { stream: 'LOG_STREAM_STDERR' }, { streams: ['stderr'] }],
      ['sinceSeconds', { sinceSeconds: 10 }, { sinceMs: now - 10_000 }],
      ['sinceTimeMs', { sinceTimeMs: 5 }, { sinceMs: 5 }],
      ['tail 0', { tailLines: 0 }, { tailLines: 0 }],
      ['previous turns follow off', { previous: true, follow: true }, { previous: true, follow: false }],
      ['by namespace and name', { uid: '', namespace: 'n', name: 'p' }, { streams: ['stdout', 'stderr'] }],
    ];
  for (const [what, over, expected] of table) {
    it(what, () => expect(parseLogOptions(req(over), now)).to.deep.include(expected));
  }
  const invalid: Array<[string, Partial<GetLogsRequest__Output>, string]> = [
    ['no container', { container: '' }, 'container: must not be empty'],
    ['no pod', { uid: '', namespace: 'n' }, 'uid: set uid, or namespace and name'],
    ['negative tail', { tailLines: -1 }, 'tailLines: -1 must be 0 or more'],
    ['zero limit', { limitBytes: 0 }, 'limitBytes: 0 must be 1 or more'],
    ['both since', { sinceSeconds: 1, sinceTimeMs: 1 }, 'sinceSeconds: cannot be combined with sinceTimeMs'],
    ['zero sinceSeconds', { sinceSeconds: 0 }, 'sinceSeconds: 0 must be 1 or more'],
  ];
  for (const [what, over, message] of invalid) {
    it(`refuses ${what}`, () => expect(() => parseLogOptions(req(over), now)).to.throw(message));
  }
  it('timestamps are RFC 3339 followed by a space', () => {
    expect(timestampPrefix(Date.UTC(2024, 0, 2, 3, 4, 5, 678))).to.equal('2024-01-02T03:04:05.678Z ');
  });
});

describe('log-options: which run GetLogs serves (as the kubelet decides)', () => {
  const ended: ContainerStateValue = {
    state: 'terminated',
    terminated: { exitCode: 1, signal: 0, reason: 'Error', message: '', startedAtMs: 1, finishedAtMs: 2 },
  };
  const running: ContainerStateValue = { state: 'running', running: { startedAtMs: 3 } };
  const backoff = waiting('CrashLoopBackOff', 'back-off 10s');
  const table: Array<[string, ContainerStateValue, ContainerStateValue | undefined, boolean, string]> = [
    ['running, current', running, undefined, false, 'current'],
    ['running after a restart, previous', running, ended, true, 'previous'],
    ['terminated, current', ended, undefined, false, 'current'],
    ['in back-off, previous: the run that just ended', backoff, ended, true, 'previous'],
    ['in back-off, current: also the run that just ended', backoff, ended, false, 'previous'],
    [
      'never restarted, previous',
      running,
      undefined,
      true,
      'previous terminated container "c1" in pod ns/p not found',
    ],
    [
      'not started yet',
      waiting('PodInitializing'),
      undefined,
      false,
      'container "c1" in pod ns/p is waiting to start: PodInitializing',
    ],
  ];
  for (const [what, state, lastState, previous, expected] of table) {
    it(what, () => {
      const run = () => logRunFor({ name: 'c1', state, lastState }, 'ns/p', previous);
      if (expected === 'current' || expected === 'previous') expect(run()).to.equal(expected);
      else expect(run).to.throw(expected);
    });
  }
});
