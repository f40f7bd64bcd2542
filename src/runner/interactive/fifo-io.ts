import { closeSync, constants, openSync, statSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import net from 'node:net';
import { errnoCode } from '../../common/errors.js';

/* The file and FIFO IO of Attach: where output starts, and writes to a container's FIFOs. */

/**
 * Takes a log file's current size as the position to stream from (at once,
 * before any input is written), then opens it; undefined when it does not
 * exist. The file only grows during a run, so the handle opened a moment
 * later reads the same bytes from that position.
 */
export async function openAtEnd(file: string): Promise<{ handle: FileHandle; position: number } | undefined> {
  let position: number;
  try {
    position = statSync(file).size;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  return { handle: await open(file, 'r'), position };
}

/** How long Attach waits for a just-started container's stdin FIFO and its holder. */
const STDIN_OPEN_WAIT_MS = 2_000;
const STDIN_OPEN_RETRY_MS = 20;

/**
 * Opens a FIFO for writing without blocking (O_NONBLOCK: ENXIO while no
 * reader has it open, ENOENT before it exists; both are retried for a
 * while, as a container that just started may not have created it yet).
 * The socket relays writes with backpressure.
 */
export async function openFifoWriter(
  file: string,
  waitMs = STDIN_OPEN_WAIT_MS,
): Promise<net.Socket | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(file, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
      const socket = new net.Socket({ fd, readable: false, writable: true });
      socket.on('error', () => undefined);
      return socket;
    } catch (err) {
      const code = errnoCode(err);
      if ((code !== 'ENXIO' && code !== 'ENOENT') || Date.now() > deadline) return undefined;
      await new Promise((r) => setTimeout(r, STDIN_OPEN_RETRY_MS));
    }
  }
}

/** Writes one line to a FIFO if a reader holds it; false otherwise. Never blocks. */
export function writeFifoLine(file: string, line: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    return false;
  }
  try {
    writeSync(fd, `${line}\n`);
    return true;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
