import type * as grpc from '@grpc/grpc-js';
import type { HostSecurity } from '../security/host-security.js';
import type { Logger } from '../../common/logger.js';
import type { RunnerHandlers } from '../../generated/vkcmd/runner/v1/Runner.js';
import { InvalidInputError, NotFoundError, PreconditionError } from '../../common/errors.js';
import { addEphemeralContainer } from '../pods/ephemeral-container.js';
import type { PodRuntime } from '../pods/pod-runtime.js';
import type { ExecRegistry } from './exec-registry.js';
import { ExecSession, type SessionContainer } from './exec-session.js';
import { AttachSession, type AttachTarget } from './attach-session.js';
import { openFifoWriter, writeFifoLine } from './fifo-io.js';
import {
  readStdinClosed,
  readStdinHolder,
  stdinFifo,
  ttyControlFifo,
  writeStdinClosed,
} from '../files/container-stdin.js';
import type { ProcessTable } from '../process/process-table.js';
import { errorMessage } from '../../common/errors.js';
import { servePortForward } from './port-forward.js';
import type { SessionTarget } from './session-input.js';

/** What the interactive calls need from the pod manager. */
export interface PodLookup {
  /** By uid, or by namespace and name; throws NotFoundError. */
  find(ref: { uid?: string; namespace?: string; name?: string }): PodRuntime;
  /** Who the runner is, for an ephemeral container's security settings (absent: not decided, as in tests). */
  readonly hostSecurity?: HostSecurity;
}

/** The runner's hooks for a stream: registration for shutdown and error-to-status mapping. */
export interface StreamHooks {
  track(close: (reason: Error) => void): () => void;
  fail(method: string, err: unknown): Partial<grpc.StatusObject>;
}

export type InteractiveHandlers = Pick<
  RunnerHandlers,
  'Exec' | 'Attach' | 'PortForward' | 'AddEphemeralContainer'
>;

/** A container of the pod, or NOT_FOUND naming it. */
export function containerOf(runtime: PodRuntime, name: string): PodRuntime['record']['containers'][number] {
  const c = runtime.record.containers.find((x) => x.name === name);
  if (!c) throw new NotFoundError(`container "${name}" not found in pod ${runtime.key}`);
  return c;
}

/**
 * Exec, Attach, PortForward and AddEphemeralContainer: lookups of pods and
 * containers in the runner's state, shared by the session handlers in this
 * folder. Errors: unknown pod or container NOT_FOUND, a container that is
 * not running FAILED_PRECONDITION "container X is not running".
 */
export class InteractiveService {
  constructor(
    private readonly pods: PodLookup,
    private readonly registry: ExecRegistry,
    private readonly runnerEnv: Readonly<Record<string, string | undefined>>,
    private readonly ptyHelper: string | undefined,
    private readonly bootId: string,
    private readonly table: Pick<ProcessTable, 'read'>,
    private readonly log: Logger,
    /** A container run's cgroup.procs files (absent: no cgroups, exec'd commands stay in the runner's). */
    private readonly cgroupOf?: (podUid: string, container: string) => readonly string[],
  ) {}

  /** A running container to attach to: its files, its stdin FIFO and its PTY helper's control FIFO. */
  attachable(target: SessionTarget): AttachTarget {
    const runtime = this.pods.find(target);
    const c = containerOf(runtime, target.container);
    if (c.state.state !== 'running' || !c.launch) {
      throw new PreconditionError(`container ${c.name} is not running`);
    }
    const { dir, pgid } = c;
    const tty = c.launch.tty === true;
    return {
      podUid: runtime.record.uid,
      podKey: runtime.key,
      container: c.name,
      dir,
      logs: runtime.logsOf(c.name),
      stdin: c.launch.stdin === true,
      stdinOnce: c.launch.stdinOnce === true,
      tty,
      openStdin: async () => (readStdinClosed(dir) === pgid ? undefined : openFifoWriter(stdinFifo(dir))),
      closeStdinForGood: () => {
        try {
          writeStdinClosed(dir, pgid);
        } catch (err) {
          this.log.warn({ err: errorMessage(err), dir }, 'Cannot record that stdin was closed');
        }
        if (tty) {
          writeFifoLine(ttyControlFifo(dir), 'eof');
          return;
        }
        // The holder keeps the FIFO open; once it is gone the container reads the end of its input.
        const holder = readStdinHolder(dir);
        const entry = holder === undefined ? undefined : this.table.read(holder);
        if (holder !== undefined && entry?.pgrp === pgid) process.kill(holder, 'SIGTERM');
      },
      control: (line) => writeFifoLine(ttyControlFifo(dir), line),
      exit: () => {
        const s = c.state.state === 'terminated' ? c.state : c.lastState;
        if (s?.state !== 'terminated')
          return { exitCode: 0, signal: 0, message: `container ${c.name} stopped` };
        const t = s.terminated;
        return { exitCode: t.exitCode, signal: t.signal, message: t.message || t.reason };
      },
    };
  }

  /** A running container that a session may enter. */
  runningContainer(target: SessionTarget): SessionContainer {
    const runtime = this.pods.find(target);
    const c = containerOf(runtime, target.container);
    if (c.state.state !== 'running' || !c.launch) {
      throw new PreconditionError(`container ${c.name} is not running`);
    }
    return {
      podUid: runtime.record.uid,
      podKey: runtime.key,
      container: c.name,
      context: { cwd: c.launch.cwd, podEnv: c.launch.podEnv, prefix: c.launch.prefix },
      cgroupProcs: c.cgroupJoined ? this.cgroupOf?.(runtime.record.uid, c.name) : undefined,
    };
  }

  /** A pod that exists and has a running container; NOT_FOUND otherwise. */
  checkPodRunning(ref: { uid: string; namespace: string; name: string }): void {
    const runtime = this.pods.find(ref);
    if (runtime.record.deleting || !runtime.record.containers.some((c) => c.state.state === 'running')) {
      throw new NotFoundError(`pod ${runtime.key} is not running`);
    }
  }

  handlers(hooks: StreamHooks): InteractiveHandlers {
    return {
      Exec: (call) =>
        new ExecSession(call, {
          runningContainer: (t) => this.runningContainer(t),
          runnerEnv: this.runnerEnv,
          registry: this.registry,
          ptyHelper: this.ptyHelper,
          log: this.log,
          ...hooks,
        }).serve(),
      Attach: (call) =>
        new AttachSession(call, {
          attachable: (t) => this.attachable(t),
          registry: this.registry,
          log: this.log,
          ...hooks,
        }).serve(),
      PortForward: (call) =>
        servePortForward(call, {
          checkPodRunning: (ref) => this.checkPodRunning(ref),
          log: this.log,
          ...hooks,
        }),
      AddEphemeralContainer: (call, callback) => {
        try {
          const req = call.request;
          if (!req.uid) throw new InvalidInputError('uid: must not be empty');
          callback(
            null,
            addEphemeralContainer(this.pods.find({ uid: req.uid }), req, this.bootId, this.pods.hostSecurity),
          );
        } catch (err) {
          callback(hooks.fail('AddEphemeralContainer', err) as grpc.ServiceError);
        }
      },
    };
  }
}
