import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runCommand } from '../../e2e/support/commands.js';
import { REPO_ROOT } from '../../e2e/support/paths.js';

const SBATCH_SCRIPT = path.join(REPO_ROOT, 'deploy', 'hpc', 'vk-cmd.sbatch');

/** A shell command that prints the local time `seconds` from now as scontrol does. */
const endTimeIn = (seconds: number): string =>
  `$(date -d "@$(($(date +%s) + ${seconds}))" +%Y-%m-%dT%H:%M:%S)`;
const SQUEUE_DOWN = 'echo "squeue: error: Unable to contact slurm controller" >&2; exit 1';
const SCONTROL_DOWN = 'echo "slurm_load_jobs error: Unable to contact slurm controller" >&2; exit 1';
const scontrolJob = (fields: string): string =>
  `echo "JobId=42 JobName=vk-cmd UserId=me(1000) JobState=RUNNING ${fields} Partition=debug"`;

/**
 * How vk-cmd.sbatch derives JIRIAF_WALLTIME (vk_walltime), with squeue and
 * scontrol replaced by scripts that answer as Slurm would, or fail as Slurm
 * does when slurmctld cannot be reached. The real commands are exercised by
 * test/e2e/slurm.test.ts; here every fallback is reached on purpose.
 */
describe('Slurm: the walltime vk-cmd.sbatch derives from the job', function () {
  this.timeout(60_000);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-walltime-'));
  after(() => rmSync(workDir, { recursive: true, force: true }));

  const cases: Array<{
    name: string;
    squeue: string;
    scontrol?: string;
    env?: Record<string, string>;
    /** SLURM_JOB_END_TIME, this many seconds from now. */
    jobEndIn?: number;
    /** vk_walltime's output, or undefined when it must fail. */
    walltime: string | undefined;
    stderr?: RegExp[];
  }> = [
    {
      name: 'the time squeue gives, less the default 120 s margin, in whole minutes',
      squeue: 'echo "  1:05:30"',
      walltime: String(3900 - 120),
    },
    {
      name: 'days, with no margin',
      squeue: 'echo 2-00:00:30',
      env: { VK_CMD_WALLTIME_MARGIN_SECONDS: '0' },
      walltime: String(2 * 86400),
    },
    {
      name: 'minutes:seconds',
      squeue: 'echo 10:00',
      env: { VK_CMD_WALLTIME_MARGIN_SECONDS: '0' },
      walltime: '600',
    },
    { name: 'no limit for a job without one', squeue: 'echo UNLIMITED', walltime: '0' },
    {
      name: 'scontrol show job when squeue fails',
      squeue: SQUEUE_DOWN,
      scontrol: scontrolJob(`TimeLimit=01:00:00 StartTime=2024-01-01T00:00:00 EndTime=${endTimeIn(3630)}`),
      // 3629 or 3630 s left, less 120.
      walltime: '3480',
      stderr: [/Unable to contact slurm controller/, /WARNING: squeue -h -j 42 -o %L failed \(exit 1\)/],
    },
    {
      name: 'no limit from scontrol when squeue fails on a job without one',
      squeue: SQUEUE_DOWN,
      scontrol: scontrolJob('TimeLimit=UNLIMITED EndTime=Unknown'),
      walltime: '0',
    },
    {
      name: 'scontrol when squeue answers with something that is not a time',
      squeue: 'echo NOT_SET',
      scontrol: scontrolJob(`TimeLimit=00:20:00 EndTime=${endTimeIn(1230)}`),
      walltime: '1080',
      stderr: [/WARNING: squeue gave no time left for job 42 \('NOT_SET'\)/],
    },
    {
      name: 'SLURM_JOB_END_TIME when squeue and scontrol both fail',
      squeue: SQUEUE_DOWN,
      scontrol: SCONTROL_DOWN,
      jobEndIn: 630,
      walltime: '480',
      stderr: [/WARNING: scontrol show job 42 failed \(exit 1\)/, /using SLURM_JOB_END_TIME=/],
    },
    {
      name: 'no walltime, loudly, when nothing tells the time left',
      squeue: SQUEUE_DOWN,
      scontrol: SCONTROL_DOWN,
      walltime: '0',
      stderr: [/WARNING: cannot tell how long job 42 has left; the node gets no walltime/],
    },
    {
      name: 'a failure when less than a minute is left after the margin',
      squeue: 'echo 2:30',
      walltime: undefined,
      stderr: [/less than a minute of the allocation is left after the 120 s margin \(150 s left\)/],
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const bin = mkdtempSync(path.join(workDir, 'bin-'));
      const fake = (name: string, body: string): void => {
        writeFileSync(path.join(bin, name), `#!/bin/bash\n${body}\n`);
        chmodSync(path.join(bin, name), 0o755);
      };
      fake('squeue', c.squeue);
      fake('scontrol', c.scontrol ?? 'echo "scontrol must not be needed here" >&2; exit 99');
      const env: NodeJS.ProcessEnv = {
        PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
        HOME: workDir,
        SLURM_JOB_ID: '42',
        ...c.env,
      };
      if (c.jobEndIn !== undefined) {
        env['SLURM_JOB_END_TIME'] = String(Math.floor(Date.now() / 1000) + c.jobEndIn);
      }
      const result = await runCommand('bash', ['-c', 'source "$1" && vk_walltime', 'bash', SBATCH_SCRIPT], {
        env,
      });
      if (c.walltime === undefined) {
        expect(result.code, result.stderr).to.not.equal(0);
      } else {
        expect(result.code, result.stderr).to.equal(0);
        expect(result.stdout.trim(), result.stderr).to.equal(c.walltime);
      }
      for (const pattern of c.stderr ?? []) expect(result.stderr).to.match(pattern);
      if (!c.scontrol) expect(result.stderr).to.not.contain('scontrol must not be needed');
    });
  }

  it('defaults the margin to the lead of the stop signal the script asks Slurm for', () => {
    const script = readFileSync(SBATCH_SCRIPT, 'utf8');
    const lead = /^#SBATCH --signal=B:TERM@(\d+)$/m.exec(script)?.[1];
    const margin = /\$\{VK_CMD_WALLTIME_MARGIN_SECONDS:-(\d+)\}/.exec(script)?.[1];
    expect(lead).to.match(/^\d+$/);
    expect(margin, 'so jiriaf.alivetime reaches 0 when the node stops').to.equal(lead);
  });

  it('is sourced without running anything', async () => {
    const dir = path.join(workDir, 'sourced');
    mkdirSync(dir);
    const result = await runCommand('bash', ['-c', 'source "$1" && echo sourced', 'bash', SBATCH_SCRIPT], {
      env: { PATH: '/usr/bin:/bin', HOME: dir },
      cwd: dir,
    });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout.trim()).to.equal('sourced');
    expect(result.stderr).to.equal('');
  });
});
