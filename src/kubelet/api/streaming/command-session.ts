import { errorMessage, type KindError } from '../../../common/errors.js';
import type { Logger } from '../../../common/logger.js';
import type { ProcessCall, ProcessSink } from '../../runner/runner-streams.js';
import type { CommandChannels } from './command-channels.js';
import type { CommandOutcome } from './exec-status.js';
import type { TerminalSize } from './terminal-size.js';

/** A tty session waits this long for the client's first terminal size, so the command starts with it. */
const FIRST_SIZE_WAIT_MS = 250;

/** What a failed runner call tells the client: the runner's message (an unreachable runner says so). Pure. */
export function failureOutcome(err: KindError): CommandOutcome {
  const message = errorMessage(err);
  if (err.kind === 'unavailable' && !message.startsWith('runner unavailable')) {
    return { kind: 'failed', message: `runner unavailable: ${message}` };
  }
  return { kind: 'failed', message };
}

/**
 * Connects a client's session to a runner Exec or Attach call: stdin and
 * terminal sizes to the runner, output to the client, each direction with
 * back-pressure (a slow client pauses the call's output, a slow command
 * pauses the client's stdin). The exit status ends the session; a client
 * that leaves cancels the call (the runner kills the command). Resolves when
 * the session is over; never rejects.
 */
export async function runCommandSession(
  channels: CommandChannels,
  start: (sink: ProcessSink, initialSize: TerminalSize | undefined) => ProcessCall,
  logger: Logger,
): Promise<void> {
  const sizes: TerminalSize[] = [];
  // Set once the call is open; sizes arriving before that wait in `sizes`.
  const live: { call: ProcessCall | undefined } = { call: undefined };
  let sizeArrived: () => void = () => undefined;
  const firstSize = new Promise<void>((resolve) => (sizeArrived = resolve));
  channels.onResize((size) => {
    if (live.call) return live.call.resize(size);
    sizes.push(size);
    sizeArrived();
  });
  let gone = false;
  void channels.closed.then(() => (gone = true));
  if (channels.resizable) {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, FIRST_SIZE_WAIT_MS)));
    await Promise.race([firstSize, waited, channels.closed]);
    clearTimeout(timer);
  }
  if (gone) return;

  let ended = false;
  const end = (outcome: CommandOutcome): void => {
    if (ended) return;
    ended = true;
    channels.finish(outcome);
  };
  const forward = (stream: NodeJS.WritableStream | undefined, chunk: Buffer): void => {
    if (!stream || ended) return;
    if (!stream.write(chunk)) {
      live.call?.pause();
      stream.once('drain', () => live.call?.resume());
    }
  };
  const active = start(
    {
      stdout: (chunk) => forward(channels.stdout, chunk),
      stderr: (chunk) => forward(channels.stderr, chunk),
      exit: (exit) => end({ kind: 'exited', exitCode: exit.exitCode }),
      error: (err) => {
        if (gone) return;
        logger.debug({ err }, 'Runner call failed');
        end(failureOutcome(err));
      },
    },
    sizes.shift(),
  );
  live.call = active;
  for (const size of sizes.splice(0)) active.resize(size);

  const stdin = channels.stdin;
  if (stdin) {
    stdin.on('data', (chunk: Buffer) => {
      if (!active.writeStdin(chunk)) {
        stdin.pause();
        active.onDrain(() => stdin.resume());
      }
    });
    stdin.on('end', () => active.closeStdin());
    stdin.on('error', () => undefined);
  }
  await channels.closed;
  if (!ended) logger.debug('Client left; cancelling the runner call');
  ended = true;
  active.cancel();
}
