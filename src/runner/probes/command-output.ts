import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, ftruncateSync, openSync, readSync } from 'node:fs';
import { openContainerDir } from '../files/container-dir.js';

/*
 * The output of an exec probe or hook started through the launcher: the
 * launcher can only reopen files (Node's pipes are sockets it cannot reach
 * through /proc), so the command's stdout and stderr are two files the
 * runner creates in the container directory through its verified handle
 * (O_EXCL|O_NOFOLLOW, 0600), unlinked at once: the launcher reopens them
 * through /proc/<runner>/fd/<n>, which works for an unlinked file, so no
 * name is left behind even if the runner dies, and closing the fds frees
 * them. The kubelet keeps 10 KiB of a probe's output and drops the rest
 * (pkg/probe/exec: LimitWriter(maxReadLength = 10 KiB)); a file would
 * keep everything, so while the command runs the runner cuts a file that
 * grew past the bound back to it (the writers append, so they go on at the
 * new end), and reads at most the bound once the command ended.
 */

/** How often a running command's output files are checked for growth past the bound. */
export const OUTPUT_TRIM_INTERVAL_MS = 1_000;

/** The size to cut an output file back to, or undefined to leave it. Pure. */
export function trimToBytes(sizeBytes: number, maxBytes: number): number | undefined {
  return sizeBytes > maxBytes ? maxBytes : undefined;
}

/**
 * A command's output as ExecSync returns it and the kubelet keeps it:
 * stdout then stderr, `maxBytes` in all; and stderr alone (up to
 * `maxBytes`), for the hook messages that quote it. Pure.
 */
export function boundedOutput(
  stdout: Buffer,
  stderr: Buffer,
  maxBytes: number,
): { output: string; stderr: string } {
  const out = stdout.subarray(0, maxBytes);
  const rest = Math.max(0, maxBytes - out.length);
  return {
    output: out.toString('utf8') + stderr.subarray(0, rest).toString('utf8'),
    stderr: stderr.subarray(0, maxBytes).toString('utf8'),
  };
}

/** The name an output file is created under (and unlinked from at once). Pure. */
export function outputFileName(stream: 'stdout' | 'stderr', random: string): string {
  return `.command-${random}.${stream}`;
}

/** The two open, already unlinked output files of one command. */
export interface OutputFiles {
  readonly stdoutFd: number;
  readonly stderrFd: number;
  /** Cuts a file that grew past `maxBytes` back to it. Never throws. */
  trim(maxBytes: number): void;
  /** Reads up to `maxBytes` of each from its start. */
  read(maxBytes: number): { stdout: Buffer; stderr: Buffer };
  /** Closes both; idempotent. */
  close(): void;
}

const CREATE = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Creates the output files of one command in `containerDir` (through a
 * verified handle, see the header) and unlinks them. Throws when the
 * directory cannot be opened or written (nothing is left open then).
 */
export function openOutputFiles(containerDir: string): OutputFiles {
  const dir = openContainerDir(containerDir);
  const fds: number[] = [];
  try {
    dir.verify();
    const random = randomBytes(6).toString('hex');
    for (const stream of ['stdout', 'stderr'] as const) {
      const name = outputFileName(stream, random);
      fds.push(openUnlinked(dir.entry(name), () => dir.unlink(name)));
    }
  } catch (err) {
    for (const fd of fds) closeSync(fd);
    throw err;
  } finally {
    dir.close();
  }
  return new OpenOutputFiles(fds[0]!, fds[1]!);
}

/** Creates `entry` exclusively (never through a symlink) and unlinks it; returns the open fd. */
function openUnlinked(entry: string, unlink: () => void): number {
  const fd = openSync(entry, CREATE, 0o600);
  try {
    unlink();
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

class OpenOutputFiles implements OutputFiles {
  private closed = false;

  constructor(
    readonly stdoutFd: number,
    readonly stderrFd: number,
  ) {}

  trim(maxBytes: number): void {
    if (this.closed) return;
    for (const fd of [this.stdoutFd, this.stderrFd]) {
      try {
        const to = trimToBytes(fstatSync(fd).size, maxBytes);
        if (to !== undefined) ftruncateSync(fd, to);
      } catch {
        // A failed check leaves the file as it is; the read is bounded anyway.
      }
    }
  }

  read(maxBytes: number): { stdout: Buffer; stderr: Buffer } {
    return { stdout: readHead(this.stdoutFd, maxBytes), stderr: readHead(this.stderrFd, maxBytes) };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.stdoutFd);
    closeSync(this.stderrFd);
  }
}

/** The first `maxBytes` of an open file (pread from 0). */
function readHead(fd: number, maxBytes: number): Buffer {
  const buf = Buffer.alloc(maxBytes);
  let off = 0;
  while (off < maxBytes) {
    const n = readSync(fd, buf, off, maxBytes - off, off);
    if (n === 0) break;
    off += n;
  }
  return buf.subarray(0, off);
}
