import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Resident memory from /proc/<pid>/status, in kB as the kernel reports it.
 * VmRSS is RssAnon + RssFile + RssShmem: RssFile is the pages of mapped files
 * the process touched (for Node.js mostly its own binary), RssAnon its
 * anonymous memory (the V8 heap, malloc, thread stacks).
 */
export interface ProcMemory {
  vmRssKb: number;
  vmHwmKb: number;
  rssAnonKb: number;
  rssFileKb: number;
}

/** Parses VmRSS, VmHWM, RssAnon and RssFile out of /proc/<pid>/status; NaN for a missing field. Pure. */
export function parseProcStatus(text: string): ProcMemory {
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) : Number.NaN;
  };
  return {
    vmRssKb: field('VmRSS'),
    vmHwmKb: field('VmHWM'),
    rssAnonKb: field('RssAnon'),
    rssFileKb: field('RssFile'),
  };
}

/**
 * User plus system CPU time in clock ticks from /proc/<pid>/stat (fields 14
 * and 15). The command name may hold spaces and parentheses, so fields are
 * counted from the last ')'. Pure.
 */
export function parseProcStatCpuTicks(text: string): number {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime is field 14, stime field 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('malformed /proc/<pid>/stat');
  return utime + stime;
}

/** The nice value (field 19) of a /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat line. Pure. */
export function parseProcStatNice(text: string): number {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); nice is field 19.
  const nice = Number(rest[16]);
  if (rest.length < 17 || !Number.isInteger(nice)) throw new Error('malformed /proc/<pid>/stat');
  return nice;
}

export function readProcMemory(pid: number): ProcMemory {
  return parseProcStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

export function readCpuTicks(pid: number): number {
  return parseProcStatCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/**
 * Resets the process's peak RSS (VmHWM) to its current RSS by writing 5 to
 * /proc/<pid>/clear_refs (Linux >= 4.0, own processes only). Returns false when
 * the kernel refuses, in which case VmHWM is the peak since the process started.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Clock ticks per second for /proc/<pid>/stat times (USER_HZ; 100 on every common kernel). */
export function clockTicksPerSecond(): number {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
}
