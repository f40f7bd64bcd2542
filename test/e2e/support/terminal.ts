import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { REPO_ROOT } from './paths.js';

/** The PTY helper `make build` compiles (native/vk-cmd-pty.c); the runner uses the same one. */
export const PTY_HELPER = path.join(REPO_ROOT, 'dist', 'native', 'vk-cmd-pty');

/**
 * A program running on a real pseudo-terminal, as under a terminal
 * emulator: what is typed goes to the terminal, everything the program
 * writes (its echo included) is collected, and resize() changes the
 * window size (the program gets SIGWINCH).
 */
export interface TerminalSession {
  output(): string;
  type(text: string): void;
  resize(cols: number, rows: number): void;
  /** Resolves once the output matches; rejects when the program exits first or after timeoutMs. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** The program's exit code (128+N for a signal). */
  exited: Promise<number>;
  kill(): void;
}

export function startOnTerminal(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cols?: number; rows?: number } = {},
): TerminalSession {
  const size = `${options.cols ?? 80}x${options.rows ?? 24}`;
  const child = spawn(PTY_HELPER, ['--size', size, '--control-fd', '3', '--', file, ...args], {
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  const control = child.stdio[3] as Writable;
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    out += chunk.toString('utf8');
    for (const l of [...listeners]) l();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number>((resolve) =>
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : -1))),
  );
  let done = false;
  void exited.then(() => {
    done = true;
    for (const l of [...listeners]) l();
  });
  return {
    output: () => out,
    exited,
    type: (text) => child.stdin.write(text),
    resize: (cols, rows) => control.write(`resize ${cols} ${rows}\n`),
    kill: () => child.kill('SIGKILL'),
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(out);
          if (match) {
            cleanup();
            resolve(match);
          } else if (done) {
            cleanup();
            reject(new Error(`the program exited before printing ${pattern}; got:\n${out}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}; got:\n${out}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
  };
}
