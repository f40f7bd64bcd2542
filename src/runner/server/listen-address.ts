import { existsSync, lstatSync, mkdirSync, statSync, chmodSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ConfigError, errnoCode } from '../../common/errors.js';

/** Where the runner listens: a unix socket path or a TCP host and port. */
export type ListenAddress =
  { kind: 'unix'; path: string; isDefault: boolean } | { kind: 'tcp'; host: string; port: number };

/** The default socket: `$XDG_RUNTIME_DIR/vk-cmd/runner.sock`, else `$HOME/.vk-cmd/runner.sock`. */
export function defaultSocketPath(env: {
  XDG_RUNTIME_DIR?: string | undefined;
  HOME?: string | undefined;
}): string {
  if (env.XDG_RUNTIME_DIR && path.isAbsolute(env.XDG_RUNTIME_DIR)) {
    return path.join(env.XDG_RUNTIME_DIR, 'vk-cmd', 'runner.sock');
  }
  if (!env.HOME)
    throw new ConfigError('--listen: neither $XDG_RUNTIME_DIR nor $HOME is set; pass --listen unix:///path');
  return path.join(env.HOME, '.vk-cmd', 'runner.sock');
}

/**
 * Parses `unix://`, `unix:///abs/path.sock` or `tcp://HOST:PORT` (IPv6 as
 * `tcp://[::1]:PORT`). Pure; throws ConfigError naming --listen.
 */
export function parseListenAddress(
  value: string,
  env: { XDG_RUNTIME_DIR?: string | undefined; HOME?: string | undefined },
): ListenAddress {
  if (value === 'unix://' || value === 'unix:') {
    return { kind: 'unix', path: defaultSocketPath(env), isDefault: true };
  }
  if (value.startsWith('unix://')) {
    const socketPath = value.slice('unix://'.length);
    if (!path.isAbsolute(socketPath)) {
      throw new ConfigError(`--listen ${value}: the socket path must be absolute (unix:///abs/path.sock)`);
    }
    if (socketPath.includes('\0')) throw new ConfigError('--listen: the socket path contains a NUL byte');
    // sun_path holds 108 bytes including the terminator.
    if (Buffer.byteLength(socketPath) > 107) {
      throw new ConfigError(`--listen ${value}: the socket path is longer than 107 bytes`);
    }
    return { kind: 'unix', path: path.normalize(socketPath), isDefault: false };
  }
  if (value.startsWith('tcp://')) {
    const rest = value.slice('tcp://'.length);
    const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]/]+):(\d{1,5})$/.exec(rest);
    if (!match) throw new ConfigError(`--listen ${value}: expected tcp://HOST:PORT`);
    const port = Number(match[2]);
    if (port < 1 || port > 65535) throw new ConfigError(`--listen ${value}: port must be 1-65535`);
    return { kind: 'tcp', host: match[1]!, port };
  }
  throw new ConfigError(`--listen ${value}: expected unix://, unix:///abs/path.sock or tcp://HOST:PORT`);
}

/** The grpc-js bind target of an address. */
export function bindTarget(address: ListenAddress): string {
  return address.kind === 'unix' ? `unix://${address.path}` : `${address.host}:${address.port}`;
}

function isSocketLive(socketPath: string, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(true);
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

/**
 * Makes a unix socket path safe to bind: the parent directory exists with
 * mode 0700 and belongs to this user (the default directory is created or
 * tightened; an explicit one that others can reach is refused), and a stale
 * socket is removed. Refuses when another process is listening there.
 */
export async function prepareUnixSocket(address: Extract<ListenAddress, { kind: 'unix' }>): Promise<void> {
  const dir = path.dirname(address.path);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const dirStat = statSync(dir);
  if (!dirStat.isDirectory()) throw new ConfigError(`--listen: ${dir} is not a directory`);
  const uid = process.getuid?.() ?? dirStat.uid;
  if (dirStat.uid !== uid) {
    throw new ConfigError(
      `--listen: socket directory ${dir} belongs to uid ${dirStat.uid}, not to this user`,
    );
  }
  if ((dirStat.mode & 0o077) !== 0) {
    if (address.isDefault) {
      chmodSync(dir, 0o700);
    } else {
      throw new ConfigError(
        `--listen: socket directory ${dir} has mode ${(dirStat.mode & 0o777).toString(8)}; ` +
          `other users could reach the runner. Run: chmod 700 ${dir}`,
      );
    }
  }
  let existing;
  try {
    existing = lstatSync(address.path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw err;
  }
  if (!existing.isSocket()) {
    throw new ConfigError(
      `--listen: ${address.path} exists and is not a socket; remove it or pick another path`,
    );
  }
  if (await isSocketLive(address.path)) {
    throw new ConfigError(`--listen: another process is listening on ${address.path}`);
  }
  unlinkSync(address.path);
}
