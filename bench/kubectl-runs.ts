import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { KUBECTL } from '../test/e2e/support/paths.js';
import { startStreaming, type StreamingCommand } from '../test/e2e/support/commands.js';
import { forwardedLocalPort } from './exec-api-figures.js';

/** One kubectl run: wall time from spawn to exit, its exit code and the end of its stderr. */
export interface KubectlRun {
  ms: number;
  code: number;
  stderr: string;
}

/**
 * Spawns the cached kubectl with `--kubeconfig` and `args`, stdout discarded,
 * and times it from just before spawn to the `exit` event. Never rejects for
 * a non-zero exit (the caller counts those); rejects when it cannot spawn or
 * runs past `timeoutMs` (then it is killed).
 */
export function timeKubectl(kubeconfigPath: string, args: string[], timeoutMs = 60_000): Promise<KubectlRun> {
  return new Promise((resolve, reject) => {
    const startedMs = performance.now();
    const child = spawn(KUBECTL, ['--kubeconfig', kubeconfigPath, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let exit: { ms: number; code: number } | undefined;
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kubectl ${args.join(' ')}: still running after ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      exit = { ms: performance.now() - startedMs, code: code ?? (signal ? 128 : -1) };
    });
    // 'close' follows 'exit' once stderr is drained, so the message is whole.
    child.on('close', () => {
      clearTimeout(timer);
      if (exit) resolve({ ...exit, stderr: stderr.trim() });
    });
  });
}

/** A running `kubectl port-forward` and the local port it listens on. */
export interface PortForward {
  localPort: number;
  command: StreamingCommand;
}

/**
 * Starts `kubectl port-forward pod/NAME :REMOTE` in `namespace` and resolves
 * once it prints the local port it chose; the caller kills `command`. Kills
 * it and rejects when no port shows within `timeoutMs`.
 */
export async function startPortForward(
  kubeconfigPath: string,
  namespace: string,
  pod: string,
  remotePort: number,
  timeoutMs = 30_000,
): Promise<PortForward> {
  const command = startStreaming(KUBECTL, [
    '--kubeconfig',
    kubeconfigPath,
    '-n',
    namespace,
    'port-forward',
    `pod/${pod}`,
    `:${remotePort}`,
  ]);
  try {
    await command.waitForOutput((out) => forwardedLocalPort(out) !== undefined, timeoutMs);
  } catch (err) {
    command.kill();
    throw err;
  }
  return { localPort: forwardedLocalPort(command.output())!, command };
}
