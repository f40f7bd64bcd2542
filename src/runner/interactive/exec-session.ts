import { randomUUID } from 'node:crypto';
import { closeSync } from 'node:fs';
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../common/logger.js';
import type { ExecRequest__Output } from '../../generated/vkcmd/runner/v1/ExecRequest.js';
import type { ExecResponse } from '../../generated/vkcmd/runner/v1/ExecResponse.js';
import { InvalidInputError, errorMessage } from '../../common/errors.js';
import { openCgroupProcs } from '../process/cgroup-join.js';
import { planExec, type ExecContext } from './exec-command.js';
import type { ExecRegistry } from './exec-registry.js';
import { exitOf, spawnExec, SpawnPending, type SpawnedExec } from './exec-spawn.js';
import {
  SessionInputMachine,
  type SessionMessage,
  type SessionStart,
  type SessionTarget,
} from './session-input.js';

/** A running container that a session may enter. */
export interface SessionContainer {
  podUid: string;
  podKey: string;
  container: string;
  context: ExecContext;
  /** The container run's cgroup.procs files, when it joined cgroups: the exec'd command joins them first. */
  cgroupProcs?: readonly string[] | undefined;
}

/** What a stream handler needs from the runner. */
export interface SessionDeps {
  /** Finds a running container; throws NotFoundError or PreconditionError ("container X is not running"). */
  runningContainer(target: SessionTarget): SessionContainer;
  runnerEnv: Readonly<Record<string, string | undefined>>;
  registry: ExecRegistry;
  /** The PTY helper's path, when there is one. */
  ptyHelper: string | undefined;
  log: Logger;
  /** Registers the stream so a runner shutdown ends it; returns the function that unregisters it. */
  track(close: (reason: Error) => void): () => void;
  /** Turns an error into the call's status. */
  fail(method: string, err: unknown): Partial<grpc.StatusObject>;
}

/** After the command exited, its output is read until the pipes close or stay quiet this long. */
export const DRAIN_QUIET_MS = 300;

type ExecCall = grpc.ServerDuplexStream<ExecRequest__Output, ExecResponse>;

/**
 * One Exec call: the request stream goes through SessionInputMachine; the
 * command is planned (planExec) and started as its own process group,
 * registered with the container (stats, killed when the container stops);
 * output flows back with backpressure both ways; the last message is
 * `exit`. A cancelled call, an invalid message, a runner shutdown or the
 * container stopping kills the group (SIGKILL).
 */
export class ExecSession {
  private readonly machine = new SessionInputMachine('exec');
  private readonly id = randomUUID();
  private proc: SpawnedExec | undefined;
  private over = false;
  private untrack: () => void = () => undefined;
  private exited: { exitCode: number; signal: number; message: string } | undefined;
  private openOutputs = 0;
  private quietTimer: NodeJS.Timeout | undefined;
  private outputPaused = false;

  constructor(
    private readonly call: ExecCall,
    private readonly deps: SessionDeps,
  ) {}

  serve(): void {
    this.untrack = this.deps.track((reason) => this.abort(reason));
    this.call.on('data', (req: ExecRequest__Output) => this.onMessage(req as SessionMessage));
    this.call.on('end', () => this.act(this.machine.end()));
    this.call.on('cancelled', () => this.cleanup('the client cancelled the call'));
    this.call.on('error', () => this.cleanup('the call failed'));
    this.call.on('drain', () => this.resumeOutputs());
  }

  private onMessage(req: SessionMessage): void {
    if (this.over) return;
    this.act(this.machine.accept(req));
  }

  private act(action: ReturnType<SessionInputMachine['accept']>): void {
    if (this.over) return;
    switch (action.kind) {
      case 'start':
        this.start(action.start);
        return;
      case 'stdin': {
        const stdin = this.proc?.stdin;
        if (stdin && !stdin.writableEnded && !stdin.write(action.data)) {
          this.call.pause();
          stdin.once('drain', () => this.call.resume());
        }
        return;
      }
      case 'stdinClose':
        this.proc?.stdin?.end();
        return;
      case 'resize':
        this.proc?.resize?.(action.size);
        return;
      case 'invalid':
        this.abort(new InvalidInputError(action.message));
        return;
      case 'ignore':
        return;
    }
  }

  private start(start: SessionStart): void {
    let target: SessionContainer;
    try {
      target = this.deps.runningContainer(start);
    } catch (err) {
      this.abort(err);
      return;
    }
    const plan = planExec(start.command, target.context, this.deps.runnerEnv, this.id);
    if (!plan.ok) {
      this.finish({ exitCode: plan.exitCode, signal: 0, message: plan.message });
      return;
    }
    let cgroupFds: number[];
    try {
      cgroupFds = openCgroupProcs(
        target.cgroupProcs?.length ? { procsFiles: [...target.cgroupProcs] } : undefined,
      );
    } catch (err) {
      this.finish({
        exitCode: 126,
        signal: 0,
        message: `cannot join the container's cgroup: ${errorMessage(err)}`,
      });
      return;
    }
    let proc: SpawnedExec;
    try {
      proc = spawnExec(plan, start, this.deps.ptyHelper, undefined, cgroupFds);
    } catch (err) {
      if (err instanceof SpawnPending) {
        void err
          .reason()
          .then((reason) => this.finish({ exitCode: 126, signal: 0, message: `exec: ${reason}` }));
      } else {
        this.finish({ exitCode: 126, signal: 0, message: `exec: ${errorMessage(err)}` });
      }
      return;
    } finally {
      // The child holds its own copies; it writes its pid and closes them before the command runs.
      for (const fd of cgroupFds) closeSync(fd);
    }
    this.proc = proc;
    this.deps.registry.add({
      id: this.id,
      podUid: target.podUid,
      container: target.container,
      pgid: proc.pgid,
      kill: (reason) => this.containerStopped(reason),
    });
    this.deps.log.debug(
      { pod: target.podKey, container: target.container, pgid: proc.pgid, tty: start.tty, exec: this.id },
      'Exec started',
    );
    this.pipe(proc.stdout, 'stdout');
    this.pipe(proc.stderr, start.tty ? 'stdout' : 'stderr');
    proc.child.on('exit', (code, signal) => {
      this.exited = exitOf(code, signal);
      this.maybeFinish();
    });
  }

  private pipe(stream: SpawnedExec['stdout'], as: 'stdout' | 'stderr'): void {
    if (!stream) return;
    this.openOutputs++;
    stream.on('data', (data: Buffer) => {
      if (this.over) return;
      this.armQuiet();
      const message: ExecResponse = as === 'stdout' ? { stdout: data } : { stderr: data };
      if (!this.call.write(message)) this.pauseOutputs();
    });
    stream.on('close', () => {
      this.openOutputs--;
      this.maybeFinish();
    });
  }

  private pauseOutputs(): void {
    this.outputPaused = true;
    this.proc?.stdout?.pause();
    this.proc?.stderr?.pause();
  }

  private resumeOutputs(): void {
    if (!this.outputPaused) return;
    this.outputPaused = false;
    this.proc?.stdout?.resume();
    this.proc?.stderr?.resume();
    this.armQuiet();
  }

  /** After the exit, output pipes held open by processes the command left behind must not hold the session. */
  private armQuiet(): void {
    if (this.exited === undefined || this.over) return;
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => {
      this.quietTimer = undefined;
      if (this.outputPaused) return;
      this.finish(this.exited!);
    }, DRAIN_QUIET_MS);
  }

  private maybeFinish(): void {
    if (this.exited === undefined || this.over) return;
    if (this.openOutputs <= 0) this.finish(this.exited);
    else this.armQuiet();
  }

  /** The container stopped (or the pod went): the session ends the way the command was killed. */
  private containerStopped(reason: string): void {
    this.killGroup();
    if (this.over) return;
    this.deps.log.debug({ exec: this.id, reason }, 'Exec ended with its container');
    this.finish({ exitCode: 137, signal: 9, message: reason });
  }

  private finish(exit: { exitCode: number; signal: number; message: string }): void {
    if (this.over) return;
    this.over = true;
    this.stopTimers();
    this.destroyPipes();
    this.call.write({ exit });
    this.call.end();
    this.release();
  }

  /** Ends the call with an error status and kills the group. */
  private abort(err: unknown): void {
    if (this.over) return;
    this.over = true;
    this.stopTimers();
    this.killGroup();
    this.destroyPipes();
    this.call.emit('error', this.deps.fail('Exec', err));
    this.release(true);
  }

  private cleanup(why: string): void {
    if (this.over) return;
    this.over = true;
    this.stopTimers();
    this.deps.log.debug({ exec: this.id, why }, 'Exec cancelled; killing its process group');
    this.killGroup();
    this.destroyPipes();
    this.release(true);
  }

  private release(killed = false): void {
    this.untrack();
    if (killed) this.deps.registry.remove(this.id);
    else this.deps.registry.sessionEnded(this.id);
  }

  private killGroup(): void {
    const pgid = this.proc?.pgid;
    if (pgid === undefined || pgid <= 1) return;
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  private destroyPipes(): void {
    const p = this.proc;
    if (!p) return;
    for (const s of [p.stdin, p.stdout, p.stderr, p.child.stdio[3]]) s?.destroy();
  }

  private stopTimers(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = undefined;
  }
}
