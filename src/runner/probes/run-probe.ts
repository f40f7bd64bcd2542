import type { Handler__Output } from '../../generated/vkcmd/runner/v1/Handler.js';
import type { SpawnProcess } from '../interactive/exec-spawn.js';
import { runInContainer, type CommandContext } from './container-command.js';
import type { RunningCommand } from './running-command.js';
import type { StartGroup } from './launched-command.js';
import { grpcProbe } from './grpc-probe.js';
import { httpProbe, MAX_BODY_BYTES } from './http-probe.js';
import type { ProbeOutcome } from './probe-worker.js';
import { tcpProbe } from './tcp-probe.js';

/** Where a probe's command runs, and who is told about its process group while it runs. */
export interface ProbeRunContext {
  container: CommandContext;
  runnerEnv: Readonly<Record<string, string | undefined>>;
  /** A command started (its group counts in the container's stats); the returned function is called when it ended. */
  commandStarted: (command: RunningCommand) => () => void;
  /** How commands are started without the launcher (default: Node's spawn). */
  spawn?: SpawnProcess | undefined;
  /** Starts commands through the launcher (output to files in containerDir); undefined: `spawn` only. */
  start?: StartGroup | undefined;
  /** The container directory (the launcher path's output files are created there). */
  containerDir?: string | undefined;
  /** The container's cgroup.procs files when its run has a cgroup: its commands join it. */
  cgroupProcs?: readonly string[] | undefined;
}

/** VK_CMD_EXEC_ID of exec probes' processes (and of hooks'), so a later runner finds what an earlier one left. */
export const PROBE_TAG = 'probe';
export const HOOK_TAG = 'hook';

/**
 * Runs one probe with its handler, as the kubelet's prober.runProbe does:
 * exec (exit 0 is a success, anything else a failure whose output is the
 * command's; a command still running at the timeout is killed and fails
 * with `command "..." timed out`), httpGet, tcpSocket or grpc. A handler
 * the kubelet marked invalid, or none, is an error (the run is thrown
 * away, as the kubelet throws away errored runs). Never rejects.
 */
export async function runProbe(
  handler: Handler__Output,
  timeoutMs: number,
  ctx: ProbeRunContext,
): Promise<ProbeOutcome> {
  if (handler.error) return { kind: 'error', message: handler.error };
  switch (handler.action) {
    case 'exec':
      return execProbe(handler.exec?.command ?? [], timeoutMs, ctx);
    case 'httpGet':
      return handler.httpGet ? httpProbe(handler.httpGet, timeoutMs) : missing();
    case 'tcpSocket':
      return handler.tcpSocket
        ? tcpProbe(handler.tcpSocket.host, handler.tcpSocket.port, timeoutMs)
        : missing();
    case 'grpc':
      return handler.grpc ? grpcProbe(handler.grpc.port, handler.grpc.service, timeoutMs) : missing();
    case 'sleep':
      return { kind: 'error', message: 'a sleep action is only valid in a lifecycle hook' };
    default:
      return missing();
  }
}

function missing(): ProbeOutcome {
  return { kind: 'error', message: 'missing probe handler' };
}

async function execProbe(
  command: readonly string[],
  timeoutMs: number,
  ctx: ProbeRunContext,
): Promise<ProbeOutcome> {
  const run = await runInContainer(command, ctx.container, ctx.runnerEnv, {
    timeoutMs,
    maxOutputBytes: MAX_BODY_BYTES,
    tag: PROBE_TAG,
    spawn: ctx.spawn,
    start: ctx.start,
    containerDir: ctx.containerDir,
    cgroupProcs: ctx.cgroupProcs,
  });
  const ended = run.pgid > 0 ? ctx.commandStarted(run) : () => undefined;
  try {
    const result = await run.done;
    switch (result.kind) {
      case 'exited':
        return { kind: result.exitCode === 0 ? 'success' : 'failure', output: result.output };
      case 'timedOut':
        return { kind: 'failure', output: `command ${JSON.stringify(command.join(' '))} timed out` };
      case 'killed':
        return {
          kind: 'error',
          message: `command ${JSON.stringify(command.join(' '))} was killed by ${result.signal}`,
        };
      case 'notStarted':
        return { kind: 'error', message: result.message };
    }
  } finally {
    ended();
  }
}
