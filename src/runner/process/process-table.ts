import { closeSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';
import { errnoCode } from '../../common/errors.js';
import { LAUNCH_TOKEN_VAR } from '../files/container-dir.js';

/** Linux USER_HZ: /proc times are in 1/100 s on every mainstream architecture. */
export const CLOCK_TICKS_PER_SECOND = 100;
export const NANOS_PER_TICK = 1e9 / CLOCK_TICKS_PER_SECOND;

/** One process as /proc/<pid>/stat describes it. */
export interface ProcEntry {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
  utimeTicks: number;
  stimeTicks: number;
  cutimeTicks: number;
  cstimeTicks: number;
  /** Start time in clock ticks since boot; with the pid it identifies a process across pid reuse. */
  startTicks: number;
  rssPages: number;
}

/** Fields of /proc/<pid>/stat after the command, counted from the state (0). */
const LAST_FIELD = 21;

/**
 * Parses the text of /proc/<pid>/stat. Pure; undefined for malformed text.
 * Scans take it for every process on the host, so it walks the fields in
 * place instead of splitting the text into some fifty strings.
 */
export function parseProcStat(pid: number, text: string): ProcEntry | undefined {
  // The command name may contain spaces and parentheses: fields start after the last ')'.
  const close = text.lastIndexOf(')');
  if (close === -1) return undefined;
  let end = text.length;
  while (end > close && text.charCodeAt(end - 1) <= 32) end--;
  let state = '';
  let ppid = 0;
  let pgrp = 0;
  let utimeTicks = 0;
  let stimeTicks = 0;
  let cutimeTicks = 0;
  let cstimeTicks = 0;
  let startTicks = 0;
  let rssPages = 0;
  let field = 0;
  let i = close + 2;
  while (i <= end && field <= LAST_FIELD) {
    let j = text.indexOf(' ', i);
    if (j === -1 || j > end) j = end;
    switch (field) {
      case 0:
        state = text.slice(i, j);
        break;
      case 1:
        ppid = numberAt(text, i, j);
        break;
      case 2:
        pgrp = numberAt(text, i, j);
        break;
      case 11:
        utimeTicks = numberAt(text, i, j);
        break;
      case 12:
        stimeTicks = numberAt(text, i, j);
        break;
      case 13:
        cutimeTicks = numberAt(text, i, j);
        break;
      case 14:
        cstimeTicks = numberAt(text, i, j);
        break;
      case 19:
        startTicks = numberAt(text, i, j);
        break;
      case LAST_FIELD:
        rssPages = numberAt(text, i, j);
        break;
    }
    field++;
    i = j + 1;
  }
  if (field <= LAST_FIELD) return undefined;
  return { pid, state, ppid, pgrp, utimeTicks, stimeTicks, cutimeTicks, cstimeTicks, startTicks, rssPages };
}

/** The decimal number in text[from, to), as Number() reads it (NaN for anything else). */
function numberAt(text: string, from: number, to: number): number {
  let value = 0;
  let i = from;
  const negative = text.charCodeAt(i) === 45; // '-'
  if (negative) i++;
  if (i >= to) return Number(text.slice(from, to));
  for (; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return Number(text.slice(from, to));
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

/** True when a process counts as alive for a container: it exists and is not a zombie (or dead). */
export function isLive(entry: ProcEntry): boolean {
  return entry.state !== 'Z' && entry.state !== 'X' && entry.state !== 'x';
}

/** Live members per process group, from one scan. */
export function membersByGroup(entries: readonly ProcEntry[]): Map<number, ProcEntry[]> {
  const groups = new Map<number, ProcEntry[]>();
  for (const e of entries) {
    if (!isLive(e)) continue;
    let list = groups.get(e.pgrp);
    if (!list) groups.set(e.pgrp, (list = []));
    list.push(e);
  }
  return groups;
}

/** Processes by parent pid, from one scan. */
export function childrenByParent(entries: readonly ProcEntry[]): Map<number, ProcEntry[]> {
  const children = new Map<number, ProcEntry[]>();
  for (const e of entries) {
    let list = children.get(e.ppid);
    if (!list) children.set(e.ppid, (list = []));
    list.push(e);
  }
  return children;
}

/**
 * Live processes that descend (by ppid links) from `members` of group
 * `pgid` but left the group (setsid, setpgid). Pure.
 */
export function escapedDescendants(
  children: ReadonlyMap<number, readonly ProcEntry[]>,
  members: readonly ProcEntry[],
  pgid: number,
): ProcEntry[] {
  const out: ProcEntry[] = [];
  const seen = new Set<number>();
  const queue = members.map((e) => e.pid);
  while (queue.length > 0) {
    const pid = queue.pop()!;
    for (const child of children.get(pid) ?? []) {
      if (seen.has(child.pid)) continue;
      seen.add(child.pid);
      if (child.pgrp !== pgid && isLive(child)) out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/** Which pod a process belongs to, from the identity variables every container process inherits. */
export interface PodIdentity {
  /** VK_CMD_POD_UID */
  uid: string;
  /** VK_CMD_POD_DIR: tells two runners' pods with the same uid apart. */
  podDir: string;
  /** VK_CMD_LAUNCH_TOKEN: the run that started the process's group; absent for processes of older runners. */
  launchToken?: string;
}

const UID_VAR = 'VK_CMD_POD_UID=';
const DIR_VAR = 'VK_CMD_POD_DIR=';
const TOKEN_VAR = `${LAUNCH_TOKEN_VAR}=`;

/**
 * The pod identity in the text of /proc/<pid>/environ (NUL-separated
 * NAME=value entries); undefined unless both identity variables are there.
 * Pure. The first of duplicated names wins, as getenv() reads them.
 */
export function parsePodIdentity(environ: Buffer): PodIdentity | undefined {
  // Most processes are not a pod's: reject them without splitting.
  if (environ.indexOf(UID_VAR, 0, 'latin1') === -1) return undefined;
  let uid: string | undefined;
  let podDir: string | undefined;
  let launchToken: string | undefined;
  for (const entry of environ.toString('utf8').split('\0')) {
    if (uid === undefined && entry.startsWith(UID_VAR)) uid = entry.slice(UID_VAR.length);
    else if (podDir === undefined && entry.startsWith(DIR_VAR)) podDir = entry.slice(DIR_VAR.length);
    else if (launchToken === undefined && entry.startsWith(TOKEN_VAR))
      launchToken = entry.slice(TOKEN_VAR.length);
  }
  if (!uid || !podDir) return undefined;
  return launchToken ? { uid, podDir, launchToken } : { uid, podDir };
}

/**
 * Reads /proc (root injectable for tests). Every method is a blocking,
 * best-effort read: processes vanish while being read and are then skipped.
 */
export class ProcessTable {
  /**
   * /proc/<pid>/stat is a few hundred bytes: one read into a reused buffer
   * costs a syscall and an allocation less per process than readFileSync,
   * which matters at thousands of processes per scan.
   */
  private readonly statBuffer = Buffer.alloc(4096);

  constructor(readonly procRoot = '/proc') {}

  /** One process, or undefined when it does not exist. */
  read(pid: number): ProcEntry | undefined {
    let fd: number;
    try {
      fd = openSync(`${this.procRoot}/${pid}/stat`, 'r');
    } catch {
      return undefined;
    }
    try {
      const length = readSync(fd, this.statBuffer, 0, this.statBuffer.length, 0);
      return parseProcStat(pid, this.statBuffer.toString('latin1', 0, length));
    } catch {
      return undefined;
    } finally {
      closeSync(fd);
    }
  }

  /**
   * The pod identity in a process's environment (see parsePodIdentity);
   * undefined when it has none or cannot be read (gone, another user's).
   */
  readPodIdentity(pid: number): PodIdentity | undefined {
    try {
      return parsePodIdentity(readFileSync(`${this.procRoot}/${pid}/environ`));
    } catch {
      return undefined;
    }
  }

  /** Ticks since boot, from /proc/uptime (the clock of startTicks); 0 when unreadable. */
  uptimeTicks(): number {
    try {
      const seconds = Number(readFileSync(`${this.procRoot}/uptime`, 'latin1').split(' ')[0]);
      return Number.isFinite(seconds) ? Math.floor(seconds * CLOCK_TICKS_PER_SECOND) : 0;
    } catch {
      return 0;
    }
  }

  /**
   * Every process, from /proc/<pid>/stat only. Throws only when /proc itself
   * cannot be listed (getPidsError). Costs about 10-20 us per process: share
   * scans through ProcessScanner.
   */
  scan(): ProcEntry[] {
    const out: ProcEntry[] = [];
    for (const name of readdirSync(this.procRoot)) {
      const c = name.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const entry = this.read(Number(name));
      if (entry) out.push(entry);
    }
    return out;
  }
}

/** Sends a signal to a whole process group; false when the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  if (pgid <= 1) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'EPERM') return true;
    return false;
  }
}

/** Sends a signal to one process; false when it is gone. */
export function signalProcess(pid: number, signal: NodeJS.Signals | 0): boolean {
  if (pid <= 1) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}

/**
 * The memory page size: resident pages of this process (statm) against its
 * RSS in bytes, rounded to a known page size. Falls back to 4096.
 */
export function detectPageSizeBytes(procRoot = '/proc'): number {
  try {
    const pages = Number(readFileSync(`${procRoot}/self/statm`, 'utf8').split(' ')[1]);
    const rss = process.memoryUsage().rss;
    if (!(pages > 0)) return 4096;
    const ratio = rss / pages;
    let best = 4096;
    for (const size of [4096, 16384, 65536]) if (Math.abs(size - ratio) < Math.abs(best - ratio)) best = size;
    return best;
  } catch {
    return 4096;
  }
}
