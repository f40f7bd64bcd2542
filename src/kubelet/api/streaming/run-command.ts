import type { IncomingMessage } from 'node:http';
import type { RunnerStreams } from '../../runner/runner-streams.js';
import { InvalidInputError } from '../../../common/errors.js';
import { failureOutcome } from './command-session.js';
import type { StreamTarget } from './stream-target.js';

/** Output beyond this is cut: /run answers in one body. */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
const MAX_FORM_BYTES = 64 * 1024;

/** The request body as a form (application/x-www-form-urlencoded), at most 64 KiB. */
export function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        reject(new InvalidInputError('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      const type = req.headers['content-type'] ?? '';
      const text = Buffer.concat(chunks).toString('utf8');
      resolve(new URLSearchParams(type.includes('application/x-www-form-urlencoded') ? text : ''));
    });
    req.on('error', reject);
  });
}

/** How `/run` ended: the combined output, and the kubelet's error for a failed or non-zero command. */
export type RunResult = { ok: true; output: Buffer } | { ok: false; message: string };

/**
 * Runs a command beside a container to completion, as the kubelet's
 * RunInContainer: stdout then stderr collected; a non-zero exit is the
 * error `command 'CMD' exited with N: STDERR`. Never rejects.
 */
export function runToCompletion(
  streams: RunnerStreams,
  target: StreamTarget,
  command: readonly string[],
): Promise<RunResult> {
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    const keep = (list: Buffer[], chunk: Buffer): void => {
      if (size >= MAX_OUTPUT_BYTES) return;
      const piece = chunk.subarray(0, MAX_OUTPUT_BYTES - size);
      size += piece.length;
      list.push(piece);
    };
    streams.exec(
      {
        uid: target.uid,
        namespace: target.namespace,
        name: target.name,
        container: target.container,
        command: [...command],
        stdin: false,
        stdout: true,
        stderr: true,
        tty: false,
      },
      {
        stdout: (chunk) => keep(stdout, chunk),
        stderr: (chunk) => keep(stderr, chunk),
        exit: (exit) => {
          const output = Buffer.concat([...stdout, ...stderr]);
          if (exit.exitCode === 0) return resolve({ ok: true, output });
          const text = Buffer.concat(stderr).toString('utf8');
          resolve({
            ok: false,
            message: `command '${command.join(' ')}' exited with ${exit.exitCode}: ${text}`,
          });
        },
        error: (err) => {
          const outcome = failureOutcome(err);
          resolve({ ok: false, message: outcome.kind === 'failed' ? outcome.message : err.message });
        },
      },
    );
  });
}
