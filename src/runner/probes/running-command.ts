/* A probe or hook command once started, whichever way (container-command.ts, launched-command.ts). */

/** How a command ended. */
export type CommandResult =
  /** `output` is stdout then stderr (within the limit); `stderr` alone, for messages that quote it. */
  | { kind: 'exited'; exitCode: number; output: string; stderr: string }
  /** Killed at its deadline (its group got SIGKILL). */
  | { kind: 'timedOut'; output: string }
  /** Killed by kill() (the container stopped) or by a signal from elsewhere. */
  | { kind: 'killed'; signal: string; output: string }
  /** It could not start: the message is Go's exec wording, as runc reports it. */
  | { kind: 'notStarted'; message: string };

/** A started command. */
export interface RunningCommand {
  /** Its process group (0 when it did not start). */
  readonly pgid: number;
  readonly done: Promise<CommandResult>;
  /** SIGKILL to the whole group; idempotent. */
  kill(): void;
}

/** A command that did not start. */
export function notStartedCommand(message: string): RunningCommand {
  return { pgid: 0, done: Promise.resolve({ kind: 'notStarted', message }), kill: () => undefined };
}
