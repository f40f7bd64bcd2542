import path from 'node:path';
import { invalidSetting } from '../errors.js';

/** Where and how to reach the runner. */
export interface RunnerEndpoint {
  /** grpc-js target: `unix:///abs/path` or `host:port`. */
  target: string;
  transport: 'unix' | 'tcp';
  caPath?: string;
  certPath?: string;
  keyPath?: string;
  tokenFile?: string;
  /** Plain-text TCP; only with --runner-insecure. */
  insecure: boolean;
}

/** The runner's own default socket, so both processes agree without flags. */
export function defaultRunnerAddress(
  env: Readonly<Record<string, string | undefined>>,
  homeDir: string,
): string {
  const runtimeDir = env['XDG_RUNTIME_DIR'];
  const dir = runtimeDir ? path.join(runtimeDir, 'vk-cmd') : path.join(homeDir, '.vk-cmd');
  return `unix://${path.join(dir, 'runner.sock')}`;
}

/** `unix:///path`, a bare absolute path, `host:port` or `tcp://host:port`. */
export function parseRunnerEndpoint(address: string, setting = '--runner'): RunnerEndpoint {
  if (address.startsWith('unix://') || address.startsWith('/')) {
    const socketPath = address.startsWith('unix://') ? address.slice('unix://'.length) : address;
    if (!socketPath.startsWith('/'))
      throw invalidSetting(setting, `unix socket path in "${address}" must be absolute`);
    return { target: `unix://${socketPath}`, transport: 'unix', insecure: false };
  }
  const hostPort = address.startsWith('tcp://') ? address.slice('tcp://'.length) : address;
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d+)$/.exec(hostPort);
  const port = match ? Number(match[2]) : NaN;
  if (!match || !(port > 0 && port < 65536)) {
    throw invalidSetting(setting, `"${address}" is not unix:///path, host:port or tcp://host:port`);
  }
  return { target: hostPort, transport: 'tcp', insecure: false };
}

/** Cross-setting rules of the runner endpoint: TLS settings need TCP, and exclude --runner-insecure. */
export function checkRunnerSecurity(runner: RunnerEndpoint): void {
  if (runner.transport === 'tcp' && runner.insecure && (runner.caPath || runner.certPath)) {
    throw invalidSetting('--runner-insecure', 'cannot be combined with --runner-ca/--runner-cert');
  }
  if ((runner.certPath === undefined) !== (runner.keyPath === undefined)) {
    throw invalidSetting('--runner-cert', 'the runner client certificate and key must be given together');
  }
  if (runner.transport === 'unix' && (runner.caPath || runner.certPath)) {
    throw invalidSetting('--runner-ca', 'TLS settings need a TCP runner address, not a unix socket');
  }
}
