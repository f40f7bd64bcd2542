import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { Clock } from '../clock.js';
import { LatchedExits } from './latched-exits.js';
import { launcherRestartDelay } from './launcher-outcome.js';
import { LauncherRequests, type LauncherStart } from './launcher-requests.js';
import type { SpawnPriority } from './pending-starts.js';
import { writeAll } from './pipe-writes.js';
import {
  decodeEvent,
  encodeStartRequest,
  FrameDecoder,
  HELLO_ASYNC_FRAME,
  type LauncherReply,
  type StartRequest,
} from './launcher-protocol.js';

export type { LauncherStart } from './launcher-requests.js';

/**
 * The runner's side of vk-cmd-launcher (native/vk-cmd-launcher.c): starts
 * it, writes starts in order over a blocking pipe through the threadpool
 * (LauncherRequests: the event loop never waits for the launcher), and reads their replies and the leader exits on the launcher's stdout,
 * asynchronously: a reply always precedes its leader's exit, which becomes
 * the 'exit' of that start's LeaderExits. The fds a request names must stay
 * open until its promise settles. When the launcher dies, a start whose
 * request was written is 'lost' (the caller settles it from evidence), one
 * not yet written is 'unavailable', its leaders' exits are 'lost' (their
 * watchers adopt the groups), the death is logged and it is started again
 * (launcherRestartDelay); meanwhile spawnGroup() answers 'unavailable'.
 * Single event loop. stop() closes the pipes: the launcher then exits and
 * leaves every group it started running.
 */
export class LauncherClient {
  private proc: ChildProcess | undefined;
  private replyFd = -1;
  private nextId = 1;
  private readonly leaders = new Map<number, LatchedExits>();
  private readonly requests = new LauncherRequests((err) => {
    this.log.warn({ err: errorMessage(err) }, 'The launcher is gone; starting with Node spawn');
    this.disconnect();
  });
  private crashesMs: number[] = [];
  private restartTimer: unknown;
  private stopped = false;
  /** Until the first start succeeded, failures are the caller's to report (one warning). */
  private everReady = false;

  constructor(
    private readonly file: string,
    /** The launcher's own environment (it reads only VK_CMD_TEST_CRASH_POINTS). */
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly readyTimeoutMs = 10_000,
  ) {}

  /** True while starts go through the launcher. */
  get available(): boolean {
    return this.requests.open;
  }

  /** The launcher's pid while one runs. */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Starts the launcher; resolves true once it is ready, false when it could not be started. */
  start(): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      let settled = false;
      const settle = (ok: boolean): void => {
        if (settled) return;
        settled = true;
        this.clock.clearTimeout(timer);
        resolve(ok);
      };
      const fault = (obj: object, msg: string): void =>
        this.everReady ? this.log.error(obj, msg) : this.log.debug(obj, msg);
      // Its own session: signals meant for the runner's terminal or group do not reach it.
      const proc = spawn(this.file, [], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: this.env,
        detached: true,
      });
      proc.unref();
      this.proc = proc;
      const timer = this.clock.setTimeout(() => {
        fault({ launcher: this.file }, 'The launcher did not become ready');
        proc.kill('SIGKILL');
        settle(false);
      }, this.readyTimeoutMs);
      const decoder = new FrameDecoder();
      proc.on('error', (err) => {
        fault({ err, launcher: this.file }, 'Cannot start the launcher');
        settle(false);
      });
      proc.stdout!.on('data', (chunk: Buffer) => {
        try {
          for (const frame of decoder.push(chunk)) {
            const event = decodeEvent(frame);
            if (event.kind === 'ready') settle(this.connect(proc, event.requestFd, event.replyFd));
            else if (event.kind === 'reply') this.replied(event.reply);
            else if (event.kind === 'exit') this.exited(event.pid, event.code, event.signal);
          }
        } catch (err) {
          this.log.error({ err }, 'The launcher sent a malformed event; stopping it');
          proc.kill('SIGKILL');
        }
      });
      // 'close': the process ended and every event it sent was read.
      proc.on('close', (code, signal) => {
        settle(false);
        if (this.proc === proc) this.died(code, signal);
      });
    });
  }

  /** Starts written to the launcher and not answered yet. */
  get inFlight(): number {
    return this.requests.inFlight;
  }

  /**
   * Starts one process group: the request is queued and written without
   * blocking the event loop; resolves with the launcher's reply (or 'lost' /
   * 'unavailable' when it died). The fds named by `req.files` must stay open
   * until it resolves. Rejects (nothing sent) when the request cannot be
   * encoded (a NUL byte in a field).
   */
  spawnGroup(req: Omit<StartRequest, 'id'>, priority: SpawnPriority = 'container'): Promise<LauncherStart> {
    if (!this.requests.open) return Promise.resolve({ kind: 'unavailable' });
    const id = this.nextId++;
    let frame: Buffer;
    try {
      frame = encodeStartRequest({ ...req, id });
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return this.requests.send(id, frame, priority);
  }

  private replied(reply: LauncherReply): void {
    const p = this.requests.answered(reply.id);
    if (!p) {
      this.log.error({ id: reply.id }, 'The launcher answered a start it was not sent; stopping it');
      this.disconnect();
      return;
    }
    if (reply.kind === 'err') {
      p.resolve({ kind: 'failed', reply });
      return;
    }
    const exits = new LatchedExits();
    this.leaders.set(reply.pid, exits);
    p.resolve({ kind: 'started', pid: reply.pid, pgrp: reply.pgrp, startTicks: reply.startTicks, exits });
  }

  /** Stops using the launcher; it exits on its own and every group keeps running. */
  stop(): void {
    this.stopped = true;
    if (this.restartTimer !== undefined) this.clock.clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const connected = this.requests.open;
    this.closeFds();
    // A launcher not yet connected still holds the request pipe's write end itself.
    if (!connected) this.proc?.kill('SIGKILL');
    this.requests.abandonPending();
    this.leaders.clear();
  }

  private connect(proc: ChildProcess, requestFd: number, replyFd: number): boolean {
    try {
      // Fresh, blocking open file descriptions of the launcher's pipes (Node cannot make pipes).
      const fd = openSync(`/proc/${proc.pid}/fd/${requestFd}`, constants.O_WRONLY);
      this.requests.attach(fd);
      this.replyFd = openSync(`/proc/${proc.pid}/fd/${replyFd}`, constants.O_RDONLY);
      writeAll(fd, HELLO_ASYNC_FRAME);
    } catch (err) {
      (this.everReady ? this.log.error : this.log.debug).call(
        this.log,
        { err },
        'Cannot open the launcher pipes',
      );
      this.closeFds();
      proc.kill('SIGKILL');
      return false;
    }
    this.everReady = true;
    this.log.info({ launcherPid: proc.pid, launcher: this.file }, 'Launcher ready');
    return true;
  }

  private exited(pid: number, code: number | null, signal: NodeJS.Signals | null): void {
    const exits = this.leaders.get(pid);
    if (!exits) return;
    this.leaders.delete(pid);
    exits.tell('exit', code, signal);
  }

  /** The launcher is unusable: close our ends (it exits on the end of its requests if still alive). */
  private disconnect(): void {
    this.closeFds();
    this.proc?.kill('SIGKILL');
  }

  private closeFds(): void {
    this.requests.close();
    if (this.replyFd >= 0) closeSync(this.replyFd);
    this.replyFd = -1;
  }

  private died(code: number | null, signal: NodeJS.Signals | null): void {
    this.closeFds();
    this.proc = undefined;
    this.requests.abandonPending();
    const lost = [...this.leaders.values()];
    this.leaders.clear();
    for (const exits of lost) exits.tell('lost');
    if (this.stopped) return;
    const now = this.clock.nowMs();
    const next = launcherRestartDelay(this.crashesMs, now);
    this.crashesMs = next.crashesMs;
    this.log.error(
      { code, signal, groups: lost.length, restartInMs: next.delayMs },
      'The launcher exited; its groups keep running and are watched by polling; starting it again',
    );
    this.restartTimer = this.clock.setTimeout(() => {
      this.restartTimer = undefined;
      void this.start();
    }, next.delayMs);
  }
}
