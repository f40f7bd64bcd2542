import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
import { makeDialInPki, type DialInPki } from '../support/dial-in-pki.js';
import { freePort } from '../support/free-port.js';
import { pgidsUnder } from '../support/pgid-files.js';
import { parseEnvFile } from './support/cluster.js';
import { mustRun, runCommand } from './support/commands.js';
import { core, createNamespace, isRunning, kc, kubectl, mustKubectl, waitForPod } from './support/e2e-env.js';
import {
  kill,
  podOn,
  randomPortBlock,
  spawnFleetKubelet,
  waitFleetKubeletUp,
} from './support/fleet-kubelet.js';
import { REPO_ROOT } from './support/paths.js';
import { groupIsAlive, processesMatching } from './support/processes.js';
import { eventually, waitForGone, waitForObject } from './support/wait.js';

const FLEET_SCRIPT = path.join(REPO_ROOT, 'deploy', 'hpc', 'vk-cmd-fleet.sbatch');
/** Slurm nodes of the test cluster: one slurmd each, all on this host (scripts/slurm/slurm-up.sh SLURMD_PORTS). */
const SLURM_NODES = 2;

// One vk-cmd-kubelet --fleet outside Slurm (as on a login node); the batch
// script brings every node of a multi-node allocation in through it.
describe('Slurm: deploy/hpc/vk-cmd-fleet.sbatch, a whole allocation served by one kubelet', function () {
  this.timeout(600_000);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-e2e-slurm-fleet-'));
  const slurmDir = path.join(workDir, 'slurm');
  const jobDir = path.join(workDir, 'job');
  const rootDir = path.join(jobDir, 'root');
  const logDir = path.join(jobDir, 'logs');
  const prefix = `vk-sfleet-${Math.random().toString(36).slice(2, 7)}`;
  const nodes = Array.from({ length: SLURM_NODES }, (_, i) => `${prefix}-${i}`);
  let slurmEnv: NodeJS.ProcessEnv = {};
  let slurmStarted = false;
  let kubelet: ChildProcess | undefined;
  let pki: DialInPki;
  let acceptPort = 0;
  let jobId = '';

  const jobOutput = (): string => {
    const file = path.join(jobDir, `job-${jobId}.out`);
    return existsSync(file) ? readFileSync(file, 'utf8') : '(no job output yet)';
  };
  const diagnostics = (): string =>
    [
      `--- job output\n${jobOutput()}`,
      ...['kubelet', ...nodes].map((n) => {
        const file =
          n === 'kubelet' ? path.join(workDir, 'kubelet.log') : path.join(logDir, `${n}-runner.log`);
        const text = existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-30).join('\n') : '';
        return `--- ${file}\n${text}`;
      }),
    ].join('\n');
  const withDiagnostics = (err: Error): never => {
    throw new Error(`${err.message}\n${diagnostics()}`, { cause: err });
  };
  const runnerPids = (): number[] => processesMatching(`--root-dir ${rootDir}/`);

  before(async function () {
    if (process.getuid?.() !== 0) {
      throw new Error(
        'the Slurm end-to-end test must run as root (CI does): it installs Slurm with apt-get and runs slurmctld and slurmd',
      );
    }
    const ctldPort = await freePort();
    const slurmdPorts: number[] = [];
    for (let i = 0; i < SLURM_NODES; i++) slurmdPorts.push(await freePort());
    slurmStarted = true;
    await mustRun('bash', [path.join(REPO_ROOT, 'scripts', 'slurm', 'slurm-up.sh')], {
      env: {
        ...process.env,
        SLURM_TEST_DIR: slurmDir,
        SLURMCTLD_PORT: String(ctldPort),
        SLURMD_PORTS: slurmdPorts.join(' '),
      },
      timeoutMs: 540_000,
    });
    const env = parseEnvFile(readFileSync(path.join(slurmDir, 'env'), 'utf8'));
    slurmEnv = { ...process.env, SLURM_CONF: env['SLURM_CONF'] };
    expect(env['SLURM_TEST_NODES']?.split(' ')).to.have.length(SLURM_NODES);

    pki = makeDialInPki(workDir);
    writeFileSync(path.join(workDir, 'tokens'), `e2e-slurm-fleet-token ${prefix}-*\n`, { mode: 0o600 });
    writeFileSync(path.join(workDir, 'token'), 'e2e-slurm-fleet-token\n', { mode: 0o600 });
    acceptPort = await freePort();
    kubelet = spawnFleetKubelet({
      dir: workDir,
      pki,
      tokensFile: path.join(workDir, 'tokens'),
      acceptPort,
      portFrom: randomPortBlock(),
      runnerUnreachableGraceSeconds: 10,
    });
    await waitFleetKubeletUp(workDir);
  });

  after(async function () {
    if (jobId) await runCommand('scancel', [jobId], { env: slurmEnv });
    if (slurmStarted) {
      await runCommand('bash', [path.join(REPO_ROOT, 'scripts', 'slurm', 'slurm-down.sh')], {
        env: { ...process.env, SLURM_TEST_DIR: slurmDir },
        timeoutMs: 120_000,
      });
    }
    await kill(kubelet, 'SIGTERM');
    for (const pgid of pgidsUnder(rootDir)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const name of nodes)
      await core()
        .deleteNode({ name })
        .catch(() => undefined);
    if (!process.env['KEEP_E2E_NODE_DIRS']) rmSync(workDir, { recursive: true, force: true });
  });

  it('one runner per allocated node dials in via srun, each node has the job walltime and runs a pod; scancel ends it all', async () => {
    mkdirSync(rootDir, { recursive: true });
    mkdirSync(logDir, { recursive: true });
    const timeLimitSeconds = 180;
    jobId = (
      await mustRun(
        'sbatch',
        [
          '--parsable',
          `--nodes=${SLURM_NODES}`,
          `--time=${timeLimitSeconds / 60}`,
          '--signal=B:TERM@20',
          `--output=${path.join(jobDir, 'job-%j.out')}`,
          `--chdir=${jobDir}`,
          '--export=ALL',
          FLEET_SCRIPT,
        ],
        {
          env: {
            ...slurmEnv,
            VK_CMD_KUBELET_URL: `https://127.0.0.1:${acceptPort}`,
            VK_CMD_CONNECT_CA: pki.caFile,
            VK_CMD_TOKEN_FILE: path.join(workDir, 'token'),
            NODENAME: prefix,
            VK_BIN: path.join(REPO_ROOT, 'bin'),
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

    // Each node of the allocation: Ready, with the job's end as its walltime.
    const slurmHosts = new Set<string>();
    for (const name of nodes) {
      const node = await waitForObject<V1Node>(
        kc(),
        '/api/v1/nodes',
        { fieldSelector: `metadata.name=${name}` },
        (n) => (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
        120_000,
        `node ${name} Ready`,
      ).catch(withDiagnostics);
      const walltime = Number(node.metadata?.labels?.['jiriaf.walltime']);
      // The job started moments ago: at most a minute and a half of its time is gone.
      expect(walltime, `jiriaf.walltime of ${name}`).to.be.within(timeLimitSeconds - 90, timeLimitSeconds);
      const log = readFileSync(path.join(logDir, `${name}-runner.log`), 'utf8');
      expect(log.length).to.be.above(0);
    }
    // One runner per Slurm node: the job output names the host each task ran on.
    for (const line of jobOutput().split('\n')) {
      const m = / vk-cmd-fleet\[(\S+)\]: runner on \S+ dialling /.exec(line);
      if (m) slurmHosts.add(m[1]!);
    }
    expect([...slurmHosts].sort()).to.deep.equal([...nodes].sort());
    expect(runnerPids(), 'one runner process per node').to.have.length(SLURM_NODES);

    // A pod on each node runs inside that node's root dir.
    const namespace = await createNamespace('slurm-fleet');
    for (const [i, name] of nodes.entries()) {
      await mustKubectl(
        ['apply', '-n', namespace, '-f', '-'],
        podOn(`p${i}`, name, 'echo "on $SLURMD_NODENAME" >where\nexec sleep 600\n'),
      );
    }
    const pgids: number[] = [];
    for (const [i, name] of nodes.entries()) {
      const pod = await waitForPod(namespace, `p${i}`, isRunning('c1'), 90_000, 'running').catch(
        withDiagnostics,
      );
      expect(pod.spec?.nodeName).to.equal(name);
      const containerDir = path.join(rootDir, name, namespace, `p${i}`, 'containers', 'c1');
      await eventually(() => existsSync(path.join(containerDir, 'where')), 30_000, `p${i} wrote where`);
      pgids.push(Number.parseInt(readFileSync(path.join(containerDir, 'pgid'), 'utf8'), 10));
    }
    for (const pgid of pgids) expect(groupIsAlive(pgid)).to.equal(true);
    // The pods of different nodes ran under different slurmd nodes of the allocation.
    const where = nodes.map((name, i) =>
      readFileSync(path.join(rootDir, name, namespace, `p${i}`, 'containers', 'c1', 'where'), 'utf8').trim(),
    );
    expect(new Set(where).size, where.join(', ')).to.equal(SLURM_NODES);

    await mustRun('scancel', [jobId], { env: slurmEnv, timeoutMs: 30_000 });
    await eventually(
      async () =>
        (await runCommand('squeue', ['-h', '-j', jobId, '-o', '%T'], { env: slurmEnv })).stdout.trim() === '',
      90_000,
      `job ${jobId} to leave the queue`,
    ).catch(withDiagnostics);
    // The nodes left with the allocation: each runner had the kubelet delete its Node and Lease.
    for (const name of nodes) {
      await waitForGone(kc(), '/api/v1/nodes', `metadata.name=${name}`, 60_000, `node ${name} deleted`).catch(
        withDiagnostics,
      );
      await waitForGone(
        kc(),
        '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
        `metadata.name=${name}`,
        60_000,
        `lease of ${name} deleted`,
      ).catch(withDiagnostics);
    }
    expect(runnerPids(), 'runner processes left').to.deep.equal([]);
    for (const pgid of pgids) expect(groupIsAlive(pgid), `pod process group ${pgid} is gone`).to.equal(false);
    // The kubelet serves other allocations: it stays, with nothing of this one left.
    expect(kubelet?.exitCode).to.equal(null);
    expect(readFileSync(path.join(workDir, 'kubelet.log'), 'utf8')).to.contain('Runner left; node deleted');
    await kubectl(['delete', 'namespace', namespace, '--wait=false']);
  });
});
