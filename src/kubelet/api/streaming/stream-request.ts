import { InvalidInputError } from '../../../common/errors.js';

/** Which standard streams a remote command session carries. */
export interface CommandStreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

function flag(query: URLSearchParams, ...names: string[]): boolean {
  // The API server sends "1" (input=1, output=1, ...); "true" is accepted from direct callers.
  return names.some((name) => {
    const value = query.get(name);
    return value === '1' || value === 'true';
  });
}

/**
 * The stream options of an exec or attach request, as remotecommand's
 * NewOptions reads them: `input`/`stdin`, `output`/`stdout`,
 * `error`/`stderr`, `tty`; with a tty there is no separate stderr; at least
 * one stream is required. Pure; throws InvalidInputError.
 */
export function parseCommandStreamOptions(query: URLSearchParams): CommandStreamOptions {
  const tty = flag(query, 'tty');
  const stdin = flag(query, 'input', 'stdin');
  const stdout = flag(query, 'output', 'stdout');
  const stderr = flag(query, 'error', 'stderr') && !tty;
  if (!stdin && !stdout && !stderr) {
    throw new InvalidInputError('you must specify at least 1 of stdin, stdout, stderr');
  }
  return { stdin, stdout, stderr, tty };
}

/** The command of an exec request: every `command` value, in order. Pure; throws InvalidInputError when empty. */
export function parseExecCommand(query: URLSearchParams): string[] {
  const command = query.getAll('command');
  if (command.length === 0 || command[0] === '') throw new InvalidInputError('command is required');
  return command;
}

/** The command of a `/run` request: the `cmd` form value split on spaces, as the kubelet splits it. Pure. */
export function parseRunCommand(form: URLSearchParams): string[] {
  const command = (form.get('cmd') ?? '').split(' ');
  if (command.length === 0 || command[0] === '') throw new InvalidInputError('cmd is required');
  return command;
}

/**
 * The ports of a WebSocket port-forward request (`port`, repeated or
 * comma-separated), each 1-65535, as portforward.NewV4Options reads them.
 * Pure; throws InvalidInputError.
 */
export function parsePortForwardPorts(query: URLSearchParams): number[] {
  const values = query.getAll('port');
  if (values.length === 0) throw new InvalidInputError('query parameter "port" is required');
  const ports: number[] = [];
  for (const value of values) {
    if (value.length === 0) throw new InvalidInputError('query parameter "port" cannot be empty');
    for (const part of value.split(',')) ports.push(parsePort(part, value));
  }
  return ports;
}

/** A port header or query value; throws InvalidInputError. Pure. */
export function parsePort(text: string, original = text): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) {
    throw new InvalidInputError(`unable to parse "${original}" as a port`);
  }
  const port = Number(text);
  if (port < 1) throw new InvalidInputError(`port "${original}" must be > 0`);
  return port;
}
