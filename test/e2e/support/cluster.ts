import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { mustRun } from './commands.js';
import { REPO_ROOT } from './paths.js';

/** A local control plane started by scripts/cluster-up.sh, or one that was already running. */
export interface TestCluster {
  dir: string;
  kubeconfigPath: string;
  env: Record<string, string>;
  kc: KubeConfig;
  /** Stops the control plane unless it was started outside the tests. */
  stop(): Promise<void>;
}

/** Reads the shell-style `KEY=VALUE` lines that cluster-up.sh writes. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim().replace(/^export\s+/, '');
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match || !match[1]) continue;
    let value = match[2] ?? '';
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) {
      value = value.slice(1, -1);
    }
    env[match[1]] = value;
  }
  return env;
}

/**
 * Starts a control plane in a fresh temp dir, or reuses the one named by
 * VK_CMD_E2E_CLUSTER_DIR (left running afterwards) to speed up local iteration.
 */
export async function startTestCluster(): Promise<TestCluster> {
  const reuse = process.env['VK_CMD_E2E_CLUSTER_DIR'];
  const dir = reuse ?? mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-e2e-cluster-'));
  if (!reuse || !existsSync(path.join(dir, 'env'))) {
    await mustRun('bash', [path.join(REPO_ROOT, 'scripts', 'cluster-up.sh')], {
      env: { ...process.env, CLUSTER_DIR: dir },
      timeoutMs: 240_000,
      cwd: REPO_ROOT,
    });
  }
  const env = parseEnvFile(readFileSync(path.join(dir, 'env'), 'utf8'));
  const kubeconfigPath = env['KUBECONFIG'] ?? path.join(dir, 'kubeconfig');
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return {
    dir,
    kubeconfigPath,
    env,
    kc,
    async stop() {
      if (reuse) return;
      await mustRun('bash', [path.join(REPO_ROOT, 'scripts', 'cluster-down.sh')], {
        env: { ...process.env, CLUSTER_DIR: dir, KEEP_CLUSTER_LOGS: process.env['KEEP_CLUSTER_LOGS'] ?? '' },
        timeoutMs: 60_000,
        cwd: REPO_ROOT,
      });
      if (!process.env['KEEP_CLUSTER_LOGS']) rmSync(dir, { recursive: true, force: true });
    },
  };
}
