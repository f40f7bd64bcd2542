import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import os from 'node:os';
import type { Logger } from '../../common/logger.js';
import type { NodeInfo } from '../../generated/vkcmd/runner/v1/NodeInfo.js';
import type { LimitEnforcement } from '../process/container-limiter.js';

const ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

/** Kubernetes' spelling of a Node.js architecture. Pure. */
export function kubernetesArch(nodeArch: string): string {
  return ARCH[nodeArch] ?? nodeArch;
}

/** PRETTY_NAME from os-release text. Pure. */
export function prettyName(osRelease: string): string {
  const m = /^PRETTY_NAME=(.*)$/m.exec(osRelease);
  if (!m) return 'Linux';
  return m[1]!.trim().replace(/^"(.*)"$/, '$1');
}

/**
 * Parses the end time squeue (`%e`) or scontrol (`EndTime=`) prints, in the
 * host's local time zone. Pure; undefined for Unknown, N/A or garbage.
 */
export function parseSlurmTime(text: string): number | undefined {
  const m = /(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})/.exec(text);
  if (!m) return undefined;
  const ms = new Date(m[1]!).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

function readTrimmed(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout) =>
      resolve(err ? undefined : stdout),
    );
  });
}

/** NodeInfo's limit fields. Pure. */
export function limitFields(e: LimitEnforcement | undefined): Partial<NodeInfo> {
  if (!e) return {};
  return {
    cgroupMode: e.cgroupMode,
    memoryLimitEnforcement: e.memory,
    cpuLimitEnforcement: e.cpu,
    cgroupRoot: e.root,
    cgroupNote: e.note,
  };
}

const SLURM_CACHE_MS = 60_000;
const SLURM_TIMEOUT_MS = 2_000;

/**
 * Describes the host. Static facts are read once; the Slurm job end time is
 * asked of squeue (then scontrol) with a 2 s timeout and cached for a
 * minute. Missing tools are not an error: the field stays 0.
 */
export class NodeInfoProvider {
  private readonly startedAtMs = Date.now();
  private slurm: { endMs: number; atMs: number } | undefined;
  private slurmPending: Promise<number> | undefined;

  constructor(
    private readonly rootDir: string,
    private readonly runnerVersion: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: Logger,
    private readonly enforcement?: () => LimitEnforcement,
  ) {}

  bootId(): string {
    return readTrimmed('/proc/sys/kernel/random/boot_id');
  }

  async info(): Promise<NodeInfo> {
    let storage = 0;
    try {
      const fs = await statfs(this.rootDir);
      storage = fs.blocks * fs.bsize;
    } catch {
      // leave 0
    }
    const jobId = this.env['SLURM_JOB_ID'] ?? '';
    return {
      hostname: os.hostname(),
      cpus: os.availableParallelism(),
      memoryBytes: os.totalmem(),
      operatingSystem: 'linux',
      architecture: kubernetesArch(process.arch),
      kernelVersion: os.release(),
      osImage: prettyName(readTrimmed('/etc/os-release') || readTrimmed('/usr/lib/os-release')),
      bootId: this.bootId(),
      machineId: readTrimmed('/etc/machine-id') || readTrimmed('/var/lib/dbus/machine-id'),
      runnerVersion: this.runnerVersion,
      runnerStartedAtMs: this.startedAtMs,
      slurmJobId: jobId,
      slurmJobEndMs: jobId ? await this.slurmEnd(jobId) : 0,
      ephemeralStorageBytes: storage,
      rootDir: this.rootDir,
      ...limitFields(this.enforcement?.()),
    };
  }

  private async slurmEnd(jobId: string): Promise<number> {
    const now = Date.now();
    if (this.slurm && now - this.slurm.atMs < SLURM_CACHE_MS) return this.slurm.endMs;
    if (!this.slurmPending) {
      this.slurmPending = (async () => {
        let endMs =
          parseSlurmTime((await run('squeue', ['-h', '-j', jobId, '-o', '%e'], SLURM_TIMEOUT_MS)) ?? '') ?? 0;
        if (!endMs) {
          const out = (await run('scontrol', ['show', 'job', jobId], SLURM_TIMEOUT_MS)) ?? '';
          endMs = parseSlurmTime(/EndTime=(\S+)/.exec(out)?.[1] ?? '') ?? 0;
        }
        if (!endMs) this.log.debug({ jobId }, 'Slurm job end time unknown');
        this.slurm = { endMs, atMs: Date.now() };
        return endMs;
      })().finally(() => {
        this.slurmPending = undefined;
      });
    }
    return this.slurmPending;
  }
}
