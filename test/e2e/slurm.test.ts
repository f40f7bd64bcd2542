import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
import { parseEnvFile } from './support/cluster.js';
import { mustRun, runCommand } from './support/commands.js';
import {
  containerState,
  core,
  createNamespace,
  hasPhase,
  isRunning,
  kc,
  kubectl,
  mustKubectl,
  testCluster,
  waitForPod,
} from './support/e2e-env.js';
import { scriptPod, wikiExample } from './support/manifests.js';
import { REPO_ROOT } from './support/paths.js';
import { groupIsAlive, processesMatching } from './support/processes.js';
import { freePort } from '../support/free-port.js';
import { eventually, waitForGone, waitForObject } from './support/wait.js';

const SBATCH_SCRIPT = path.join(REPO_ROOT, 'deploy', 'hpc', 'vk-cmd.sbatch');
const readyStatus = (node: V1Node): string | undefined =>
  node.status?.conditions?.find((c) => c.type === 'Ready')?.status;

/** Asserts that `needles` occur in `text` in this order. */
function expectInOrder(text: string, needles: string[]): void {
  let from = 0;
  for (const needle of needles) {
    const at = text.indexOf(needle, from);
    expect(at, `"${needle}" after position ${from} in:\n${text}`).to.be.at.least(0);
    from = at + needle.length;
  }
}

/** One sbatch of deploy/hpc/vk-cmd.sbatch and the vk-cmd node it makes. */
interface NodeJob {
  id: string;
  nodeName: string;
  kubeletPort: number;
  dir: string;
  rootDir: string;
  logDir: string;
}

describe('Slurm: deploy/hpc/vk-cmd.sbatch in a real allocation', function () {
  this.timeout(600_000);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-e2e-slurm-'));
  const slurmDir = path.join(workDir, 'slurm');
  const jobs: NodeJob[] = [];
  let slurmEnv: NodeJS.ProcessEnv = {};
  let slurmStarted = false;

  const slurm = (cmd: string, args: string[]): Promise<string> =>
    mustRun(cmd, args, { env: slurmEnv, timeoutMs: 30_000 });
  const jobOutput = (job: NodeJob): string => {
    const file = path.join(job.dir, `job-${job.id}.out`);
    return existsSync(file) ? readFileSync(file, 'utf8') : '(no job output yet)';
  };
  const diagnostics = (job: NodeJob): string =>
    [
      `--- job output\n${jobOutput(job)}`,
      ...['', '-runner'].map((suffix) => {
        const file = path.join(job.logDir, `${job.nodeName}${suffix}.log`);
        const text = existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-40).join('\n') : '';
        return `--- ${file}\n${text}`;
      }),
    ].join('\n');
  const withDiagnostics =
    (job: NodeJob) =>
    (err: Error): never => {
      throw new Error(`${err.message}\n${diagnostics(job)}`, { cause: err });
    };

  /** Submits the batch script for a new node; `env` adds to or overrides the defaults. */
  async function submit(label: string, sbatchArgs: string[], env: NodeJS.ProcessEnv): Promise<NodeJob> {
    const nodeName = `vk-slurm-${label}-${Math.random().toString(36).slice(2, 7)}`;
    const dir = path.join(workDir, nodeName);
    const job: NodeJob = {
      id: '',
      nodeName,
      kubeletPort: await freePort(),
      dir,
      rootDir: path.join(dir, 'root'),
      logDir: path.join(dir, 'logs'),
    };
    mkdirSync(job.rootDir, { recursive: true });
    mkdirSync(job.logDir);
    jobs.push(job);
    job.id = (
      await mustRun(
        'sbatch',
        [
          '--parsable',
          ...sbatchArgs,
          `--output=${path.join(dir, 'job-%j.out')}`,
          `--chdir=${dir}`,
          '--export=ALL',
          SBATCH_SCRIPT,
        ],
        {
          env: {
            ...slurmEnv,
            KUBECONFIG: testCluster().kubeconfigPath,
            VK_BIN: path.join(REPO_ROOT, 'bin'),
            NODENAME: nodeName,
            KUBELET_PORT: String(job.kubeletPort),
            VKUBELET_POD_IP: '127.0.0.1',
            JIRIAF_NODETYPE: 'cpu',
            JIRIAF_SITE: 'mylin',
            VK_CMD_KUBELET_MODE: 'local',
            VK_CMD_KUBELET_ARGS: `--node-labels e2e.vk-cmd.io/node=${nodeName}`,
            VK_CMD_ROOT_DIR: job.rootDir,
            VK_CMD_LOG_DIR: job.logDir,
            VK_CMD_POD_GRACE_SECONDS: '5',
            ...env,
          },
          timeoutMs: 30_000,
        },
      )
    )
      .trim()
      .split(';')[0]!;
    expect(job.id).to.match(/^\d+$/);
    return job;
  }

  const waitReady = (job: NodeJob): Promise<V1Node> =>
    waitForObject<V1Node>(
      kc(),
      '/api/v1/nodes',
      { fieldSelector: `metadata.name=${job.nodeName}` },
      (n) => readyStatus(n) === 'True',
      120_000,
      `node ${job.nodeName} Ready`,
    ).catch(withDiagnostics(job));

  /** The node's walltime label: the job's time left less `margin`, in whole minutes. */
  function expectWalltime(node: V1Node, timeLimitSeconds: number, margin: number): void {
    const walltime = Number(node.metadata?.labels?.['jiriaf.walltime']);
    expect(walltime % 60, `jiriaf.walltime=${walltime}`).to.equal(0);
    // The job started moments ago: at most a minute of its time is gone.
    expect(walltime).to.be.within(timeLimitSeconds - margin - 60, timeLimitSeconds - margin);
    expect(Number(node.metadata?.labels?.['jiriaf.alivetime'])).to.be.within(1, walltime);
  }

  /** Starts a pod running `script` on the job's node; resolves with its process group. */
  async function startPod(job: NodeJob, namespace: string, name: string, script: string): Promise<number> {
    await mustKubectl(
      ['apply', '-n', namespace, '-f', '-'],
      scriptPod({ name, nodeName: job.nodeName, script, terminationGracePeriodSeconds: 5 }),
    );
    await waitForPod(namespace, name, isRunning('c1'), 60_000, 'running').catch(withDiagnostics(job));
    const pgid = Number.parseInt(
      readFileSync(path.join(job.rootDir, namespace, name, 'containers', 'c1', 'pgid'), 'utf8'),
      10,
    );
    expect(groupIsAlive(pgid)).to.equal(true);
    return pgid;
  }

  const runnerPids = (job: NodeJob): number[] => processesMatching(`--root-dir ${job.rootDir}`);
  const kubeletPids = (job: NodeJob): number[] => processesMatching(`--nodename ${job.nodeName} `);

  const waitJobGone = (job: NodeJob, timeoutMs = 90_000): Promise<void> =>
    eventually(
      async () =>
        (await runCommand('squeue', ['-h', '-j', job.id, '-o', '%T'], { env: slurmEnv })).stdout.trim() ===
        '',
      timeoutMs,
      `job ${job.id} to leave the queue`,
    ).catch(withDiagnostics(job));

  /** The script ended the job itself, cleanly: not cancelled, not timed out. */
  async function expectJobCompleted(job: NodeJob): Promise<void> {
    const record = await slurm('scontrol', ['show', 'job', '-o', job.id]);
    expect(record).to.match(/ JobState=COMPLETED /);
    expect(record).to.match(/ ExitCode=0:0 /);
  }

  function expectEverythingStopped(job: NodeJob, pgid: number): void {
    expect(jobOutput(job)).to.match(new RegExp(` vk-cmd\\[${job.nodeName}\\]: stopped$`, 'm'));
    expect(groupIsAlive(pgid), `pod process group ${pgid} is gone`).to.equal(false);
    expect(runnerPids(job), 'runner processes left').to.deep.equal([]);
    expect(kubeletPids(job), 'kubelet processes left').to.deep.equal([]);
  }

  /** The allocation took its node along: the kubelet deleted its Node and Lease on the way out. */
  const waitNodeGone = async (job: NodeJob): Promise<void> => {
    const name = `metadata.name=${job.nodeName}`;
    await waitForGone(kc(), '/api/v1/nodes', name, 120_000, `node ${job.nodeName} deleted`);
    await waitForGone(
      kc(),
      '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
      name,
      120_000,
      `lease of ${job.nodeName} deleted`,
    );
  };

  before(async function () {
    if (process.getuid?.() !== 0) {
      throw new Error(
        'the Slurm end-to-end test must run as root (CI does): it installs Slurm with apt-get and runs slurmctld and slurmd',
      );
    }
    const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
    slurmStarted = true;
    await mustRun('bash', [path.join(REPO_ROOT, 'scripts', 'slurm', 'slurm-up.sh')], {
      env: {
        ...process.env,
        SLURM_TEST_DIR: slurmDir,
        SLURMCTLD_PORT: String(ctldPort),
        SLURMD_PORT: String(slurmdPort),
      },
      timeoutMs: 540_000,
    });
    const env = parseEnvFile(readFileSync(path.join(slurmDir, 'env'), 'utf8'));
    slurmEnv = { ...process.env, SLURM_CONF: env['SLURM_CONF'] };
  });

  after(async function () {
    for (const job of jobs) if (job.id) await runCommand('scancel', [job.id], { env: slurmEnv });
    if (slurmStarted) {
      await runCommand('bash', [path.join(REPO_ROOT, 'scripts', 'slurm', 'slurm-down.sh')], {
        env: { ...process.env, SLURM_TEST_DIR: slurmDir },
        timeoutMs: 120_000,
      });
    }
    for (const job of jobs) {
      await core()
        .deleteNode({ name: job.nodeName })
        .catch(() => undefined);
    }
    if (!process.env['KEEP_E2E_NODE_DIRS']) rmSync(workDir, { recursive: true, force: true });
  });

  it('joins with the allocation walltime, runs the wiki example, and stops cleanly on scancel', async () => {
    // The signal is due well after the test is done (Slurm may send it up to
    // 60 s early): the TERM this test checks is scancel's, which reaches
    // every process of the job at once.
    const job = await submit('scancel', ['--time=3', '--signal=B:TERM@20'], {
      VK_CMD_WALLTIME_MARGIN_SECONDS: '20',
    });
    const node = await waitReady(job);
    expectWalltime(node, 180, 20);
    expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).to.equal(job.kubeletPort);

    const namespace = await createNamespace('slurm');
    const { yaml } = wikiExample({ nodeName: job.nodeName, args: ['2', '1'], restartPolicy: 'Never' });
    await mustKubectl(['apply', '-n', namespace, '-f', '-'], yaml);
    const done = await waitForPod(namespace, 'p1', hasPhase('Succeeded'), 90_000, 'Succeeded').catch(
      withDiagnostics(job),
    );
    expect(containerState(done, 'c1')?.state?.terminated?.reason).to.equal('Completed');
    // It ran inside the allocation, under the job's root dir.
    const stdout = path.join(job.rootDir, namespace, 'p1', 'containers', 'c1', 'stdout');
    expect(readFileSync(stdout, 'utf8')).to.contain('done');
    expect(await mustKubectl(['logs', '-n', namespace, 'p1', '-c', 'c1'])).to.contain('stressing 1 cpu(s)');

    // A pod still running when the job is cancelled.
    const pgid = await startPod(job, namespace, 'sleeper', 'sleep 600\n');
    expect(runnerPids(job), 'the runner runs').to.not.deep.equal([]);
    const kubelets = kubeletPids(job);
    expect(kubelets, 'the kubelet runs').to.not.deep.equal([]);
    // The node leaves the cluster with the allocation.
    expect(readFileSync(`/proc/${kubelets[0]}/environ`, 'utf8').split('\0')).to.include(
      'VK_CMD_DELETE_NODE_ON_EXIT=true',
    );

    await slurm('scancel', [job.id]);
    await waitJobGone(job);
    expect(jobOutput(job)).to.contain('stopping (signal TERM)');
    expectEverythingStopped(job, pgid);
    await waitNodeGone(job).catch(withDiagnostics(job));
    await kubectl(['delete', 'namespace', namespace, '--wait=false']);
  });

  // The end of the allocation: Slurm sends --signal=B:TERM@<lead> to the
  // batch shell alone, <lead> seconds before the time limit, and the script
  // stops the node in order and ends the job before the limit.
  it('ends the job itself on the time-limit signal from Slurm, before the limit', async () => {
    // slurmctld looks at time limits about every 30 s and may signal up to
    // that much early: with --time=1 and @30 the signal comes within about
    // 30 s of the start, maybe while the node is still starting. A runner
    // alone, with no kubelet to wait for (a one-minute job has no walltime
    // to announce), makes that timing harmless.
    const job = await submit('deadline', ['--time=1', '--signal=B:TERM@30'], {
      VK_CMD_KUBELET_MODE: 'none',
      VK_CMD_WALLTIME_FROM_SLURM: '0',
    });
    // Long enough to see a TIMEOUT (60 s, then Slurm's KillWait) if the signal were lost.
    await waitJobGone(job, 150_000);
    await expectJobCompleted(job);
    expectInOrder(jobOutput(job), [
      'runner started',
      'stopping (signal TERM)',
      'runner stopped',
      `vk-cmd[${job.nodeName}]: stopped`,
    ]);
    expect(runnerPids(job), 'runner processes left').to.deep.equal([]);
  });

  // The same signal, with a kubelet and a pod: `scancel --batch
  // --signal=TERM` delivers exactly what --signal=B:TERM does, but now
  // rather than at a time only known to within a minute.
  const timeLimitCases = [
    {
      title: 'in the batch shell',
      label: 'timelimit',
      // squeue fails inside this job, so its walltime comes from scontrol.
      brokenSqueue: true,
      env: {},
      stopLines: ['stopping (signal TERM)'],
    },
    {
      title: 'through srun, which passes the stop on to every node (VK_CMD_USE_SRUN=1)',
      label: 'srun',
      brokenSqueue: false,
      env: { VK_CMD_USE_SRUN: '1' },
      stopLines: ['stopping the nodes (TERM)', 'stopping (signal TERM)'],
    },
  ];
  for (const c of timeLimitCases) {
    it(`stops in order at the time-limit signal ${c.title}`, async () => {
      const env: NodeJS.ProcessEnv = { VK_CMD_WALLTIME_MARGIN_SECONDS: '60', ...c.env };
      if (c.brokenSqueue) {
        const fakeBin = path.join(workDir, 'broken-squeue');
        mkdirSync(fakeBin, { recursive: true });
        writeFileSync(
          path.join(fakeBin, 'squeue'),
          '#!/bin/sh\necho "squeue: error: Unable to contact slurm controller (test double)" >&2\nexit 1\n',
        );
        chmodSync(path.join(fakeBin, 'squeue'), 0o755);
        env['PATH'] = `${fakeBin}:${process.env['PATH'] ?? ''}`;
      }
      const job = await submit(c.label, ['--time=10', '--signal=B:TERM@60'], env);
      const node = await waitReady(job);
      expectWalltime(node, 600, 60);
      if (c.brokenSqueue) {
        expect(jobOutput(job)).to.contain(`WARNING: squeue -h -j ${job.id} -o %L failed`);
      }

      // On SIGTERM the pod records which of kubelet and runner are still
      // running: the kubelet must already be gone (the node stops taking
      // work and reporting before its pods die), the runner not yet.
      const marker = path.join(job.dir, 'stop-order');
      const namespace = await createNamespace('slurm');
      const pgid = await startPod(
        job,
        namespace,
        'recorder',
        [
          `trap 'k=running; r=running`,
          `pgrep -f -- "--nodename ${job.nodeName}( |\\$)" >/dev/null || k=gone`,
          `pgrep -f -- "--root-dir ${job.rootDir}( |\\$)" >/dev/null || r=gone`,
          `echo "kubelet=$k runner=$r" >${marker}`,
          `exit 0' TERM`,
          'sleep 600 &',
          'wait $!',
          '',
        ].join('\n'),
      );
      expect(runnerPids(job), 'the runner runs').to.not.deep.equal([]);
      expect(kubeletPids(job), 'the kubelet runs').to.not.deep.equal([]);

      await slurm('scancel', ['--batch', '--signal=TERM', job.id]);
      await waitJobGone(job);
      await expectJobCompleted(job);
      expectInOrder(jobOutput(job), [
        ...c.stopLines,
        'kubelet (local) stopped',
        'stopping 1 pod process group(s)',
        'runner stopped',
        `vk-cmd[${job.nodeName}]: stopped`,
      ]);
      expect(readFileSync(marker, 'utf8').trim()).to.equal('kubelet=gone runner=running');
      expectEverythingStopped(job, pgid);

      // vk-cmd.sbatch sets VK_CMD_DELETE_NODE_ON_EXIT=true: a NotReady node left behind is a failure.
      await waitNodeGone(job).catch(withDiagnostics(job));
      await kubectl(['delete', 'namespace', namespace, '--wait=false']);
    });
  }
});
