import type { Handler__Output } from '../../generated/vkcmd/runner/v1/Handler.js';
import { formatGoDuration } from '../go-duration.js';
import { runInContainer } from './container-command.js';
import { doHttpGet, httpGetRequest, MAX_BODY_BYTES } from './http-probe.js';
import { HOOK_TAG, type ProbeRunContext } from './run-probe.js';

export type HookKind = 'PostStart' | 'PreStop';

/** Whose hook it is, for the kubelet's messages: `Container "c" in Pod "name_namespace(uid)"`. */
export interface HookOwner {
  podName: string;
  namespace: string;
  uid: string;
  container: string;
}

export type HookResult = { ok: true } | { ok: false; message: string };

/** A running hook; cancel() ends it early (killing its command) and resolves `done` as a failure. */
export interface HookRun {
  readonly done: Promise<HookResult>;
  cancel(reason: string): void;
}

/** format.Pod: name_namespace(uid). Pure. */
export function formatPod(owner: HookOwner): string {
  return `${owner.podName}_${owner.namespace}(${owner.uid})`;
}

/** Go's %v of a []string. Pure. */
export function goStringList(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}

/**
 * Runs a postStart or preStop hook as the kubelet's handlerRunner does,
 * with its failure messages: exec (a non-zero exit fails, quoting the
 * command, its stderr and its output), httpGet (any HTTP response
 * succeeds; only a transport error fails), sleep. `boundMs` is how long it
 * may take (the kubelet bounds preStop by the grace period; vk-cmd bounds
 * postStart the same way so a hung hook cannot hold a container in
 * ContainerCreating forever); at the bound an exec or httpGet hook fails
 * and a sleep simply ends. Never rejects.
 */
export function runHook(
  handler: Handler__Output,
  owner: HookOwner,
  ctx: ProbeRunContext,
  boundMs: number,
): HookRun {
  const where = `for Container ${JSON.stringify(owner.container)} in Pod ${JSON.stringify(formatPod(owner))}`;
  let cancel: (reason: string) => void = () => undefined;
  const cancelled = new Promise<string>((resolve) => (cancel = resolve));
  const bound = new Promise<string>((resolve) => {
    const t = setTimeout(() => resolve(`did not complete within ${formatGoDuration(boundMs)}`), boundMs);
    void cancelled.then(() => clearTimeout(t));
  });
  const stop = Promise.race([cancelled, bound]);
  const done = (async (): Promise<HookResult> => {
    if (handler.error) {
      if (handler.action === 'httpGet') {
        const path = handler.httpGet?.path ?? '';
        return {
          ok: false,
          message: `HTTP lifecycle hook (${path}) ${where} failed - error: ${handler.error}`,
        };
      }
      return { ok: false, message: `Cannot run handler: ${handler.error}` };
    }
    switch (handler.action) {
      case 'exec':
        return execHook(handler.exec?.command ?? [], where, ctx, stop);
      case 'httpGet': {
        const action = handler.httpGet!;
        const result = await Promise.race([
          doHttpGet(httpGetRequest(action, 'lifecycle'), boundMs),
          stop.then((why) => ({ error: why })),
        ]);
        if ('error' in result) {
          return {
            ok: false,
            message: `HTTP lifecycle hook (${action.path}) ${where} failed - error: ${result.error}`,
          };
        }
        return { ok: true };
      }
      case 'sleep': {
        const seconds = handler.sleep?.seconds ?? 0;
        await Promise.race([new Promise((r) => setTimeout(r, seconds * 1000)), stop]);
        return { ok: true };
      }
      default:
        return { ok: false, message: 'Cannot run handler: invalid handler: no action' };
    }
  })();
  // The bound's timer must not outlive the hook.
  void done.then(() => cancel('the hook ended'));
  return { done, cancel: (reason) => cancel(reason) };
}

async function execHook(
  command: readonly string[],
  where: string,
  ctx: ProbeRunContext,
  stop: Promise<string>,
): Promise<HookResult> {
  const run = await runInContainer(command, ctx.container, ctx.runnerEnv, {
    timeoutMs: undefined,
    maxOutputBytes: MAX_BODY_BYTES,
    tag: HOOK_TAG,
    spawn: ctx.spawn,
    start: ctx.start,
    containerDir: ctx.containerDir,
    cgroupProcs: ctx.cgroupProcs,
  });
  const ended = run.pgid > 0 ? ctx.commandStarted(run) : () => undefined;
  let stopWhy: string | undefined;
  let finished = false;
  void stop.then((why) => {
    if (finished) return;
    stopWhy = why;
    run.kill();
  });
  try {
    const result = await run.done;
    finished = true;
    const prefix = `Exec lifecycle hook (${goStringList(command)}) ${where} failed - error:`;
    const joined = command.join(' ');
    switch (result.kind) {
      case 'exited':
        if (result.exitCode === 0) return { ok: true };
        return {
          ok: false,
          message: `${prefix} command '${joined}' exited with ${result.exitCode}: ${result.stderr}, message: ${JSON.stringify(result.output)}`,
        };
      case 'timedOut':
      case 'killed':
        return {
          ok: false,
          message: `${prefix} command '${joined}' ${stopWhy ?? `was killed by ${result.kind === 'killed' ? result.signal : 'SIGKILL'}`}, message: ${JSON.stringify(result.output)}`,
        };
      case 'notStarted':
        return { ok: false, message: `${prefix} ${result.message}, message: ""` };
    }
  } finally {
    ended();
  }
}
