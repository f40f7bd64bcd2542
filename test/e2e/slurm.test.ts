import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
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
import { groupIsAlive } from './support/processes.js';
import { freePort } from './support/vk-node.js';
import { eventually, waitForObject } from './support/wait.js';

const SBATCH_SCRIPT = path.join(REPO_ROOT, 'deploy', 'hpc', 'vk-cmd.sbatch');
const readyStatus = (node: V1Node): string | undefined =>
  node.status?.conditions?.find((c) => c.type === 'Ready')?.status;

/** Pids of live processes whose command line contains `needle`. */
function processesMatching(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z') continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').includes(needle)) {
        found.push(Number(entry));
      }
    } catch {
      // exited while we looked
    }
  }
  return found;
}

describe('Slurm: deploy/hpc/vk-cmd.sbatch in a real allocation', function () {
  this.timeout(600_000);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-e2e-slurm-'));
  const slurmDir = path.join(workDir, 'slurm');
  const rootDir = path.join(workDir, 'root');
  const logDir = path.join(workDir, 'logs');
  const nodeName = `vk-slurm-${Math.random().toString(36).slice(2, 7)}`;
  let slurmEnv: NodeJS.ProcessEnv = {};
  let jobId = '';
  let slurmStarted = false;

  const slurm = (cmd: string, args: string[]): Promise<string> =>
    mustRun(cmd, args, { env: slurmEnv, timeoutMs: 30_000 });
  const jobOutput = (): string => {
    const file = path.join(workDir, `job-${jobId}.out`);
    return existsSync(file) ? readFileSync(file, 'utf8') : '(no job output yet)';
  };
  const diagnostics = (): string =>
    [
      `--- job output\n${jobOutput()}`,
      ...['', '-runner'].map((suffix) => {
        const file = path.join(logDir, `${nodeName}${suffix}.log`);
        const text = existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-40).join('\n') : '';
        return `--- ${file}\n${text}`;
      }),
    ].join('\n');

  before(async function () {
    if (process.getuid?.() !== 0) {
      throw new Error(
        'the Slurm end-to-end test must run as root (CI does): it installs Slurm with apt-get and runs slurmctld and slurmd',
      );
    }
    mkdirSync(rootDir);
    mkdirSync(logDir);
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
    if (jobId) await runCommand('scancel', [jobId], { env: slurmEnv });
    if (slurmStarted) {
      await runCommand('bash', [path.join(REPO_ROOT, 'scripts', 'slurm', 'slurm-down.sh')], {
        env: { ...process.env, SLURM_TEST_DIR: slurmDir },
        timeoutMs: 120_000,
      });
    }
    await core()
      .deleteNode({ name: nodeName })
      .catch(() => undefined);
    if (!process.env['KEEP_E2E_NODE_DIRS']) rmSync(workDir, { recursive: true, force: true });
  });

  it('joins with the allocation walltime, runs the wiki example, and stops cleanly on scancel', async () => {
    const kubeletPort = await freePort();
    jobId = (
      await mustRun(
        'sbatch',
        [
          '--parsable',
          '--time=3',
          // Well after the test is done: the TERM this test checks is scancel's.
          '--signal=B:TERM@20',
          `--output=${path.join(workDir, 'job-%j.out')}`,
          `--chdir=${workDir}`,
          '--export=ALL',
          SBATCH_SCRIPT,
        ],
        {
          env: {
            ...slurmEnv,
            KUBECONFIG: testCluster().kubeconfigPath,
            VK_BIN: path.join(REPO_ROOT, 'bin'),
            NODENAME: nodeName,
            KUBELET_PORT: String(kubeletPort),
            VKUBELET_POD_IP: '127.0.0.1',
            JIRIAF_NODETYPE: 'cpu',
            JIRIAF_SITE: 'mylin',
            VK_CMD_KUBELET_MODE: 'local',
            VK_CMD_KUBELET_ARGS: `--node-labels e2e.vk-cmd.io/node=${nodeName}`,
            VK_CMD_ROOT_DIR: rootDir,
            VK_CMD_LOG_DIR: logDir,
            VK_CMD_POD_GRACE_SECONDS: '5',
          },
          timeoutMs: 30_000,
        },
      )
    )
      .trim()
      .split(';')[0]!;
    expect(jobId).to.match(/^\d+$/);

    const node = await waitForObject<V1Node>(
      kc(),
      '/api/v1/nodes',
      { fieldSelector: `metadata.name=${nodeName}` },
      (n) => readyStatus(n) === 'True',
      120_000,
      `node ${nodeName} Ready`,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${diagnostics()}`, { cause: err });
    });

    // The walltime is the job's remaining time (at most --time=3, i.e. 180 s)
    // rounded down to whole minutes, not a default.
    const walltime = Number(node.metadata?.labels?.['jiriaf.walltime']);
    expect(walltime % 60, `jiriaf.walltime=${walltime}`).to.equal(0);
    expect(walltime).to.be.within(60, 180);
    expect(Number(node.metadata?.labels?.['jiriaf.alivetime'])).to.be.within(1, walltime);
    expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).to.equal(kubeletPort);

    const namespace = await createNamespace('slurm');
    const { yaml } = wikiExample({ nodeName, args: ['2', '1'], restartPolicy: 'Never' });
    await mustKubectl(['apply', '-n', namespace, '-f', '-'], yaml);
    const done = await waitForPod(namespace, 'p1', hasPhase('Succeeded'), 90_000, 'Succeeded').catch(
      (err: Error) => {
        throw new Error(`${err.message}\n${diagnostics()}`, { cause: err });
      },
    );
    expect(containerState(done, 'c1')?.state?.terminated?.reason).to.equal('Completed');
    // It ran inside the allocation, under the job's root dir.
    const stdout = path.join(rootDir, namespace, 'p1', 'containers', 'c1', 'stdout');
    expect(readFileSync(stdout, 'utf8')).to.contain('done');
    expect(await mustKubectl(['logs', '-n', namespace, 'p1', '-c', 'c1'])).to.contain('stressing 1 cpu(s)');

    // A pod still running when the job is cancelled.
    await mustKubectl(
      ['apply', '-n', namespace, '-f', '-'],
      scriptPod({ name: 'sleeper', nodeName, script: 'sleep 600\n', terminationGracePeriodSeconds: 5 }),
    );
    await waitForPod(namespace, 'sleeper', isRunning('c1'), 60_000, 'running');
    const pgid = Number.parseInt(
      readFileSync(path.join(rootDir, namespace, 'sleeper', 'containers', 'c1', 'pgid'), 'utf8'),
      10,
    );
    expect(groupIsAlive(pgid)).to.equal(true);
    const runnerPids = processesMatching(`--root-dir ${rootDir}`);
    const kubeletPids = processesMatching(`--nodename ${nodeName}`);
    expect(runnerPids, 'the runner runs').to.not.deep.equal([]);
    expect(kubeletPids, 'the kubelet runs').to.not.deep.equal([]);

    await slurm('scancel', [jobId]);
    await eventually(
      async () =>
        (await runCommand('squeue', ['-h', '-j', jobId, '-o', '%T'], { env: slurmEnv })).stdout.trim() === '',
      90_000,
      `job ${jobId} to leave the queue`,
    );
    expect(jobOutput()).to.contain('stopping (signal TERM)');
    expect(jobOutput()).to.contain('stopped');
    expect(groupIsAlive(pgid), `pod process group ${pgid} is gone`).to.equal(false);
    expect(processesMatching(`--root-dir ${rootDir}`), 'runner processes left').to.deep.equal([]);
    expect(processesMatching(`--nodename ${nodeName}`), 'kubelet processes left').to.deep.equal([]);

    // No kubelet heartbeats any more: the node is not Ready.
    await waitForObject<V1Node>(
      kc(),
      '/api/v1/nodes',
      { fieldSelector: `metadata.name=${nodeName}` },
      (n) => readyStatus(n) !== 'True',
      120_000,
      `node ${nodeName} no longer Ready`,
    );
    await kubectl(['delete', 'namespace', namespace, '--wait=false']);
  });
});
