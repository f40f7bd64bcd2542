import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { accessSync, closeSync, constants, openSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { Clock } from '../clock.js';
import { crashPoint } from '../crash-points.js';
import type { LeaderExits } from './group-monitor.js';
import { launcherRestartDelay } from './launcher-outcome.js';
import {
  decodeEvent,
  decodeFrameBody,
  decodeReply,
  encodeStartRequest,
  FrameDecoder,
  HELLO_FRAME,
  type LauncherReply,
  type StartRequest,
} from './launcher-protocol.js';

/** The launcher's file name: built from vk-cmd-launcher.c by `make build` and shipped by `make dist`. */
export const LAUNCHER_NAME = 'vk-cmd-launcher';

/** How one start through the launcher went. */
export type LauncherStart =
  | { kind: 'started'; pid: number; pgrp: number; startTicks: number; exits: LeaderExits }
  | { kind: 'failed'; reply: Extract<LauncherReply, { kind: 'err' }> }
  /** Nothing was sent (no launcher, or it is gone): nothing started; use Node's spawn. */
  | { kind: 'unavailable' }
  /** The request went out and no answer came (the launcher died): the group may exist. */
  | { kind: 'lost'; message: string };

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the launcher: VK_CMD_LAUNCHER ("none" turns it off), else
 * `bin/vk-cmd-launcher` beside the bundle's `lib/` in a release tarball, else
 * `dist/native/vk-cmd-launcher` when running from the repository's `dist/`.
 */
export function findLauncher(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  const override = env['VK_CMD_LAUNCHER'];
  if (override === 'none') return undefined;
  if (override) return isExecutable(override) ? override : undefined;
  const here = path.dirname(fileURLToPath(import.meta.url));
  return [
    path.resolve(here, '../bin', LAUNCHER_NAME),
    path.resolve(here, '../../../native', LAUNCHER_NAME),
  ].find(isExecutable);
}

/**
 * The runner's side of vk-cmd-launcher (native/vk-cmd-launcher.c): starts
 * it, sends starts synchronously over two blocking pipes (the caller's
 * files stay open and its record consistent while the launcher forks, as
 * with spawn, but the runner itself never forks), and turns the leader exits
 * the launcher pushes on its stdout into 'exit' events of each start's
 * LeaderExits. When the launcher dies its leaders' exits are 'lost' (their
 * watchers adopt the groups), the death is logged and it is started again
 * (launcherRestartDelay); meanwhile spawnGroup() answers 'unavailable'.
 * Single event loop. stop() closes the pipes: the launcher then exits and
 * leaves every group it started running.
 */
export class LauncherClient {
  private proc: ChildProcess | undefined;
  private requestFd = -1;
  private replyFd = -1;
  private nextId = 1;
  private readonly leaders = new Map<number, EventEmitter>();
  private crashesMs: number[] = [];
  private restartTimer: unknown;
  private stopped = false;
  private readonly replyHead = Buffer.alloc(4);
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
    return this.requestFd >= 0;
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

  /**
   * Starts one process group; blocks until the launcher answers (it forks
   * and execs, which takes it about a millisecond). The fds named by
   * `req.files` must stay open until this returns.
   */
  spawnGroup(req: Omit<StartRequest, 'id'>): LauncherStart {
    if (this.requestFd < 0) return { kind: 'unavailable' };
    const id = this.nextId++;
    const frame = encodeStartRequest({ ...req, id });
    try {
      writeAll(this.requestFd, frame);
    } catch (err) {
      // No reader (EPIPE): the launcher is gone and cannot have read the whole request.
      this.log.warn({ err: errorMessage(err) }, 'The launcher is gone; starting with Node spawn');
      this.disconnect();
      return { kind: 'unavailable' };
    }
    crashPoint('start.after-request');
    let reply: LauncherReply;
    try {
      reply = this.readReply();
    } catch (err) {
      this.disconnect();
      return { kind: 'lost', message: `the launcher died during the start: ${errorMessage(err)}` };
    }
    if (reply.id !== id) {
      this.disconnect();
      return { kind: 'lost', message: `the launcher answered start ${reply.id} to start ${id}` };
    }
    if (reply.kind === 'err') return { kind: 'failed', reply };
    const exits = new EventEmitter();
    this.leaders.set(reply.pid, exits);
    return { kind: 'started', pid: reply.pid, pgrp: reply.pgrp, startTicks: reply.startTicks, exits };
  }

  /** Stops using the launcher; it exits on its own and every group keeps running. */
  stop(): void {
    this.stopped = true;
    if (this.restartTimer !== undefined) this.clock.clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const connected = this.requestFd >= 0;
    this.closeFds();
    // A launcher not yet connected still holds the request pipe's write end itself.
    if (!connected) this.proc?.kill('SIGKILL');
    this.leaders.clear();
  }

  private connect(proc: ChildProcess, requestFd: number, replyFd: number): boolean {
    try {
      // Fresh, blocking open file descriptions of the launcher's pipes (Node cannot make pipes).
      this.requestFd = openSync(`/proc/${proc.pid}/fd/${requestFd}`, constants.O_WRONLY);
      this.replyFd = openSync(`/proc/${proc.pid}/fd/${replyFd}`, constants.O_RDONLY);
      writeAll(this.requestFd, HELLO_FRAME);
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

  private readReply(): LauncherReply {
    readExactly(this.replyFd, this.replyHead);
    const body = Buffer.alloc(this.replyHead.readUInt32LE(0));
    readExactly(this.replyFd, body);
    return decodeReply(decodeFrameBody(body));
  }

  private exited(pid: number, code: number | null, signal: NodeJS.Signals | null): void {
    const exits = this.leaders.get(pid);
    if (!exits) return;
    this.leaders.delete(pid);
    exits.emit('exit', code, signal);
  }

  /** The launcher is unusable: close our ends (it exits on the end of its requests if still alive). */
  private disconnect(): void {
    this.closeFds();
    this.proc?.kill('SIGKILL');
  }

  private closeFds(): void {
    for (const fd of [this.requestFd, this.replyFd]) if (fd >= 0) closeSync(fd);
    this.requestFd = this.replyFd = -1;
  }

  private died(code: number | null, signal: NodeJS.Signals | null): void {
    this.closeFds();
    this.proc = undefined;
    const lost = [...this.leaders.values()];
    this.leaders.clear();
    for (const exits of lost) exits.emit('lost');
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

function writeAll(fd: number, data: Buffer): void {
  for (let off = 0; off < data.length;) off += writeSync(fd, data, off);
}

/** Fills `buf` from a blocking fd; throws at the end of file (the launcher died). */
function readExactly(fd: number, buf: Buffer): void {
  for (let off = 0; off < buf.length;) {
    const n = readSync(fd, buf, off, buf.length - off, null);
    if (n === 0) throw new Error('end of file on the reply pipe');
    off += n;
  }
}
