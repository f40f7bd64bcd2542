import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchFlags } from './bench-flags.js';
import type { ReportRow } from './report-rows.js';
import type { ScenarioFailure, ScenarioRun } from './report-table.js';

/** Where and on what the benchmark ran. */
export interface RunInfo {
  date: string;
  commit: string;
  /** Uncommitted changes in the checkout (the figures may not match `commit` alone). */
  dirty: boolean;
  machine: {
    nproc: number;
    memoryTotalBytes: number;
    cpuModel: string;
    kernel: string;
    nodeVersion: string;
    loadAverageAtStart: number[];
  };
}

/** Everything `make bench` writes to bench/results/. */
export interface BenchResult extends RunInfo {
  flags: BenchFlags;
  cluster: { reused: boolean; bindsPodsVia: 'spec.nodeName' | 'kube-scheduler' } | null;
  /** Whether the production layout (control plane and benchmark at nice -10) was set up, and what was refused. */
  priorities: { raised: boolean; applied: Record<string, number>; problems: string[] };
  /** Each scenario's duration and the load average around it. */
  scenarioRuns: ScenarioRun[];
  rows: ReportRow[];
  scenarios: Record<string, unknown>;
  warnings: string[];
  failures: ScenarioFailure[];
  durationSeconds: number;
}

/** Reads the commit, the checkout state and the machine; never throws (unknowns become ""). */
export function collectRunInfo(repoRoot: string, now = new Date()): RunInfo {
  const git = (args: string[]): string => {
    try {
      return execFileSync('git', args, {
        cwd: repoRoot,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      return '';
    }
  };
  let nproc = os.availableParallelism();
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || nproc;
  } catch {
    // os.availableParallelism() is the same figure in every normal setup.
  }
  return {
    date: now.toISOString(),
    commit: git(['rev-parse', 'HEAD']),
    dirty: git(['status', '--porcelain', '--untracked-files=no']) !== '',
    machine: {
      nproc,
      memoryTotalBytes: os.totalmem(),
      cpuModel: os.cpus()[0]?.model ?? '',
      kernel: os.release(),
      nodeVersion: process.version,
      loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    },
  };
}

/** `<UTC date and time>-<short commit>.json`: sorts by time, never overwrites an earlier run. Pure. */
export function resultFileName(date: string, commit: string): string {
  const stamp = date
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '')
    .replace('T', '-');
  return `${stamp}-${commit ? commit.slice(0, 12) : 'nocommit'}.json`;
}

/** Writes the result and returns its path. */
export function writeResult(dir: string, result: BenchResult): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, resultFileName(result.date, result.commit));
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  return file;
}
