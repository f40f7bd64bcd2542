import { closeSync } from 'node:fs';
import { crashPoint } from '../crash-points.js';
import type { LeaderExits } from './group-monitor.js';
import type { LauncherReply } from './launcher-protocol.js';
import { PendingStarts, type PendingStart, type SpawnPriority } from './pending-starts.js';
import { writeAllAsync } from './pipe-writes.js';

/** How one start through the launcher went. */
export type LauncherStart =
  | { kind: 'started'; pid: number; pgrp: number; startTicks: number; exits: LeaderExits }
  | { kind: 'failed'; reply: Extract<LauncherReply, { kind: 'err' }> }
  /** Nothing was sent (no launcher, or it is gone): nothing started; use Node's spawn. */
  | { kind: 'unavailable' }
  /** The request went out and no answer came (the launcher died): the group may exist. */
  | { kind: 'lost'; message: string };

/**
 * The request side of the launcher's pipe: start requests queued by
 * priority (PendingStarts) and written in order through the threadpool, one
 * write at a time so frames never interleave and the event loop never waits
 * for the launcher. A start is 'unavailable' when its write failed (no
 * reader: `gone` is called when that fd is still the current one) and
 * 'lost' when it was written to a pipe that has been replaced since. The
 * fd a write uses is closed only once that write is done, so its number is
 * never reused under it. Single event loop.
 */
export class LauncherRequests {
  private fd = -1;
  /** The request fd a threadpool write is using (closed only once that write is done), or -1. */
  private writingFd = -1;
  /** The start that write carries. */
  private writing: PendingStart<LauncherStart> | undefined;
  /** An fd to close once the write using it is done. */
  private closeAfterWrite = -1;
  /** Starts sent or to be sent to the current launcher. */
  private readonly pending = new PendingStarts<LauncherStart>();

  /** `gone`: a write to the current fd found no reader; the launcher is unusable. */
  constructor(private readonly gone: (err: unknown) => void) {}

  /** True while a request pipe is attached. */
  get open(): boolean {
    return this.fd >= 0;
  }

  /** Starts written and not answered yet. */
  get inFlight(): number {
    return this.pending.inFlight;
  }

  /** Writes requests to `fd` (a blocking pipe to the launcher, owned from now on) until close(). */
  attach(fd: number): void {
    this.fd = fd;
  }

  /** Queues one encoded request; resolves when it is answered, lost or found unavailable. */
  send(id: number, frame: Buffer, priority: SpawnPriority): Promise<LauncherStart> {
    return new Promise((resolve) => {
      this.pending.add({ id, frame, resolve, written: false }, priority);
      this.pump();
    });
  }

  /**
   * Takes the start a reply answers, or undefined when no request with that
   * id was written (the launcher answered something it was not sent).
   */
  answered(id: number): PendingStart<LauncherStart> | undefined {
    const p = this.pending.get(id);
    // The reply may be read before the threadpool reports the write done: it proves the write.
    if (!p || !(p.written || p === this.writing)) return undefined;
    this.pending.delete(id);
    this.pump();
    return p;
  }

  /** Settles every start still waiting for this launcher: written ones are lost, the others were never sent. */
  abandonPending(): void {
    const all = this.pending.takeAll();
    for (const p of all) {
      if (p.written) p.resolve({ kind: 'lost', message: 'the launcher died during the start' });
      else if (p !== this.writing) p.resolve({ kind: 'unavailable' });
      else this.pending.keep(p); // its write's callback settles it
    }
  }

  /** Detaches and closes the request fd (after the write using it, if one is under way). */
  close(): void {
    // A threadpool write may still use the request fd: closing it now could let its number be reused.
    if (this.fd >= 0 && this.fd === this.writingFd) this.closeAfterWrite = this.fd;
    else if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  /** Writes the next queued request through the threadpool, one at a time so frames never interleave. */
  private pump(): void {
    if (this.writingFd >= 0 || this.fd < 0) return;
    const p = this.pending.nextToWrite();
    if (!p) return;
    const fd = this.fd;
    this.writingFd = fd;
    this.writing = p;
    writeAllAsync(fd, p.frame, (err) => {
      this.writingFd = -1;
      this.writing = undefined;
      if (this.closeAfterWrite === fd) {
        closeSync(fd);
        this.closeAfterWrite = -1;
      }
      if (!this.pending.has(p.id)) {
        // Answered already (the reply was read before this callback ran): on to the next request.
        this.pump();
        return;
      }
      if (err) {
        // No reader (EPIPE): the launcher is gone and cannot have read the whole request.
        this.pending.delete(p.id);
        p.resolve({ kind: 'unavailable' });
        if (fd === this.fd) this.gone(err);
        return;
      }
      p.written = true;
      if (fd !== this.fd) {
        // Written to a launcher that has died since: whether it read the request is not known.
        this.pending.delete(p.id);
        p.resolve({ kind: 'lost', message: 'the launcher died during the start' });
        return;
      }
      crashPoint('start.after-request');
      if (this.inFlight >= 2) crashPoint('start.requests-in-flight');
      this.pump();
    });
  }
}
