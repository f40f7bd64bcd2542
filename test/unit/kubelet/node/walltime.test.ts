import { expect } from 'chai';
import {
  WALLTIME_DEADLINE_ANNOTATION as DEADLINE,
  WALLTIME_ORIGIN_ANNOTATION as ORIGIN,
  deadlineAnnotations,
  resolveDeadline,
  slurmJob,
  walltimeState,
  type DeadlineInputs,
  type WalltimeDeadline,
} from '../../../../src/kubelet/node/walltime.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const at = (offsetSeconds: number) =>
  new Date(NOW + offsetSeconds * 1000).toISOString().replace('.000Z', 'Z');

describe('resolveDeadline', () => {
  const cases: Array<[string, Omit<DeadlineInputs, 'nowMs'>, WalltimeDeadline | undefined]> = [
    [
      'no walltime, no Slurm job: none',
      { walltimeSeconds: 0, slurm: undefined, existing: undefined },
      undefined,
    ],
    [
      'JIRIAF_WALLTIME on a new Node: now + walltime',
      { walltimeSeconds: 60, slurm: undefined, existing: undefined },
      { deadlineMs: NOW + 60_000, walltimeSeconds: 60, origin: 'JIRIAF_WALLTIME=60' },
    ],
    [
      'a kubelet restart keeps the deadline the Node records for the same walltime',
      {
        walltimeSeconds: 60,
        slurm: undefined,
        existing: { annotations: { [DEADLINE]: at(25), [ORIGIN]: 'JIRIAF_WALLTIME=60' } },
      },
      { deadlineMs: NOW + 25_000, walltimeSeconds: 60, origin: 'JIRIAF_WALLTIME=60' },
    ],
    [
      'another walltime starts afresh',
      {
        walltimeSeconds: 120,
        slurm: undefined,
        existing: { annotations: { [DEADLINE]: at(25), [ORIGIN]: 'JIRIAF_WALLTIME=60' } },
      },
      { deadlineMs: NOW + 120_000, walltimeSeconds: 120, origin: 'JIRIAF_WALLTIME=120' },
    ],
    [
      'a deadline that passed (a new allocation) starts afresh',
      {
        walltimeSeconds: 60,
        slurm: undefined,
        existing: { annotations: { [DEADLINE]: at(-5), [ORIGIN]: 'JIRIAF_WALLTIME=60' } },
      },
      { deadlineMs: NOW + 60_000, walltimeSeconds: 60, origin: 'JIRIAF_WALLTIME=60' },
    ],
    [
      'an unreadable recorded deadline starts afresh',
      {
        walltimeSeconds: 60,
        slurm: undefined,
        existing: { annotations: { [DEADLINE]: 'soon', [ORIGIN]: 'JIRIAF_WALLTIME=60' } },
      },
      { deadlineMs: NOW + 60_000, walltimeSeconds: 60, origin: 'JIRIAF_WALLTIME=60' },
    ],
    [
      'JIRIAF_WALLTIME wins over the Slurm job',
      { walltimeSeconds: 60, slurm: { jobId: '7', endMs: NOW + 3_600_000 }, existing: undefined },
      { deadlineMs: NOW + 60_000, walltimeSeconds: 60, origin: 'JIRIAF_WALLTIME=60' },
    ],
    [
      'without JIRIAF_WALLTIME the Slurm job end is the deadline',
      { walltimeSeconds: 0, slurm: { jobId: '7', endMs: NOW + 3_599_500 }, existing: undefined },
      { deadlineMs: NOW + 3_599_500, walltimeSeconds: 3600, origin: 'slurm-job=7' },
    ],
    [
      'the same Slurm job keeps its jiriaf.walltime across restarts, and follows a moved end',
      {
        walltimeSeconds: 0,
        slurm: { jobId: '7', endMs: NOW + 7_200_000 },
        existing: { labels: { 'jiriaf.walltime': '3600' }, annotations: { [ORIGIN]: 'slurm-job=7' } },
      },
      { deadlineMs: NOW + 7_200_000, walltimeSeconds: 3600, origin: 'slurm-job=7' },
    ],
    [
      'another Slurm job starts afresh',
      {
        walltimeSeconds: 0,
        slurm: { jobId: '8', endMs: NOW + 600_000 },
        existing: { labels: { 'jiriaf.walltime': '3600' }, annotations: { [ORIGIN]: 'slurm-job=7' } },
      },
      { deadlineMs: NOW + 600_000, walltimeSeconds: 600, origin: 'slurm-job=8' },
    ],
  ];
  for (const [name, inputs, want] of cases) {
    it(name, () => expect(resolveDeadline({ ...inputs, nowMs: NOW })).to.deep.equal(want));
  }

  it('records the deadline in annotations, and clears them without one', () => {
    expect(
      deadlineAnnotations({ deadlineMs: NOW + 60_000, walltimeSeconds: 60, origin: 'JIRIAF_WALLTIME=60' }),
    ).to.deep.equal({
      [DEADLINE]: '2025-06-01T12:01:00Z',
      [ORIGIN]: 'JIRIAF_WALLTIME=60',
    });
    expect(deadlineAnnotations(undefined)).to.deep.equal({ [DEADLINE]: null, [ORIGIN]: null });
  });

  it("reads the runner's Slurm job", () => {
    expect(slurmJob({ slurmJobId: '12', slurmJobEndMs: 5 })).to.deep.equal({ jobId: '12', endMs: 5 });
    expect(slurmJob({ slurmJobId: '', slurmJobEndMs: 0 })).to.equal(undefined);
    expect(slurmJob(undefined)).to.equal(undefined);
  });
});

describe('walltimeState', () => {
  const start = 1_000_000;
  const cases: Array<
    [
      string,
      number,
      number,
      { aliveSeconds: number | undefined; expired: boolean; nextRefreshMs: number | undefined },
    ]
  > = [
    ['no walltime', 0, 5000, { aliveSeconds: undefined, expired: false, nextRefreshMs: undefined }],
    ['far away: every 60 s', 3600, 0, { aliveSeconds: 3600, expired: false, nextRefreshMs: 60_000 }],
    [
      'last two minutes: every 10 s',
      3600,
      3500_000,
      { aliveSeconds: 100, expired: false, nextRefreshMs: 10_000 },
    ],
    ['lands on the expiry', 25, 20_500, { aliveSeconds: 4, expired: false, nextRefreshMs: 4500 }],
    ['expired', 25, 25_000, { aliveSeconds: 0, expired: true, nextRefreshMs: undefined }],
    ['long expired', 25, 99_000, { aliveSeconds: 0, expired: true, nextRefreshMs: undefined }],
  ];
  for (const [name, wall, elapsed, want] of cases) {
    it(name, () => {
      const deadline = wall > 0 ? { deadlineMs: start + wall * 1000 } : undefined;
      expect(walltimeState(deadline, start + elapsed)).to.deep.equal(want);
    });
  }
});
