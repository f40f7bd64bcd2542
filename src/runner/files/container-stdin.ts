import { closeSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { INTERACTIVE_ENTRIES, openContainerDir } from './container-dir.js';
import { WRAPPER_DIR_ARG } from './wrapper-sh.js';

/*
 * The stdin and terminal files of a container directory (names in
 * INTERACTIVE_ENTRIES):
 *
 * - `stdin`: a FIFO (0600), the container's standard input when its spec
 *   sets stdin. Without tty the wrapper creates it and starts a holder
 *   (STDIN_HOLDER_START_SH): a `sleep` in the container's group that keeps
 *   it open read-write, so the container never sees an end of input just
 *   because a writer (the runner) went away; the holder's pid goes to
 *   `.stdin-holder`, and the wrapper kills it when the main process ends.
 *   With tty the PTY helper creates and holds it. Attach opens it for
 *   writing; a restarted runner simply opens it again.
 * - `.tty-control`: a FIFO the PTY helper of a tty container reads
 *   `resize COLS ROWS` and `eof` lines from.
 * - `.stdin-closed`: the pgid of the run whose stdin was closed for good
 *   (stdinOnce after the first attach session), so a restarted runner
 *   knows; a later run (another pgid) has its stdin open again.
 */

/** The stdin FIFO of a container directory. */
export function stdinFifo(dir: string): string {
  return path.join(dir, INTERACTIVE_ENTRIES.stdin);
}

/** The PTY helper's control FIFO of a container directory. */
export function ttyControlFifo(dir: string): string {
  return path.join(dir, INTERACTIVE_ENTRIES.ttyControl);
}

/** The same FIFOs as the wrapper and the PTY helper name them: through fd 3, the verified directory. */
export const WRAPPER_STDIN_FIFO = `${WRAPPER_DIR_ARG}/${INTERACTIVE_ENTRIES.stdin}`;
export const WRAPPER_TTY_CONTROL_FIFO = `${WRAPPER_DIR_ARG}/${INTERACTIVE_ENTRIES.ttyControl}`;

/**
 * Wrapper lines (sh, `$d` is the container directory) that create the stdin
 * FIFO and start its holder; `$h` is the holder's pid afterwards. The
 * holder inherits none of the wrapper's fds and keeps the FIFO open
 * read-write (opening it so never blocks). mkfifo and sleep come from the
 * system directories, not the pod's PATH.
 */
export const STDIN_HOLDER_START_SH = [
  `[ -p "$d/${INTERACTIVE_ENTRIES.stdin}" ] || PATH=/usr/bin:/bin mkfifo -m 600 "$d/${INTERACTIVE_ENTRIES.stdin}" || exit 1`,
  `PATH=/usr/bin:/bin sleep 2147483647 <>"$d/${INTERACTIVE_ENTRIES.stdin}" >/dev/null 2>&1 3>&- 4>&- &`,
  'h=$!',
  `printf '%s\\n' "$h" >"$d/${INTERACTIVE_ENTRIES.stdinHolder}"`,
].join('\n');

/** The redirection that gives the user's command the FIFO as stdin (the holder keeps a writer, so it never blocks for long). */
export const STDIN_REDIRECT_SH = `<"$d/${INTERACTIVE_ENTRIES.stdin}"`;

/** Ends the holder once the main process is done, so it does not keep the group alive. */
export const STDIN_HOLDER_STOP_SH = 'kill "$h" 2>/dev/null';

function readNumber(file: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return n > 1 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The pid of the stdin holder the wrapper recorded, if any. */
export function readStdinHolder(dir: string): number | undefined {
  return readNumber(path.join(dir, INTERACTIVE_ENTRIES.stdinHolder));
}

/** The pgid of the run whose stdin was closed for good, if any. */
export function readStdinClosed(dir: string): number | undefined {
  return readNumber(path.join(dir, INTERACTIVE_ENTRIES.stdinClosed));
}

/** Records that the run with this pgid had its stdin closed for good (written through the verified directory). Throws. */
export function writeStdinClosed(dir: string, pgid: number): void {
  const handle = openContainerDir(dir);
  try {
    const fd = handle.createFreshFile(INTERACTIVE_ENTRIES.stdinClosed, 0o644);
    try {
      writeSync(fd, `${pgid}\n`);
    } finally {
      closeSync(fd);
    }
  } finally {
    handle.close();
  }
}
