import { findNativeBinary } from './find-native-binary.js';
/** A terminal size in cells. */
export interface TerminalSizeValue {
  cols: number;
  rows: number;
}

/** The PTY helper's file name: built from vk-cmd-pty.c by `make build` and shipped by `make dist`. */
export const PTY_HELPER_NAME = 'vk-cmd-pty';

/** What the helper is asked to do; see vk-cmd-pty.c for the behaviour. */
export interface PtyHelperOptions {
  /** The first terminal size; the kernel's default (0x0) when undefined. */
  size: TerminalSizeValue | undefined;
  /** Where `resize COLS ROWS` and `eof` lines come from: an inherited fd, or a FIFO the helper creates and holds open. */
  control: { fd: number } | { fifo: string } | undefined;
  /**
   * The terminal's input: the helper's stdin ('inherit'), nothing ('none'),
   * or a FIFO the helper creates and opens read-write, so writers may come
   * and go (a runner restart) without an end of input.
   */
  stdin: 'inherit' | 'none' | { fifo: string };
  /** argv[0] for the program (execvp's convention: the name as typed). */
  argv0: string | undefined;
  /** The program (an absolute path) and its arguments. */
  argv: readonly string[];
}

/** The helper's command line. Pure. */
export function ptyHelperArgs(o: PtyHelperOptions): string[] {
  const args: string[] = [];
  if (o.size) args.push('--size', `${o.size.cols}x${o.size.rows}`);
  if (o.control && 'fd' in o.control) args.push('--control-fd', String(o.control.fd));
  if (o.control && 'fifo' in o.control) args.push('--control-fifo', o.control.fifo);
  if (o.stdin === 'none') args.push('--no-stdin');
  else if (o.stdin !== 'inherit') args.push('--stdin-fifo', o.stdin.fifo);
  if (o.argv0 !== undefined) args.push('--argv0', o.argv0);
  return [...args, '--', ...o.argv];
}

/**
 * Finds the helper: VK_CMD_PTY_HELPER, else `bin/vk-cmd-pty` beside the
 * bundle's `lib/` in a release tarball, else `dist/native/vk-cmd-pty` when
 * running from the repository's `dist/`. Undefined when none is there (tty
 * sessions are then refused; everything else works without it).
 */
export function findPtyHelper(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  return findNativeBinary(PTY_HELPER_NAME, env['VK_CMD_PTY_HELPER']);
}
